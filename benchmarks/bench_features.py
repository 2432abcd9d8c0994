"""Throughput of the feature extractors against per-image reference loops, in one run.

Usage::

    python benchmarks/bench_features.py [--data PATH] [--only hog,lbp,gabor,landmarks,...]
                                        [--reference-images N] [--repeats R] [--n-jobs J]
                                        [--cache-dir DIR]

Reads FER-2013 with ``fer_classic.data.load_raw`` from ``--data``, else
``$FER2013_PATH``, else ``../shared/datasets/fer2013/fer2013.csv.gz``; exits
with a message (status 0) when it is absent.

For HOG, LBP, Gabor and landmarks it times, in the same process:

- the reference loop (``fer_classic.features.reference``: skimage / dlib, one
  call per image) on the first ``--reference-images`` images (Gabor: a tenth,
  it is that slow),
- ours, single process, on the same images (checking that the outputs agree),
- ours, single process, on the whole data set (35,887 images),
- ours with ``--n-jobs`` workers on the whole data set.

Rates are images per second of CPU time of this process (``time.process_time``),
except the columns marked wall clock: other work on a shared machine stretches
wall-clock times but hardly CPU times. Reference and ours alternate
``--repeats`` times on the subset and the best of each is kept. The ratio is
ours on the whole set over the reference loop, both in images per CPU second.
Raw pixels and histograms are timed on the whole set without a reference.
Last, the HOG feature cache, in wall-clock seconds: the first
``cached_transform`` of the whole set (compute and write) and the second (a
cache hit).

Prints a Markdown table; ``benchmarks/features.md`` holds a run of it.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fer_classic.features import (
    GaborFeatures,
    HistogramFeatures,
    HogFeatures,
    LandmarkFeatures,
    LbpFeatures,
    PixelFeatures,
    cached_transform,
    landmark_points,
)
from fer_classic.features import reference as ref

# name -> (our transformer with default parameters, the reference loop, which is given
#          the transformer's parameters, fraction of --reference-images the loop runs on)
CASES = {
    "hog": (HogFeatures(), ref.hog_reference, 1.0),
    "lbp": (LbpFeatures(), ref.lbp_reference, 1.0),
    "gabor": (GaborFeatures(), ref.gabor_reference, 0.1),
    "landmarks": (LandmarkFeatures(), ref.landmarks_reference, 1.0),
}
NO_REFERENCE = {"pixels": PixelFeatures(), "hist": HistogramFeatures(grid=(4, 4))}


def _timed(func, *args) -> tuple[float, float, object]:
    """Wall-clock and CPU seconds (this process) ``func(*args)`` took, and its result."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _agreement(name: str, ours_subset: np.ndarray, reference: np.ndarray, images) -> str:
    if name == "landmarks":
        points = landmark_points(images)
        equal = np.array_equal(points, (reference + 0.5) * 0.5 - 0.5)
        return "points equal" if equal else "points DIFFER"
    diff = np.abs(ours_subset - reference).max()
    if name == "gabor":
        return f"max diff {diff / np.abs(reference).max():.1e} of max"
    return f"max diff {diff:.1e}"


def _with_params_of(extractor, reference_loop):
    """The reference loop with the extractor's values of the parameters it takes."""
    taken = inspect.signature(reference_loop).parameters
    params = {k: v for k, v in extractor.get_params().items() if k in taken}
    return functools.partial(reference_loop, **params)


def bench_case(name, images, n_ref, repeats, n_jobs) -> dict:
    extractor, reference_loop, fraction = CASES[name]
    reference_loop = _with_params_of(extractor, reference_loop)
    subset = images[: max(1, int(n_ref * fraction))]
    extractor.transform(subset[:2])  # warm up: lookup tables, the dlib model
    reference_loop(subset[:2])
    t_ref = t_sub = np.inf
    for _ in range(repeats):
        _, t, reference = _timed(reference_loop, subset)
        t_ref = min(t_ref, t)
        _, t, ours_subset = _timed(extractor.transform, subset)
        t_sub = min(t_sub, t)
    wall_full, cpu_full, _ = _timed(extractor.transform, images)
    parallel = extractor.set_params(n_jobs=n_jobs)
    parallel.transform(images[: 64 * n_jobs])  # start the workers before timing
    wall_par, _, _ = _timed(parallel.transform, images)
    extractor.set_params(n_jobs=None)
    ref_rate = len(subset) / t_ref
    return {
        "n_ref": len(subset),
        "ref": ref_rate,
        "sub": len(subset) / t_sub,
        "full": len(images) / cpu_full,
        "full_wall": len(images) / wall_full,
        "par": len(images) / wall_par,
        "ratio": len(images) / cpu_full / ref_rate,
        "agree": _agreement(name, ours_subset, reference, subset),
    }


def bench_cache(images, fingerprint, cache_dir) -> tuple[float, float]:
    t_miss, _, features = _timed(cached_transform, HogFeatures(), images, fingerprint, cache_dir)
    t_hit, _, again = _timed(cached_transform, HogFeatures(), images, fingerprint, cache_dir)
    assert np.array_equal(features, again)
    return t_miss, t_hit


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", help="fer2013.csv(.gz); default: $FER2013_PATH or ../shared")
    parser.add_argument("--only", default="hog,lbp,gabor,landmarks,pixels,hist,cache")
    parser.add_argument("--reference-images", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--cache-dir", type=Path, help="default: a temporary folder")
    args = parser.parse_args(argv)

    from fer_classic.data import find_fer2013, load_raw

    path = Path(args.data) if args.data else find_fer2013()
    if path is None or not path.exists():
        print("FER-2013 not found: pass --data or set $FER2013_PATH; nothing measured.")
        return 0
    t_load, _, raw = _timed(load_raw, path)
    images = raw.images
    only = set(args.only.split(","))
    print(
        f"{len(images):,} images from {path} (loaded in {t_load:.1f} s); "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, {platform.machine()}; "
        f"reference on {args.reference_images:,} images (Gabor {args.reference_images // 10:,}), "
        f"best of {args.repeats}\n",
        flush=True,
    )
    print(
        "| extractor | reference loop (images) | ours, same images | ours, all images | ratio "
        f"| ours, all images, wall clock | ours, all images, n_jobs={args.n_jobs}, wall clock "
        "| ours vs reference |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name in CASES:
        if name in only:
            r = bench_case(name, images, args.reference_images, args.repeats, args.n_jobs)
            print(
                f"| {name} | {r['ref']:,.0f} ({r['n_ref']:,}) | {r['sub']:,.0f} | {r['full']:,.0f} "
                f"| **{r['ratio']:.1f}x** | {r['full_wall']:,.0f} | {r['par']:,.0f} "
                f"| {r['agree']} |",
                flush=True,
            )
    for name, extractor in NO_REFERENCE.items():
        if name in only:
            wall, cpu, _ = _timed(extractor.transform, images)
            n = len(images)
            print(f"| {name} | - | - | {n / cpu:,.0f} | - | {n / wall:,.0f} | - | - |", flush=True)
    if "cache" in only:
        with tempfile.TemporaryDirectory() as tmp:
            cache_dir = args.cache_dir or Path(tmp)
            t_miss, t_hit = bench_cache(images, raw.fingerprint, cache_dir)
        print(
            f"\nHOG feature cache, all {len(images):,} images: first call (compute + write) "
            f"{t_miss:.2f} s, second call (hit) {t_hit:.2f} s"
        )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of this process: {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
