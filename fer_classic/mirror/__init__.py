"""The live mirror: a local web page that labels the faces of the camera's video.

``fer-classic mirror`` (or :func:`open_mirror`) starts a web server on this
machine. Its page takes the camera's video, sends frames to the server over a
WebSocket and draws each face's box, label and class probabilities over the
video, with a timeline of the last minute's probabilities, the frames per second
and the latency it measures. With a script (:mod:`.script`) it shows the intended
emotion beside the detected one and an agreement score per take, and offers the
take's timeline as CSV and JSON. Faces are found, cropped and classified by
``predict``'s own pipeline (:func:`fer_classic.predict.predict_faces`).

Frames go only to this server, which keeps none; the page loads nothing from
elsewhere. :mod:`.app` documents the routes and the WebSocket's messages.

The names below are imported on first use, so that the command line starts
without loading the web framework.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "create_app": "app",
    "Counters": "frames",
    "FrameProcessor": "frames",
    "LatestFrame": "frames",
    "Cue": "script",
    "ScriptError": "script",
    "read_script": "script",
    "MirrorServer": "server",
    "bind_socket": "server",
    "open_mirror": "server",
    "DEFAULT_HOST": "settings",
    "DEFAULT_PORT": "settings",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
