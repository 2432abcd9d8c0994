"""``fer-classic predict``: expressions of the faces in photographs and videos."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
from typing import Any

from tabulate import tabulate

from ..predict import FORMATS, PredictionResult, predict
from .common import add_detector_options, add_model_options, load_model_from_args, positive_int

#: Rows of the summary table printed before "... more in the output file".
MAX_ROWS = 40


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "predict",
        help="find the faces in photos and videos and classify their expressions",
        description=(
            "Find the faces in images, folders of images or videos, crop them to 48x48 "
            "grey and classify their expressions with a trained model; write the boxes, "
            "labels and class scores as JSON or CSV, optionally annotated copies, and for "
            "videos one plot per face track of its scores over time."
        ),
    )
    parser.add_argument(
        "inputs", metavar="INPUT", nargs="+", help="image file, folder of images, or video file"
    )
    add_model_options(parser)
    parser.add_argument(
        "--out",
        metavar="DIR",
        type=Path,
        default=Path("predictions"),
        help="output folder (default: %(default)s)",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="records file: predictions.json or predictions.csv (default: %(default)s)",
    )
    parser.add_argument(
        "--annotate",
        action="store_true",
        help="also write copies of the images and videos with boxes and labels, in DIR/annotated/",
    )
    parser.add_argument(
        "--no-plots", action="store_true", help="do not plot each video track's scores over time"
    )
    add_detector_options(parser)
    parser.add_argument(
        "--every",
        metavar="N",
        type=positive_int,
        default=1,
        help="videos: classify every N-th frame (default: %(default)s)",
    )
    parser.add_argument(
        "--max-side",
        metavar="PX",
        type=positive_int,
        default=1280,
        help=(
            "search larger images in a copy scaled down to this longer side; "
            "boxes stay in full-size pixels (default: %(default)s)"
        ),
    )
    parser.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="record unreadable images and videos and go on, instead of stopping",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    classifier = load_model_from_args(args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = predict(
            args.inputs,
            classifier,
            out_dir=args.out,
            output_format=args.format,
            annotate=args.annotate,
            plots=not args.no_plots,
            detector=args.detector,
            min_face=args.min_face,
            margin=args.margin,
            every=args.every,
            max_side=args.max_side,
            skip_unreadable=args.skip_unreadable,
            progress=sys.stderr.isatty(),
        )
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)
    print(f"model: {classifier.name} ({_kind_phrase(classifier.probability_kind)})")
    print(summary_table(result))
    print(f"wrote {_files_phrase(result, args.out)}")
    print(speed_line(result))
    return 0


def summary_table(result: PredictionResult) -> str:
    """One row per face of an image, per track of a video, per input without faces."""
    rows: list[list[Any]] = []
    # Faces and tracks are in the order of the inputs, each input's counted in its entry
    # (an input named twice has two entries).
    faces, tracks = iter(result.faces), iter(result.tracks)
    for item in result.inputs:
        name = item["input"]
        own_faces = [next(faces) for _ in range(item.get("faces", 0))]
        own_tracks = [next(tracks) for _ in range(item.get("tracks", 0))]
        if item["status"] != "ok":
            rows.append([name, "", "", "", item["status"], ""])
        elif item["kind"] == "video":
            for t in own_tracks:
                frames = f"frames {t['first_frame']}-{t['last_frame']} ({t['faces']} faces)"
                mean = next(v for k, v in t.items() if k.startswith("mean_"))
                rows.append(
                    [name, f"track {t['track']}", frames, "", t["label"], f"{mean[t['label']]:.2f}"]
                )
        else:
            for f in own_faces:
                b = f["box"]
                box = f"{b['x']},{b['y']} {b['width']}x{b['height']}"
                rows.append([name, f"face {f['face']}", "", box, f["label"], f"{f['score']:.2f}"])
    more = len(rows) - MAX_ROWS
    rows = rows[:MAX_ROWS]
    table = tabulate(
        rows,
        headers=["input", "face", "frames", "box (x,y wxh)", "label", "score"],
        tablefmt="github",
    )
    if more > 0:
        table += f"\n... {more} more rows in the output file"
    return table


def speed_line(result: PredictionResult) -> str:
    """Frames and faces per second of the run, and what they count."""
    s = result.speed
    if not s.get("frames"):
        return "speed: no frame processed"
    sizes = {(i["width"], i["height"]) for i in result.inputs if i.get("width")}
    if len(sizes) == 1:
        ((width, height),) = sizes
        size = f"{width}x{height} px"
    else:
        size = f"{s['mean_frame_pixels'] / 1e6:.2f} megapixels on average"
    text = (
        f"speed: {s['frames_per_s']:.1f} frames/s ({_count(s['frames'], 'frame')} of "
        f"{size}: read + {result.settings['detector']} detection + classification)"
    )
    if s.get("faces_per_s"):
        text += f", {s['faces_per_s']:.0f} faces/s classified (crop + model)"
    return text + f"; {s['cpu']}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _kind_phrase(kind: str) -> str:
    return {
        "softmax": "softmax probabilities",
        "probability": "class probabilities",
        "calibrated": "calibrated probabilities",
        "decision_scores": "decision scores, not probabilities",
    }.get(kind, kind)


def _files_phrase(result: PredictionResult, out: Path) -> str:
    records = [f for f in result.files if Path(f).name.startswith("predictions.")]
    annotated = sum(1 for f in result.files if Path(f).parent.name == "annotated")
    plots = sum(1 for f in result.files if Path(f).parent.name == "plots")
    parts = [Path(records[0]).name] if records else []
    if annotated:
        parts.append(f"{annotated} annotated file(s)")
    if plots:
        parts.append(f"{plots} track plot(s)")
    return f"{', '.join(parts)} in {out}"
