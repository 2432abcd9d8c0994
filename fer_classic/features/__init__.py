"""The eight feature extractors: batch functions and scikit-learn transformers.

Each extractor is a function on a batch of grey images, uint8 ``(N, H, W)``
(FER-2013: ``(N, 48, 48)``), returning float32 ``(N, D)``, and a transformer
around it whose parameters a grid search can tune and which works in a
``Pipeline``:

============  ======================  ==================  ========================================
name          transformer             function            output size with the defaults (48x48)
============  ======================  ==================  ========================================
``pixels``    :class:`PixelFeatures`  pixel_features      2,304 (576 with ``size=24``)
``hist``      HistogramFeatures       histogram_features  32 (bins x grid cells)
``hog``       HogFeatures             hog_features        1,296 (skimage's ``hog`` definition)
``lbp``       LbpFeatures             lbp_features        360 (uniform P=8, R=1, 6x6 cells)
``gabor``     GaborFeatures           gabor_features      576 (3 frequencies x 6 orientations x
                                                          4x4 cells x mean, std)
``landmarks`` LandmarkFeatures        landmark_features   149 (68 normalized points + 13 measures)
``bovw``      BovwFeatures            bovw_features       2,500 (500 visual words x (1 + 2x2)
                                                          pyramid cells); learns its vocabulary
``faceembed`` FaceEmbedFeatures       face_embeddings     128 (dlib's face-recognition ResNet)
============  ======================  ==================  ========================================

Each module's docstring says what its extractor captures and its exact
definition; each function's docstring, its parameters and output size.

Input
-----
Transformers and functions take ``(N, H, W)`` images or ``(N, H*W)`` rows of
flattened square images (so a ``Pipeline`` fed flattened pixels works), of grey
levels 0..255: uint8, or integers / floats in [0, 255] (floats are rounded).
Anything else (another dtype, other values, another shape, an empty batch)
raises ``ValueError``. ``n_features_in_`` is ``H * W`` either way.

The API the grid search uses
----------------------------
``FEATURES``
    dict: name -> transformer class, for the eight names above.
``make_features(spec, params=None, n_jobs=None)``
    The transformer for ``"hog"`` or a combination ``"hog+lbp+landmarks"``
    (a ``FeatureUnion`` concatenating in that order), with optional parameters
    per name: ``make_features("hog+lbp", {"hog": {"orientations": 12}})``.
``cached_transform(transformer, images, data_fingerprint=None, cache_dir=None, *,
fit_images=None, fit_fingerprint=None)``
    The features as float32 ``(N, D)``, computed once per data fingerprint and
    parameter set and then loaded from ``<cache_dir>/<name>-<key>.npy`` (see
    :mod:`fer_classic.features.cache`). Pass ``split.fingerprint`` from
    :mod:`fer_classic.data`, and for ``bovw`` the training split's images and
    fingerprint as ``fit_images`` and ``fit_fingerprint``.
``cached_fit(transformer, images, data_fingerprint=None, cache_dir=None)``
    The transformer fitted on training images, its learnt state (``bovw``'s
    vocabulary) cached once per training set and parameter set.
``feature_dimension(transformer, image_shape)``
    The output size, parameters checked, without learning anything.

Seven of the transformers are stateless: ``fit`` only checks parameters and
records ``n_features_in_``, ``image_shape_``; ``transform`` works unfitted. So
the features of each split can be computed once (``cached_transform``) and a
classifier grid search runs on them; or the transformer sits in a
``Pipeline`` and is cloned and refitted freely. ``bovw`` learns a visual
vocabulary from the images it is fitted on (no labels): it is fitted on the
training split only, and ``transform`` needs it fitted.

``n_jobs`` (HOG, LBP, Gabor, landmarks, BoVW, faceembed) runs chunks of the batch in joblib
worker processes; it never changes the output and is left out of cache keys.
"""

from .bovw import BovwFeatures, bovw_features, dense_keypoints, dense_sift
from .cache import (
    FEATURE_CACHE_VERSION,
    cached_fit,
    cached_transform,
    feature_cache_path,
    feature_key,
    fitted_cache_path,
    learns_from_data,
)
from .faceembed import FaceEmbedFeatures, face_embeddings
from .gabor import GaborFeatures, gabor_bank, gabor_features
from .histogram import HistogramFeatures, histogram_features
from .hog import HogFeatures, hog_features
from .landmarks import MEASURES, LandmarkFeatures, landmark_features, landmark_points
from .lbp import LbpFeatures, lbp_codes, lbp_features, n_lbp_bins
from .pixels import PixelFeatures, pixel_features
from .registry import (
    FEATURES,
    feature_dimension,
    make_features,
    parse_feature_spec,
    register_extractor,
)

__all__ = [
    "FEATURES",
    "FEATURE_CACHE_VERSION",
    "MEASURES",
    "BovwFeatures",
    "FaceEmbedFeatures",
    "GaborFeatures",
    "HistogramFeatures",
    "HogFeatures",
    "LandmarkFeatures",
    "LbpFeatures",
    "PixelFeatures",
    "bovw_features",
    "cached_fit",
    "cached_transform",
    "dense_keypoints",
    "dense_sift",
    "face_embeddings",
    "feature_cache_path",
    "feature_dimension",
    "feature_key",
    "fitted_cache_path",
    "gabor_bank",
    "gabor_features",
    "histogram_features",
    "hog_features",
    "landmark_features",
    "landmark_points",
    "lbp_codes",
    "lbp_features",
    "learns_from_data",
    "make_features",
    "n_lbp_bins",
    "parse_feature_spec",
    "pixel_features",
    "register_extractor",
]
