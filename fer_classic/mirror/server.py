"""The mirror's server: a listening socket and uvicorn serving the application on it."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import threading
import time
import warnings
from collections.abc import Sequence
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from ..errors import ParameterError
from ..inference import Classifier, load_model
from ..predict import FaceDetector
from .app import create_app
from .script import Cue, read_script
from .settings import DEFAULT_HOST, DEFAULT_PORT


def bind_socket(host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> socket.socket:
    """A TCP socket listening on ``host``:``port``.

    Warns when ``host`` is not a loopback address: other machines can then reach
    the page and the frames sent to it.

    Raises
    ------
    ParameterError
        ``port`` is outside 0..65535 or in use, ``host`` is no address of this
        machine, or the operating system refuses the port.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ParameterError("port", f"{{name}} must be a whole number in 0..65535, got {port!r}")
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        raise ParameterError("host", f"{{name}} {host!r} is not a known address ({exc})") from None
    if not ipaddress.ip_address(address[0]).is_loopback:
        warnings.warn(
            f"listening on {host}, so other machines can reach the mirror and the camera "
            "frames sent to it, unencrypted; browsers give the camera only to pages from "
            "localhost or https, so open the page on this machine",
            stacklevel=2,
        )
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # restarts at once after a stop; a listening port stays exclusive
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise _bind_error(exc, host, port) from None
    return sock


def _bind_error(exc: OSError, host: str, port: int) -> ParameterError:
    if exc.errno == errno.EADDRINUSE:
        return ParameterError(
            "port",
            f"port {port} on {host} is in use by another program; give another with "
            "{name} N, or {name} 0 for a free one",
        )
    if exc.errno == errno.EACCES:
        return ParameterError(
            "port",
            f"port {port} on {host} needs administrator rights (ports below 1024 do); "
            "give another with {name} N",
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return ParameterError("host", f"{{name}} {host}: not an address of this machine")
    return ParameterError("port", f"cannot listen on {host} port {port}: {exc.strerror or exc}")


class MirrorServer:
    """The mirror's application served on a listening socket.

    Parameters
    ----------
    app : FastAPI
        From :func:`~fer_classic.mirror.app.create_app`.
    sock : socket.socket
        Listening, from :func:`bind_socket`; the server closes it when it stops.

    Use :meth:`serve_forever` in the foreground (Ctrl+C stops it, raising
    :class:`KeyboardInterrupt` once the server has shut down), or
    ``with server:`` to serve from a background thread while the block runs.
    """

    def __init__(self, app: FastAPI, sock: socket.socket) -> None:
        self.app = app
        self.socket = sock
        config = uvicorn.Config(
            app,
            log_config=None,
            log_level="warning",
            access_log=False,
            ws="websockets-sansio",
            lifespan="off",
            timeout_graceful_shutdown=3,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port listened on (the free port chosen for port 0)."""
        return int(self.socket.getsockname()[1])

    @property
    def url(self) -> str:
        """The page's address, on this machine."""
        host = self.socket.getsockname()[0]
        address = ipaddress.ip_address(host)
        if address.is_unspecified:  # every interface: this machine's loopback reaches it
            address = ipaddress.ip_address("::1" if address.version == 6 else "127.0.0.1")
        text = f"[{address}]" if address.version == 6 else str(address)
        return f"http://{text}:{self.port}/"

    def serve_forever(self) -> None:
        """Serve until interrupted (Ctrl+C or SIGTERM)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self.socket.close()

    def start(self, timeout: float = 30.0) -> MirrorServer:
        """Serve from a background thread; return once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("the server is already started")
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mirror server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop a server started with :meth:`start`, closing its connections."""
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join()
            self._thread = None
        self.socket.close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def open_mirror(
    model: str | os.PathLike[str] | Classifier | None = None,
    *,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    script: str | os.PathLike[str] | Sequence[Cue] | None = None,
    detector: str = "haar",
    min_face: int = 40,
    margin: float = 0.1,
) -> MirrorServer:
    """The live mirror, bound to its port and ready to serve.

    Parameters
    ----------
    model : path, Classifier or None
        Anything :func:`fer_classic.inference.load_model` takes; None is the
        packaged CNN with the best validation accuracy.
    host : str
        Address to listen on; anything but a loopback address warns.
    port : int
        0 picks a free port (:attr:`MirrorServer.port` tells which).
    script : path, sequence of Cue or None
        A script file (:mod:`fer_classic.mirror.script`) or its cues.
    detector : {"haar", "hog", "dnn"}
        See :mod:`fer_classic.predict.faces`.
    min_face : int
        Smallest face side, in pixels of the frames.
    margin : float
        Added around each face box before cropping, as a fraction of its side.

    Returns
    -------
    MirrorServer
        Call :meth:`~MirrorServer.serve_forever`, or use it in a ``with`` block.

    Raises
    ------
    FerClassicError
        The model cannot be loaded, the script is bad, the port is taken.

    Examples
    --------
    >>> from fer_classic.mirror import open_mirror
    >>> with open_mirror(port=0) as server:  # doctest: +SKIP
    ...     print(server.url)
    http://127.0.0.1:41873/
    """
    classifier = load_model(model)
    if script is None:
        cues: Sequence[Cue] = ()
    elif isinstance(script, (str, os.PathLike)):
        cues = read_script(script, classifier.class_names)
    else:
        cues = tuple(script)
    app = create_app(classifier, FaceDetector(detector, min_face=min_face), margin, cues)
    return MirrorServer(app, bind_socket(host, port))
