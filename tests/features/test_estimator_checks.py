"""scikit-learn's estimator checks, and the same contract checked on image data.

The transformers take images: ``(N, H, W)`` or flattened square rows ``(N, S*S)``
of grey levels 0..255. Most of scikit-learn's generic checks feed rows of 2 to
10 arbitrary features, which are not images; those are expected to fail, with
that reason, and ``test_contract_on_images`` checks the same properties
(clone, fit returns self, no parameter change, pickling, idempotence, sample
order and subset invariance, read-only and Fortran-ordered input, dtype
preservation, n_features_in_) on real image batches. The checks that do run
cover sparse, complex, NaN/inf, empty, negative and 1-sample input, parameter
handling (get_params/set_params, __init__ stores its arguments), tags and
repr.
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from fer_classic.features import FEATURES

NOT_IMAGES = "feeds rows of 2-10 features, not flattened square images (tested on images below)"
GENERIC_DATA_CHECKS = [
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_nan_inf",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1sample",
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
    "check_transformers_unfitted_stateless",
]
TOO_SMALL = "feeds 1x1 or 2x2 images: fewer pixels than a HOG block or the LBP / Gabor grid cells"


FRACTIONAL = "feeds fractional floats, which are not grey levels (refused rather than rounded)"


def expected_failures(estimator) -> dict[str, str]:
    failures = dict.fromkeys(GENERIC_DATA_CHECKS, NOT_IMAGES)
    failures["check_n_features_in_after_fitting"] = FRACTIONAL
    failures["check_fit2d_1feature"] = FRACTIONAL
    if type(estimator) in (FEATURES["hog"], FEATURES["lbp"], FEATURES["gabor"]):
        failures["check_n_features_in_after_fitting"] = TOO_SMALL
        failures["check_fit2d_1feature"] = TOO_SMALL
    if type(estimator) is FEATURES["bovw"]:
        failures["check_fit2d_1feature"] = "feeds 1x1 images: smaller than a 4-pixel SIFT patch"
        failures["check_positive_only_tag_during_fit"] = (
            "feeds iris, 2x2 images: smaller than a 4-pixel SIFT patch (see test_bovw.py)"
        )
    return failures


@parametrize_with_checks(
    [cls() for cls in FEATURES.values()], expected_failed_checks=expected_failures
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


CHEAP = {
    "pixels": {"size": 12},
    "hist": {"bins": 8, "grid": 2},
    "hog": {},
    "lbp": {},
    "gabor": {"frequencies": (0.25,), "n_orientations": 2},
    "landmarks": {"coordinates": False},
    "faceembed": {"size": 48},
}


#: bovw learns a vocabulary: its contract, fitted, is in tests/features/test_bovw.py.
STATELESS = [name for name in FEATURES if name != "bovw"]


@pytest.mark.parametrize("name", STATELESS)
def test_contract_on_images(name, images):
    batch = images[:5]
    extractor = FEATURES[name](**CHEAP[name])
    params = extractor.get_params()
    unfitted = extractor.transform(batch)  # stateless: works before fit
    assert extractor.fit(batch) is extractor
    assert extractor.get_params() == params
    assert extractor.n_features_in_ == 48 * 48 and extractor.image_shape_ == (48, 48)
    out = extractor.transform(batch)
    assert out.dtype == np.float32 and out.shape == (5, extractor._n_features_out)
    assert len(extractor.get_feature_names_out()) == out.shape[1]
    np.testing.assert_array_equal(out, unfitted)
    np.testing.assert_array_equal(extractor.fit_transform(batch), out)  # idempotent
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(extractor)).transform(batch), out)
    np.testing.assert_array_equal(clone(extractor).fit(batch).transform(batch), out)
    order = [3, 0, 4, 1, 2]
    np.testing.assert_array_equal(extractor.transform(batch[order]), out[order])
    np.testing.assert_array_equal(extractor.transform(batch[1:3]), out[1:3])
    readonly = batch.copy()
    readonly.setflags(write=False)
    np.testing.assert_array_equal(extractor.transform(readonly), out)
    flat = batch.reshape(5, -1).astype(np.float32)
    np.testing.assert_array_equal(extractor.transform(np.asfortranarray(flat)), out)
    np.testing.assert_array_equal(readonly, batch)  # input untouched


def test_in_a_pipeline_fed_flattened_images(images):
    pipeline = make_pipeline(FEATURES["hog"](), StandardScaler())
    flat = images.reshape(len(images), -1).astype(np.float64)
    out = pipeline.fit_transform(flat)
    assert out.shape == (len(images), 1296)
    np.testing.assert_allclose(pipeline.transform(flat), out)
