"""The bag-of-visual-words extractor: dense SIFT as OpenCV computes it, a seeded vocabulary,
the pyramid of presence or count histograms, its cache, and scikit-learn's contract."""

from __future__ import annotations

import pickle

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.cluster import MiniBatchKMeans
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_classic.classical.grids import parse_grid_document
from fer_classic.errors import FerClassicError
from fer_classic.features import (
    FEATURES,
    BovwFeatures,
    HogFeatures,
    bovw_features,
    cached_fit,
    cached_transform,
    dense_keypoints,
    dense_sift,
    feature_dimension,
    fitted_cache_path,
    learns_from_data,
    make_features,
)

#: Small enough for a test: 16 words, 61 keypoints (36 of 16 pixels, 25 of 24), 2 levels.
SMALL = {"n_words": 16, "step": 6, "patch_sizes": (16, 24), "levels": (1, 2)}


@pytest.fixture(scope="module")
def fitted(images) -> BovwFeatures:
    return BovwFeatures(**SMALL).fit(images)


# -- dense SIFT ---------------------------------------------------------------------------------


def _opencv_grid(side: int, patch: int, step: int) -> np.ndarray:
    """Centres written out by hand: the largest grid that fits, centred, pixel centres at i."""
    n = (side - patch) // step + 1
    first = (side - patch - (n - 1) * step) / 2 + patch / 2 - 0.5
    return first + step * np.arange(n)


@pytest.mark.parametrize(("step", "patch_sizes"), [(4, (16,)), (6, (12, 20)), (5, (8, 16, 24))])
def test_dense_sift_is_opencv_at_the_same_keypoints(images, step, patch_sizes):
    keypoints = [
        cv2.KeyPoint(float(x), float(y), patch / 6, 0)
        for patch in patch_sizes
        for y in _opencv_grid(48, patch, step)
        for x in _opencv_grid(48, patch, step)
    ]
    sift = cv2.SIFT_create()
    expected = np.stack([sift.compute(image, keypoints)[1] for image in images])
    np.testing.assert_array_equal(dense_sift(images, step, patch_sizes), expected)
    np.testing.assert_array_equal(dense_sift(images, step, patch_sizes, n_jobs=2), expected)
    table = dense_keypoints((48, 48), step, patch_sizes)
    np.testing.assert_array_equal(table[:, :2], [kp.pt for kp in keypoints])
    np.testing.assert_array_equal(table[:, 2] / 6, [kp.size for kp in keypoints])


def test_dense_sift_on_real_faces(fer_faces):
    keypoints = [cv2.KeyPoint(float(x), float(y), 4.0, 0) for x, y, _ in dense_keypoints()[81:]]
    sift = cv2.SIFT_create()
    expected = np.stack([sift.compute(face, keypoints)[1] for face in fer_faces])
    out = dense_sift(fer_faces)
    assert out.shape == (len(fer_faces), 130, 128) and out.dtype == np.float32
    np.testing.assert_array_equal(out[:, 81:], expected)
    assert out.max() > 0


def test_keypoints_fit_in_the_image_and_the_grid_is_centred():
    table = dense_keypoints((48, 48), 4, (16, 24))
    assert table.shape == (81 + 49, 3) and table.dtype == np.float32
    x, y, patch = table.T
    for coordinate in (x, y):
        assert np.all(coordinate - patch / 2 >= -0.5) and np.all(coordinate + patch / 2 <= 47.5)
    np.testing.assert_array_equal(np.unique(x[:81]), 7.5 + 4 * np.arange(9))
    np.testing.assert_array_equal(np.unique(x[81:]), 11.5 + 4 * np.arange(7))
    # An uneven leftover is split between both sides: 48 - 16 = 32 = 6 * 5 + 2.
    np.testing.assert_array_equal(
        np.unique(dense_keypoints((48, 48), 5, 16)[:, 0]), 8.5 + 5 * np.arange(7)
    )


