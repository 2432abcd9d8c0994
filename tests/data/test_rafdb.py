"""RAF-DB's basic set: label list, aligned faces, errors naming the list line."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fer_classic.cli.main import main
from fer_classic.data import CLASS_NAMES, load_dataset, rafdb, to_gray48
from fer_classic.data.dataset import TEST, TRAIN
from fer_classic.data.formats import detect_format
from fer_classic.data.labels import CLASS_ORDERS
from fer_classic.errors import DataError

# RAF-DB numbers 1..7 -> FER-2013 labels: surprise, fear, disgust, happy, sad, angry, neutral.
FER_LABEL = {1: 5, 2: 2, 3: 1, 4: 3, 5: 4, 6: 0, 7: 6}


def _entries(n_train: int = 4, n_test: int = 2) -> list[tuple[str, int]]:
    """``n_train`` train and ``n_test`` test images of each of RAF-DB's seven labels."""
    entries = []
    for label in range(1, 8):
        entries += [(f"train_{label}{i:04d}.jpg", label) for i in range(n_train)]
        entries += [(f"test_{label}{i:03d}.jpg", label) for i in range(n_test)]
    return entries


def write_rafdb(root: Path, entries: list[tuple[str, int]], lines: list[str] | None = None) -> Path:
    """``root/basic/``: the label list of ``entries`` (or raw ``lines``) and 100x100 faces."""
    basic = root / "basic"
    (basic / "EmoLabel").mkdir(parents=True, exist_ok=True)
    aligned = basic / "Image" / "aligned"
    aligned.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(2)
    for name, _ in entries:
        face = rng.integers(0, 256, size=(100, 100, 3), dtype=np.uint8)
        stem, suffix = name.rsplit(".", 1)
        cv2.imwrite(str(aligned / f"{stem}_aligned.{suffix}"), face)
    if lines is None:
        lines = [f"{name} {label}" for name, label in entries]
    list_path(root).write_text("\n".join(lines) + "\n")
    return root


def list_path(root: Path) -> Path:
    return root / "basic" / "EmoLabel" / "list_patition_label.txt"


@pytest.fixture
def rafdb_root(tmp_path: Path) -> Path:
    return write_rafdb(tmp_path / "RAF-DB", _entries())


def test_class_order_is_rafdb_s_own():
    names = CLASS_ORDERS["rafdb"].names
    assert {n: CLASS_NAMES.index(names[n - 1]) for n in range(1, 8)} == FER_LABEL


def test_read_maps_labels_and_splits_by_prefix(rafdb_root):
    raw = rafdb.read(rafdb_root)
    entries = _entries()
    assert raw.format == "rafdb" and raw.class_names == CLASS_NAMES
    assert raw.images.shape == (len(entries), 48, 48) and raw.images.dtype == np.uint8
    assert raw.labels.tolist() == [FER_LABEL[label] for _, label in entries]
    expected_usage = [TRAIN if name.startswith("train_") else TEST for name, _ in entries]
    assert raw.usage.tolist() == expected_usage
    assert raw.usage_names == ("train", "val", "test") and raw.skipped == 0
    first = rafdb_root / "basic" / "Image" / "aligned" / "train_10000_aligned.jpg"
    np.testing.assert_array_equal(raw.images[0], to_gray48(cv2.imread(str(first))))


def test_detect_accepts_the_root_and_the_basic_folder(rafdb_root, tmp_path):
    assert rafdb.detect(rafdb_root) and rafdb.detect(rafdb_root / "basic")
    assert detect_format(rafdb_root) == "rafdb"
    assert not rafdb.detect(tmp_path / "elsewhere")
    (tmp_path / "happy").mkdir()
    assert not rafdb.detect(tmp_path)
    raw = rafdb.read(rafdb_root / "basic")
    assert len(raw.labels) == 42


