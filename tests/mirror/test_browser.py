"""The mirror's page in headless Chromium, filming the astronaut with a fake camera.

Skips, saying why, without Selenium, Chromium or ChromeDriver (Debian's ``chromium``
and ``chromium-driver`` packages; ``.ci/run`` installs both). The server is
``fer-classic mirror --port 0`` in a subprocess, with the packaged default model.

``FER_CLASSIC_MIRROR_SCREENSHOT=docs/mirror.png`` also writes the screenshot there
(reduced to 256 colours).
"""

from __future__ import annotations

import csv
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from .conftest import camera_frames, write_y4m

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMEDRIVER_PATHS = ("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver")

#: Seconds within which the page must show the first face, on a busy 2-core machine.
FIRST_FACE_S = 30


def _find(names) -> str | None:
    for name in names:
        path = shutil.which(name) or (name if os.access(name, os.X_OK) else None)
        if path:
            return path
    return None


def _why_no_browser() -> str | None:
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[dev]'"
    if _find(CHROMIUM_NAMES) is None:
        return (
            f"Chromium not found (looked for {', '.join(CHROMIUM_NAMES)}): apt-get install chromium"
        )
    if _find(("chromedriver", *CHROMEDRIVER_PATHS)) is None:
        return "ChromeDriver not found: apt-get install chromium-driver"
    return None


NO_BROWSER = _why_no_browser()
if NO_BROWSER and os.environ.get("FER_CLASSIC_BROWSER_NOTE"):  # set by .ci/run
    NO_BROWSER += f" ({os.environ['FER_CLASSIC_BROWSER_NOTE']})"
pytestmark = [pytest.mark.slow, pytest.mark.skipif(NO_BROWSER is not None, reason=str(NO_BROWSER))]


class _MirrorProcess:
    """``fer-classic mirror`` in a subprocess, and the address it printed."""

    def __init__(self, *args: str) -> None:
        command = [sys.executable, "-m", "fer_classic.cli.main", "mirror", "--port", "0", *args]
        self.process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        threading.Thread(target=self._pump, args=(self.process.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.process.stderr, False), daemon=True).start()
        self.url = self._wait_for_url(timeout=180)

    def _pump(self, stream, is_stdout: bool) -> None:
        for line in stream:
            (self.lines.put if is_stdout else self.stderr.append)(line)

    def _wait_for_url(self, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        seen = []
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            seen.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                return found.group(0)
        self.stop()
        raise AssertionError(f"no address printed: {''.join(seen)}{''.join(self.stderr)}")

    def stop(self) -> int:
        """Stop as Ctrl+C does; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def _chrome(y4m: Path, downloads: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = _find(CHROMIUM_NAMES)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={y4m}",
        "--window-size=1280,960",
        "--hide-scrollbars",
    ):
        options.add_argument(flag)
    options.add_experimental_option(
        "prefs",
        {"download.default_directory": str(downloads), "download.prompt_for_download": False},
    )
    service = Service(_find(("chromedriver", *CHROMEDRIVER_PATHS)))
    return webdriver.Chrome(service=service, options=options)


def _wait(driver, condition, timeout: float, what: str):
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.2).until(condition)
    except Exception:
        body = driver.find_element("tag name", "body")
        state = {k: body.get_attribute(f"data-{k}") for k in ("status", "faces", "points")}
        status = driver.find_element("id", "status").text
        raise AssertionError(f"{what} within {timeout} s; page: {state}, {status!r}") from None


def _data(driver, name: str) -> str:
    return driver.find_element("tag name", "body").get_attribute(f"data-{name}") or ""


def _full_page_png(driver) -> bytes:
    """A screenshot of the whole page, below the window's bottom too."""
    import base64

    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    return base64.b64decode(shot["data"])


def _save_screenshot(png: bytes, target: Path) -> None:
    """The screenshot, reduced to 256 colours, to keep it small."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(target, optimize=True)


def test_page_shows_the_astronaut_s_face_label_timeline_and_take(tmp_path):
    y4m = write_y4m(tmp_path / "astronaut.y4m", camera_frames(10))
    script = tmp_path / "script.csv"
    script.write_text("start,end,emotion\n0,3,happy\n3,6,neutral\n")
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    server = _MirrorProcess("--script", str(script))
    driver = None
    try:
        driver = _chrome(y4m, downloads)
        started = time.monotonic()
        driver.get(server.url)
        _wait(driver, lambda d: int(_data(d, "faces") or 0) >= 1, FIRST_FACE_S, "no face shown")
        first_face_s = time.monotonic() - started
        assert _data(driver, "label") == "happy"
        assert driver.find_element("id", "label").text == "happy"
        assert driver.execute_script(
            "return document.getElementById('overlay').getContext('2d')"
            ".getImageData(0, 0, 1280, 960).data.some((v, i) => i % 4 === 3 && v > 0)"
        ), "nothing drawn over the video"
        _wait(driver, lambda d: int(_data(d, "points") or 0) >= 3, 30, "no timeline points")
        assert re.fullmatch(r"\d+(\.\d)?", driver.find_element("id", "fps").text)
        assert re.fullmatch(r"\d+ ms", driver.find_element("id", "latency").text)

        driver.find_element("id", "start-take").click()
        _wait(driver, lambda d: d.find_element("id", "intended").text == "happy", 10, "no cue")
        _wait(driver, lambda d: d.find_element("id", "intended").text == "neutral", 10, "cue 2")
        time.sleep(1.5)
        screenshot = _full_page_png(driver)
        _wait(driver, lambda d: _data(d, "take") == "done", 30, "the take did not end")
        for kind in ("csv", "json"):
            driver.find_element("id", f"download-{kind}").click()
        _wait(driver, lambda d: len(list(downloads.glob("take-*.[cj]s*"))) == 2, 30, "no files")
        share = driver.find_element("id", "agreement").get_attribute("data-share")
    finally:
        if driver is not None:
            driver.quit()
        status = server.stop()
    assert status == 0, "".join(server.stderr)
    assert first_face_s < FIRST_FACE_S

    [csv_path] = downloads.glob("take-*.csv")
    [json_path] = downloads.glob("take-*.json")
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    names = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]
    assert list(rows[0]) == ["time_s", "faces", "label", "score", *names, "intended"]
    times = [float(r["time_s"]) for r in rows]
    assert times == sorted(times) and 0 <= times[0] and times[-1] < 7
    assert {r["intended"] for r in rows} <= {"happy", "neutral", ""}
    scored = [r for r in rows if r["intended"] and r["label"]]
    agreeing = [r for r in scored if r["label"] == r["intended"]]
    assert scored and float(share) == pytest.approx(len(agreeing) / len(scored))
    take = json.loads(json_path.read_text())
    assert take["class_names"] == names
    assert take["script"] == [
        {"start": 0, "end": 3, "emotion": "happy"},
        {"start": 3, "end": 6, "emotion": "neutral"},
    ]
    assert take["agreement"]["frames_scored"] == len(scored)
    assert take["agreement"]["frames_agreeing"] == len(agreeing)
    assert len(take["frames"]) == len(rows)

    shot = tmp_path / "mirror.png"
    _save_screenshot(screenshot, shot)
    assert shot.read_bytes()[:4] == b"\x89PNG"
    if os.environ.get("FER_CLASSIC_MIRROR_SCREENSHOT"):
        _save_screenshot(screenshot, Path(os.environ["FER_CLASSIC_MIRROR_SCREENSHOT"]))
