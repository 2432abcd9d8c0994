"""Load test of ``fer-classic mirror``: frames as fast as a client can send them.

Usage::

    python benchmarks/bench_mirror.py [--seconds 30] [--model NAME|RUN|FILE] [--min-face PX]

Starts ``fer-classic mirror --port 0`` in a subprocess (the packaged default model
unless ``--model``) and, from this process:

1. a sender: one WebSocket client sending the same 640x480 JPEG of
   ``skimage.data.astronaut()`` (the frame the page would send: the portrait
   filling the height of a grey frame, quality 80) as fast as the connection
   takes it, for ``--seconds``, with a second thread reading the replies;
2. a poller, in a process of its own: ``GET /health`` every 0.2 s on a new
   connection, timed from request to parsed JSON, also for 5 s before the load
   (the idle figure);
   before the load, 10 s of a client that sends the next frame once the last is
   answered, as the page does;
3. the server's resident memory (``VmRSS`` of ``/proc/PID/status``) after one
   warm-up frame, every second during the load, and at the end.

The reference, measured first in this process on the same frame, model and
detector: a bare loop of :class:`fer_classic.mirror.FrameProcessor` (decode,
detect, crop, classify), which is what the server does per frame; the ratio of
the server's sustained frames per second to it is what serving costs. Prints
Markdown tables, and PASS or FAIL for the targets: ``/health`` answers in under
100 ms (the 95th percentile, and every poll), the server drops frames and its
memory does not grow (by less than 20 MB over the run). Also prints the CPU
seconds the server and this client used during the load: on a machine with few
cores the sender competes with the server for them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import cv2
import numpy as np
import skimage.data
from websockets.sync.client import connect

from fer_classic.inference import load_model
from fer_classic.mirror import FrameProcessor
from fer_classic.predict import FaceDetector
from fer_classic.predict.session import cpu_description

WIDTH, HEIGHT = 640, 480

#: Seconds between two /health requests.
POLL_S = 0.2

#: Targets: /health in under this many ms, memory growth under this many MB.
HEALTH_MS = 100.0
GROWTH_MB = 20.0


def astronaut_frame() -> bytes:
    """The astronaut filling the height of a 640x480 grey frame, as JPEG (quality 80)."""
    portrait = cv2.resize(
        cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR), (HEIGHT, HEIGHT), cv2.INTER_AREA
    )
    frame = np.full((HEIGHT, WIDTH, 3), 128, np.uint8)
    left = (WIDTH - HEIGHT) // 2
    frame[:, left : left + HEIGHT] = portrait
    ok, data = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return data.tobytes()


def reference_fps(frame: bytes, model: str | None, min_face: int, seconds: float) -> float:
    """Frames per second of a bare FrameProcessor loop on ``frame``, in this process."""
    processor = FrameProcessor(load_model(model), FaceDetector(min_face=min_face))
    processor.process(frame)  # warm-up
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        processor.process(frame)
        n += 1
    return n / (time.perf_counter() - start)


def rss_mb(pid: int) -> float:
    """Resident memory of process ``pid`` in MB (``VmRSS``)."""
    text = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"^VmRSS:\s+(\d+) kB", text, re.M).group(1)) / 1024


def cpu_seconds(pid: int | None = None) -> float:
    """User and system CPU seconds of process ``pid`` so far (None: this process)."""
    if pid is None:
        times = os.times()
        return times.user + times.system
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_server(model: str | None, min_face: int) -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "fer_classic.cli.main", "mirror", "--port", "0"]
    command += ["--min-face", str(min_face)] + (["--model", model] if model else [])
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        found = re.search(r"http://\S+/", line)
        if found:
            threading.Thread(target=process.stdout.read, daemon=True).start()  # drain
            return process, found.group(0)
    raise SystemExit(f"the server did not start (exit {process.wait()})")


def get_health(url: str) -> dict:
    """``GET /health`` on a new connection (:mod:`http.client`: little client-side work)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", "/health")
        response = connection.getresponse()
        body = json.loads(response.read())
    finally:
        connection.close()
    if response.status != 200 or body.get("status") != "ok":
        raise SystemExit(f"/health answered {response.status}: {body}")
    return body


def poll_health(url: str, ready: Any, stop: Any, times: Any) -> None:
    """Time ``GET /health``, request to parsed JSON, every POLL_S until ``stop`` is set;
    ``ready`` is set after the first poll, the times in ms go to the queue ``times``."""
    found = []
    while not stop.is_set():
        start = time.perf_counter()
        get_health(url)
        found.append((time.perf_counter() - start) * 1000)
        ready.set()
        stop.wait(max(0.0, POLL_S - (time.perf_counter() - start)))
    times.put(found)


class Poller:
    """:func:`poll_health` in a process of its own, so that the sender's threads do not
    delay it."""

    def __init__(self, url: str) -> None:
        context = multiprocessing.get_context("spawn")
        ready = context.Event()
        self._stop = context.Event()
        self._times = context.Queue()
        self._process = context.Process(
            target=poll_health, args=(url, ready, self._stop, self._times), daemon=True
        )
        self._process.start()
        if not ready.wait(timeout=120):
            raise SystemExit("the /health poller did not start")

    def stop(self) -> list[float]:
        """Stop polling; the times of the polls, in ms."""
        self._stop.set()
        times = self._times.get(timeout=60)
        self._process.join(timeout=60)
        return times


def paced(url: str, frame: bytes, seconds: float) -> float:
    """Frames per second of a client that sends the next frame once the last is answered,
    as the page does (without its rate cap)."""
    with connect(url.replace("http://", "ws://") + "ws") as ws:
        ws.recv(timeout=60)  # hello
        n, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            ws.send(frame)
            ws.recv(timeout=60)
            n += 1
        return n / (time.perf_counter() - start)


