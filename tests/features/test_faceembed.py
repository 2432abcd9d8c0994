"""dlib's face-recognition embedding: shape, determinism and identity on real photographs."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data
from skimage.color import rgb2gray
from skimage.util import img_as_ubyte

from fer_classic.features import FEATURES, FaceEmbedFeatures, face_embeddings, make_features


@pytest.fixture(scope="module")
def astronaut_face() -> np.ndarray:
    """Eileen Collins' face from skimage's astronaut photograph, grey, uint8 (1, 96, 96)."""
    grey = img_as_ubyte(rgb2gray(data.astronaut()))
    return grey[20:220, 160:360][None, ::2, ::2].copy()  # 200x200 around the face, halved


def test_embedding_shape_and_determinism(astronaut_face):
    out = face_embeddings(astronaut_face)
    assert out.shape == (1, 128) and out.dtype == np.float32
    assert np.isfinite(out).all() and np.linalg.norm(out[0]) > 0.1
    np.testing.assert_array_equal(out, face_embeddings(astronaut_face))
    # From the 48x48 crop FER-2013 gives, through the transformer.
    small = astronaut_face[:, ::2, ::2].copy()
    assert FaceEmbedFeatures().fit_transform(small).shape == (1, 128)


def test_same_face_stays_close_other_faces_do_not(astronaut_face):
    """dlib's network maps one person within about 0.6; the camera man is another person."""
    shifted = np.roll(astronaut_face, 2, axis=2)
    mirrored = astronaut_face[:, :, ::-1].copy()
    camera = img_as_ubyte(data.camera())[40:240, 150:350][None, ::2, ::2].copy()
    out = face_embeddings(np.concatenate([astronaut_face, shifted, mirrored, camera]))
    same = np.linalg.norm(out[1:3] - out[0], axis=1)
    other = np.linalg.norm(out[3] - out[0])
    assert (same < 0.6).all() and other > same.max()


def test_parallel_workers_give_the_same_output(astronaut_face):
    batch = np.repeat(astronaut_face, 3, axis=0)
    batch[1] = np.roll(batch[1], 3, axis=1)
    np.testing.assert_array_equal(face_embeddings(batch, n_jobs=2), face_embeddings(batch))


def test_parameters_are_checked():
    images = np.zeros((1, 48, 48), dtype=np.uint8)
    with pytest.raises(ValueError, match="size must be"):
        face_embeddings(images, size=16)
    with pytest.raises(ValueError, match="padding must be between 0 and 1"):
        face_embeddings(images, padding=2)
    with pytest.raises(ValueError, match="jitters"):
        FaceEmbedFeatures(jitters=-1).fit(images)


def test_registered_and_combinable(astronaut_face):
    assert FEATURES["faceembed"] is FaceEmbedFeatures
    small = astronaut_face[:, ::2, ::2].copy()
    out = make_features("faceembed+hog").fit_transform(small)
    assert out.shape == (1, 128 + 1296)
