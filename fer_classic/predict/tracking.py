"""Faces as tracks across video frames: greedy matching of boxes by overlap."""

from __future__ import annotations

import numpy as np


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection over union of every box of ``a`` with every box of ``b``.

    Parameters
    ----------
    a, b : ndarray, shape (N, 4) and (M, 4)
        ``x, y, width, height`` in pixels.

    Returns
    -------
    ndarray of float64, shape (N, M)
        In [0, 1]; 0 for boxes that do not overlap or have no area.
    """
    a = np.asarray(a, dtype=np.float64).reshape(-1, 4)
    b = np.asarray(b, dtype=np.float64).reshape(-1, 4)
    ax1, ay1 = a[:, 0] + a[:, 2], a[:, 1] + a[:, 3]
    bx1, by1 = b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]
    iw = np.minimum(ax1[:, None], bx1[None, :]) - np.maximum(a[:, None, 0], b[None, :, 0])
    ih = np.minimum(ay1[:, None], by1[None, :]) - np.maximum(a[:, None, 1], b[None, :, 1])
    inter = np.clip(iw, 0, None) * np.clip(ih, 0, None)
    union = (a[:, 2] * a[:, 3])[:, None] + (b[:, 2] * b[:, 3])[None, :] - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


class IoUTracker:
    """Give the faces of successive frames track ids by greedy overlap matching.

    Each call to :meth:`update` takes the boxes of the next processed frame.
    Pairs of (live track, new box) are taken in decreasing order of IoU with the
    track's last box; a pair joins when both are still free and the IoU is at
    least ``min_iou``. Boxes left over start new tracks; a track unseen for more
    than ``max_gap`` processed frames ends.

    Parameters
    ----------
    min_iou : float
        Smallest overlap, in (0, 1], for a box to continue a track.
    max_gap : int
        Processed frames a track may go unseen (a missed detection, a turned
        head) and still be continued.
    """

    def __init__(self, min_iou: float = 0.3, max_gap: int = 5) -> None:
        self.min_iou = min_iou
        self.max_gap = max_gap
        self._boxes = np.empty((0, 4), dtype=np.float64)  # last box of each live track
        self._ids = np.empty(0, dtype=np.int64)
        self._last_seen = np.empty(0, dtype=np.int64)
        self._step = -1
        self.n_tracks_ = 0

    def update(self, boxes: np.ndarray) -> np.ndarray:
        """Track ids, int64 ``(N,)``, of the ``(N, 4)`` boxes of the next frame."""
        if not 0 < self.min_iou <= 1:
            raise ValueError(f"min_iou must be in (0, 1], got {self.min_iou}")
        if self.max_gap < 0:
            raise ValueError(f"max_gap must be >= 0, got {self.max_gap}")
        boxes = np.asarray(boxes, dtype=np.float64).reshape(-1, 4)
        self._step += 1
        live = self._step - self._last_seen <= self.max_gap + 1
        self._boxes, self._ids, self._last_seen = (
            self._boxes[live],
            self._ids[live],
            self._last_seen[live],
        )
        ids = np.full(len(boxes), -1, dtype=np.int64)
        iou = box_iou(self._boxes, boxes)
        taken = np.zeros(len(self._ids), dtype=bool)
        for flat in np.argsort(-iou, axis=None, kind="stable"):
            t, j = np.unravel_index(flat, iou.shape)
            if iou[t, j] < self.min_iou:
                break
            if taken[t] or ids[j] >= 0:
                continue
            taken[t] = True
            ids[j] = self._ids[t]
            self._boxes[t] = boxes[j]
            self._last_seen[t] = self._step
        new = np.flatnonzero(ids < 0)
        ids[new] = self.n_tracks_ + np.arange(len(new))
        self.n_tracks_ += len(new)
        self._boxes = np.concatenate([self._boxes, boxes[new]])
        self._ids = np.concatenate([self._ids, ids[new]])
        self._last_seen = np.concatenate([self._last_seen, np.full(len(new), self._step)])
        return ids
