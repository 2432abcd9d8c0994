"""Bag of visual words (BoVW): dense SIFT, a k-means vocabulary, a spatial pyramid of words.

What it captures: which local appearance patterns occur on the face (the
corner of a mouth, a brow's edge, a wrinkle), each reduced to its nearest
*visual word*, and in which region of the face they occur. Ionescu, Popescu
and Grozea (2013) reach 67.5 % on FER-2013 with presence vectors of such
words over the whole face and a spatial pyramid.

Unlike the other extractors, this one learns from data: ``fit`` learns the
vocabulary from training images (no labels); ``transform`` needs it.

The definition, for grey images of ``H x W`` pixels:

1. **Keypoints** (:func:`dense_keypoints`): for each patch size ``s`` in
   ``patch_sizes``, a square grid of patch centres ``step`` pixels apart, as
   many as fit with the whole ``s x s`` patch inside the image, the grid
   centred on the image (an even margin on both sides).
2. **Descriptors** (:func:`dense_sift`): OpenCV's SIFT descriptor
   (``cv2.SIFT_create().compute``, one call per image) at each keypoint,
   upright (angle 0), with OpenCV keypoint size ``s / 6``: OpenCV's 4 x 4
   spatial bins are ``3 * size / 2`` pixels wide, so they tile the ``s x s``
   patch. 128 float32 values per descriptor, OpenCV's normalised, clipped
   (0.2) and rescaled histogram (0 .. 255). OpenCV describes every provided
   keypoint on the image blurred to sigma 1.6 (octave 0, no upsampling),
   whatever its size. Its trilinear interpolation reaches half a bin (``s /
   8``) beyond the patch, and it skips samples outside the image (and on its
   outermost rows and columns), so a patch at the border sees slightly less
   than one inside; no keypoint is dropped or moved.
3. **Words**: each descriptor is replaced by its nearest centre (Euclidean)
   among ``n_words`` learnt by ``MiniBatchKMeans`` (k-means++, batches of
   ``max(1024, 4 * n_words)``) on descriptors of the training images only
   (``fit``; at most ``n_descriptors`` of them: all descriptors of randomly
   chosen images, then a random subset of those).
4. **Spatial pyramid**: for each level ``L`` of ``levels``, an ``L x L``
   grid of cells with the other extractors' boundaries (``np.array_split``);
   a keypoint belongs to the cell that holds the pixel at its centre (a
   centre on a cell boundary, between two pixels, to the cell right of or
   below it). Level 1 is the whole face.
5. **Histograms** per cell over the vocabulary: ``"presence"`` is 1 for each
   word that occurs in the cell at least once, 0 otherwise (Ionescu et al.);
   ``"counts"`` is the number of its occurrences.
6. **Normalisation** per level: the level's cell histograms, concatenated,
   are divided by their L2 norm (``norm="l2"``, the default) or L1 norm
   (``"l1"``; ``"none"`` keeps them as they are), so that every level weighs
   the same whatever its number of cells; then level ``l`` is multiplied by
   ``sqrt(level_weights[l])``. A linear kernel on the output is thus the
   weighted sum ``sum_l level_weights[l] * k_l`` of the levels' own linear
   kernels, Ionescu et al.'s combination of representations.

Output: float32 ``(N, n_words * sum(L * L for L in levels))``: levels in the
order given, cells row-major within a level, words in vocabulary order.

Speed: descriptors dominate, about 10 microseconds per keypoint in OpenCV;
words are assigned by ``MiniBatchKMeans.predict`` on all descriptors of a
chunk of images at once, and histograms are one ``np.bincount`` per chunk.
``n_jobs`` spreads chunks over joblib worker processes
(:mod:`fer_classic.features._batch`). Measured on one core of a busy machine:
with the defaults (130 keypoints, 500 words) 1.6 ms of SIFT and 0.3 ms of
words per face, some 400 faces per second; with 230 keypoints and 1,000
words, 2.5 and 1.0 ms, some 260. Learning a vocabulary from 100,000
descriptors takes 35 s (500 words) to 100 s (1,000 words).

References
----------
.. [1] R. T. Ionescu, M. Popescu and C. Grozea, "Local Learning to Improve
   Bag of Visual Words Model for Facial Expression Recognition", ICML 2013
   Workshop on Representation Learning (WREPL), 2013.
.. [2] S. Lazebnik, C. Schmid and J. Ponce, "Beyond Bags of Features: Spatial
   Pyramid Matching for Recognizing Natural Scene Categories", CVPR 2006.
"""

