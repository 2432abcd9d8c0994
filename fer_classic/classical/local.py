"""Local learning: for each test image, an SVM trained on its nearest training images.

Ionescu, Popescu and Grozea (2013) classify each FER-2013 test face with a
one-versus-all SVM trained only on the ``K`` training faces most similar to
it under the SVM's own kernel, instead of one SVM for all faces: a model
fitted to the region of the face space the test face lies in. With presence
vectors of visual words and a spatial pyramid it reached 67.5 % on FER-2013.

:class:`LocalSVC` does this for any kernel setting of
:mod:`fer_classic.classical.kernels` (a kernel per block of columns, weighted):

1. ``fit`` stores the training features and fits the global model, a
   :class:`~fer_classic.classical.kernels.KernelSVC` with the same parameters,
   on all of them.
2. For each test image ``x``, its ``n_neighbors`` nearest training images in
   the kernel's feature space, by ``k(x_i, x_i) - 2 k(x, x_i)`` (the squared
   kernel distance less ``k(x, x)``; for histograms normalised so that
   ``k(x_i, x_i)`` is the same for all, the largest kernel values); equal
   distances are ordered by training index. ``n_neighbors`` larger than the
   training set means all of it.
3. One-versus-rest SVMs like the global model's (same kernel, method, feature
   map and C) are fitted on them, in training order, and score ``x``: a
   ``KernelSVC`` fitted on those images alone. Where the neighbours all belong
   to one class, the global model scores ``x`` instead.

Scores follow the global model's shape: one-versus-rest scores for every
class of the training set, ``(n, n_classes)``, or ``(n,)`` for ``classes_[1]``
when there are two. A class absent from a neighbourhood scores the lowest
score of the classes present minus 1 (one margin below them), so it is never
predicted there; when the neighbourhood holds exactly two classes, their
scores are the binary SVM's ``-d`` and ``d``.

Cost
----
``fit`` is the global model's fit. Each test image costs its kernel row
against the ``n`` training images, ``O(n D)`` (a matrix product for the
linear kernel), a sort of the row, ``O(n log n)``, and one SVM fit on ``K``
images: ``LinearSVC`` on ``K x D`` features (``method="map"``) or
``SVC`` on the ``K x K`` kernel, ``O(K^2 D)`` to compute
(``method="precomputed"``). Test images are independent: ``n_jobs`` runs
parts of them in joblib worker processes (the training features are shared
through a memory map), which does not change the result. Not threads:
liblinear draws from one random generator per process, so local models
fitted in threads at once would depend on their interleaving. Memory: the
training features, ``fit_X_``: ``8 n D`` bytes.

Measured on 2,000 FER-2013 training faces (``bovw`` with 500 words, 2,500
features; one core of a busy machine): about 60 ms of CPU per test face for
``K = 500`` with ``method="map"``, 30 ms for ``K = 200``; ``n_jobs=2`` halves
the time. The local SVM's cost depends on ``K``, not on ``n``, so the 3,589
validation faces of FER-2013 take some 2 to 4 minutes per candidate on two
cores for ``K`` of 200 to 500, more for larger ``K``.

References
----------
.. [1] R. T. Ionescu, M. Popescu and C. Grozea, "Local Learning to Improve Bag of
   Visual Words Model for Facial Expression Recognition", ICML 2013 WREPL.
.. [2] L. Bottou and V. Vapnik, "Local Learning Algorithms", Neural Computation
   4(6), 1992.
"""

from __future__ import annotations

import warnings

import numpy as np
from joblib import effective_n_jobs
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import gen_batches, gen_even_slices
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted, validate_data

from .kernels import (
    KernelSVC,
    _check_common,
    _uses_histograms,
    check_histogram_input,
    check_two_classes,
    kernel_blocks,
    kernel_diagonal,
    kernel_matrix,
)

#: Test images whose kernel rows are computed at once (against 28,709 training images, 15 MB).
_CHUNK = 64


def _check_n_neighbors(n_neighbors) -> int:
    if (
        isinstance(n_neighbors, bool)
        or not isinstance(n_neighbors, (int, np.integer))
        or n_neighbors < 1
    ):
        raise ValueError(f"n_neighbors must be a positive integer; got {n_neighbors!r}")
    return int(n_neighbors)


def _ovr_row(scores: np.ndarray, positions: np.ndarray, n_classes: int) -> np.ndarray:
    """A model's scores of one image over all ``n_classes``; its classes are ``positions``."""
    present = np.array([-scores[0], scores[0]]) if scores.ndim == 1 else scores[0]
    row = np.full(n_classes, present.min() - 1.0)
    row[positions] = present
    return row


