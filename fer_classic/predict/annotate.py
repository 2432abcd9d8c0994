"""Drawing face boxes and their labels onto images."""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from ..data.labels import CLASS_NAMES

#: BGR colours of the seven FER-2013 classes, in ``CLASS_NAMES`` order; other classes
#: are drawn grey. The track plots use the same colours.
CLASS_COLOURS_BGR: tuple[tuple[int, int, int], ...] = (
    (40, 40, 220),  # angry: red
    (40, 140, 60),  # disgust: green
    (160, 60, 160),  # fear: purple
    (0, 170, 230),  # happy: amber
    (200, 110, 30),  # sad: blue
    (60, 120, 250),  # surprise: orange
    (130, 130, 130),  # neutral: grey
)

_OTHER_BGR = (180, 180, 180)


def class_colour(name: str) -> tuple[int, int, int]:
    """BGR colour of a class by its name; grey for classes outside FER-2013's seven."""
    return CLASS_COLOURS_BGR[CLASS_NAMES.index(name)] if name in CLASS_NAMES else _OTHER_BGR


def draw_faces(
    image: np.ndarray,
    boxes: np.ndarray,
    captions: Sequence[str],
    classes: Sequence[str] | None = None,
) -> np.ndarray:
    """A BGR copy of ``image`` with a box and a caption drawn for each face.

    Parameters
    ----------
    image : ndarray of uint8, shape (H, W) grey or (H, W, 3) BGR
    boxes : ndarray of int, shape (N, 4)
        ``x, y, width, height`` in pixels.
    captions : sequence of str, length N
        Caption of each box (e.g. ``"#2 happy 0.81"``).
    classes : sequence of str, optional
        Class name of each face, choosing its colour (:func:`class_colour`).

    Returns
    -------
    ndarray of uint8, shape (H, W, 3)
    """
    out = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR) if image.ndim == 2 else image.copy()
    thickness = max(1, round(max(out.shape[:2]) / 400))
    font_scale = max(0.4, max(out.shape[:2]) / 1200)
    for i, ((x, y, w, h), text) in enumerate(zip(boxes, captions, strict=True)):
        colour = class_colour(classes[i]) if classes is not None else _OTHER_BGR
        x, y, w, h = int(x), int(y), int(w), int(h)
        cv2.rectangle(out, (x, y), (x + w, y + h), colour, thickness)
        (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, thickness)
        ty = y - base - 2 if y - th - base - 2 >= 0 else y + h + th + 2
        cv2.rectangle(out, (x, ty - th - 2), (x + tw + 2, ty + base), colour, cv2.FILLED)
        cv2.putText(
            out,
            text,
            (x + 1, ty),
            cv2.FONT_HERSHEY_SIMPLEX,
            font_scale,
            (0, 0, 0),
            thickness,
            cv2.LINE_AA,
        )
    return out
