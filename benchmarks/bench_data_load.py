"""First and second load of full FER-2013: decoding the CSV against reading the cache.

Usage::

    python benchmarks/bench_data_load.py [PATH]

PATH defaults to $FER2013_PATH or ../shared/datasets/fer2013/fer2013.csv.gz. The
first load decodes the CSV into a fresh, temporary cache; the second reads the
cache (the issue's target: under 1 second). Prints a Markdown table.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from fer_classic.data import find_fer2013, load_dataset


def main() -> int:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else find_fer2013()
    if path is None or not path.exists():
        print("skipped: FER-2013 not found (set FER2013_PATH or pass a path)")
        return 0
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        first = load_dataset(path, cache_dir=cache)
        cold = time.perf_counter() - start
        warm = []
        for _ in range(5):
            start = time.perf_counter()
            second = load_dataset(path, cache_dir=cache)
            warm.append(time.perf_counter() - start)
    assert first.fingerprint == second.fingerprint
    n = len(first.raw.labels)
    best, median = min(warm), sorted(warm)[len(warm) // 2]
    print(f"| load of {path.name} ({n} images) | seconds |")
    print("|---|---|")
    print(f"| first (decode CSV, write cache) | {cold:.2f} |")
    print(f"| second (cache hit), median of 5 | {median:.3f} |")
    print(f"| second (cache hit), best of 5 | {best:.3f} |")
    print(f"| ratio first / second (median) | {cold / median:.0f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