def test_load_dataset_canonical_split(rafdb_root):
    ds = load_dataset(rafdb_root, split="canonical", use_cache=False)
    assert ds.raw.format == "rafdb"
    assert len(ds.test) == 14 and len(ds.train) + len(ds.val) == 28
    assert np.bincount(ds.test.labels, minlength=7).tolist() == [2] * 7
    assert len(ds.val) == 3  # 10 % of train
    assert ds.split == load_dataset(rafdb_root, use_cache=False).split == "canonical"


def test_fingerprint_follows_the_list_and_the_images(rafdb_root):
    before = rafdb.fingerprint(rafdb_root)
    assert rafdb.fingerprint(rafdb_root / "basic") == before
    text = list_path(rafdb_root).read_text()
    list_path(rafdb_root).write_text(text.replace("train_10000.jpg 1", "train_10000.jpg 2"))
    assert rafdb.fingerprint(rafdb_root) != before


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("train_10000.jpg", r"line 2: expected 'NAME LABEL'"),
        ("train_10000.jpg 5 extra", r"line 2: expected 'NAME LABEL'"),
        ("train_10000.jpg five", r"line 2: label 'five' is not one of 1\.\.7"),
        ("train_10000.jpg 0", r"line 2: label '0' is not one of 1\.\.7"),
        ("train_10000.jpg 8", r"line 2: label '8' is not one of 1\.\.7"),
        ("val_10000.jpg 1", r"line 2: image name 'val_10000.jpg' starts with neither"),
        ("train_10001.jpg 1", r"line 2: train_10001.jpg is listed again \(first on line 1\)"),
    ],
)
def test_bad_list_line_names_file_and_line(tmp_path, line, message):
    entries = [("train_10001.jpg", 1), ("train_10000.jpg", 1)]
    write_rafdb(tmp_path, entries, lines=["train_10001.jpg 1", line])
    with pytest.raises(DataError, match=rf"list_patition_label\.txt: {message}"):
        rafdb.read(tmp_path)


def test_missing_image_is_an_error_naming_line_and_path(rafdb_root):
    missing = rafdb_root / "basic" / "Image" / "aligned" / "test_7001_aligned.jpg"
    missing.unlink()
    number = list_path(rafdb_root).read_text().splitlines().index("test_7001.jpg 7") + 1
    with pytest.raises(DataError) as info:
        rafdb.read(rafdb_root)
    message = str(info.value)
    assert f"list_patition_label.txt: line {number}: image {missing} is missing" in message
    assert "\n" not in message


def test_absent_aligned_folder_is_an_error(rafdb_root):
    aligned = rafdb_root / "basic" / "Image" / "aligned"
    for path in aligned.iterdir():
        path.unlink()
    aligned.rmdir()
    with pytest.raises(DataError, match=r"aligned: RAF-DB's aligned image folder is missing"):
        load_dataset(rafdb_root, use_cache=False)


def test_empty_list_is_an_error(tmp_path):
    write_rafdb(tmp_path, [], lines=[""])
    with pytest.raises(DataError, match=r"list_patition_label\.txt: lists no images"):
        rafdb.read(tmp_path)


def test_corrupt_image_is_skipped_with_warning_or_fatal_when_strict(rafdb_root):
    broken = rafdb_root / "basic" / "Image" / "aligned" / "test_3000_aligned.jpg"
    broken.write_bytes(b"not a jpeg at all")
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable image\(s\): .*test_3000_aligned"):
        raw = rafdb.read(rafdb_root)
    assert raw.skipped == 1 and len(raw.labels) == 41
    with pytest.raises(DataError, match=r"test_3000_aligned\.jpg: unreadable or corrupt image"):
        load_dataset(rafdb_root, strict=True, use_cache=False)


def test_command_line_info_and_one_line_error(rafdb_root, capsys):
    assert main(["data", "info", str(rafdb_root)]) == 0
    assert "rafdb" in capsys.readouterr().out
    with list_path(rafdb_root).open("a") as f:
        f.write("train_99999.jpg 9\n")
    assert main(["data", "info", str(rafdb_root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("fer-classic: error:") and "list_patition_label.txt: line 43" in err
