"""FER+ labels joined to FER-2013's CSV: votes, schemes, drops and the alignment guard."""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from fer_classic.cli.main import main
from fer_classic.data import find_fer2013, load_dataset, load_run_data
from fer_classic.data.csv_loader import read_fer_csv
from fer_classic.data.dataset import TEST, TRAIN, VAL
from fer_classic.data.ferplus import (
    FERPLUS_COLUMNS,
    MIN_COMPARABLE_ROWS,
    apply_ferplus,
    read_ferplus_votes,
)
from fer_classic.data.labels import CLASS_NAMES, CONTEMPT
from fer_classic.errors import DataError, ParameterError

from .conftest import USAGES, write_fer_csv

HEADER = "Usage,Image name," + ",".join(FERPLUS_COLUMNS)
# FER-2013's label -> its FER+ column.
COLUMN_OF = {
    0: "anger",
    1: "disgust",
    2: "fear",
    3: "happiness",
    4: "sadness",
    5: "surprise",
    6: "neutral",
}
ANGRY, HAPPY, SAD, SURPRISE, NEUTRAL = 0, 3, 4, 5, 6


def _votes(**counts: int) -> list[int]:
    return [counts.get(name, 0) for name in FERPLUS_COLUMNS]


def _clear(label: int) -> list[int]:
    """8 votes for FER-2013's label, 2 for another emotion."""
    second = "surprise" if label != SURPRISE else "neutral"
    return _votes(**{COLUMN_OF[label]: 8, second: 2})