def test_a_descriptor_sees_its_patch_and_not_beyond(images):
    """OpenCV size = patch / 6: the 4x4 bins tile the patch, so far pixels do not count."""
    image = images[7].copy()
    (centre,) = [kp for kp in dense_keypoints((48, 48), 48, 16)]  # one 16-pixel patch
    assert tuple(centre[:2]) == (23.5, 23.5)
    rows, cols = np.mgrid[:48, :48]
    chebyshev = np.maximum(abs(rows - 23.5), abs(cols - 23.5))
    before = dense_sift(image[None], 48, 16)
    # Beyond half a bin past the patch (10 px), a gradient (1 px) and the blur's reach
    # (6 px at sigma 1.52), nothing changes the descriptor.
    far = image.copy()
    far[chebyshev > 17.5] = 255 - far[chebyshev > 17.5]
    np.testing.assert_array_equal(dense_sift(far[None], 48, 16), before)
    near = image.copy()
    near[chebyshev < 7] = 255 - near[chebyshev < 7]
    assert not np.array_equal(dense_sift(near[None], 48, 16), before)


# -- vocabulary, words, histograms ----------------------------------------------------------------


def test_vocabulary_and_features_are_deterministic_for_a_seed(images):
    a = BovwFeatures(**SMALL, random_state=3).fit(images)
    b = BovwFeatures(**SMALL, random_state=3).fit(images)
    c = BovwFeatures(**SMALL, random_state=4).fit(images)
    np.testing.assert_array_equal(a.vocabulary_.cluster_centers_, b.vocabulary_.cluster_centers_)
    np.testing.assert_array_equal(a.transform(images), b.transform(images))
    assert not np.array_equal(a.vocabulary_.cluster_centers_, c.vocabulary_.cluster_centers_)
    assert isinstance(a.vocabulary_, MiniBatchKMeans)
    assert a.vocabulary_.cluster_centers_.shape == (16, 128)
    assert a.vocabulary_.cluster_centers_.dtype == np.float32


def test_vocabulary_is_learnt_from_at_most_n_descriptors(images):
    bovw = BovwFeatures(**SMALL, n_descriptors=100).fit(images)
    assert bovw.n_descriptors_ == 100
    assert BovwFeatures(**SMALL).fit(images).n_descriptors_ == 12 * 61  # all of them


def _reference_histograms(bovw: BovwFeatures, images: np.ndarray, histogram: str) -> np.ndarray:
    """Loops over images, levels, cells and keypoints, with np.array_split's cell boundaries."""
    table = dense_keypoints(images.shape[1:], bovw.step, bovw.patch_sizes)
    descriptors = dense_sift(images, bovw.step, bovw.patch_sizes)
    out = []
    for described in descriptors:
        words = bovw.vocabulary_.predict(described)
        levels = []
        for level in bovw.levels:
            edges = [part[0] for part in np.array_split(np.arange(48), level)][1:]
            hist = np.zeros((level, level, bovw.n_words))
            for (x, y, _), word in zip(table, words, strict=True):
                row = np.searchsorted(edges, np.floor(y + 0.5), side="right")
                col = np.searchsorted(edges, np.floor(x + 0.5), side="right")
                hist[row, col, word] += 1
            levels.append((hist > 0).astype(float) if histogram == "presence" else hist)
        out.append(np.concatenate([h.ravel() for h in levels]))
    return np.array(out)


@pytest.mark.parametrize("histogram", ["presence", "counts"])
def test_histograms_per_cell_as_a_loop_counts_them(images, histogram):
    bovw = BovwFeatures(**{**SMALL, "levels": (1, 2, 3)}, histogram=histogram, norm="none")
    bovw.fit(images)
    out = bovw.transform(images)
    expected = _reference_histograms(bovw, images, histogram)
    np.testing.assert_array_equal(out, expected.astype(np.float32))


def test_presence_marks_words_counts_count_them(fitted, images):
    counts = clone(fitted).set_params(histogram="counts", norm="none").fit(images)
    presence = clone(fitted).set_params(histogram="presence", norm="none").fit(images)
    c, p = counts.transform(images), presence.transform(images)
    np.testing.assert_array_equal(p, (c > 0).astype(np.float32))
    whole_face, quarters = c[:, :16], c[:, 16:]
    # Every keypoint votes once per level.
    np.testing.assert_array_equal(whole_face.sum(axis=1), 61)
    np.testing.assert_array_equal(quarters.sum(axis=1), 61)
    assert c.max() > 1  # a word occurs more than once somewhere: counts differ from presence