from __future__ import annotations

import functools
import math

import cv2
import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.cluster import MiniBatchKMeans
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._batch import map_chunks
from ._cells import cell_index
from ._validation import as_images, check_choice, check_positive_int

HISTOGRAMS = ("presence", "counts")
NORMS = ("l2", "l1", "none")
#: Values of one SIFT descriptor.
DESCRIPTOR_SIZE = 128
#: Smallest patch: OpenCV's 4 x 4 bins one pixel wide.
MIN_PATCH = 4
_CHUNK = 64  # images per chunk: their descriptors (4 to 8 MB) are assigned to words at once


def _check_sizes(name: str, value, *, minimum: int = 1) -> tuple[int, ...]:
    """``value`` (an int or a non-empty sequence of distinct ints >= ``minimum``) as a tuple."""
    values = (value,) if isinstance(value, (int, np.integer)) else value
    try:
        values = tuple(check_positive_int(name, v, minimum=minimum) for v in values)
    except (TypeError, ValueError):
        values = ()
    if not values or len(set(values)) != len(values):
        raise ValueError(
            f"{name} must be an integer >= {minimum} or a non-empty sequence of distinct "
            f"integers >= {minimum}; got {value!r}"
        )
    return values


def _check_geometry(image_shape, step, patch_sizes) -> tuple[int, tuple[int, ...]]:
    step = check_positive_int("step", step)
    patch_sizes = _check_sizes("patch_sizes", patch_sizes, minimum=MIN_PATCH)
    if max(patch_sizes) > min(image_shape):
        raise ValueError(
            f"patch_sizes {patch_sizes!r} must fit in the {image_shape[0]}x{image_shape[1]} "
            f"images: at most {min(image_shape)} pixels"
        )
    return step, patch_sizes


def _check_levels(levels, image_shape) -> tuple[int, ...]:
    levels = _check_sizes("levels", levels)
    if max(levels) > min(image_shape):
        raise ValueError(
            f"levels {levels!r}: an {max(levels)}x{max(levels)} grid has more cells than the "
            f"{image_shape[0]}x{image_shape[1]} images have pixels"
        )
    return levels


def _check_level_weights(level_weights, n_levels: int) -> np.ndarray:
    if level_weights is None:
        return np.ones(n_levels)
    try:
        weights = np.asarray(level_weights, dtype=np.float64)
    except (TypeError, ValueError):
        weights = np.empty(0)
    if weights.shape != (n_levels,) or not np.all(np.isfinite(weights) & (weights > 0)):
        raise ValueError(
            f"level_weights must be None or {n_levels} positive numbers, one per level; "
            f"got {level_weights!r}"
        )
    return weights


def _check_options(histogram, norm) -> None:
    check_choice("histogram", histogram, HISTOGRAMS)
    check_choice("norm", norm, NORMS)


def _axis_centres(side: int, patch: int, step: int) -> np.ndarray:
    """Centres along one axis, in OpenCV's coordinates (pixel ``i`` spans ``i +- 0.5``)."""
    n = (side - patch) // step + 1
    margin = (side - patch - (n - 1) * step) / 2
    return margin + patch / 2 + step * np.arange(n) - 0.5