def _rows() -> list[tuple[int, str, str, list[int], str]]:
    """(FER-2013 label, Usage, Image name, FER+ votes, outcome) of every fixture row.

    The outcome is a FER-2013 class name, ``contempt``, or the reason the face is dropped.
    """
    rows = []
    for i in range(42):
        label = i % 7
        rows.append(
            (label, USAGES[(i // 7) % 3], f"fer{i:07d}.png", _clear(label), CLASS_NAMES[label])
        )
    # FER+ relabels a few faces: its majority differs from FER-2013's label.
    for label in (ANGRY, SAD, SURPRISE):
        rows.append((label, "Training", "relabel.png", _votes(neutral=7, sadness=3), "neutral"))
    rows += [
        (HAPPY, "Training", "tie.png", _votes(neutral=5, happiness=5), "no majority"),
        # 4 of 10 is no majority; the three single votes are outliers, and 4 of 7 is.
        (
            NEUTRAL,
            "Training",
            "outliers.png",
            _votes(neutral=4, sadness=3, happiness=1, surprise=1, anger=1),
            "neutral",
        ),
        (NEUTRAL, "PublicTest", "unknown.png", _votes(unknown=6, neutral=4), "unknown"),
        (NEUTRAL, "PublicTest", "nf.png", _votes(NF=7, neutral=3), "not a face"),
        (ANGRY, "PrivateTest", "contempt.png", _votes(contempt=6, neutral=2, anger=2), CONTEMPT),
        (HAPPY, "PrivateTest", "", _votes(NF=10), "not a face"),
        # contempt votes beside a happy majority: folded out of soft labels when dropped.
        (HAPPY, "PrivateTest", "mixed.png", _votes(happiness=6, contempt=4), "happy"),
    ]
    return rows


ROWS = _rows()
OUTCOMES = [row[4] for row in ROWS]
DROP_REASONS = {"no majority", "unknown", "not a face"}


def _write_ferplus(path: Path, rows, header: str = HEADER) -> Path:
    lines = [header] + [
        f"{use},{name},{','.join(map(str, votes))}" for _, use, name, votes, _ in rows
    ]
    text = "\n".join(lines) + "\n"
    if path.suffix == ".gz":
        with gzip.open(path, "wt") as f:
            f.write(text)
    else:
        path.write_text(text)
    return path


def _write_fer(path: Path, rows, order: np.ndarray | None = None) -> Path:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(len(rows), 48, 48), dtype=np.uint8)
    labels = np.array([row[0] for row in rows])
    usage = [row[1] for row in rows]
    order = np.arange(len(rows)) if order is None else order
    return write_fer_csv(path, labels[order], [usage[i] for i in order], images[order])


@pytest.fixture
def pair(tmp_path: Path):
    """FER-2013's CSV read, and the FER+ label file of the same rows."""
    raw = read_fer_csv(_write_fer(tmp_path / "fer2013.csv", ROWS))
    return raw, _write_ferplus(tmp_path / "fer2013new.csv", ROWS)


def _apply(raw, path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return apply_ferplus(raw, path, **kwargs)


def test_read_votes_by_header_name_plain_and_gzip(tmp_path):
    plain = read_ferplus_votes(_write_ferplus(tmp_path / "a.csv", ROWS))
    assert plain.votes.dtype == np.int64 and plain.votes.shape == (len(ROWS), 10)
    assert plain.usage.dtype == np.int8
    assert plain.votes[0].tolist() == _clear(0)
    assert plain.image_names[-2] == "" and plain.image_names[0] == "fer0000000.png"
    assert set(plain.usage.tolist()) == {TRAIN, VAL, TEST}
    # Columns in another order, gzip-compressed: the same votes.
    names = ["NF", "Usage", *reversed(FERPLUS_COLUMNS[:-1]), "Image name"]
    lines = [",".join(names)]
    for _, use, image_name, votes, _ in ROWS:
        by_name = dict(zip(FERPLUS_COLUMNS, votes, strict=True)) | {
            "Usage": use,
            "Image name": image_name,
        }
        lines.append(",".join(str(by_name[n]) for n in names))
    gz = tmp_path / "b.csv.gz"
    with gzip.open(gz, "wt") as f:
        f.write("\n".join(lines) + "\n")
    packed = read_ferplus_votes(gz)
    np.testing.assert_array_equal(packed.votes, plain.votes)
    np.testing.assert_array_equal(packed.usage, plain.usage)
    assert packed.image_names == plain.image_names


def test_majority_labels_and_drops(pair):
    raw, path = pair
    with pytest.warns(UserWarning, match=r"dropped 1 face\(s\) .*contempt.*extra_classes='keep'"):
        out = apply_ferplus(raw, path)
    kept = [i for i, o in enumerate(OUTCOMES) if o in CLASS_NAMES]
    assert out.labels.tolist() == [CLASS_NAMES.index(OUTCOMES[i]) for i in kept]
    np.testing.assert_array_equal(out.images, raw.images[kept])
    np.testing.assert_array_equal(out.usage, raw.usage[kept])
    assert out.dropped == {"no majority": 1, "unknown": 1, "not a face": 2, CONTEMPT: 1}
    assert out.class_names == CLASS_NAMES and out.soft_labels is None
    assert out.source == raw.source and out.format == raw.format
    assert out.label_source is None  # load_dataset records the options that made it
    assert out.usage_names == raw.usage_names
    assert out.fingerprint != raw.fingerprint
    # The outlier row: neutral, although 4 of its 10 votes are no majority.
    assert out.labels[kept.index(OUTCOMES.index("neutral", 42 + 3))] == NEUTRAL


def test_keep_contempt_as_label_7(pair):
    raw, path = pair
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = apply_ferplus(raw, path, extra_classes="keep")
    assert out.class_names == (*CLASS_NAMES, CONTEMPT)
    assert CONTEMPT not in out.dropped
    kept = [i for i, o in enumerate(OUTCOMES) if o not in DROP_REASONS]
    expected = [(*CLASS_NAMES, CONTEMPT).index(OUTCOMES[i]) for i in kept]
    assert out.labels.tolist() == expected and expected.count(7) == 1
    assert out.fingerprint != _apply(raw, path).fingerprint


def test_distribution_keeps_the_same_faces_and_adds_soft_labels(pair):
    raw, path = pair
    majority = _apply(raw, path)
    dist = _apply(raw, path, scheme="distribution")
    np.testing.assert_array_equal(dist.images, majority.images)
    np.testing.assert_array_equal(dist.labels, majority.labels)
    np.testing.assert_array_equal(dist.usage, majority.usage)
    assert dist.dropped == majority.dropped
    assert dist.fingerprint != majority.fingerprint
    soft = dist.soft_labels
    assert soft.dtype == np.float32 and soft.shape == (len(dist.labels), 7)
    np.testing.assert_allclose(soft.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_array_equal(soft.argmax(axis=1), dist.labels)
    # Columns in FER-2013's order: angry 0.8, surprise 0.2 for FER+'s anger 8, surprise 2.
    np.testing.assert_allclose(soft[0], [0.8, 0, 0, 0, 0, 0.2, 0], atol=1e-7)
    kept = [i for i, o in enumerate(OUTCOMES) if o in CLASS_NAMES]
    outliers = kept.index(OUTCOMES.index("neutral", 45))
    np.testing.assert_allclose(soft[outliers], [0, 0, 0, 0, 3 / 7, 0, 4 / 7], atol=1e-6)
    # Contempt dropped: its votes are folded out and the row renormalised.
    np.testing.assert_allclose(soft[-1], [0, 0, 0, 1, 0, 0, 0], atol=1e-7)


def test_distribution_with_contempt_kept_puts_it_last(pair):
    raw, path = pair
    dist = _apply(raw, path, scheme="distribution", extra_classes="keep")
    assert dist.soft_labels.shape == (len(dist.labels), 8)
    np.testing.assert_allclose(dist.soft_labels.sum(axis=1), 1, rtol=1e-6)
    np.testing.assert_allclose(dist.soft_labels[-1], [0, 0, 0, 0.6, 0, 0, 0, 0.4], atol=1e-6)
    contempt_row = dist.soft_labels[dist.labels == 7]
    np.testing.assert_allclose(contempt_row, [[0.2, 0, 0, 0, 0, 0, 0.2, 0.6]], atol=1e-6)


def test_unknown_scheme_or_extra_classes(pair):
    raw, path = pair
    with pytest.raises(ParameterError, match="scheme 'soft'"):
        apply_ferplus(raw, path, scheme="soft")
    with pytest.raises(ParameterError, match="extra_classes 'all'"):
        apply_ferplus(raw, path, extra_classes="all")


def test_only_a_fer2013_csv_takes_ferplus_labels(pair):
    raw, path = pair
    folders = dataclasses.replace(raw, format="kaggle-folders")
    with pytest.raises(DataError, match="FER\\+ labels a FER-2013 CSV"):
        apply_ferplus(folders, path)


def test_label_file_with_another_row_count(tmp_path, pair):
    raw, _ = pair
    short = _write_ferplus(tmp_path / "short.csv", ROWS[:-1])
    with pytest.raises(DataError) as err:
        apply_ferplus(raw, short)
    assert str(err.value) == (
        f"{short}: has {len(ROWS) - 1} label rows but {raw.source} has {len(ROWS)} image rows; "
        "FER+ labels the original fer2013.csv row by row"
    )


def test_vote_that_is_not_a_number(tmp_path, pair):
    raw, _ = pair
    rows = list(ROWS)
    rows[4] = (*rows[4][:3], [*rows[4][3][:2], "x", *rows[4][3][3:]], rows[4][4])
    bad = _write_ferplus(tmp_path / "bad.csv", rows)
    with pytest.raises(
        DataError, match=rf"^{re.escape(str(bad))}: line 6: vote 'x' for surprise is not a"
    ):
        apply_ferplus(raw, bad)
    rows[4] = (*rows[4][:3], [-1, *rows[4][3][1:]], rows[4][4])
    with pytest.raises(DataError, match=rf"^{re.escape(str(bad))}: line 6: vote '-1' for neutral"):
        read_ferplus_votes(_write_ferplus(bad, rows))


def test_usage_mismatch_names_the_line(tmp_path, pair):
    raw, _ = pair
    rows = list(ROWS)
    rows[9] = (rows[9][0], "Training", *rows[9][2:])  # row 10 is PublicTest in FER-2013
    bad = _write_ferplus(tmp_path / "bad.csv", rows)
    with pytest.raises(DataError) as err:
        apply_ferplus(raw, bad)
    message = str(err.value)
    assert message.startswith(f"{bad}: line 11: Usage 'Training', but row 10 of {raw.source}")
    assert "'PublicTest'" in message and "\n" not in message


def test_shuffled_fer2013_is_refused(tmp_path, pair):
    """A copy whose rows keep their split but not their order: usage agrees, labels don't."""
    _, path = pair
    usage = np.array([row[1] for row in ROWS])
    order = np.arange(len(ROWS))
    for name in USAGES:
        rows = np.flatnonzero(usage == name)
        order[rows] = np.roll(rows, 1)
    shuffled = read_fer_csv(_write_fer(tmp_path / "shuffled.csv", ROWS, order))
    with pytest.raises(DataError) as err:
        _apply(shuffled, path)
    message = str(err.value)
    assert message.startswith(f"{path}: its majority labels agree with {shuffled.source}'s")
    assert "row order" in message and "original Kaggle fer2013.csv" in message
    assert "\n" not in message


def test_guard_skipped_below_min_comparable_rows(tmp_path):
    rows = [(ANGRY, "Training", "a.png", _clear(HAPPY), "happy")] * (MIN_COMPARABLE_ROWS - 1)
    raw = read_fer_csv(_write_fer(tmp_path / "fer.csv", rows))
    out = apply_ferplus(raw, _write_ferplus(tmp_path / "new.csv", rows))
    assert (out.labels == HAPPY).all()
    rows.append(rows[0])
    raw = read_fer_csv(_write_fer(tmp_path / "fer.csv", rows))
    with pytest.raises(DataError, match="row order"):
        apply_ferplus(raw, _write_ferplus(tmp_path / "new.csv", rows))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"is empty"),
        ("Usage,neutral\nTraining,3\n", r"line 1: header lacks Image name, happiness"),
        (HEADER + "\n", r"holds a header but no rows"),
        (HEADER + "\nTraining,a.png,1,2\n", r"line 2: has 4 fields, expected 12"),
        (HEADER + "\nTrain,a.png," + ",".join("0" * 10) + "\n", r"line 2: Usage 'Train' is not"),
    ],
)
def test_bad_label_files(tmp_path, text, message):
    path = tmp_path / "fer2013new.csv"
    path.write_text(text)
    with pytest.raises(DataError, match=rf"^{re.escape(str(path))}: {message}"):
        read_ferplus_votes(path)


def _real_ferplus() -> Path:
    if os.environ.get("FERPLUS_PATH"):
        path = Path(os.environ["FERPLUS_PATH"])
        return path / "fer2013new.csv" if path.is_dir() else path
    return Path(__file__).resolve().parents[2].parent / "shared/datasets/ferplus/fer2013new.csv"


@pytest.fixture(scope="module")
def real_ferplus() -> Path:
    path = _real_ferplus()
    if not path.exists():
        pytest.skip(
            f"FER+ not found at {path}: set FERPLUS_PATH or put fer2013new.csv in "
            "../shared/datasets/ferplus/"
        )
    return path


@pytest.fixture(scope="module")
def real_fer2013_shuffled():
    """The shared FER-2013 copy (rows shuffled within their splits), read once."""
    path = find_fer2013()
    if path is None:
        pytest.skip(
            "FER-2013 not found: set FER2013_PATH or put fer2013.csv.gz in "
            "../shared/datasets/fer2013/"
        )
    return read_fer_csv(path)


@pytest.mark.real_data
def test_real_ferplus_votes(real_ferplus):
    votes = read_ferplus_votes(real_ferplus)
    assert votes.votes.shape == (35887, 10)
    assert np.bincount(votes.usage).tolist() == [28709, 3589, 3589]
    assert sum(1 for name in votes.image_names if not name) == 173


@pytest.mark.real_data
@pytest.mark.slow
def test_real_shared_fer2013_is_refused_as_misaligned(real_ferplus, real_fer2013_shuffled):
    with pytest.raises(DataError, match="row order"):
        apply_ferplus(real_fer2013_shuffled, real_ferplus)


def test_load_dataset_applies_ferplus_and_loads_it_again(tmp_path, capsys):
    fer = _write_fer(tmp_path / "fer2013.csv", ROWS)
    labels = _write_ferplus(tmp_path / "fer2013new.csv", ROWS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = load_dataset(fer, labels=labels, label_scheme="distribution", use_cache=False)
        again = load_run_data(ds.describe())
    assert ds.raw.label_source == {"labels": str(labels.resolve()), "label_scheme": "distribution"}
    assert ds.train.soft_labels.shape == (len(ds.train), len(CLASS_NAMES))
    np.testing.assert_array_equal(ds.train.soft_labels.argmax(axis=1), ds.train.labels)
    assert again.fingerprint == ds.fingerprint
    np.testing.assert_array_equal(again.test.labels, ds.test.labels)
    assert (
        main(
            [
                "data",
                "info",
                str(fer),
                "--labels",
                str(labels),
                "--cache-dir",
                str(tmp_path / "cache"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"labels:      labels {labels.resolve()}, label_scheme majority" in out
    assert "dropped:     5 image(s): 2 not a face, 1 no majority, 1 unknown, 1 contempt" in out


def test_command_line_refuses_labels_for_other_data(tmp_path, capsys):
    labels = _write_ferplus(tmp_path / "fer2013new.csv", ROWS)
    assert main(["data", "info", "--labels", str(labels)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "fer-classic: error: --labels (FER+ votes) applies to FER-2013's CSV, not to synthetic data"
    ]


def test_training_targets_are_the_vote_distribution():
    from fer_classic.cnn.train import training_targets
    from fer_classic.data.dataset import Split

    soft = np.array([[0.8, 0, 0, 0, 0, 0.2, 0], [0, 0, 0, 1, 0, 0, 0]], dtype=np.float32)
    split = Split("train", np.zeros((2, 48, 48), np.uint8), np.array([0, 3]), np.arange(2),
                  "Training", "fp", soft_labels=soft)  # fmt: skip
    np.testing.assert_array_equal(training_targets(split, 7), soft)
    hard = dataclasses.replace(split, soft_labels=None)
    np.testing.assert_array_equal(training_targets(hard, 7), np.eye(7, dtype=np.float32)[[0, 3]])


@pytest.mark.slow
def test_train_cnn_on_the_distribution_records_and_reloads_the_labels(tmp_path, capsys):
    rows = ROWS * 3  # enough faces for a few batches
    fer = _write_fer(tmp_path / "fer2013.csv", rows)
    labels = _write_ferplus(tmp_path / "fer2013new.csv", rows)
    run = tmp_path / "run"
    options = ["--data", str(fer), "--labels", str(labels), "--label-scheme", "distribution"]
    options += ["--cache-dir", str(tmp_path / "cache")]
    assert main(["train-cnn", *options, "--arch", "compact", "--epochs", "3",
                 "--batch-size", "16", "--out", str(run), "--no-export"]) == 0  # fmt: skip
    manifest = json.loads((run / "manifest.json").read_text())
    assert manifest["data"]["labels"] == {
        "labels": str(labels.resolve()),
        "label_scheme": "distribution",
    }
    capsys.readouterr()
    assert main(["evaluate", str(run)]) == 0  # the run's data loads again with FER+'s labels
    assert "accuracy" in capsys.readouterr().out
