"""Histogram kernels against their definitions, weighted sums over blocks, and the kernel SVM by
both methods (exact kernel matrix, explicit feature map) against scikit-learn's own SVMs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.kernel_approximation import AdditiveChi2Sampler
from sklearn.multiclass import OneVsRestClassifier
from sklearn.svm import SVC, LinearSVC
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_classic.classical.kernels import (
    KernelSVC,
    chi2_histogram_kernel,
    feature_map,
    intersection_kernel,
    kernel_blocks,
    kernel_diagonal,
    kernel_matrix,
)


@pytest.fixture(scope="module")
def histograms():
    """L1-normalised histograms with many zeros, in three classes that differ in their bins."""
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 40)
    X = rng.random((120, 12)) * (rng.random((120, 12)) < 0.5)
    X[np.arange(120), y * 4] += 1.5  # each class has its own strong bin
    X /= X.sum(axis=1, keepdims=True)
    order = rng.permutation(120)
    return X[order], y[order]


def test_intersection_is_the_sum_of_minima(histograms):
    X, _ = histograms
    expected = np.minimum(X[:, None, :], X[None, :50, :]).sum(axis=2)
    np.testing.assert_allclose(intersection_kernel(X, X[:50]), expected, atol=1e-15)
    np.testing.assert_allclose(intersection_kernel(X), intersection_kernel(X, X))


def test_chi2_is_the_additive_kernel_the_sampler_approximates(histograms):
    X, _ = histograms
    x, y = X[:, None, :], X[None, :, :]
    with np.errstate(invalid="ignore"):
        terms = np.where(x + y > 0, 2 * x * y / (x + y), 0.0)
    np.testing.assert_allclose(chi2_histogram_kernel(X), terms.sum(axis=2), atol=1e-15)
    # The sampler approximates this kernel (not another) within its 5 % of k(x, x) = 1.
    mapped = AdditiveChi2Sampler(sample_steps=3).fit_transform(X)
    approximation, exact = (mapped @ mapped.T).ravel(), chi2_histogram_kernel(X).ravel()
    np.testing.assert_allclose(approximation, exact, atol=0.051)
    assert np.corrcoef(approximation, exact)[0, 1] > 0.999


def test_histogram_kernels_refuse_negative_features():
    for kernel in (intersection_kernel, chi2_histogram_kernel):
        with pytest.raises(ValueError, match="Negative values in data passed to"):
            kernel(np.array([[0.5, -0.1]]))


def test_weighted_sum_over_blocks(histograms):
    X, _ = histograms
    left, right = X[:, :5], X[:, 5:]
    K = kernel_matrix(X, X[:7], ["intersection", "linear"], [5, 7], [0.5, 2.0])
    expected = 0.5 * intersection_kernel(left, left[:7]) + 2.0 * right @ right[:7].T
    np.testing.assert_allclose(K, expected)
    # Linear kernels: the weighted sum is a linear kernel on blocks scaled by sqrt(weight).
    scaled = np.hstack([left * np.sqrt(3.0), right])
    np.testing.assert_allclose(kernel_matrix(X, kernel="linear", blocks=[5, 7],
                                             weights=[3.0, 1.0]), scaled @ scaled.T)  # fmt: skip
    np.testing.assert_allclose(
        kernel_diagonal(X, ["chi2", "linear"], [5, 7], [0.5, 2.0]),
        np.diag(kernel_matrix(X, kernel=["chi2", "linear"], blocks=[5, 7], weights=[0.5, 2.0])),
    )


def test_feature_map_approximates_the_kernel(histograms):
    X, _ = histograms
    setting = {"kernel": ["chi2", "linear"], "blocks": [5, 7], "weights": [0.5, 2.0]}
    mapped = feature_map(**setting, sample_steps=3).fit_transform(X)
    assert mapped.shape == (120, 5 * 5 + 7)
    np.testing.assert_allclose(mapped @ mapped.T, kernel_matrix(X, **setting), atol=0.5 * 0.051)
    linear = feature_map("linear", [5, 7], [4.0, 1.0]).fit_transform(X)
    np.testing.assert_allclose(linear, np.hstack([2 * X[:, :5], X[:, 5:]]))
    with pytest.raises(ValueError, match="'intersection' has no explicit feature map"):
        feature_map("intersection")


def test_precomputed_method_is_one_vs_rest_svc_under_the_kernel(histograms):
    X, y = histograms
    ours = KernelSVC(kernel="intersection", C=3.0).fit(X[:90], y[:90])
    assert ours.method_ == "precomputed"  # "auto": the intersection kernel has no map
    reference = OneVsRestClassifier(SVC(kernel=intersection_kernel, C=3.0)).fit(X[:90], y[:90])
    np.testing.assert_allclose(
        ours.decision_function(X[90:]), reference.decision_function(X[90:]), atol=1e-8
    )
    np.testing.assert_array_equal(ours.predict(X[90:]), reference.predict(X[90:]))
    assert (ours.predict(X[90:]) == y[90:]).mean() > 0.9


def test_map_method_is_linear_svc_on_the_mapped_features(histograms):
    X, y = histograms
    ours = KernelSVC(C=3.0, random_state=0).fit(X, y)  # chi2, mapped by default
    assert ours.method_ == "map"
    mapped = AdditiveChi2Sampler(sample_steps=2).fit_transform(X)
    linear = LinearSVC(C=3.0, loss="hinge", random_state=0, max_iter=5000)
    reference = OneVsRestClassifier(linear).fit(mapped, y)
    np.testing.assert_allclose(ours.decision_function(X), reference.decision_function(mapped),
                               atol=1e-6)  # fmt: skip


def test_both_methods_agree_on_the_chi2_kernel(histograms):
    X, y = histograms
    exact = KernelSVC(kernel="chi2", method="precomputed", C=3.0).fit(X[:90], y[:90])
    exact = exact.predict(X[90:])
    mapped = KernelSVC(kernel="chi2", method="map", C=3.0, sample_steps=3, random_state=0)
    agree = np.mean(mapped.fit(X[:90], y[:90]).predict(X[90:]) == exact)
    assert agree >= 0.9


def test_sparse_histograms_are_mapped_as_csr_and_one_row_scores_as_in_a_batch(histograms):
    X, y = histograms
    X = np.hstack([X, np.zeros((len(X), 24))])  # bins no face uses: most values are zero
    model = KernelSVC(random_state=0).fit(X, y)
    assert model.sparse_input_
    batch = model.decision_function(X[:10])
    np.testing.assert_allclose([model.decision_function(X[i : i + 1])[0] for i in range(10)],
                               batch, atol=1e-12)  # fmt: skip
    assert not KernelSVC(random_state=0).fit(X + 0.01, y).sparse_input_


def test_binary_scores_are_one_column(histograms):
    X, y = histograms
    two = y < 2
    for method, kernel in [("precomputed", "intersection"), ("map", "chi2")]:
        model = KernelSVC(kernel=kernel, method=method, random_state=0).fit(X[two], y[two])
        scores = model.decision_function(X[two])
        assert scores.shape == (two.sum(),)
        np.testing.assert_array_equal(model.predict(X[two]), np.where(scores > 0, 1, 0))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"kernel": "rbf"}, r"kernel must be one of \['linear', 'intersection', 'chi2'\]"),
        ({"kernel": ["linear"], "blocks": [6, 6]}, "one per block"),
        ({"blocks": [6, 5]}, r"blocks \[6, 5\] cover 11 columns; the data has 12"),
        ({"blocks": [6, 0, 6]}, "blocks must be None or a non-empty sequence of positive"),
        ({"blocks": [6, 6], "kernel_weights": [1.0]}, "kernel_weights must be None or 2 positive"),
        ({"kernel_weights": [-1.0]}, "kernel_weights must be None or 1 positive"),
        ({"C": 0}, "C must be a positive number"),
        ({"C": "1"}, "C must be a positive number"),
        ({"method": "nystroem"}, r"method must be one of \['auto', 'precomputed', 'map'\]"),
        ({"method": "map", "kernel": "chi2", "sample_steps": 4}, "sample_steps must be 1, 2 or 3"),
        ({"method": "map", "kernel": "intersection"}, "'intersection' has no explicit feature"),
    ],
)
def test_bad_parameters_raise_a_clear_value_error(histograms, params, message):
    X, y = histograms
    with pytest.raises(ValueError, match=message):
        KernelSVC(**params).fit(X, y)


def test_one_class_is_a_clear_error(histograms):
    X, _ = histograms
    with pytest.raises(ValueError, match="KernelSVC needs at least two classes; got 1 class"):
        KernelSVC().fit(X, np.zeros(len(X)))


def test_kernel_blocks_without_the_data():
    (block,) = kernel_blocks("chi2")
    assert block.columns == slice(0, None) and block.weight == 1.0
    first, second = kernel_blocks(["chi2", "linear"], [3, 4], [2, 1])
    assert first.columns == slice(0, 3) and second.columns == slice(3, 7)


def test_negative_features_are_refused_by_histogram_kernels_only(histograms):
    X, y = histograms
    shifted = X - 0.1
    with pytest.raises(ValueError, match="Negative values in data passed to KernelSVC"):
        KernelSVC().fit(shifted, y)
    model = KernelSVC(kernel=["chi2", "linear"], blocks=[4, 8]).fit(
        np.hstack([X[:, :4], shifted[:, 4:]]), y
    )
    with pytest.raises(ValueError, match="Negative values in data passed to KernelSVC"):
        model.predict(shifted)
    KernelSVC(kernel="linear").fit(shifted, y)


def test_balanced_class_weight_weighs_each_one_vs_rest_problem(histograms):
    X, y = histograms
    rare = np.concatenate([np.flatnonzero(y != 0), np.flatnonzero(y == 0)[:6]])
    X, y = X[rare], y[rare]
    for params in ({"kernel": "intersection"}, {"kernel": "chi2", "method": "map"}):
        plain = KernelSVC(**params, C=0.05, random_state=0).fit(X, y)
        balanced = KernelSVC(**params, C=0.05, class_weight="balanced", random_state=0).fit(X, y)
        assert np.mean(balanced.predict(X) == 0) > np.mean(plain.predict(X) == 0)
    with pytest.raises(ValueError, match="class_weight must be None or 'balanced'"):
        KernelSVC(class_weight={0: 2.0}).fit(X, y)


ORIGINAL_CLASS_WEIGHTS = (
    "sets class_weight to a dict of the original classes, which has no meaning in the "
    "one-vs-rest binary problems (refused; 'balanced': "
    "test_balanced_class_weight_weighs_each_one_vs_rest_problem)"
)


@parametrize_with_checks(
    [
        KernelSVC(random_state=0),
        KernelSVC(kernel="intersection"),
        KernelSVC(kernel="linear", random_state=0),
    ],
    expected_failed_checks=lambda estimator: {
        "check_class_weight_classifiers": ORIGINAL_CLASS_WEIGHTS
    },
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