@functools.lru_cache(maxsize=32)
def _keypoint_table(image_shape: tuple[int, int], step: int, patch_sizes: tuple[int, ...]):
    rows = []
    for patch in patch_sizes:
        ys = _axis_centres(image_shape[0], patch, step)
        xs = _axis_centres(image_shape[1], patch, step)
        grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)  # row-major: y, then x
        rows.append(np.column_stack([grid, np.full(len(grid), patch, dtype=np.float64)]))
    table = np.concatenate(rows).astype(np.float32)
    table.setflags(write=False)
    return table


def dense_keypoints(image_shape=(48, 48), step=4, patch_sizes=(16, 24)) -> np.ndarray:
    """The keypoints of :func:`dense_sift`: patch centres and sizes.

    Parameters
    ----------
    image_shape : (rows, cols)
        Image size in pixels.
    step : int
        Distance between neighbouring centres, in pixels.
    patch_sizes : int or sequence of int
        Sides of the square patches described, in pixels (at least 4, at most
        the image's smaller side); one grid of centres per size.

    Returns
    -------
    float32 (K, 3): ``x, y, patch`` per keypoint; ``x, y`` in OpenCV's
    coordinates (the centre of pixel ``(r, c)`` is ``x=c, y=r``). Grouped by
    patch size in the order given, row-major within a size. 48x48 with the
    defaults: 9 x 9 centres for 16-pixel patches (7.5 .. 39.5), 7 x 7 for
    24-pixel ones (11.5 .. 35.5), 130 keypoints.
    """
    image_shape = tuple(int(s) for s in image_shape)
    step, patch_sizes = _check_geometry(image_shape, step, patch_sizes)
    return _keypoint_table(image_shape, step, patch_sizes).copy()


def _cv2_keypoints(table: np.ndarray) -> tuple[cv2.KeyPoint, ...]:
    return tuple(cv2.KeyPoint(float(x), float(y), float(patch) / 6.0, 0.0) for x, y, patch in table)


def _sift(images: np.ndarray, table: np.ndarray) -> np.ndarray:
    """SIFT descriptors of a uint8 batch at ``table``'s keypoints, float32 ``(n, K, 128)``."""
    sift = cv2.SIFT_create()
    keypoints = _cv2_keypoints(table)
    out = np.empty((len(images), len(keypoints), DESCRIPTOR_SIZE), dtype=np.float32)
    for k, image in enumerate(images):
        described, descriptors = sift.compute(image, keypoints)
        if len(described) != len(keypoints):  # OpenCV keeps every provided keypoint
            raise RuntimeError(f"OpenCV described {len(described)} of {len(keypoints)} keypoints")
        out[k] = descriptors
    return out


def _sift_rows(images: np.ndarray, table: np.ndarray) -> np.ndarray:
    return _sift(images, table).reshape(len(images), -1)


def dense_sift(images, step=4, patch_sizes=(16, 24), n_jobs=None) -> np.ndarray:
    """OpenCV's SIFT descriptors on a dense grid of keypoints, the same for every image.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey images.
    step : int
        Distance between neighbouring keypoints, in pixels.
    patch_sizes : int or sequence of int
        Sides of the square patches described, in pixels (see the module
        docstring: OpenCV keypoint size ``patch / 6``).
    n_jobs : int or None
        joblib workers over chunks of the batch; None is one.

    Returns
    -------
    float32 (N, K, 128): the descriptor of keypoint ``k`` of
    :func:`dense_keypoints` in image ``n``, equal to
    ``cv2.SIFT_create().compute(image, keypoints)[1]`` with upright keypoints
    ``cv2.KeyPoint(x, y, patch / 6, 0)``.
    """
    images = as_images(images)
    step, patch_sizes = _check_geometry(images.shape[1:], step, patch_sizes)
    table = _keypoint_table(images.shape[1:], step, patch_sizes)
    rows = map_chunks(_sift_rows, images, chunk_size=_CHUNK, n_jobs=n_jobs, table=table)
    return rows.reshape(len(images), len(table), DESCRIPTOR_SIZE)


