"""The HTML report in headless Chromium: its plots decode and show (skipped without Chromium)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fer_classic.reports import compare

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "check_report_html.py"
CHROMIUM = next(
    (shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)),
    None,
)


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
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


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium)")
def test_check_fails_on_a_page_without_plots(tmp_path):
    page = tmp_path / "report.html"
    page.write_text("<!DOCTYPE html><html><body><h1>no plots</h1></body></html>")
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(page)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "FAIL" in done.stdout
