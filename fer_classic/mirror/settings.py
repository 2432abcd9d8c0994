"""The mirror's defaults and the page's sending rate, in one place (imports nothing heavy)."""

from __future__ import annotations

#: Where the mirror listens unless told otherwise: this machine only.
DEFAULT_HOST = "127.0.0.1"

#: The port it listens on unless told otherwise; 0 picks a free one.
DEFAULT_PORT = 8000

#: Most frames a second the page sends.
MAX_FPS = 15

#: Width in pixels the page scales frames to before sending them (never up).
FRAME_WIDTH = 640

#: JPEG quality of the frames the page sends, in [0, 1].
JPEG_QUALITY = 0.8
