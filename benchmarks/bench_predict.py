"""Speed of ``fer-classic predict``: detection, classification, and whole runs on a video.

Usage::

    python benchmarks/bench_predict.py [--model PATH ...] [--frames N] [--no-untrained-cnn]

Inputs are made in a temporary folder from ``skimage.data.astronaut()``: a 640x480
video of N frames (default 60) in which her portrait (face about 90 px) moves
across a grey background. Measured on this machine, in one run:

1. face detection per detector (``haar``, ``hog``, ``dnn``), ms per 640x480 frame;
2. classification per model, faces per second one face per call (a video frame
   with one face) and 32 faces per call, against the wrapped model's own call;
3. whole ``predict()`` runs on a 20-frame clip of the same video (read, detect,
   crop, classify, track, records) against the reference: a bare loop of OpenCV's
   ``detectMultiScale`` with the same cascade and parameters, a plain crop and
   resize and the model's ``predict_proba``; five back-to-back pairs, the median
   of their ratios (the overhead of everything else ``predict`` does).

Models: a KNN on raw pixels fitted here on the synthetic data set (what a
classical run costs without feature extraction), the packaged default CNN where
present, and otherwise, unless ``--no-untrained-cnn``, an untrained SqueezeNet of
the thesis architecture exported to int8 TFLite (same size and speed as a trained
one; its labels mean nothing); plus any run directory or ``.tflite`` given with
``--model``. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import skimage.data
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler

from fer_classic.classical.persistence import save_pipeline
from fer_classic.data import make_synthetic
from fer_classic.features import PixelFeatures
from fer_classic.files import write_json_atomic
from fer_classic.inference import Classifier, load_model
from fer_classic.predict import FaceDetector, crop_faces, predict
from fer_classic.predict.faces import HAAR_CASCADE
from fer_classic.predict.session import cpu_description
from fer_classic.runs import make_manifest

WIDTH, HEIGHT, FPS = 640, 480, 25.0

#: Back-to-back runs of predict() and of the reference loop.
PAIRS = 5


def make_video(path: Path, n_frames: int) -> Path:
    """The astronaut (480x480, face about 90 px) sliding across a 640x480 grey frame."""
    portrait = cv2.resize(
        cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR), (480, 480), cv2.INTER_AREA
    )
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), FPS, (WIDTH, HEIGHT))
    for i in range(n_frames):
        frame = np.full((HEIGHT, WIDTH, 3), 110, np.uint8)
        x = round((WIDTH - 480) * i / max(n_frames - 1, 1))
        frame[:, x : x + 480] = portrait
        writer.write(frame)
    writer.release()
    return path


def read_frames(path: Path) -> list[np.ndarray]:
    capture = cv2.VideoCapture(str(path))
    frames = []
    while True:
        ok, frame = capture.read()
        if not ok:
            return frames
        frames.append(frame)


def knn_run(folder: Path) -> Path:
    data = make_synthetic(30)
    pipeline = make_pipeline(
        PixelFeatures(),
        MinMaxScaler(),
        KNeighborsClassifier(5),
    ).fit(data.train.images, data.train.labels)
    run = folder / "knn-pixels"
    run.mkdir()
    save_pipeline(pipeline, run / "model.skops")
    write_json_atomic(
        run / "manifest.json", make_manifest("classical", seed=0, data=data.describe())
    )
    return run


def untrained_cnn(folder: Path) -> Path:
    """The thesis SqueezeNet with random weights, exported to int8 TFLite."""
    from fer_classic.cnn import build_squeezenet, export_tflite

    path = folder / "squeezenet-untrained-int8.tflite"
    calibration = make_synthetic(20).train.images
    export_tflite(build_squeezenet(), path, quantization="int8", representative_images=calibration)
    return path


def best_of(repeats: int, fn) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def bench_detectors(frames: list[np.ndarray]) -> None:
    print("\n### Face detection, 640x480 frames\n")
    print("| detector | min face (px) | frames | ms per frame | frames/s | faces found |")
    print("|---|---|---|---|---|---|")
    for method, min_face, n in (
        ("haar", 40, None),
        ("haar", 80, None),
        ("hog", 40, None),
        ("hog", 80, None),
        ("dnn", 80, 3),
    ):
        detector = FaceDetector(method, min_face=min_face)
        subset = frames[:n] if n else frames
        detector.detect(subset[0])  # load the model
        found = 0

        def run(detector=detector, subset=subset) -> None:
            nonlocal found
            found = sum(len(detector.detect(f)) for f in subset)

        seconds = best_of(1 if method == "dnn" else 2, run)
        ms = 1000 * seconds / len(subset)
        print(f"| {method} | {min_face} | {len(subset)} | {ms:.1f} | {1000 / ms:.1f} | {found} |")


def _raw_scorer(model: Classifier):
    """The wrapped model's own scoring method: the reference for the wrapper."""
    inner = getattr(model, "estimator", None) or getattr(model, "model", None)
    if model.probability_kind == "decision_scores":
        return inner.decision_function
    return inner.predict_proba