def _neighbors(K_rows: np.ndarray, fit_diagonal: np.ndarray, k: int) -> np.ndarray:
    """The ``k`` training rows nearest each query, from its kernel row: ``(n, k)``.

    Nearest by ``k(x_i, x_i) - 2 k(x, x_i)``; equal distances by training index.
    """
    distance = fit_diagonal[None, :] - 2.0 * K_rows
    return np.argsort(distance, axis=1, kind="stable")[:, :k]


def _local_scores(model: KernelSVC, fit_X, fit_Z, fit_y, classes, fit_diagonal, X, k: int):
    """Scores of test images by their local SVMs: the work of one joblib task.

    ``model`` is the fitted global model: its kernel setting, method, feature
    map and SVMs are those of every local model. ``fit_Z`` holds the mapped
    training features (``method_="map"``), which each local SVM takes rows of;
    with ``"precomputed"`` a local SVM takes the kernel matrix of its rows.

    Returns the one-versus-rest scores ``(len(X), n_classes)``, a mask of the
    rows whose neighbours hold one class (left for the global model, their
    scores undefined), and how many local SVMs did not converge (counted here,
    where they are fitted, and warned about once by the caller).
    """
    setting = (model.kernel, model.blocks, model.kernel_weights)
    out = np.empty((len(X), len(classes)))
    fallback = np.zeros(len(X), dtype=bool)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        for batch in gen_batches(len(X), _CHUNK):
            K_rows = kernel_matrix(X[batch], fit_X, *setting)
            Z = model._mapped(X[batch]) if model.method_ == "map" else None
            for i, neighbours in enumerate(_neighbors(K_rows, fit_diagonal, k)):
                rows = np.sort(neighbours)
                labels = fit_y[rows]
                if np.all(labels == labels[0]):
                    fallback[batch.start + i] = True
                    continue
                svm = model._svm()
                if Z is None:
                    svm.fit(kernel_matrix(fit_X[rows], fit_X[rows], *setting), classes[labels])
                    scores = svm.decision_function(K_rows[i : i + 1, rows])
                else:
                    svm.fit(fit_Z[rows], classes[labels])
                    scores = svm.decision_function(Z[i : i + 1])
                positions = np.searchsorted(classes, svm.classes_)
                out[batch.start + i] = _ovr_row(scores, positions, len(classes))
    unconverged = 0
    for w in caught:
        if issubclass(w.category, ConvergenceWarning):
            unconverged += 1
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return out, fallback, unconverged


