"""Loading FER-2013 and other face-expression data sets, splits, and the synthetic default.

Everything downstream takes a :class:`FERDataset`: uint8 ``(N, 48, 48)`` grey images
and int64 labels 0..6 in FER-2013's order (:data:`CLASS_NAMES`), in ``train``,
``val`` and ``test`` splits.
"""

from .cache import default_cache_dir
from .dataset import FERDataset, RawData, Split
from .formats import detect_format
from .images import IMAGE_SIZE, read_image, to_gray48
from .labels import CLASS_NAMES, canonical_class
from .load import (
    dataset_from_arrays,
    find_fer2013,
    load_dataset,
    load_raw,
    load_run_data,
)
from .splits import SPLITS, stratified_indices
from .synthetic import SYNTHETIC_NOTICE, make_synthetic
from .validation import check_images

__all__ = [
    "CLASS_NAMES",
    "IMAGE_SIZE",
    "SPLITS",
    "SYNTHETIC_NOTICE",
    "FERDataset",
    "RawData",
    "Split",
    "canonical_class",
    "check_images",
    "dataset_from_arrays",
    "default_cache_dir",
    "detect_format",
    "find_fer2013",
    "load_dataset",
    "load_raw",
    "load_run_data",
    "make_synthetic",
    "read_image",
    "stratified_indices",
    "to_gray48",
]
