"""The machine a comparison is measured on, and the thread settings it pins."""

from __future__ import annotations

import contextlib
import os
import platform
from collections.abc import Iterator
from typing import Any

from ..runs import cpu_model, package_versions

_THREAD_ENV = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "TF_NUM_INTRAOP_THREADS",
)
_VERSIONS = ("numpy", "scikit-learn", "opencv-python-headless", "keras", "tensorflow-cpu",
             "tensorflow", "ai-edge-litert")  # fmt: skip


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the OS tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def pin_tensorflow_threads(threads: int) -> dict[str, Any]:
    """Ask TensorFlow for ``threads`` intra-op and inter-op threads; returns what it uses.

    TensorFlow accepts the setting only before its runtime starts; afterwards the
    values in force are reported (0 means TensorFlow's default, one per core).
    """
    import tensorflow as tf

    applied = True
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError:
        applied = False
    return {
        "tensorflow_intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
        "tensorflow_inter_op_threads": tf.config.threading.get_inter_op_parallelism_threads(),
        "tensorflow_threads_pinned": applied,
    }


@contextlib.contextmanager
def limited_native_threads(threads: int) -> Iterator[dict[str, Any]]:
    """Limit OpenMP and BLAS pools (NumPy, scikit-learn, OpenCV) to ``threads`` inside.

    Yields what is in force: the pools threadpoolctl found and OpenCV's setting.
    """
    import cv2
    from threadpoolctl import threadpool_info, threadpool_limits

    cv2_before = cv2.getNumThreads()
    cv2.setNumThreads(threads)
    try:
        with threadpool_limits(limits=threads):
            pools = sorted(
                {f"{p.get('internal_api')}={p.get('num_threads')}" for p in threadpool_info()}
            )
            yield {"native_thread_pools": pools, "opencv_threads": cv2.getNumThreads()}
    finally:
        cv2.setNumThreads(cv2_before)


def describe_machine() -> dict[str, Any]:
    """CPU, core counts, load, OS and the versions of the inference libraries."""
    versions = package_versions(_VERSIONS)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu_model(),
        "os_cpu_count": os.cpu_count(),
        "usable_cores": usable_cores(),
        "load_average_1_5_15_min": [round(x, 2) for x in load] if load else None,
        "platform": platform.platform(),
        "thread_environment": {k: os.environ[k] for k in _THREAD_ENV if k in os.environ},
        "versions": versions,
    }
