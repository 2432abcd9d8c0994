"""dlib landmarks: the reference loop's points, plausible on real faces, picklable transformer."""

from __future__ import annotations

import inspect
import pickle

import numpy as np
import pytest

from fer_classic.features import MEASURES, LandmarkFeatures, landmark_features, landmark_points
from fer_classic.features.landmarks import normalize_points
from fer_classic.features.reference import landmarks_reference


def test_points_are_the_reference_loops_mapped_to_the_input(images):
    points = landmark_points(images[:4])
    size = inspect.signature(landmark_points).parameters["size"].default
    resized = landmarks_reference(images[:4], size=size)
    assert points.shape == (4, 68, 2) and points.dtype == np.float32
    np.testing.assert_allclose(points, (resized + 0.5) * (images.shape[2] / size) - 0.5)


def test_features_shape_dtype_and_determinism(images):
    out = landmark_features(images[:3])
    assert out.shape == (3, 136 + len(MEASURES)) and out.dtype == np.float32
    assert np.isfinite(out).all()
    np.testing.assert_array_equal(out, landmark_features(images[:3]))
    assert landmark_features(images[:3], coordinates=False).shape == (3, len(MEASURES))


def test_normalization_is_invariant_to_position_scale_and_rotation():
    rng = np.random.default_rng(0)
    points = rng.normal(size=(1, 68, 2)) * 5 + 20
    angle = 0.3
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = (points @ rotation.T) * 2.5 + np.array([7.0, -3.0])
    a, tilt_a = normalize_points(points)
    b, tilt_b = normalize_points(moved)
    np.testing.assert_allclose(a, b, atol=1e-9)
    np.testing.assert_allclose(tilt_b - tilt_a, angle)
    eyes = a[0, 36:48].reshape(2, 6, 2).mean(axis=1)
    np.testing.assert_allclose(eyes, [[-0.5, 0.0], [0.5, 0.0]], atol=1e-9)


def test_transformer_pickles_before_and_after_use(images):
    extractor = LandmarkFeatures(coordinates=False).fit(images[:2])
    expected = extractor.transform(images[:2])
    restored = pickle.loads(pickle.dumps(extractor))
    np.testing.assert_array_equal(restored.transform(images[:2]), expected)


@pytest.mark.real_data
def test_landmarks_in_plausible_places_on_real_faces(fer_faces):
    points = landmark_points(fer_faces)
    eyes = points[:, 36:48, 1].mean(axis=1)
    nose = points[:, 30, 1]
    mouth = points[:, 48:68, 1].mean(axis=1)
    brows = points[:, 17:27, 1].mean(axis=1)
    in_order = (brows < eyes) & (eyes < nose) & (nose < mouth)
    assert in_order.mean() >= 0.9, f"{in_order.sum()} of {len(points)} faces in order"
    right_eye_x, left_eye_x = points[:, 36:42, 0].mean(axis=1), points[:, 42:48, 0].mean(axis=1)
    assert (
        right_eye_x < left_eye_x
    ).mean() >= 0.9  # the subject's right eye is on the image's left
    assert ((points > -5) & (points < 53)).all(axis=(1, 2)).mean() >= 0.9


@pytest.mark.real_data
def test_detector_option_runs_on_real_faces(fer_faces):
    out = landmark_features(fer_faces[:4], detect=True)
    assert out.shape == (4, 136 + len(MEASURES)) and np.isfinite(out).all()