@pytest.mark.parametrize("norm", ["l2", "l1"])
def test_each_level_is_normalised(fitted, images, norm):
    raw = clone(fitted).set_params(norm="none").fit(images).transform(images)
    out = clone(fitted).set_params(norm=norm).fit(images).transform(images)
    order = 2 if norm == "l2" else 1
    for block in (slice(0, 16), slice(16, 80)):
        np.testing.assert_allclose(np.linalg.norm(out[:, block], ord=order, axis=1), 1, rtol=1e-6)
        expected = raw[:, block] / np.linalg.norm(raw[:, block], ord=order, axis=1, keepdims=True)
        np.testing.assert_allclose(out[:, block], expected, rtol=1e-6)


def test_level_weights_weigh_the_levels_linear_kernels(fitted, images):
    plain = fitted.transform(images)
    weighted = clone(fitted).set_params(level_weights=(0.25, 4.0)).fit(images).transform(images)
    kernel = weighted @ weighted.T
    parts = 0.25 * plain[:, :16] @ plain[:, :16].T + 4.0 * plain[:, 16:] @ plain[:, 16:].T
    np.testing.assert_allclose(kernel, parts, rtol=1e-5)


@pytest.mark.parametrize(
    ("levels", "expected"), [((1,), 16), ((1, 2), 80), ((1, 2, 4), 336), (3, 144)]
)
def test_pyramid_output_size(images, levels, expected):
    bovw = BovwFeatures(**{**SMALL, "levels": levels})
    assert feature_dimension(bovw, (48, 48)) == expected  # from the parameters, nothing learnt
    out = bovw.fit(images).transform(images)
    assert out.shape == (len(images), expected) and out.dtype == np.float32
    names = bovw.get_feature_names_out()
    assert len(names) == expected and names[0] == "bovwfeatures0"


def test_the_function_takes_a_fitted_vocabulary(fitted, images):
    out = bovw_features(
        images,
        fitted.vocabulary_,
        step=fitted.step,
        patch_sizes=fitted.patch_sizes,
        levels=fitted.levels,
    )
    np.testing.assert_array_equal(out, fitted.transform(images))
    with pytest.raises(ValueError, match="fitted scikit-learn k-means"):
        bovw_features(images, fitted.vocabulary_.cluster_centers_)
    with pytest.raises(ValueError, match="128-value centres"):
        bovw_features(images, MiniBatchKMeans(2, n_init=1).fit(np.eye(4)))


# -- scikit-learn's contract ---------------------------------------------------------------------


def test_contract_on_images(images):
    batch = images
    bovw = BovwFeatures(**SMALL)
    params = bovw.get_params()
    with pytest.raises(NotFittedError):
        bovw.transform(batch)
    assert bovw.fit(batch) is bovw
    assert bovw.get_params() == params
    assert bovw.n_features_in_ == 48 * 48 and bovw.image_shape_ == (48, 48)
    out = bovw.transform(batch)
    np.testing.assert_array_equal(bovw.fit_transform(batch), out)  # refitting gives the same
    np.testing.assert_array_equal(clone(bovw).fit(batch).transform(batch), out)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(bovw)).transform(batch), out)
    np.testing.assert_array_equal(clone(bovw).set_params(n_jobs=2).fit(batch).transform(batch), out)
    order = np.random.default_rng(0).permutation(len(batch))
    np.testing.assert_array_equal(bovw.transform(batch[order]), out[order])
    np.testing.assert_array_equal(bovw.transform(batch[2:5]), out[2:5])
    readonly = batch.copy()
    readonly.setflags(write=False)
    np.testing.assert_array_equal(bovw.transform(readonly), out)
    flat = np.asfortranarray(batch.reshape(len(batch), -1).astype(np.float64))
    np.testing.assert_array_equal(bovw.transform(flat), out)
    with pytest.raises(ValueError, match="X has 1600 features, but BovwFeatures is expecting 2304"):
        bovw.transform(np.zeros((1, 40, 40), np.uint8))


