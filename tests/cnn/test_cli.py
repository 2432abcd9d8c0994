"""``fer-classic train-cnn`` and ``fer-classic evaluate`` end to end on tiny data."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import pytest

from fer_classic.cli.main import build_parser
from fer_classic.data import CLASS_NAMES

pytest.importorskip("keras")


def _main(argv: list[str]) -> int:
    """Run the command line as the console script does."""
    from fer_classic.cli.main import main

    return main(argv)


@pytest.fixture(scope="module")
def image_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root/<class>/ folder of 6 synthetic faces per class."""
    from fer_classic.data import make_synthetic

    root = tmp_path_factory.mktemp("faces")
    ds = make_synthetic(n_per_class=6, seed=5)
    for split in ds.splits:
        for i, (image, label) in enumerate(zip(split.images, split.labels, strict=True)):
            folder = root / CLASS_NAMES[label]
            folder.mkdir(exist_ok=True)
            cv2.imwrite(str(folder / f"{split.name}{i}.png"), image)
    return root


@pytest.mark.slow
def test_train_then_evaluate_on_its_own_test_split(image_folder, tmp_path, capsys):
    out = tmp_path / "cli-run"
    status = _main(
        [
            "train-cnn",
            "--data", str(image_folder),
            "--split", "stratified",
            "--out", str(out),
            "--epochs", "1",
            "--batch-size", "16",
            "--no-augment",
            "--no-export",
        ]
    )  # fmt: skip
    assert status == 0
    assert (out / "metrics.json").exists()
    assert json.loads((out / "config.json").read_text())["epochs"] == 1
    capsys.readouterr()
    # No --data: the run's own data set and split, found from its manifest.
    assert _main(["evaluate", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "confusion matrix" in printed and "(9 images)" in printed


@pytest.mark.slow
def test_evaluate_on_another_data_set_keras_and_int8(image_folder, trained_run, tmp_path, capsys):
    scores = tmp_path / "scores.json"
    data = ["--data", str(image_folder), "--split", "stratified"]
    assert (
        _main(["evaluate", str(trained_run), *data, "--subset", "all", "--out", str(scores)]) == 0
    )
    printed = capsys.readouterr().out
    assert "accuracy" in printed and "confusion matrix" in printed
    result = json.loads(scores.read_text())
    assert result["n"] == 42 and result["subset"] == "all"
    assert _main(["evaluate", str(trained_run), *data, "--variant", "int8"]) == 0
    assert "model_int8.tflite" in capsys.readouterr().out


def test_evaluate_a_missing_run_is_one_line_and_status_2(tmp_path, capsys):
    assert _main(["evaluate", str(tmp_path / "nope")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("fer-classic: error:") and "nope" in err and "\n" not in err


def test_resume_of_a_missing_run_is_one_line_and_status_2(tmp_path, capsys):
    assert _main(["train-cnn", "--resume", "--out", str(tmp_path / "none")]) == 2
    assert "no such run directory" in capsys.readouterr().err


def test_missing_initial_weights_are_one_line_and_status_2(image_folder, tmp_path, capsys):
    argv = ["train-cnn", "--data", str(image_folder), "--out", str(tmp_path / "run")]
    assert _main([*argv, "--init-from", str(tmp_path / "none.keras")]) == 2
    err = capsys.readouterr().err
    assert "none.keras: no such file to take initial weights from" in err
    assert len(err.strip().splitlines()) == 1


def test_bad_training_option_is_one_line_and_status_2(capsys):
    assert _main(["train-cnn", "--epochs", "0"]) == 2
    assert "epochs must be at least 1" in capsys.readouterr().err


def test_parser_registers_both_commands_with_their_options():
    from fer_classic.cli.train_cnn import config_from_args
    from fer_classic.cnn import CNNConfig

    parser = build_parser()
    args = parser.parse_args(["train-cnn", "--epochs", "3", "--lr-schedule", "plateau"])
    config = config_from_args(args)
    assert (config.epochs, config.lr_schedule, config.batch_size) == (3, "plateau", 256)
    assert config == CNNConfig(epochs=3, lr_schedule="plateau")
    args = parser.parse_args(["evaluate", "runs/x", "--variant", "int8", "--subset", "all"])
    assert (args.run, args.variant, args.subset) == ("runs/x", "int8", "all")


def test_architecture_recipe_and_options_on_top():
    from fer_classic.cli.train_cnn import config_from_args
    from fer_classic.cnn import CNNConfig

    argv = ["train-cnn", "--arch", "compact", "--label-smoothing", "0", "--class-weights"]
    config = config_from_args(build_parser().parse_args(argv))
    expected = CNNConfig.for_architecture("compact", label_smoothing=0.0, class_weights=True)
    assert config == expected
    assert config.channels == 1 and config.optimizer == "adam"
    argv = ["train-cnn", "--optimizer", "sgd", "--weight-decay", "5e-4", "--no-augment"]
    config = config_from_args(build_parser().parse_args(argv))
    assert (config.arch, config.optimizer, config.weight_decay, config.augment) == (
        "squeezenet",
        "sgd",
        5e-4,
        False,
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--arch", "nosuch"], "argument --arch: invalid choice: 'nosuch'"),
        (["--label-smoothing", "1.5"], "label_smoothing must be in [0, 1)"),
        (["--input-size", "200"], "input_size must be in [32, 128], got 200"),
        (["--weight-decay", "1e-4"], "and 0 with optimizer adam (use adamw)"),
        (["--time-limit", "-5"], "--time-limit must be positive"),
    ],
)
def test_bad_architecture_or_recipe_is_one_line_and_status_2(argv, message, capsys):
    try:
        status = _main(["train-cnn", *argv])
    except SystemExit as exc:  # a usage error, raised by the parser
        status = exc.code
    assert status == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_evaluate_tells_a_variant_from_a_model(capsys):
    assert _main(["evaluate", "runs/x", "--model", "int8"]) == 2
    assert "use --variant int8" in capsys.readouterr().err
    assert _main(["evaluate", "runs/x", "--model", "runs/y"]) == 2
    assert "disagree" in capsys.readouterr().err


@pytest.mark.real_data
def test_evaluate_a_packaged_model_by_name(fer2013_path, capsys):
    assert _main(["evaluate", "--model", "squeezenet", "--data", str(fer2013_path)]) == 0
    out = capsys.readouterr().out
    assert "fer_squeezenet_int8.tflite" in out
    assert "logit-adjusted (tau 0.125, chosen on PublicTest)" in out


def test_warnings_reach_the_user_as_one_line(image_folder, tmp_path, capsys):
    import shutil

    folder = shutil.copytree(image_folder, tmp_path / "faces")
    contempt = folder / "contempt"
    contempt.mkdir()
    shutil.copy(next((folder / "happy").iterdir()), contempt / "x.png")
    argv = ["evaluate", "--data", str(folder), "--split", "stratified", "--subset", "all"]
    assert _main(argv) == 0
    err = capsys.readouterr().err
    warnings = [line for line in err.splitlines() if "contempt" in line]
    assert len(warnings) == 1 and warnings[0].startswith("fer-classic: warning: ")
    assert "UserWarning" not in err and ".py:" not in err


def test_evaluate_reports_tta_beside_the_plain_figures(image_folder, trained_run, tmp_path, capsys):
    scores = tmp_path / "scores.json"
    data = ["--data", str(image_folder), "--split", "stratified"]
    argv = ["evaluate", str(trained_run), *data, "--tta", "flip", "--out", str(scores)]
    assert _main(argv) == 0
    printed = capsys.readouterr().out
    assert printed.count("confusion matrix") == 2 and "flip test-time augmentation" in printed
    result = json.loads(scores.read_text())
    assert "accuracy" in result and set(result["tta"]) == {"flip"}
    assert result["tta"]["flip"]["n"] == result["n"]