@functools.lru_cache(maxsize=32)
def _keypoint_cells(image_shape, step, patch_sizes, levels) -> np.ndarray:
    """Cell of each keypoint at each level, numbered across levels: int ``(K, n_levels)``."""
    table = _keypoint_table(image_shape, step, patch_sizes)
    pixel = np.floor(table[:, :2].astype(np.float64) + 0.5).astype(np.intp)  # (x, y) -> pixel
    cells, offset = [], 0
    for level in levels:
        cells.append(cell_index(image_shape, (level, level))[pixel[:, 1], pixel[:, 0]] + offset)
        offset += level * level
    out = np.stack(cells, axis=1)
    out.setflags(write=False)
    return out


def _histograms(
    words: np.ndarray,
    keypoint_cells: np.ndarray,
    n_words: int,
    levels: tuple[int, ...],
    histogram: str,
    norm: str,
    weights: np.ndarray,
) -> np.ndarray:
    """Normalised per-cell word histograms ``(n, n_cells * n_words)`` of words ``(n, K)``."""
    n = len(words)
    n_cells = sum(level * level for level in levels)
    slots = (np.arange(n)[:, None, None] * n_cells + keypoint_cells[None]) * n_words
    slots = slots + words[:, :, None]
    counts = np.bincount(slots.ravel(), minlength=n * n_cells * n_words)
    hist = counts.reshape(n, n_cells * n_words).astype(np.float64)
    if histogram == "presence":
        hist = (hist > 0).astype(np.float64)
    start = 0
    for level, weight in zip(levels, weights, strict=True):
        block = hist[:, start : start + level * level * n_words]
        if norm != "none":
            order = 2 if norm == "l2" else 1
            block /= np.linalg.norm(block, ord=order, axis=1, keepdims=True)
        block *= np.sqrt(weight)
        start += level * level * n_words
    return hist.astype(np.float32)


def _bovw(images, vocabulary, table, keypoint_cells, levels, histogram, norm, weights):
    descriptors = _sift(images, table)
    words = vocabulary.predict(descriptors.reshape(-1, DESCRIPTOR_SIZE)).reshape(len(images), -1)
    return _histograms(
        words, keypoint_cells, vocabulary.n_clusters, levels, histogram, norm, weights
    )


def _check_vocabulary(vocabulary) -> None:
    centres = getattr(vocabulary, "cluster_centers_", None)
    if centres is None or not hasattr(vocabulary, "predict"):
        raise ValueError(
            "vocabulary must be a fitted scikit-learn k-means estimator (MiniBatchKMeans or "
            f"KMeans, as BovwFeatures.fit learns); got {type(vocabulary).__name__}"
        )
    if centres.ndim != 2 or centres.shape[1] != DESCRIPTOR_SIZE:
        raise ValueError(
            f"vocabulary must have {DESCRIPTOR_SIZE}-value centres (SIFT descriptors); its "
            f"centres are {centres.shape}"
        )