def test_it_learns_from_data_and_the_stateless_ones_do_not():
    assert learns_from_data(BovwFeatures())
    assert not any(learns_from_data(cls()) for name, cls in FEATURES.items() if name != "bovw")
    assert learns_from_data(make_features("hog+bovw"))
    assert not learns_from_data(make_features("hog+lbp"))


NOT_IMAGES = "feeds rows of 2-10 features, not flattened square images (tested on images above)"
TOO_FEW = "fits on a few tiny images: fewer SIFT descriptors than the vocabulary has words"
FRACTIONAL = "feeds fractional floats, which are not grey levels (refused rather than rounded)"
TOO_SMALL = "feeds 1x1 images: smaller than a 4-pixel SIFT patch"
BOVW_EXPECTED_FAILURES = {
    **dict.fromkeys(
        [
            "check_dict_unchanged",
            "check_dont_overwrite_parameters",
            "check_dtype_object",
            "check_estimators_dtypes",
            "check_estimators_fit_returns_self",
            "check_estimators_overwrite_params",
            "check_estimators_pickle",
            "check_f_contiguous_array_estimator",
            "check_fit2d_predict1d",
            "check_fit_check_is_fitted",
            "check_fit_idempotent",
            "check_fit_score_takes_y",
            "check_methods_sample_order_invariance",
            "check_methods_subset_invariance",
            "check_n_features_in",
            "check_pipeline_consistency",
            "check_readonly_memmap_input",
            "check_transformer_data_not_an_array",
            "check_transformer_general",
            "check_transformer_preserve_dtypes",
            "check_estimators_nan_inf",
            "check_fit2d_1sample",
        ],
        NOT_IMAGES,
    ),
    "check_n_features_in_after_fitting": FRACTIONAL,
    "check_fit2d_1feature": TOO_SMALL,
    "check_positive_only_tag_during_fit": "feeds iris, 2x2 images: smaller than a 4-pixel SIFT "
    "patch (negative grey levels are refused, tests/features/test_validation.py)",
}


@parametrize_with_checks(
    [BovwFeatures(n_words=2, step=4, patch_sizes=4, levels=1)],
    expected_failed_checks=lambda estimator: BOVW_EXPECTED_FAILURES,
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


# -- bad parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"n_words": 0}, "n_words must be an integer >= 1"),
        ({"n_words": 2.5}, "n_words must be an integer"),
        ({"step": 0}, "step must be an integer >= 1"),
        ({"patch_sizes": 3}, "patch_sizes must be an integer >= 4"),
        ({"patch_sizes": ()}, "non-empty sequence"),
        ({"patch_sizes": (16, 16)}, "distinct"),
        ({"patch_sizes": 49}, r"must fit in the 48x48 images: at most 48 pixels"),
        ({"levels": 0}, "levels must be an integer >= 1"),
        ({"levels": (1, 49)}, "more cells than the 48x48 images have pixels"),
        ({"levels": "1"}, "levels must be"),
        ({"histogram": "tfidf"}, r"histogram must be one of \['presence', 'counts'\]"),
        ({"norm": "max"}, r"norm must be one of \['l2', 'l1', 'none'\]"),
        ({"norm": None}, "norm must be one of"),
        ({"level_weights": (1.0,)}, "level_weights must be None or 2 positive numbers"),
        ({"level_weights": (1.0, -1.0)}, "level_weights must be None or 2 positive numbers"),
        ({"n_descriptors": 0}, "n_descriptors must be an integer >= 1"),
        ({"n_descriptors": 15}, r"n_descriptors must be at least n_words \(16\)"),
    ],
)
def test_bad_parameters_raise_a_clear_value_error(images, params, message):
    bovw = BovwFeatures(**{**SMALL, **params})
    with pytest.raises(ValueError, match=message):
        bovw.fit(images)
    with pytest.raises(ValueError, match=message):
        feature_dimension(bovw, (48, 48))


def test_too_few_descriptors_for_the_vocabulary(images):
    with pytest.raises(ValueError, match=r"n_words=500 needs at least as many descriptors; 2 "
                                         r"images give 260 \(130 keypoints each\)"):  # fmt: skip
        BovwFeatures().fit(images[:2])


