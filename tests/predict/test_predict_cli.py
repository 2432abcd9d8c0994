"""``fer-classic predict`` end to end on real photographs and a video made from one."""

from __future__ import annotations

import csv
import json

import cv2
import numpy as np
import pytest

from fer_classic.cli.main import main
from fer_classic.data import CLASS_NAMES
from fer_classic.predict import predict

from .conftest import astronaut_bgr, write_shifted_video

FACE_KEYS = {"input", "frame", "time_s", "face", "track", "box", "label", "score", "probabilities"}


def _run(capsys, *argv):
    status = main(["predict", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_photo_gets_a_face_a_label_and_probabilities(photos, knn_run, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, _ = _run(capsys, photos / "astronaut.png", "--model", knn_run, "--out", out)
    assert status == 0
    report = json.loads((out / "predictions.json").read_text())
    assert set(report) == {
        "model",
        "settings",
        "inputs",
        "faces",
        "tracks",
        "speed",
        "files",
        "complete",
    }
    assert report["complete"] is True
    assert report["model"]["probability_kind"] == "probability"
    [face] = report["faces"]
    assert set(face) == FACE_KEYS
    assert face["frame"] is None and face["track"] is None
    assert set(face["box"]) == {"x", "y", "width", "height"}
    assert 150 < face["box"]["x"] < 200 and 50 < face["box"]["y"] < 90
    assert face["label"] in CLASS_NAMES
    assert list(face["probabilities"]) == list(CLASS_NAMES)
    assert sum(face["probabilities"].values()) == pytest.approx(1.0, abs=1e-3)
    assert face["score"] == max(face["probabilities"].values())
    assert report["inputs"][0]["status"] == "ok"
    assert report["speed"]["faces"] == 1 and report["speed"]["frames"] == 1
    assert face["label"] in stdout and "frames/s" in stdout and "faces/s" in stdout


def test_folder_reports_the_photo_without_a_face(photos, knn_run, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, _ = _run(capsys, photos, "--model", knn_run, "--out", out, "--annotate")
    assert status == 0
    report = json.loads((out / "predictions.json").read_text())
    status_of = {item["input"].split("/")[-1]: item["status"] for item in report["inputs"]}
    assert status_of == {"astronaut.png": "ok", "coffee.jpg": "no face"}
    assert len(report["faces"]) == 1
    assert "no face" in stdout
    annotated = cv2.imread(str(out / "annotated" / "astronaut.png"))
    assert annotated.shape == (512, 512, 3)
    assert not np.array_equal(annotated, astronaut_bgr())  # boxes were drawn
    assert (out / "annotated" / "coffee.jpg").exists()


def test_flat_image_is_no_face_not_an_error(tmp_path, knn_run, capsys):
    path = tmp_path / "flat.png"
    cv2.imwrite(str(path), np.full((120, 160), 90, np.uint8))
    status, stdout, _ = _run(capsys, path, "--model", knn_run, "--out", tmp_path / "out")
    assert status == 0 and "no face" in stdout
    assert json.loads((tmp_path / "out" / "predictions.json").read_text())["faces"] == []


def test_video_gives_one_track_and_its_plot(astronaut_video, knn_run, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, _ = _run(
        capsys, astronaut_video, "--model", knn_run, "--out", out, "--annotate", "--min-face", "60"
    )
    assert status == 0
    report = json.loads((out / "predictions.json").read_text())
    [video] = report["inputs"]
    assert video["kind"] == "video" and video["frames"] == 8 and video["tracks"] == 1
    assert len(report["faces"]) == 8
    assert {f["track"] for f in report["faces"]} == {0}
    assert [f["frame"] for f in report["faces"]] == list(range(8))
    assert report["faces"][3]["time_s"] == pytest.approx(0.3)
    xs = [f["box"]["x"] for f in report["faces"]]
    assert xs[-1] - xs[0] == pytest.approx(21, abs=4)  # moved 3 px per frame
    [track] = report["tracks"]
    assert track["faces"] == 8 and track["label"] in CLASS_NAMES
    assert sum(track["label_counts"].values()) == 8
    plot = cv2.imread(track["plot"])
    assert plot is not None and plot.shape[0] > 100
    capture = cv2.VideoCapture(str(out / "annotated" / "astronaut.mp4"))
    n = 0
    while capture.read()[0]:
        n += 1
    assert n == 8
    assert "track 0" in stdout


def test_every_nth_frame(astronaut_video, knn_run):
    result = predict(astronaut_video, knn_run, every=3, min_face=60)
    assert [f["frame"] for f in result.faces] == [0, 3, 6]
    assert result.inputs[0]["frames"] == 8 and result.inputs[0]["frames_processed"] == 3
    assert len(result.tracks) == 1
    assert result.files == []  # no out_dir: nothing written


def test_csv_with_decision_scores(photos, svm_run, tmp_path, capsys):
    out = tmp_path / "out"
    status, stdout, _ = _run(capsys, photos, "--model", svm_run, "--out", out, "--format", "csv")
    assert status == 0
    assert "decision scores, not probabilities" in stdout
    rows = list(csv.DictReader((out / "predictions.csv").open()))
    assert len(rows) == 2
    face, empty = rows
    assert face["input"].endswith("astronaut.png") and face["label"] in CLASS_NAMES
    assert [k for k in face if k.startswith("s_")] == [f"s_{c}" for c in CLASS_NAMES]
    assert float(face["score"]) == pytest.approx(max(float(face[f"s_{c}"]) for c in CLASS_NAMES))
    assert empty["input"].endswith("coffee.jpg") and empty["label"] == ""


def test_unreadable_image_is_one_line_naming_it(tmp_path, knn_run, capsys):
    bad = tmp_path / "broken.jpg"
    bad.write_bytes(b"this is not a jpeg")
    status, _, err = _run(capsys, bad, "--model", knn_run, "--out", tmp_path / "out")
    assert status == 2
    assert err.strip().count("\n") == 0
    assert err.startswith("fer-classic: error:") and "broken.jpg: not a readable image" in err
    assert not (tmp_path / "out" / "predictions.json").exists()


def test_skip_unreadable_goes_on(tmp_path, photos, knn_run, capsys):
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG garbage")
    out = tmp_path / "out"
    status, _, err = _run(
        capsys, bad, photos / "astronaut.png", "--model", knn_run, "--out", out, "--skip-unreadable"
    )
    assert status == 0 and "broken.png" in err
    inputs = json.loads((out / "predictions.json").read_text())["inputs"]
    assert [i["status"] for i in inputs] == ["unreadable", "ok"]


def test_unsupported_video_is_one_line(tmp_path, knn_run, capsys):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(b"\x00" * 2048)
    status, _, err = _run(capsys, bad, "--model", knn_run, "--out", tmp_path / "out")
    assert status == 2 and err.strip().count("\n") == 0
    assert "clip.mp4: not a video OpenCV can read" in err


def test_run_directory_that_is_not_a_model(tmp_path, photos, capsys):
    run = tmp_path / "report-run"
    run.mkdir()
    (run / "manifest.json").write_text(json.dumps({"kind": "compare"}))
    status, _, err = _run(capsys, photos, "--model", run, "--out", tmp_path / "out")
    assert status == 2 and err.strip().count("\n") == 0
    assert "report-run" in err and "not a model" in err


def test_missing_input(tmp_path, knn_run, capsys):
    status, _, err = _run(capsys, tmp_path / "nope.jpg", "--model", knn_run)
    assert status == 2 and "nope.jpg: no such file or directory" in err


def test_two_faces_in_one_frame_are_classified_together(tmp_path, knn_run):
    face = astronaut_bgr()[40:260, 150:310]
    pair = np.hstack([face, np.full((220, 80, 3), 200, np.uint8), face])
    path = tmp_path / "pair.png"
    cv2.imwrite(str(path), pair)
    video = write_shifted_video(tmp_path / "pair.avi", pair, n_frames=4)
    result = predict([path, video], knn_run, min_face=60)
    image_faces = [f for f in result.faces if f["frame"] is None]
    assert [f["face"] for f in image_faces] == [0, 1]
    assert image_faces[0]["box"]["x"] < image_faces[1]["box"]["x"]
    assert image_faces[0]["probabilities"] == image_faces[1]["probabilities"]  # same face
    assert len(result.tracks) == 2 and all(t["faces"] == 4 for t in result.tracks)


def test_default_model_is_said(photos, tmp_path, capsys):
    status, _, err = _run(capsys, photos / "astronaut.png", "--out", tmp_path / "out")
    from fer_classic.cnn.packaged import packaged_model

    assert f"no --model given: using the packaged {packaged_model().name} CNN" in err
    assert status == 0
    [face] = json.loads((tmp_path / "out" / "predictions.json").read_text())["faces"]
    assert face["label"] in CLASS_NAMES
    assert sum(face["probabilities"].values()) == pytest.approx(1.0, abs=1e-2)


def test_interrupt_keeps_what_was_finished(photos, knn_run, tmp_path, monkeypatch):
    from fer_classic.predict.session import Session

    original = Session.image

    def interrupted_on_coffee(self, source, result):
        if source.path.name == "coffee.jpg":
            raise KeyboardInterrupt
        original(self, source, result)

    monkeypatch.setattr(Session, "image", interrupted_on_coffee)
    out = tmp_path / "out"
    assert main(["predict", str(photos), "--model", str(knn_run), "--out", str(out)]) == 130
    report = json.loads((out / "predictions.json").read_text())
    assert report["complete"] is False
    assert [i["input"].split("/")[-1] for i in report["inputs"]] == ["astronaut.png"]
    assert len(report["faces"]) == 1


def test_an_image_named_twice_prints_one_row_per_face(photos, knn_run, tmp_path, capsys):
    photo = photos / "astronaut.png"
    status, stdout, _ = _run(capsys, photo, photo, "--model", knn_run, "--out", tmp_path / "o")
    assert status == 0
    faces = json.loads((tmp_path / "o" / "predictions.json").read_text())["faces"]
    assert len(faces) == 2
    assert sum(1 for line in stdout.splitlines() if "| face 0" in line) == 2


def test_a_folder_says_what_it_leaves_out(photos, knn_run, tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.png").write_bytes((photos / "astronaut.png").read_bytes())
    (folder / ".hidden.png").write_bytes((photos / "astronaut.png").read_bytes())
    (folder / "more").mkdir()
    (folder / "notes.txt").write_text("x")
    status, _, err = _run(capsys, folder, "--model", knn_run, "--out", tmp_path / "o")
    assert status == 0
    assert "left out 1 sub-folder, 1 hidden file, 1 other file" in err


def test_the_speed_line_names_the_frame_size():
    from fer_classic.cli.predict import speed_line
    from fer_classic.predict.results import PredictionResult

    speed = {"frames": 1, "frames_per_s": 2.0, "mean_frame_pixels": 12_000_000, "cpu": "x"}
    result = PredictionResult(model={}, settings={"detector": "haar"}, speed=speed)
    result.inputs = [{"input": "a.jpg", "width": 4000, "height": 3000}]
    assert "1 frame of 4000x3000 px" in speed_line(result)
    result.inputs.append({"input": "b.jpg", "width": 3000, "height": 4000})
    result.speed = {**speed, "frames": 2, "mean_frame_pixels": 12_000_000}
    assert "2 frames of 12.00 megapixels on average" in speed_line(result)


def test_predict_with_flip_tta_says_so(photos, knn_run, tmp_path, capsys):
    out = tmp_path / "o"
    status, stdout, _ = _run(
        capsys, photos / "astronaut.png", "--model", knn_run, "--tta", "flip", "--out", out
    )
    assert status == 0 and "+ flip TTA" in stdout
    report = json.loads((out / "predictions.json").read_text())
    assert report["model"]["tta"] == "flip"
