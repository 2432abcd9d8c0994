"""Facial expressions of the faces in real photographs and videos.

Faces are found (:mod:`.faces`), cropped to 48x48 grey, classified by any trained
model (:mod:`fer_classic.inference`), followed across video frames as tracks
(:mod:`.tracking`), and written as JSON or CSV records (:mod:`.output`), annotated
images and videos (:mod:`.annotate`) and per-track plots (:mod:`.plots`).
:func:`predict` does all of it; :func:`predict_faces` does one image.
"""

from .api import predict
from .faces import DETECTORS, FaceDetector, crop_faces
from .output import FORMATS
from .pipeline import FacePredictions, predict_faces
from .results import PredictionResult
from .sources import VIDEO_SUFFIXES, collect_sources
from .tracking import IoUTracker, box_iou

__all__ = [
    "DETECTORS",
    "FORMATS",
    "VIDEO_SUFFIXES",
    "FaceDetector",
    "FacePredictions",
    "IoUTracker",
    "PredictionResult",
    "box_iou",
    "collect_sources",
    "crop_faces",
    "predict",
    "predict_faces",
]
