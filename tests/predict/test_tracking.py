"""Box overlap and greedy IoU tracking."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.predict import IoUTracker, box_iou


def test_box_iou_known_values():
    a = np.array([[0, 0, 10, 10], [100, 100, 10, 10]])
    b = np.array([[0, 0, 10, 10], [5, 0, 10, 10], [50, 50, 5, 5], [0, 0, 0, 0]])
    iou = box_iou(a, b)
    assert iou.shape == (2, 4)
    np.testing.assert_allclose(iou[0], [1.0, 50 / 150, 0.0, 0.0])
    np.testing.assert_allclose(iou[1], 0.0)
    assert box_iou(np.empty((0, 4)), b).shape == (0, 4)


def test_two_moving_faces_keep_their_ids():
    tracker = IoUTracker()
    ids = [tracker.update([[10 + 4 * t, 10, 50, 50], [200 - 4 * t, 20, 60, 60]]) for t in range(6)]
    assert all(list(i) == [0, 1] for i in ids)
    # listed in the other order, the boxes still go to their own tracks
    assert list(tracker.update([[176, 20, 60, 60], [34, 10, 50, 50]])) == [1, 0]
    assert tracker.n_tracks_ == 2


def test_a_face_missed_for_up_to_max_gap_frames_keeps_its_track():
    tracker = IoUTracker(max_gap=2)
    face = [[50, 50, 40, 40]]
    assert tracker.update(face)[0] == 0
    tracker.update(np.empty((0, 4)))
    tracker.update(np.empty((0, 4)))
    assert tracker.update(face)[0] == 0
    for _ in range(3):
        tracker.update(np.empty((0, 4)))
    assert tracker.update(face)[0] == 1  # gone for 3 > max_gap frames: a new track


def test_a_far_jump_starts_a_new_track():
    tracker = IoUTracker(min_iou=0.3)
    tracker.update([[0, 0, 40, 40]])
    assert tracker.update([[30, 0, 40, 40]])[0] == 1  # IoU 10/70 < 0.3


def test_greedy_matching_gives_a_track_to_its_best_box_only():
    tracker = IoUTracker()
    tracker.update([[0, 0, 40, 40]])
    ids = tracker.update([[20, 0, 40, 40], [2, 0, 40, 40]])
    assert list(ids) == [1, 0]


def test_bad_parameters():
    with pytest.raises(ValueError, match="min_iou"):
        IoUTracker(min_iou=0).update([[0, 0, 1, 1]])