def blast(url: str, frame: bytes, seconds: float) -> dict[str, int]:
    """Send ``frame`` as fast as the connection takes it; frames sent and replies read."""
    counts = {"sent": 0, "replies": 0}
    with connect(url.replace("http://", "ws://") + "ws", max_size=None) as ws:
        ws.recv(timeout=60)  # hello
        done = threading.Event()

        def read() -> None:
            while not done.is_set():
                try:
                    ws.recv(timeout=0.5)
                except TimeoutError:
                    continue
                except Exception:
                    return
                counts["replies"] += 1

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ws.send(frame)
            counts["sent"] += 1
        time.sleep(2.0)  # the last replies
        done.set()
        reader.join()
    return counts


def _stats(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95, ordered[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="length of the load")
    parser.add_argument("--model", help="as fer-classic mirror --model (default: packaged)")
    parser.add_argument("--min-face", type=int, default=40, help="as fer-classic mirror")
    args = parser.parse_args()

    frame = astronaut_frame()
    load_before = os.getloadavg()
    reference = reference_fps(frame, args.model, args.min_face, seconds=10.0)

    process, url = start_server(args.model, args.min_face)
    try:
        with connect(url.replace("http://", "ws://") + "ws") as ws:  # warm-up frame
            ws.recv(timeout=60)
            ws.send(frame)
            ws.recv(timeout=60)
        poller = Poller(url)
        time.sleep(5.0)
        idle_ms = poller.stop()
        one_at_a_time = paced(url, frame, seconds=10.0)

        rss_start = rss_mb(process.pid)
        before = get_health(url)["counters"]
        rss_samples: list[float] = []
        sampler_stop = threading.Event()

        def sample_rss() -> None:
            while not sampler_stop.wait(1.0):
                rss_samples.append(rss_mb(process.pid))

        sampler = threading.Thread(target=sample_rss)
        poller = Poller(url)
        sampler.start()
        started = time.perf_counter()
        cpu_start = cpu_seconds(process.pid), cpu_seconds()
        counts = blast(url, frame, args.seconds)
        cpu_end = cpu_seconds(process.pid), cpu_seconds()
        elapsed = time.perf_counter() - started - 2.0  # blast() waits 2 s for the last replies
        load_ms = poller.stop()
        sampler_stop.set()
        sampler.join()
        after = get_health(url)["counters"]
        rss_end = rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    load_after = os.getloadavg()

    delta = {k: after[k] - before[k] for k in after}
    sustained = delta["processed"] / elapsed
    idle = _stats(idle_ms)
    loaded = _stats(load_ms)
    growth = rss_end - rss_start

    print(
        f"machine: {cpu_description()}; load average {load_before[0]:.1f} before, "
        f"{load_after[0]:.1f} after (1 min)"
    )
    print(
        f"frame: 640x480 JPEG of the astronaut, {len(frame) / 1024:.0f} kB; "
        f"load: {elapsed:.1f} s, one sender\n"
    )
    print("| frames | count |")
    print("|---|---|")
    print(f"| sent by the client | {counts['sent']} |")
    print(f"| received by the server | {delta['received']} |")
    print(f"| processed (replies read: {counts['replies']}) | {delta['processed']} |")
    print(f"| dropped | {delta['dropped']} |")
    print(f"| failed | {delta['failed']} |")
    print()
    print("| speed | frames/s |")
    print("|---|---|")
    print(f"| server, sustained (processed / {elapsed:.1f} s) | {sustained:.2f} |")
    print(f"| server, one frame in flight (as the page sends), 10 s | {one_at_a_time:.2f} |")
    print(f"| reference: bare FrameProcessor loop, one thread, 10 s | {reference:.2f} |")
    print(f"| ratio sustained under the flood / reference | {sustained / reference:.2f} |")
    print(f"| ratio one in flight / reference | {one_at_a_time / reference:.2f} |")
    print()
    server_cpu, client_cpu = (b - a for a, b in zip(cpu_start, cpu_end, strict=True))
    print(
        f"CPU during the load ({elapsed + 2:.1f} s): server {server_cpu:.1f} s, "
        f"client (sender and reader) {client_cpu:.1f} s\n"
    )
    print(f"| GET /health | polls | median ms | p95 ms | max ms | over {HEALTH_MS:.0f} ms |")
    print("|---|---|---|---|---|---|")
    phases = (("idle", idle_ms, idle), ("under load", load_ms, loaded))
    for name, times, (median, p95, most) in phases:
        over = sum(t >= HEALTH_MS for t in times)
        print(f"| {name} | {len(times)} | {median:.1f} | {p95:.1f} | {most:.1f} | {over} |")
    print()
    print("| server memory (VmRSS) | MB |")
    print("|---|---|")
    print(f"| start of the load (after one warm-up frame) | {rss_start:.1f} |")
    print(f"| peak of the 1 s samples | {max(rss_samples, default=rss_end):.1f} |")
    print(f"| end of the load | {rss_end:.1f} |")
    print(f"| growth | {growth:+.1f} |")
    print()
    checks = [
        (f"/health under {HEALTH_MS:.0f} ms under load, 95th percentile", loaded[1] < HEALTH_MS),
        (f"/health under {HEALTH_MS:.0f} ms under load, every poll", loaded[2] < HEALTH_MS),
        ("frames dropped, not queued", delta["dropped"] > 0 and delta["processed"] > 0),
        (f"memory grew by less than {GROWTH_MB:.0f} MB", growth < GROWTH_MB),
    ]
    for what, ok in checks:
        print(f"{'PASS' if ok else 'FAIL'}: {what}")
    return 0 if all(ok for _, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
