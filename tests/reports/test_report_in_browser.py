"""The HTML report in headless Chromium: its plots decode and show (skipped without Chromium)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fer_classic.reports import compare

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "check_report_html.py"


def _load_check():
    """benchmarks/check_report_html.py as a module: the test finds Chromium as it does."""
    spec = importlib.util.spec_from_file_location("check_report_html", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_CHECK = _load_check()
CHROMIUM = _CHECK.find_chromium()
NO_CHROMIUM = (
    f"Chromium not found (looked for {', '.join(_CHECK.CHROMIUM_NAMES)} on PATH); "
    "CI installs Debian's chromium package: apt-get install chromium"
)
if os.environ.get("FER_CLASSIC_BROWSER_NOTE"):  # set by .ci/run when its install failed
    NO_CHROMIUM += f" ({os.environ['FER_CLASSIC_BROWSER_NOTE']})"
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason=NO_CHROMIUM)


@needs_chromium
def test_plots_show_in_chromium(knn_run, svm_run, tmp_path):
    _, paths = compare([knn_run, svm_run], tmp_path / "report", latency_images=5, warmup=0)
    shot = tmp_path / "shot.png"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(paths["html"]), "--screenshot", str(shot)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "images in the page: 4, decoded and shown: 4" in done.stdout
    assert shot.read_bytes()[:4] == b"\x89PNG"


@needs_chromium
def test_check_fails_on_a_page_without_plots(tmp_path):
    page = tmp_path / "report.html"
    page.write_text("<!DOCTYPE html><html><body><h1>no plots</h1></body></html>")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(page)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "FAIL" in done.stdout
