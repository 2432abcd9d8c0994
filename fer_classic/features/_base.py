"""The base of the six feature transformers: stateless wrappers around a batch function."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin

from ._validation import as_images


class ImageFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class: a scikit-learn transformer around one batch feature function.

    Subclasses store their parameters in ``__init__`` (nothing else) and define:

    - ``_n_features(image_shape)``: the output size for images of that shape,
      raising ``ValueError`` for invalid parameters;
    - ``_function``: the batch feature function, ``staticmethod(f)``, called as
      ``f(images, **self.get_params())`` on a checked uint8 ``(N, H, W)`` batch and
      returning float32 ``(N, D)``: the transformer's parameters are the function's
      keyword arguments.

    Input ``X`` is ``(N, H, W)`` images or ``(N, H*W)`` flattened square images
    of grey levels 0..255 (see :func:`~fer_classic.features._validation.as_images`).
    The transformers are stateless: ``fit`` checks the parameters and records
    ``n_features_in_`` (``H*W``) and ``image_shape_``, and ``transform`` works
    without it, so features of a split can be computed once and reused.
    """

    #: Smallest image side the extractor accepts.
    _min_size = 1

    #: The batch feature function (a ``staticmethod`` in each subclass).
    _function: Callable[..., np.ndarray]

    def fit(self, X, y=None):
        """Check the parameters against ``X`` and record its image shape; learns nothing."""
        images = as_images(X, min_size=self._min_size)
        self.image_shape_ = images.shape[1:]
        self.n_features_in_ = images.shape[1] * images.shape[2]
        self._n_features_out = self._n_features(self.image_shape_)
        return self

    def transform(self, X) -> np.ndarray:
        """Features of ``X``: float32 ``(N, D)``."""
        images = as_images(X, min_size=self._min_size)
        n_features = images.shape[1] * images.shape[2]
        fitted = getattr(self, "n_features_in_", None)
        if fitted is not None and n_features != fitted:
            raise ValueError(
                f"X has {n_features} features, but {type(self).__name__} is expecting "
                f"{fitted} features as input."
            )
        return self._extract(images)

    def _n_features(self, image_shape: tuple[int, int]) -> int:
        raise NotImplementedError

    def _extract(self, images: np.ndarray) -> np.ndarray:
        return type(self)._function(images, **self.get_params(deep=False))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