def test_a_grid_file_sets_its_parameters_without_fitting():
    document = {"features": {"bovw": {"n_words": 1000, "levels": [1, 2, 4]}}}
    _, params = parse_grid_document(document, where="g.toml")
    assert params == {"bovw": {"n_words": 1000, "levels": [1, 2, 4]}}
    with pytest.raises(FerClassicError, match=r"g.toml: \[features.bovw\] levels"):
        parse_grid_document({"features": {"bovw": {"levels": [0]}}}, where="g.toml")


# -- the cache ------------------------------------------------------------------------------------


@pytest.fixture
def fits(monkeypatch):
    """Counts the vocabularies actually learnt."""
    calls = []
    original = BovwFeatures.fit

    def fit(self, X, y=None):
        calls.append(len(X))
        return original(self, X, y)

    monkeypatch.setattr(BovwFeatures, "fit", fit)
    return calls


def test_cache_learns_the_vocabulary_once_per_training_set(tmp_path, images, fits):
    train, val = images[:8], images[8:]
    bovw = BovwFeatures(**SMALL)
    with pytest.raises(ValueError, match="BovwFeatures learns from data: pass fit_images"):
        cached_transform(bovw, val, "val", tmp_path)
    X_train = cached_transform(bovw, train, "train", tmp_path, fit_images=train,
                               fit_fingerprint="train")  # fmt: skip
    X_val = cached_transform(bovw, val, "val", tmp_path, fit_images=train,
                             fit_fingerprint="train")  # fmt: skip
    assert fits == [8]  # the second split loads the stored vocabulary
    expected = clone(bovw).fit(train)
    fits.clear()
    np.testing.assert_array_equal(X_train, expected.transform(train))
    np.testing.assert_array_equal(X_val, expected.transform(val))
    # Features load; the vocabulary loads; another training set or parameter learns anew.
    again = cached_transform(BovwFeatures(**SMALL, n_jobs=2), val, "val", tmp_path,
                             fit_images=train, fit_fingerprint="train")  # fmt: skip
    np.testing.assert_array_equal(again, X_val)
    loaded = cached_fit(BovwFeatures(**SMALL, n_jobs=2), train, "train", tmp_path)
    assert fits == [] and loaded.n_jobs == 2
    np.testing.assert_array_equal(
        loaded.vocabulary_.cluster_centers_, expected.vocabulary_.cluster_centers_
    )
    cached_transform(bovw, val, "val", tmp_path, fit_images=val, fit_fingerprint="other")
    cached_transform(BovwFeatures(**{**SMALL, "n_words": 8}), val, "val", tmp_path,
                     fit_images=train, fit_fingerprint="train")  # fmt: skip
    assert fits == [4, 8]
    assert len(list(tmp_path.glob("bovw-*.skops"))) == 3
    assert len(list(tmp_path.glob("bovw-*.npy"))) == 4


def test_a_corrupt_stored_vocabulary_is_learnt_again(tmp_path, images, fits):
    bovw = BovwFeatures(**SMALL)
    first = cached_fit(bovw, images, "train", tmp_path)
    path = fitted_cache_path(bovw, "train", tmp_path)
    path.write_bytes(b"not a skops file")
    again = cached_fit(bovw, images, "train", tmp_path)
    assert fits == [12, 12]
    np.testing.assert_array_equal(
        again.vocabulary_.cluster_centers_, first.vocabulary_.cluster_centers_
    )
    assert cached_fit(bovw, images, "train", tmp_path) is not None and fits == [12, 12]


def test_a_union_caches_each_part_and_reuses_stateless_ones(tmp_path, images, fits):
    hog = cached_transform(HogFeatures(), images, "train", tmp_path)
    union = make_features("bovw+hog", {"bovw": SMALL})
    out = cached_transform(union, images, "train", tmp_path, fit_images=images,
                           fit_fingerprint="train")  # fmt: skip
    assert len(list(tmp_path.glob("hog-*.npy"))) == 1  # the hog features of "hog", reused
    np.testing.assert_array_equal(out[:, 80:], hog)
    fitted_union = cached_fit(union, images, "train", tmp_path)
    assert fits == [12]
    np.testing.assert_array_equal(fitted_union.transform(images), out)