def bench_classifiers(models: list[tuple[str, Classifier]], faces: np.ndarray) -> None:
    print("\n### Classification of 48x48 faces (crops from the video)\n")
    print(
        "| model | scores | faces/s, 1 per call | reference: the model's own call, 1 per call "
        "| ratio | faces/s, 32 per call |"
    )
    print("|---|---|---|---|---|---|")
    batch = np.concatenate([faces] * (1 + 256 // len(faces)))[:256]
    for label, model in models:
        raw = _raw_scorer(model)
        model.predict_proba(batch[:32])  # warm up
        ones, refs = [], []
        for _ in range(3):  # interleaved, best of three each
            ones.append(
                best_of(1, lambda m=model: [m.predict_proba(batch[i : i + 1]) for i in range(64)])
            )
            refs.append(best_of(1, lambda r=raw: [r(batch[i : i + 1]) for i in range(64)]))
        one, ref = min(ones), min(refs)
        many = best_of(
            2, lambda m=model: [m.predict_proba(batch[i : i + 32]) for i in range(0, 256, 32)]
        )
        print(
            f"| {label} | {model.probability_kind} | {64 / one:.0f} | {64 / ref:.0f} "
            f"| {ref / one:.2f} | {256 / many:.0f} |"
        )


def reference_loop(frames: list[np.ndarray], model: Classifier) -> int:
    """Bare OpenCV detection + crop + predict_proba: the floor ``predict`` is compared to."""
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + HAAR_CASCADE)
    n_faces = 0
    for frame in frames:
        gray = cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
        boxes = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=5, minSize=(40, 40))
        if len(boxes):
            crops = np.stack(
                [
                    cv2.resize(gray[y : y + h, x : x + w], (48, 48), interpolation=cv2.INTER_AREA)
                    for x, y, w, h in boxes
                ]
            )
            model.predict_proba(crops)
            n_faces += len(crops)
    return n_faces


def bench_end_to_end(models: list[tuple[str, Classifier]], clip: Path, out: Path) -> None:
    n = len(read_frames(clip))
    print(f"\n### Whole runs on a {n}-frame 640x480 clip (haar, min face 40), {PAIRS} pairs\n")
    print(
        "| model | predict(): frames/s | faces/s classified | tracks "
        "| reference loop: frames/s | ratio predict / reference (median of pairs) |"
    )
    print("|---|---|---|---|---|---|")
    for label, model in models:
        ours, reference, ratios = [], [], []
        for _ in range(PAIRS):  # each pair back to back, so that both see the same load
            start = time.perf_counter()
            result = predict(clip, model, out_dir=out, plots=False)
            ours.append(time.perf_counter() - start)
            start = time.perf_counter()
            reference_loop(read_frames(clip), model)
            reference.append(time.perf_counter() - start)
            ratios.append(reference[-1] / ours[-1])
        print(
            f"| {label} | {n / np.median(ours):.1f} | {result.speed['faces_per_s']:.0f} "
            f"| {len(result.tracks)} | {n / np.median(reference):.1f} | {np.median(ratios):.2f} "
            f"(range {min(ratios):.2f}-{max(ratios):.2f}) |"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", action="append", default=[], help="run directory or .tflite")
    parser.add_argument("--frames", type=int, default=60, help="video length (default 60)")
    parser.add_argument("--no-untrained-cnn", action="store_true")
    args = parser.parse_args(argv)
    print(
        f"machine: {cpu_description()}; OpenCV {cv2.__version__} with {cv2.getNumThreads()} threads"
    )
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        video = make_video(folder / "astronaut-640x480.mp4", args.frames)
        frames = read_frames(video)
        models: list[tuple[str, Classifier]] = [("KNN, raw pixels", load_model(knn_run(folder)))]
        try:
            models.append(("default CNN (int8 TFLite)", load_model(None)))
        except Exception as exc:
            print(f"default CNN: not available ({exc})")
            if not args.no_untrained_cnn:
                path = untrained_cnn(folder)
                models.append(("SqueezeNet int8, untrained (speed only)", load_model(path)))
        models += [(str(p), load_model(p)) for p in args.model]

        bench_detectors(frames)
        boxes = FaceDetector("haar").detect(frames[0])
        faces = np.concatenate([crop_faces(f, FaceDetector("haar").detect(f)) for f in frames[:8]])
        assert len(boxes) == 1 and len(faces) == 8, "the benchmark video must show one face"
        bench_classifiers(models, faces)
        bench_end_to_end(models, make_video(folder / "clip.mp4", 20), folder / "out")
    return 0


if __name__ == "__main__":
    sys.exit(main())
