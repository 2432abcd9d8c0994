"""``fer-classic mirror``: a local web page that labels the faces of the camera's video."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..mirror.settings import DEFAULT_HOST, DEFAULT_PORT, MAX_FPS
from .common import add_detector_options, add_model_options, load_model_from_args


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "mirror",
        help="live webcam page: each face's box, label and class probabilities over the video",
        description=(
            "Start a web server on this machine and print the address of its page. The page "
            "takes the camera's video, sends frames to the server (never elsewhere; nothing is "
            "stored) and draws each face's box, label and class probabilities over the video, "
            "a timeline of the last minute's probabilities, and the frames per second and "
            "latency it measures. With --script it shows the intended emotion beside the "
            "detected one and an agreement score per take, and offers each take's timeline "
            "as CSV and JSON."
        ),
    )
    add_model_options(parser)
    parser.add_argument(
        "--port",
        metavar="N",
        type=_port,
        default=DEFAULT_PORT,
        help="port to listen on; 0 picks a free one (default: %(default)s)",
    )
    parser.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=(
            "address to listen on (default: %(default)s, this machine only); any other "
            "lets other machines reach the page and the frames sent to it, with a warning"
        ),
    )
    parser.add_argument(
        "--script",
        metavar="FILE",
        type=Path,
        help=(
            "a script to rehearse against: a CSV with the header start,end,emotion or a "
            "JSON list of {start, end, emotion}, times in seconds from the start of a take"
        ),
    )
    add_detector_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ..mirror.script import read_script
    from ..mirror.server import open_mirror

    classifier = load_model_from_args(args)
    cues = read_script(args.script, classifier.class_names) if args.script else ()
    server = open_mirror(
        classifier,
        host=args.host,
        port=args.port,
        script=cues,
        detector=args.detector,
        min_face=args.min_face,
        margin=args.margin,
    )
    print(f"model: {classifier.name}; classes: {', '.join(classifier.class_names)}")
    if cues:
        print(f"script: {args.script}, {len(cues)} cues over {cues[-1].end:g} s")
    print(
        f"detector: {args.detector}, faces of {args.min_face} px and more; "
        f"frames: up to {MAX_FPS} a second, never queued"
    )
    print(f"mirror: open {server.url} in a browser on this machine (Ctrl+C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("mirror stopped", file=sys.stderr)
    return 0


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a port number 0..65535, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"must be a port number 0..65535, got {text}")
    return value
