"""Face detection on real photographs and cropping to 48x48."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import skimage.data

from fer_classic.data import to_gray48
from fer_classic.predict import FaceDetector, box_iou, crop_faces

from .conftest import ASTRONAUT_FACE, astronaut_bgr


@pytest.mark.parametrize("method", ["haar", "hog"])
def test_finds_the_astronauts_face(method):
    # min_face 80: dlib's HOG window, so no upsampling (which finds her mission patch too)
    boxes = FaceDetector(method, min_face=80).detect(astronaut_bgr())
    assert boxes.dtype == np.int64 and boxes.shape == (1, 4)
    assert box_iou(boxes, [ASTRONAUT_FACE])[0, 0] > 0.5


def test_dnn_detector_uses_the_packaged_model():
    # dlib's CNN is slow on a CPU: search a 220 px region around the face.
    region = astronaut_bgr()[20:240, 120:340]
    boxes = FaceDetector("dnn", min_face=80).detect(region)
    x, y, w, h = ASTRONAUT_FACE
    assert box_iou(boxes, [(x - 120, y - 20, w, h)]).max() > 0.5


def test_grey_input_gives_the_same_boxes():
    detector = FaceDetector("haar")
    grey = cv2.cvtColor(astronaut_bgr(), cv2.COLOR_BGR2GRAY)
    np.testing.assert_array_equal(detector.detect(grey), detector.detect(astronaut_bgr()))


@pytest.mark.parametrize(
    "image",
    [np.full((300, 400, 3), 128, np.uint8), skimage.data.coffee()[..., ::-1].copy()],
    ids=["flat", "coffee"],
)
def test_no_face_gives_no_box(image):
    boxes = FaceDetector("haar").detect(image)
    assert boxes.shape == (0, 4)
    assert crop_faces(image, boxes).shape == (0, 48, 48)


def test_large_images_are_searched_scaled_down_with_boxes_in_full_size_pixels():
    big = cv2.resize(astronaut_bgr(), (1024, 1024), interpolation=cv2.INTER_LINEAR)
    boxes = FaceDetector("haar", max_side=512).detect(big)
    x, y, w, h = ASTRONAUT_FACE
    assert box_iou(boxes, [(2 * x, 2 * y, 2 * w, 2 * h)])[0, 0] > 0.5


def test_min_face_drops_smaller_faces():
    assert len(FaceDetector("haar", min_face=150).detect(astronaut_bgr())) == 0


def test_crop_inside_the_image_is_the_box_resized():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (120, 160), dtype=np.uint8)
    crops = crop_faces(image, np.array([[30, 20, 60, 60]]), margin=0.0)
    assert crops.dtype == np.uint8 and crops.shape == (1, 48, 48)
    np.testing.assert_array_equal(crops[0], to_gray48(image[20:80, 30:90]))


def test_margin_widens_the_crop():
    image = np.zeros((200, 200), np.uint8)
    image[80:120, 80:120] = 255  # a 40 px square "face"
    tight = crop_faces(image, np.array([[80, 80, 40, 40]]), margin=0.0)[0]
    wide = crop_faces(image, np.array([[80, 80, 40, 40]]), margin=0.5)[0]
    assert tight.min() == 255
    assert wide[0, 0] == 0 and wide[24, 24] == 255
    assert 0.2 < (wide == 255).mean() < 0.3  # the box is half the crop's side


def test_crop_at_the_border_repeats_edge_pixels_instead_of_stretching():
    image = np.tile(np.arange(100, dtype=np.uint8), (100, 1))  # value = column
    crop = crop_faces(image, np.array([[0, 30, 40, 40]]), margin=0.25)[0]
    # The crop spans columns -10..50: its left sixth repeats column 0.
    assert (crop[:, :7] == 0).all()
    assert crop[0, -1] > 45


def test_bad_arguments():
    with pytest.raises(ValueError, match="method"):
        FaceDetector("mtcnn")
    with pytest.raises(ValueError, match="margin"):
        crop_faces(np.zeros((10, 10), np.uint8), np.zeros((0, 4)), margin=-1)
    with pytest.raises(ValueError, match="uint8"):
        FaceDetector().detect(np.zeros((10, 10), np.float32))