def bovw_features(
    images,
    vocabulary,
    step=4,
    patch_sizes=(16, 24),
    levels=(1, 2),
    histogram="presence",
    norm="l2",
    level_weights=None,
    n_jobs=None,
) -> np.ndarray:
    """Spatial pyramid of visual-word histograms of a batch, for a given vocabulary.

    Parameters
    ----------
    images : uint8 (N, H, W) or (N, H*W)
        Grey images.
    vocabulary : fitted ``sklearn.cluster.MiniBatchKMeans`` or ``KMeans``
        The visual words: ``n_clusters`` centres of 128 values, learnt on SIFT
        descriptors of training images with the same ``step`` and
        ``patch_sizes`` (:class:`BovwFeatures` learns it).
    step : int
        Distance between neighbouring keypoints, in pixels.
    patch_sizes : int or sequence of int
        Sides of the square patches described, in pixels, at least 4.
    levels : int or sequence of int
        Pyramid levels, as cells per side: ``(1, 2, 4)`` is the whole face, 2 x 2
        and 4 x 4 cells.
    histogram : {'presence', 'counts'}
        Whether each word is marked present (1) or counted in each cell.
    norm : {'l2', 'l1', 'none'}
        Normalisation of each level's histograms (see the module docstring).
    level_weights : sequence of float or None
        Kernel weight of each level: level ``l`` is multiplied by
        ``sqrt(level_weights[l])``; None weighs all levels 1.
    n_jobs : int or None
        joblib workers over chunks of the batch; None is one.

    Returns
    -------
    float32 (N, n_words * sum(L * L for L in levels)): 130 keypoints and
    ``n_words * 5`` values for 48x48 images with the defaults.
    """
    images = as_images(images, min_size=MIN_PATCH)
    image_shape = images.shape[1:]
    step, patch_sizes = _check_geometry(image_shape, step, patch_sizes)
    levels = _check_levels(levels, image_shape)
    weights = _check_level_weights(level_weights, len(levels))
    _check_options(histogram, norm)
    _check_vocabulary(vocabulary)
    return map_chunks(
        _bovw,
        images,
        chunk_size=_CHUNK,
        n_jobs=n_jobs,
        vocabulary=vocabulary,
        table=_keypoint_table(image_shape, step, patch_sizes),
        keypoint_cells=_keypoint_cells(image_shape, step, patch_sizes, levels),
        levels=levels,
        histogram=histogram,
        norm=norm,
        weights=weights,
    )


