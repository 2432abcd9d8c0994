"""The mirror's server without a browser: the WebSocket protocol, dropping, /health, the page."""

from __future__ import annotations

import json
import re
import threading
import time

import httpx
import numpy as np
import pytest
from websockets.sync.client import connect

from fer_classic.data import CLASS_NAMES
from fer_classic.inference import Classifier
from fer_classic.mirror import Cue, LatestFrame, create_app, open_mirror
from fer_classic.mirror.app import static_dir
from fer_classic.mirror.settings import FRAME_WIDTH, MAX_FPS

from .conftest import jpeg


def _ws_url(server) -> str:
    return server.url.replace("http://", "ws://") + "ws"


def _in_flight(counters) -> int:
    """Frames received and not yet answered or dropped: at most one processed, one waiting."""
    return counters["received"] - counters["processed"] - counters["dropped"] - counters["failed"]


def _health(server) -> dict:
    response = httpx.get(server.url + "health", timeout=30)
    assert response.status_code == 200
    return response.json()


def _quiet_health(server) -> dict:
    """``/health`` once every connection of earlier tests has closed."""
    deadline = time.monotonic() + 60
    while (health := _health(server))["connections"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert health["connections"] == 0
    return health


class _EightClasses(Classifier):
    """A model of eight classes, FER-2013's seven and contempt, always sure of contempt."""

    name = "eight classes"
    source = "test"
    class_names = (*CLASS_NAMES, "contempt")
    probability_kind = "softmax"

    def _scores(self, images: np.ndarray) -> np.ndarray:
        scores = np.full((len(images), 8), 0.02, dtype=np.float32)
        scores[:, 7] = 0.86
        return scores


def test_hello_then_one_face_with_a_label_and_the_model_s_probabilities(
    server, classifier, astronaut_jpeg
):
    with connect(_ws_url(server)) as ws:
        hello = json.loads(ws.recv(timeout=30))
        assert hello["type"] == "hello"
        assert hello["class_names"] == list(classifier.class_names)
        assert hello["scores_key"] == "probabilities"
        assert hello["model"] == classifier.name
        assert hello["script"] == []
        assert (hello["max_fps"], hello["frame_width"]) == (MAX_FPS, FRAME_WIDTH)
        assert hello["detector"] == {"method": "haar", "min_face": 40, "margin": 0.1}
        ws.send(astronaut_jpeg)
        reply = json.loads(ws.recv(timeout=60))
    assert reply["type"] == "result" and reply["frame"] == 1
    assert (reply["width"], reply["height"]) == (640, 480)
    [face] = reply["faces"]
    assert set(face) == {"face", "box", "label", "score", "probabilities"}
    box = face["box"]
    # The photo fills the frame's height from x = 80: the face is at about (244, 61) 94 px.
    assert 225 < box["x"] < 265 and 45 < box["y"] < 80 and 70 < box["width"] < 120
    assert list(face["probabilities"]) == list(classifier.class_names)
    assert sum(face["probabilities"].values()) == pytest.approx(1.0, abs=0.02)
    assert face["label"] == max(face["probabilities"], key=face["probabilities"].get)
    assert face["score"] == face["probabilities"][face["label"]]
    assert reply["server_ms"] > 0 and set(reply["stages_ms"]) == {"decode", "detect", "classify"}
    assert reply["counters"] == {"received": 1, "processed": 1, "dropped": 0, "failed": 0}


def test_frames_sent_faster_than_processed_are_dropped_not_queued(server, astronaut_jpeg):
    n_frames = 40
    with connect(_ws_url(server)) as ws:
        json.loads(ws.recv(timeout=30))  # hello
        for _ in range(n_frames):
            ws.send(astronaut_jpeg)
        replies = []
        while True:
            reply = json.loads(ws.recv(timeout=60))
            replies.append(reply)
            counters = reply["counters"]
            assert _in_flight(counters) <= 2
            if counters["received"] == n_frames and _in_flight(counters) == 0:
                break
    assert counters["dropped"] > 0
    assert counters["processed"] < counters["received"] == n_frames
    assert counters["processed"] + counters["dropped"] == n_frames
    # One reply per processed frame, in order; the newest frame is never dropped.
    assert len(replies) == counters["processed"]
    numbers = [r["frame"] for r in replies]
    assert numbers == sorted(set(numbers)) and numbers[-1] == n_frames
    assert all(len(r["faces"]) == 1 for r in replies)


def test_health_answers_while_frames_pour_in(server, astronaut_jpeg):
    stop = threading.Event()
    sent = []

    def blast() -> None:
        with connect(_ws_url(server)) as ws:
            ws.recv(timeout=30)  # hello
            while not stop.is_set():
                ws.send(astronaut_jpeg)
                sent.append(1)

    sender = threading.Thread(target=blast, daemon=True)
    before = _quiet_health(server)["counters"]
    sender.start()
    snapshots = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            time.sleep(0.25)
            if sent:
                snapshots.append(_health(server))
            dropped = snapshots[-1]["counters"]["dropped"] if snapshots else 0
            if len(snapshots) >= 8 and dropped > before["dropped"]:
                break
    finally:
        stop.set()
        sender.join(timeout=60)
    assert len(snapshots) >= 8
    assert all(s["status"] == "ok" and s["connections"] == 1 for s in snapshots)
    received = [s["counters"]["received"] for s in snapshots]
    assert received == sorted(received) and received[-1] > before["received"]
    last = snapshots[-1]["counters"]
    assert last["dropped"] > before["dropped"]
    assert _in_flight(before) == 0
    assert all(_in_flight(s["counters"]) <= 2 for s in snapshots)


def test_health_names_the_model_and_its_classes(server, classifier):
    health = _health(server)
    assert health["status"] == "ok"
    assert health["model"] == classifier.name
    assert health["class_names"] == list(classifier.class_names)
    assert health["uptime_s"] > 0
    assert set(health["counters"]) == {"received", "processed", "dropped", "failed"}


def test_a_frame_that_is_no_image_gets_an_error_and_the_connection_goes_on(server, astronaut_jpeg):
    with connect(_ws_url(server)) as ws:
        ws.recv(timeout=30)
        ws.send(b"not a picture")
        error = json.loads(ws.recv(timeout=30))
        ws.send(astronaut_jpeg)
        result = json.loads(ws.recv(timeout=60))
    assert error["type"] == "error" and error["frame"] == 1
    assert "not a decodable image" in error["message"]
    assert error["counters"]["failed"] == 1
    assert result["type"] == "result" and result["frame"] == 2


def test_a_frame_without_a_face_gives_no_faces(server):
    grey = np.full((480, 640, 3), 128, dtype=np.uint8)
    with connect(_ws_url(server)) as ws:
        ws.recv(timeout=30)
        ws.send(jpeg(grey))
        reply = json.loads(ws.recv(timeout=60))
    assert reply["type"] == "result" and reply["faces"] == []


def test_a_client_leaving_mid_frame_leaves_the_server_serving(server, astronaut_jpeg):
    with connect(_ws_url(server)) as ws:
        ws.recv(timeout=30)
        ws.send(astronaut_jpeg)
        ws.send(astronaut_jpeg)
    health = _quiet_health(server)
    assert _in_flight(health["counters"]) == 0  # the unanswered frames count as dropped
    with connect(_ws_url(server)) as ws:
        ws.recv(timeout=30)
        ws.send(astronaut_jpeg)
        assert json.loads(ws.recv(timeout=60))["type"] == "result"


def test_class_names_and_script_come_from_the_model(astronaut_jpeg):
    script = (Cue(0.0, 2.0, "contempt"), Cue(2.0, 3.5, "happy"))
    with open_mirror(_EightClasses(), port=0, script=script) as server:
        with connect(_ws_url(server)) as ws:
            hello = json.loads(ws.recv(timeout=30))
            ws.send(astronaut_jpeg)
            reply = json.loads(ws.recv(timeout=60))
        health = _health(server)
    assert hello["class_names"] == [*CLASS_NAMES, "contempt"] == health["class_names"]
    assert hello["script"] == [
        {"start": 0.0, "end": 2.0, "emotion": "contempt"},
        {"start": 2.0, "end": 3.5, "emotion": "happy"},
    ]
    [face] = reply["faces"]
    assert face["label"] == "contempt"
    assert list(face["probabilities"]) == hello["class_names"]


def test_a_script_emotion_outside_the_model_s_classes_is_refused(classifier):
    with pytest.raises(ValueError, match="emotion 'contempt' is not one of the model's classes"):
        create_app(classifier, script=(Cue(0.0, 1.0, "contempt"),))


def test_a_negative_margin_is_refused(classifier):
    with pytest.raises(ValueError, match="margin must be >= 0"):
        create_app(classifier, margin=-0.1)


def test_the_page_loads_nothing_from_elsewhere(server):
    page = httpx.get(server.url, timeout=30)
    assert page.status_code == 200 and "<video" in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    for name in ("mirror.html", "mirror.js", "mirror.css"):
        text = (static_dir() / name).read_text(encoding="utf-8")
        assert not re.search(r"\b(?:https?|wss?):/|(?:src|href)=[\"']//", text), name
        response = httpx.get(server.url + f"static/{name}", timeout=30)
        assert response.status_code == 200 and response.text == text
    assert re.findall(r"(?:src|href)=\"([^\"]+)\"", page.text) == [
        "data:,",
        "/static/mirror.css",
        "/static/mirror.js",
    ]


def test_latest_frame_keeps_one_frame_and_counts_replacements():
    import asyncio

    async def scenario() -> list:
        latest = LatestFrame()
        replaced = [latest.put(1, b"a"), latest.put(2, b"b"), latest.put(3, b"c")]
        first = await latest.take()
        waiting = latest.waiting
        latest.put(4, b"d")
        second = await latest.take()
        return [replaced, first, waiting, second, latest.waiting]

    assert asyncio.run(scenario()) == [[False, True, True], (3, b"c"), False, (4, b"d"), False]


class _DecisionScores(Classifier):
    """A model of three classes that gives decision scores, not probabilities."""

    name = "scores"
    source = "test"
    class_names = ("happy", "sad", "neutral")
    probability_kind = "decision_scores"

    def _scores(self, images: np.ndarray) -> np.ndarray:
        return np.tile(np.float32([[1.5, -0.5, -1.0]]), (len(images), 1))


def test_a_model_without_probabilities_sends_decision_scores(astronaut_jpeg):
    with open_mirror(_DecisionScores(), port=0) as server:
        with connect(_ws_url(server)) as ws:
            hello = json.loads(ws.recv(timeout=30))
            ws.send(astronaut_jpeg)
            reply = json.loads(ws.recv(timeout=60))
    assert hello["scores_key"] == "decision_scores"
    [face] = reply["faces"]
    assert "probabilities" not in face
    assert face["decision_scores"] == {"happy": 1.5, "sad": -0.5, "neutral": -1.0}
    assert (face["label"], face["score"]) == ("happy", 1.5)


def test_clients_that_leave_at_once_are_no_error(server, astronaut_jpeg, caplog):
    for _ in range(3):
        with connect(_ws_url(server)):
            pass
    time.sleep(0.5)
    with connect(_ws_url(server)) as ws:
        ws.recv(timeout=30)
        ws.send(astronaut_jpeg)
        assert json.loads(ws.recv(timeout=60))["type"] == "result"
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


def test_other_sites_cannot_open_the_websocket(server):
    from websockets.exceptions import InvalidStatus

    with pytest.raises(InvalidStatus) as caught:
        with connect(_ws_url(server), origin="http://elsewhere.example"):
            pass
    assert caught.value.response.status_code == 403
    own = server.url.rstrip("/")
    with connect(_ws_url(server), origin=own) as ws:
        assert json.loads(ws.recv(timeout=30))["type"] == "hello"
