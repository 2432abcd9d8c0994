"""The mirror's web application: the page, its WebSocket and a health endpoint.

Routes:

``GET /``
    The page (``static/mirror.html``, with its script and style under
    ``/static/``). It loads nothing from elsewhere; the responses carry a
    Content-Security-Policy that keeps the browser to this server.
``GET /health``
    JSON: ``status`` (``"ok"``), ``model``, ``class_names``, ``probability_kind``,
    ``connections`` (open WebSockets), ``counters`` (frames of all connections:
    ``received``, ``processed``, ``dropped``, ``failed``) and ``uptime_s``. It is
    answered by the event loop, never behind a frame.
``WS /ws``
    The frames. A browser may open it only from the page itself (its ``Origin``
    must be this server), so that other sites cannot use the server. The server
    first sends a ``hello`` text message::

        {"type": "hello", "model": "...", "class_names": [...],
         "probability_kind": "softmax", "scores_key": "probabilities",
         "detector": {"method": "haar", "min_face": 40, "margin": 0.1},
         "script": [{"start": 0, "end": 4, "emotion": "happy"}, ...],
         "max_fps": 15, "frame_width": 640, "jpeg_quality": 0.8}

    The client then sends frames as binary messages, each one encoded image
    (the page sends JPEGs ``frame_width`` pixels wide, at most ``max_fps`` a
    second, the next only once the reply to the last has come). Frames are
    numbered 1, 2, ... in the order they arrive. For each frame processed the
    server replies with a text message::

        {"type": "result", "frame": 17, "width": 640, "height": 480,
         "faces": [{"face": 0, "box": {"x": 220, "y": 82, "width": 122, "height": 122},
                    "label": "happy", "score": 0.94, "probabilities": {"angry": 0.01, ...}}],
         "server_ms": 41.2, "stages_ms": {"decode": 2.1, "detect": 35.0, "classify": 4.1},
         "counters": {"received": 20, "processed": 17, "dropped": 3, "failed": 0}}

    and for a frame that is not an image ``{"type": "error", "frame": n,
    "message": "...", "counters": {...}}``. Counters are those of the
    connection. Text messages from the client are ignored.

Nothing queues: per connection one frame is processed (in a worker thread, so
the event loop stays free) and at most one waits; a frame that arrives while one
waits replaces it and counts as dropped. No reply comes for a dropped frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fastapi import FastAPI, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import ParameterError
from ..inference import Classifier
from ..predict import FaceDetector
from ..predict.output import scores_key
from .frames import Counters, FrameError, FrameProcessor, LatestFrame
from .script import Cue
from .settings import FRAME_WIDTH, JPEG_QUALITY, MAX_FPS

#: What the browser may load for the page: only this server's own files, the
#: camera's stream and the downloads the page builds itself.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def static_dir() -> Path:
    """The folder of the page's files."""
    return Path(str(resources.files("fer_classic.mirror") / "static"))


class _MirrorState:
    """What the routes of one application share."""

    def __init__(
        self,
        classifier: Classifier,
        processor: FrameProcessor,
        hello: dict[str, Any],
    ) -> None:
        self.classifier = classifier
        self.processor = processor
        self.hello = hello
        self.totals = Counters()
        self.connections = 0
        self.started = time.monotonic()