class LocalSVC(ClassifierMixin, BaseEstimator):
    """One-versus-rest SVM trained on each test image's nearest training images.

    See the module docstring for the method and its cost.

    Parameters
    ----------
    n_neighbors : int, default=1000
        Training images per local model (``K``); all of them when larger than
        the training set, which makes the local model the global one.
    kernel : str or sequence of str, default="linear"
        ``"linear"``, ``"intersection"`` or ``"chi2"``, or one per block; it
        chooses the neighbours and is the SVMs' kernel.
    C : float, default=1.0
        Inverse regularisation of each SVM.
    method : {"auto", "map", "precomputed"}, default="auto"
        How each SVM is trained (:class:`~fer_classic.classical.kernels.KernelSVC`):
        ``LinearSVC`` on (mapped) features, or ``SVC`` on the kernel matrix;
        "auto" maps unless a block's kernel is the intersection kernel.
    blocks : sequence of int or None, default=None
        Column block sizes, one kernel and weight each (None: one block).
    kernel_weights : sequence of float or None, default=None
        Weight of each block's kernel (None: 1 each).
    sample_steps : {1, 2, 3}, default=2
        ``AdditiveChi2Sampler``'s steps for chi2 blocks with ``method="map"``.
    class_weight : "balanced" or None, default=None
        Of each SVM (balanced over its own training images).
    random_state : int or None, default=None
        Seeds each ``LinearSVC``: the same for every local model.
    n_jobs : int or None, default=None
        joblib worker processes over parts of the test images; does not change
        the result.

    Attributes
    ----------
    classes_ : ndarray (n_classes,)
    n_features_in_ : int
    fit_X_ : float64 ndarray (n_samples, n_features)
        The training features.
    fit_y_ : int64 ndarray (n_samples,)
        Training labels as indices into ``classes_``.
    fit_diagonal_ : float64 ndarray (n_samples,)
        ``k(x_i, x_i)`` of each training image.
    global_ : KernelSVC
        The model fitted on every training image, the fallback.

    See Also
    --------
    fer_classic.classical.kernels.KernelSVC : the global model.

    Examples
    --------
    >>> import numpy as np
    >>> from fer_classic.classical.local import LocalSVC
    >>> rng = np.random.default_rng(0)
    >>> X = np.vstack([rng.normal(c, 0.3, (20, 2)) for c in (0, 2, 4)])
    >>> y = np.repeat([0, 1, 2], 20)
    >>> LocalSVC(n_neighbors=15, random_state=0).fit(X, y).predict([[0.1, 0.0], [3.9, 4.2]])
    array([0, 2])
    """

    def __init__(
        self,
        n_neighbors=1000,
        kernel="linear",
        C=1.0,
        method="auto",
        blocks=None,
        kernel_weights=None,
        sample_steps=2,
        class_weight=None,
        random_state=None,
        n_jobs=None,
    ):
        self.n_neighbors = n_neighbors
        self.kernel = kernel
        self.C = C
        self.method = method
        self.blocks = blocks
        self.kernel_weights = kernel_weights
        self.sample_steps = sample_steps
        self.class_weight = class_weight
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _global(self) -> KernelSVC:
        return KernelSVC(
            kernel=self.kernel,
            C=self.C,
            method=self.method,
            blocks=self.blocks,
            kernel_weights=self.kernel_weights,
            sample_steps=self.sample_steps,
            class_weight=self.class_weight,
            random_state=self.random_state,
        )

    def fit(self, X, y):
        """Store the training set and fit the global model on it."""
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        _check_n_neighbors(self.n_neighbors)
        blocks, _ = _check_common(self, X.shape[1])
        check_histogram_input(X, blocks, type(self).__name__)
        self.classes_, self.fit_y_ = np.unique(y, return_inverse=True)
        check_two_classes(self.classes_, type(self).__name__)
        self.fit_X_ = X
        self.fit_diagonal_ = kernel_diagonal(X, self.kernel, self.blocks, self.kernel_weights)
        self.global_ = self._global().fit(X, y)
        return self

    def neighbors(self, X) -> np.ndarray:
        """Training indices of each row's neighbours, nearest first: int64 ``(n, K)``."""
        check_is_fitted(self)
        X = self._check_X(X)
        k = min(_check_n_neighbors(self.n_neighbors), len(self.fit_X_))
        setting = (self.kernel, self.blocks, self.kernel_weights)
        return np.concatenate(
            [
                _neighbors(kernel_matrix(X[batch], self.fit_X_, *setting), self.fit_diagonal_, k)
                for batch in gen_batches(len(X), _CHUNK)
            ]
        )

    def _check_X(self, X) -> np.ndarray:
        X = validate_data(self, X, dtype=np.float64, reset=False)
        blocks = kernel_blocks(self.kernel, self.blocks, self.kernel_weights, X.shape[1])
        check_histogram_input(X, blocks, type(self).__name__)
        return X

    def _all_scores(self, X) -> np.ndarray:
        check_is_fitted(self)
        X = self._check_X(X)
        k = min(_check_n_neighbors(self.n_neighbors), len(self.fit_X_))
        model = self.global_
        fit_Z = model._mapped(self.fit_X_) if model.method_ == "map" else None
        n_parts = min(2 * effective_n_jobs(self.n_jobs), -(-len(X) // _CHUNK))
        results = Parallel(n_jobs=self.n_jobs)(
            delayed(_local_scores)(
                model,
                self.fit_X_,
                fit_Z,
                self.fit_y_,
                self.classes_,
                self.fit_diagonal_,
                X[part],
                k,
            )
            for part in gen_even_slices(len(X), n_parts)
        )
        scores = np.concatenate([r[0] for r in results])
        fallback = np.concatenate([r[1] for r in results])
        if fallback.any():
            every = np.arange(len(self.classes_))
            for i, row in zip(
                np.flatnonzero(fallback), self.global_.decision_function(X[fallback]), strict=True
            ):
                scores[i] = _ovr_row(np.asarray(row)[None], every, len(self.classes_))
        unconverged = sum(r[2] for r in results)
        if unconverged:
            warnings.warn(
                f"{unconverged} local SVMs (of {len(X)} test images) stopped at their "
                "iteration limit before converging; a smaller C converges faster",
                ConvergenceWarning,
                stacklevel=3,
            )
        return scores

    def decision_function(self, X) -> np.ndarray:
        """One-versus-rest scores: ``(n, n_classes)``, or ``(n,)`` for ``classes_[1]`` if binary."""
        scores = self._all_scores(X)
        return scores[:, 1] if len(self.classes_) == 2 else scores

    def predict(self, X) -> np.ndarray:
        """The class of the highest score; equal scores go to the first class."""
        scores = self._all_scores(X)
        return self.classes_[np.argmax(scores, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = _uses_histograms(self.kernel)
        return tags
