"""Open a comparison's report.html in headless Chromium and check that its plots show.

    python benchmarks/check_report_html.py [reports/report.html] [--screenshot PNG]

Two checks, both in a real browser:

1. The page, with a small script added to a temporary copy, is loaded and its DOM
   dumped: every <img> must have decoded (``complete`` and a natural width > 0),
   and there must be the four plots the report embeds.
2. A screenshot of the page (1280x2400) is taken; it must show the plots' own
   colours (matplotlib's blue and the red of the Pareto front), which nothing
   else on the page uses.

Prints ``skipped: ...`` and exits 0 when no Chromium is installed (``.ci/run`` installs
Debian's ``chromium`` package where it can); exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import cv2
import numpy as np

EXPECTED_PLOTS = 4
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)
# matplotlib's tab:blue (markers, bars) and tab:red (Pareto front), as RGB.
PLOT_COLOURS = {"tab:blue": (31, 119, 180), "tab:red": (214, 39, 40)}
MIN_PIXELS = 150

_PROBE = """
<script>
window.addEventListener("load", () => {
  const imgs = Array.from(document.images);
  const ok = imgs.filter(i => i.complete && i.naturalWidth > 0 && i.clientWidth > 0);
  const p = document.createElement("p");
  p.id = "probe";
  p.textContent = `images=${imgs.length} loaded=${ok.length} ` +
    imgs.map(i => i.naturalWidth + "x" + i.naturalHeight).join(",");
  document.body.appendChild(p);
});
</script>
"""


def find_chromium() -> str | None:
    """The path of a Chromium or Chrome executable, or None."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    command = [binary, *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def check_images_load(binary: str, report: Path, workdir: Path) -> tuple[int, int, str]:
    """Images in the page and images decoded and shown, as the browser reports them."""
    probe = workdir / report.name
    text = report.read_text(encoding="utf-8")
    probe.write_text(text.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
    done = _chromium(
        binary, workdir / "profile-dom", "--virtual-time-budget=10000", "--dump-dom",
        probe.as_uri(),
    )  # fmt: skip
    match = re.search(r'id="probe">images=(\d+) loaded=(\d+) ([^<]*)<', done.stdout)
    if not match:
        raise RuntimeError(f"Chromium gave no probe result:\n{done.stderr[-2000:]}")
    return int(match.group(1)), int(match.group(2)), match.group(3)


def take_screenshot(binary: str, report: Path, png: Path, workdir: Path) -> np.ndarray:
    """Screenshot of the page at 1280x2400, as an RGB array."""
    _chromium(
        binary, workdir / "profile-shot", f"--screenshot={png}", "--window-size=1280,2400",
        report.resolve().as_uri(),
    )  # fmt: skip
    image = cv2.imread(str(png), cv2.IMREAD_COLOR)
    if image is None:
        raise RuntimeError(f"Chromium wrote no screenshot at {png}")
    return cv2.cvtColor(image, cv2.COLOR_BGR2RGB)


def colour_pixels(image: np.ndarray, rgb: tuple[int, int, int], tolerance: int = 12) -> int:
    """Pixels of ``image`` (RGB uint8) within ``tolerance`` of ``rgb`` in every channel."""
    diff = np.abs(image.astype(np.int16) - np.asarray(rgb, dtype=np.int16))
    return int(np.count_nonzero(np.all(diff <= tolerance, axis=-1)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("report", nargs="?", default="reports/report.html", type=Path)
    parser.add_argument("--screenshot", type=Path, help="where to keep the screenshot (PNG)")
    args = parser.parse_args(argv)
    binary = find_chromium()
    if binary is None:
        names = ", ".join(CHROMIUM_NAMES)
        print(f"skipped: no Chromium found (looked for {names} on PATH; apt-get install chromium)")
        return 0
    if not args.report.is_file():
        print(f"error: {args.report}: no such report (run fer-classic compare first)")
        return 1
    failures = []
    with tempfile.TemporaryDirectory(prefix="report-check-") as tmp:
        workdir = Path(tmp)
        n_images, n_loaded, sizes = check_images_load(binary, args.report, workdir)
        print(f"images in the page: {n_images}, decoded and shown: {n_loaded} ({sizes})")
        if n_images < EXPECTED_PLOTS or n_loaded != n_images:
            failures.append(f"expected {EXPECTED_PLOTS} plots, all shown")
        png = args.screenshot or workdir / "report.png"
        png.parent.mkdir(parents=True, exist_ok=True)
        shot = take_screenshot(binary, args.report, png, workdir)
        print(f"screenshot: {png} ({shot.shape[1]}x{shot.shape[0]})")
        for name, rgb in PLOT_COLOURS.items():
            count = colour_pixels(shot, rgb)
            print(f"pixels of {name} in the screenshot: {count}")
            if count < MIN_PIXELS:
                failures.append(f"the screenshot shows too little {name} ({count} pixels)")
        if args.screenshot is None:
            print("(pass --screenshot PATH to keep it)")
    for failure in failures:
        print(f"FAIL: {failure}")
    print("ok: the report's plots show in Chromium" if not failures else "report check failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