def create_app(
    classifier: Classifier,
    detector: FaceDetector | None = None,
    margin: float = 0.1,
    script: Sequence[Cue] = (),
) -> FastAPI:
    """The mirror's application, to run with any ASGI server.

    Parameters
    ----------
    classifier : Classifier
        From :func:`fer_classic.inference.load_model`; its class names are the
        page's classes.
    detector : FaceDetector, optional
        Default: ``FaceDetector()``, predict's default (Haar, faces of 40 pixels
        and more).
    margin : float
        Added around each face box before cropping, as a fraction of its side.
    script : sequence of Cue
        From :func:`~fer_classic.mirror.script.read_script`; empty for none.

    Raises
    ------
    ParameterError
        ``margin`` is negative, or a cue's emotion is not one of the classes.
    """
    if not margin >= 0:
        raise ParameterError("margin", f"{{name}} must be >= 0, got {margin}")
    for cue in script:
        if cue.emotion not in classifier.class_names:
            raise ParameterError(
                "script",
                f"{{name}}: emotion {cue.emotion!r} is not one of the model's classes "
                f"({', '.join(classifier.class_names)})",
            )
    detector = detector if detector is not None else FaceDetector()
    hello = {
        "type": "hello",
        "model": classifier.name,
        "class_names": list(classifier.class_names),
        "probability_kind": classifier.probability_kind,
        "scores_key": scores_key(classifier.probability_kind),
        "detector": {"method": detector.method, "min_face": detector.min_face, "margin": margin},
        "script": [cue.to_dict() for cue in script],
        "max_fps": MAX_FPS,
        "frame_width": FRAME_WIDTH,
        "jpeg_quality": JPEG_QUALITY,
    }
    state = _MirrorState(classifier, FrameProcessor(classifier, detector, margin), hello)
    app = FastAPI(title="fer-classic mirror", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.mirror = state

    app.add_middleware(_SecurityHeaders)

    @app.get("/", include_in_schema=False)
    async def _page() -> FileResponse:
        return FileResponse(static_dir() / "mirror.html", headers={"Cache-Control": "no-store"})

    @app.get("/health")
    async def _health() -> dict[str, Any]:
        return {
            "status": "ok",
            "model": classifier.name,
            "class_names": list(classifier.class_names),
            "probability_kind": classifier.probability_kind,
            "connections": state.connections,
            "counters": state.totals.to_dict(),
            "uptime_s": round(time.monotonic() - state.started, 3),
        }

    @app.websocket("/ws")
    async def _frames(websocket: WebSocket) -> None:
        if not _same_origin(websocket):
            await websocket.close(code=1008)  # refused during the handshake: HTTP 403
            return
        await websocket.accept()
        state.connections += 1
        try:
            await websocket.send_text(json.dumps(state.hello))
            await _serve_connection(websocket, state)
        except Exception as error:
            if not _is_disconnect(error):
                raise
        finally:
            state.connections -= 1

    app.mount("/static", StaticFiles(directory=static_dir()), name="static")
    return app


class _SecurityHeaders:
    """ASGI middleware adding :data:`CONTENT_SECURITY_POLICY` and its kin to HTTP responses."""

    _HEADERS = (
        (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
    )

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", ()), *self._HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


async def _serve_connection(websocket: WebSocket, state: _MirrorState) -> None:
    """Read frames and answer the latest one until the client goes."""
    latest = LatestFrame()
    own = Counters()
    reader = asyncio.create_task(_read_frames(websocket, latest, own, state.totals))
    worker = asyncio.create_task(_answer_frames(websocket, latest, own, state))
    try:
        done, _ = await asyncio.wait({reader, worker}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (reader, worker):
            task.cancel()
        for task in (reader, worker):
            with contextlib.suppress(asyncio.CancelledError, WebSocketDisconnect, RuntimeError):
                await task
        if latest.waiting:  # never to be processed
            own.dropped += 1
            state.totals.dropped += 1
    for task in done:
        error = task.exception()
        if error is not None and not _is_disconnect(error):
            raise error


async def _read_frames(
    websocket: WebSocket, latest: LatestFrame, own: Counters, totals: Counters
) -> None:
    """Keep the newest frame in ``latest``, counting the ones it replaces as dropped."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
        data = message.get("bytes")
        if data is None:
            continue
        own.received += 1
        totals.received += 1
        if latest.put(own.received, data):
            own.dropped += 1
            totals.dropped += 1


async def _answer_frames(
    websocket: WebSocket, latest: LatestFrame, own: Counters, state: _MirrorState
) -> None:
    """Process the latest frame in a worker thread and send its faces, frame after frame."""
    while True:
        number, data = await latest.take()
        try:
            result = await asyncio.to_thread(state.processor.process, data)
        except asyncio.CancelledError:  # the client went: the frame goes unanswered
            own.dropped += 1
            state.totals.dropped += 1
            raise
        except FrameError as exc:
            own.failed += 1
            state.totals.failed += 1
            reply = {"type": "error", "frame": number, "message": str(exc)}
        else:
            own.processed += 1
            state.totals.processed += 1
            reply = {"type": "result", "frame": number, **result}
        reply["counters"] = own.to_dict()
        await websocket.send_text(json.dumps(reply))


def _same_origin(websocket: WebSocket) -> bool:
    """Whether a browser opened the WebSocket from this server's own page; clients that
    send no ``Origin`` (not browsers) are let in."""
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


def _is_disconnect(error: BaseException) -> bool:
    """Whether ``error`` says only that the client went away."""
    if isinstance(error, WebSocketDisconnect):
        return True
    # Sending on a socket the client closed; the messages name Starlette's states.
    return isinstance(error, RuntimeError) and "websocket" in str(error).lower()