class BovwFeatures(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Bag of visual words as a transformer that learns its vocabulary; see :func:`bovw_features`.

    ``fit`` draws at most ``n_descriptors`` dense SIFT descriptors from randomly
    chosen training images and clusters them into ``n_words`` visual words with
    ``MiniBatchKMeans``; labels are not used. ``transform`` then gives each
    image's spatial pyramid of word histograms.

    Parameters
    ----------
    n_words : int, default=500
        Vocabulary size (k-means clusters).
    step : int, default=4
        Distance between neighbouring keypoints, in pixels.
    patch_sizes : int or sequence of int, default=(16, 24)
        Sides of the square patches described, in pixels (4 .. image side).
    levels : int or sequence of int, default=(1, 2)
        Spatial pyramid levels, as cells per side.
    histogram : {'presence', 'counts'}, default='presence'
        Word presence (Ionescu et al.) or word counts per cell.
    norm : {'l2', 'l1', 'none'}, default='l2'
        Normalisation of each pyramid level.
    level_weights : sequence of float or None, default=None
        Kernel weight per level (None: 1 each).
    n_descriptors : int, default=100_000
        Most descriptors the vocabulary is learnt from.
    random_state : int, RandomState or None, default=0
        Seeds the choice of descriptors and k-means: the same seed and
        training images give the same vocabulary and features.
    n_jobs : int or None, default=None
        Parallel workers for the descriptors; does not change the output.

    Attributes
    ----------
    vocabulary_ : MiniBatchKMeans
        The fitted k-means; ``vocabulary_.cluster_centers_`` is float32
        ``(n_words, 128)``.
    n_descriptors_ : int
        Descriptors the vocabulary was learnt from.
    image_shape_ : (int, int)
    n_features_in_ : int
        Pixels per image, ``H * W``.

    See Also
    --------
    bovw_features, dense_sift, dense_keypoints

    Examples
    --------
    >>> import numpy as np
    >>> from fer_classic.features import BovwFeatures
    >>> faces = np.random.default_rng(0).integers(0, 256, (20, 48, 48), dtype=np.uint8)
    >>> bovw = BovwFeatures(n_words=16, levels=(1, 2, 4)).fit(faces)
    >>> bovw.transform(faces).shape  # 16 words x (1 + 4 + 16) cells
    (20, 336)
    """

    def __init__(
        self,
        n_words=500,
        step=4,
        patch_sizes=(16, 24),
        levels=(1, 2),
        histogram="presence",
        norm="l2",
        level_weights=None,
        n_descriptors=100_000,
        random_state=0,
        n_jobs=None,
    ):
        self.n_words = n_words
        self.step = step
        self.patch_sizes = patch_sizes
        self.levels = levels
        self.histogram = histogram
        self.norm = norm
        self.level_weights = level_weights
        self.n_descriptors = n_descriptors
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _n_features(self, image_shape: tuple[int, int]) -> int:
        """Output size for images of ``image_shape``; ``ValueError`` for invalid parameters."""
        n_words = check_positive_int("n_words", self.n_words)
        _check_geometry(image_shape, self.step, self.patch_sizes)
        levels = _check_levels(self.levels, image_shape)
        _check_level_weights(self.level_weights, len(levels))
        _check_options(self.histogram, self.norm)
        if check_positive_int("n_descriptors", self.n_descriptors) < n_words:
            raise ValueError(
                f"n_descriptors must be at least n_words ({n_words}): k-means needs a "
                f"descriptor per word; got {self.n_descriptors!r}"
            )
        return n_words * sum(level * level for level in levels)

    def fit(self, X, y=None):
        """Learn the vocabulary from descriptors of the images ``X``; ``y`` is ignored.

        Raises
        ------
        ValueError
            Invalid parameters, or fewer descriptors in ``X`` than ``n_words``.
        """
        images = as_images(X, min_size=MIN_PATCH)
        image_shape = images.shape[1:]
        n_features_out = self._n_features(image_shape)
        table = _keypoint_table(
            image_shape, *_check_geometry(image_shape, self.step, self.patch_sizes)
        )
        n_words = int(self.n_words)
        available = len(images) * len(table)
        if available < n_words:
            raise ValueError(
                f"n_words={n_words} needs at least as many descriptors; {len(images)} images "
                f"give {available} ({len(table)} keypoints each)"
            )
        rng = check_random_state(self.random_state)
        n_descriptors = min(int(self.n_descriptors), available)
        n_images = min(len(images), math.ceil(n_descriptors / len(table)))
        chosen = np.sort(rng.choice(len(images), n_images, replace=False))
        descriptors = dense_sift(images[chosen], self.step, self.patch_sizes, n_jobs=self.n_jobs)
        descriptors = descriptors.reshape(-1, DESCRIPTOR_SIZE)
        if len(descriptors) > n_descriptors:
            keep = np.sort(rng.choice(len(descriptors), n_descriptors, replace=False))
            descriptors = descriptors[keep]
        self.vocabulary_ = MiniBatchKMeans(
            n_clusters=n_words,
            batch_size=max(1024, 4 * n_words),
            n_init=1,
            random_state=int(rng.randint(np.iinfo(np.int32).max)),
        ).fit(descriptors)
        self.n_descriptors_ = len(descriptors)
        self.image_shape_ = images.shape[1:]
        self.n_features_in_ = images.shape[1] * images.shape[2]
        self._n_features_out = n_features_out
        return self

    def transform(self, X) -> np.ndarray:
        """Word histograms of ``X``: float32 ``(N, n_words * n_cells)``."""
        images = as_images(X, min_size=MIN_PATCH)
        check_is_fitted(self)
        if images.shape[1:] != self.image_shape_:
            raise ValueError(
                f"X has {images.shape[1] * images.shape[2]} features, but {type(self).__name__} "
                f"is expecting {self.n_features_in_} features as input."
            )
        return bovw_features(
            images,
            self.vocabulary_,
            step=self.step,
            patch_sizes=self.patch_sizes,
            levels=self.levels,
            histogram=self.histogram,
            norm=self.norm,
            level_weights=self.level_weights,
            n_jobs=self.n_jobs,
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
