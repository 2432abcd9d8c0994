"""AffectNet's CSV layout: detection, code mapping, face crops, splits and bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from fer_classic.cli.main import main
from fer_classic.data import CLASS_NAMES, affectnet, load_dataset, to_gray48
from fer_classic.data.dataset import TEST, TRAIN
from fer_classic.errors import DataError, ParameterError

HEADER = (
    "subDirectory_filePath",
    "face_x",
    "face_y",
    "face_width",
    "face_height",
    "facial_landmarks",
    "expression",
    "valence",
    "arousal",
)
HEIGHT, WIDTH = 60, 80
BOX = (24, 8, 36, 44)  # x, y, width, height: inside the 80x60 images
# AffectNet's codes by FER-2013 class name, written out here to check the mapping.
FER_CLASS_OF_CODE = {
    0: "neutral",
    1: "happy",
    2: "sad",
    3: "surprise",
    4: "fear",
    5: "disgust",
    6: "angry",
}
# training.csv: 10 of each class, 3 contempt, 1 none, 2 uncertain, 3 no face.
TRAIN_CODES = [*[c for c in range(7) for _ in range(10)], 7, 7, 7, 8, 9, 9, 10, 10, 10]
# validation.csv: 2 of each class, 1 contempt, 1 none, 1 no face.
VAL_CODES = [*[c for c in range(7) for _ in range(2)], 7, 8, 10]
DROPPED = {"none": 2, "uncertain": 2, "no face": 4, "contempt": 4}


def _face_image(rng: np.random.Generator, box=BOX) -> np.ndarray:
    """A dark 80x60 colour image, bright inside ``box``."""
    image = rng.integers(0, 40, size=(HEIGHT, WIDTH, 3), dtype=np.uint8)
    x, y, w, h = box
    image[y : y + h, x : x + w] = rng.integers(200, 256, size=(h, w, 3), dtype=np.uint8)
    return image


def write_affectnet(
    root: Path,
    train_codes=TRAIN_CODES,
    val_codes=VAL_CODES,
    *,
    images_in_root: bool = False,
    columns=HEADER,
    seed: int = 0,
) -> list[dict]:
    """Write ``root/training.csv``, ``root/validation.csv`` and the images they list.

    Rows are shuffled in each file; images of "no face" rows (code 10) are not
    written. Returns every row, in file order, with its ``file`` and ``line``.
    """
    rng = np.random.default_rng(seed)
    folder = root if images_in_root else root / "Manually_Annotated_Images"
    rows = []
    for name, codes in (("training.csv", train_codes), ("validation.csv", val_codes)):
        lines = [",".join(columns)]
        for j, code in enumerate(rng.permutation(np.asarray(codes, dtype=int))):
            k = len(rows)
            path = f"{k % 3 + 1}/face{k:03d}.{'png' if k % 2 == 0 else 'jpg'}"
            if code != 10:
                (folder / path).parent.mkdir(parents=True, exist_ok=True)
                cv2.imwrite(str(folder / path), _face_image(rng))
            landmarks = ";".join(f"{v:.2f}" for v in rng.uniform(0, 60, size=10))
            fields = {
                "subDirectory_filePath": path,
                "face_x": str(BOX[0]),
                "face_y": str(BOX[1]),
                "face_width": str(BOX[2]),
                "face_height": str(BOX[3]),
                "facial_landmarks": f'"{landmarks}"',
                "expression": str(code),
                "valence": "0.25",
                "arousal": "-0.5",
            }
            lines.append(",".join(fields[c] for c in columns))
            rows.append({"file": name, "line": j + 2, "path": folder / path, "code": int(code)})
        (root / name).write_text("\n".join(lines) + "\n")
    return rows


def set_field(csv_path: Path, line: int, column: str, value: str) -> None:
    """Replace one field of a CSV file's 1-based ``line``."""
    with open(csv_path, newline="") as f:
        table = list(csv.reader(f))
    table[line - 1][table[0].index(column)] = value
    with open(csv_path, "w", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(table)


def kept(rows: list[dict], contempt: bool = False) -> list[dict]:
    return [r for r in rows if r["code"] < 7 or (contempt and r["code"] == 7)]


def first_kept(rows: list[dict], file: str, suffix: str = ".png") -> dict:
    return next(r for r in kept(rows) if r["file"] == file and r["path"].suffix == suffix)


def read_quietly(root: Path, **kwargs):
    with pytest.warns(UserWarning, match="dropped"):
        return affectnet.read(root, **kwargs)


@pytest.fixture
def affectnet_root(tmp_path) -> tuple[Path, list[dict]]:
    root = tmp_path / "AffectNet"
    root.mkdir()
    return root, write_affectnet(root)


# -- detection and fingerprint -------------------------------------------------------


def test_detect_needs_both_csv_files_with_affectnet_header(affectnet_root, tmp_path):
    root, _ = affectnet_root
    assert affectnet.detect(root)
    assert not affectnet.detect(tmp_path / "empty-does-not-exist")
    other = tmp_path / "other"
    other.mkdir()
    assert not affectnet.detect(other)
    (other / "training.csv").write_text((root / "training.csv").read_text())
    assert not affectnet.detect(other)  # validation.csv missing
    (other / "validation.csv").write_text("emotion,pixels,Usage\n0,1 2 3,Training\n")
    assert not affectnet.detect(other)  # a header without subDirectory_filePath
    (other / "validation.csv").write_text("")
    assert not affectnet.detect(other)


def test_fingerprint_follows_csv_and_image_files(affectnet_root):
    root, rows = affectnet_root
    before = affectnet.fingerprint(root)
    assert affectnet.fingerprint(root) == before
    set_field(root / "training.csv", 2, "valence", "0.75")
    after_csv = affectnet.fingerprint(root)
    assert after_csv != before
    image = first_kept(rows, "validation.csv")["path"]
    cv2.imwrite(str(image), np.zeros((HEIGHT, WIDTH + 4, 3), dtype=np.uint8))
    assert affectnet.fingerprint(root) != after_csv


# -- classes, counts and crops -------------------------------------------------------


def test_codes_map_to_fer2013_labels_and_usage_follows_the_file(affectnet_root):
    root, rows = affectnet_root
    raw = read_quietly(root)
    expected = [CLASS_NAMES.index(FER_CLASS_OF_CODE[r["code"]]) for r in kept(rows)]
    assert raw.format == "affectnet"
    assert raw.labels.dtype == np.int64 and raw.labels.tolist() == expected
    assert raw.usage.tolist() == [TRAIN] * 70 + [TEST] * 14
    assert raw.images.shape == (84, 48, 48) and raw.images.dtype == np.uint8
    assert raw.class_names == CLASS_NAMES
    assert raw.skipped == 0


def test_dropped_codes_are_counted_in_one_warning_line(affectnet_root):
    root, _ = affectnet_root
    with pytest.warns(UserWarning) as caught:
        raw = affectnet.read(root)
    assert raw.dropped == DROPPED
    assert list(raw.dropped) == ["none", "uncertain", "no face", "contempt"]
    messages = [str(w.message) for w in caught]
    assert len(messages) == 1 and "\n" not in messages[0]
    assert "dropped 12 row(s)" in messages[0]
    assert "none (2), uncertain (2), no face (4), contempt (4)" in messages[0]
    assert "extra_classes='keep' (--extra-classes keep)" in messages[0]


def test_contempt_is_label_7_when_kept(affectnet_root):
    root, rows = affectnet_root
    with pytest.warns(UserWarning) as caught:
        raw = affectnet.read(root, extra_classes="keep")
    assert raw.class_names == (*CLASS_NAMES, "contempt")
    assert np.bincount(raw.labels).tolist() == [12] * 7 + [4]
    assert raw.labels.tolist() == [
        7 if r["code"] == 7 else CLASS_NAMES.index(FER_CLASS_OF_CODE[r["code"]])
        for r in kept(rows, contempt=True)
    ]
    assert raw.dropped == {"none": 2, "uncertain": 2, "no face": 4}
    assert "extra_classes" not in str(caught[0].message)


def test_keep_without_contempt_rows_keeps_seven_classes(tmp_path):
    write_affectnet(tmp_path, list(range(7)) * 3, list(range(7)))
    raw = affectnet.read(tmp_path, extra_classes="keep")
    assert raw.class_names == CLASS_NAMES and raw.dropped == {}


def test_faces_are_cropped_by_the_box(affectnet_root):
    root, rows = affectnet_root
    raw = read_quietly(root)
    x, y, w, h = BOX
    for i, row in enumerate(kept(rows)):
        if row["path"].suffix == ".png":  # lossless: the crop exactly
            image = cv2.imread(str(row["path"]), cv2.IMREAD_UNCHANGED)
            np.testing.assert_array_equal(raw.images[i], to_gray48(image[y : y + h, x : x + w]))
    # The box is bright in a dark image: every crop, JPEG too, is bright throughout.
    assert raw.images.reshape(len(raw.images), -1).mean(axis=1).min() > 200
    assert np.mean(raw.images > 150) > 0.97


def test_images_directly_in_root(tmp_path):
    rows = write_affectnet(tmp_path, images_in_root=True)
    assert not (tmp_path / "Manually_Annotated_Images").exists()
    raw = read_quietly(tmp_path)
    assert len(raw.labels) == len(kept(rows)) == 84
    assert raw.images.reshape(84, -1).mean(axis=1).min() > 200


def test_columns_are_found_by_header_not_position(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_affectnet(tmp_path / "a")
    write_affectnet(tmp_path / "b", columns=tuple(reversed(HEADER)))
    assert read_quietly(tmp_path / "a").fingerprint == read_quietly(tmp_path / "b").fingerprint


def test_dropped_rows_images_are_not_needed(affectnet_root):
    root, rows = affectnet_root
    no_face = [r for r in rows if r["code"] == 10]
    assert no_face and not any(r["path"].exists() for r in no_face)
    for row in rows:
        if row["code"] in (8, 9):
            row["path"].unlink()
    assert len(read_quietly(root).labels) == 84


def test_canonical_split_tests_on_validation_csv_and_carves_validation(affectnet_root):
    root, _ = affectnet_root
    with pytest.warns(UserWarning, match="dropped"):
        ds = load_dataset(root, use_cache=False, seed=1)
    assert ds.raw.format == "affectnet" and ds.split == "canonical"
    assert (len(ds.train), len(ds.val), len(ds.test)) == (63, 7, 14)
    assert np.bincount(ds.test.labels).tolist() == [2] * 7
    assert sorted(ds.val.labels.tolist()) == list(range(7))  # stratified
    assert set(ds.test.indices) == set(range(70, 84))
    assert not set(ds.train.indices) & set(ds.val.indices)
    assert ds.train.source_name == "training.csv minus 10%"
    assert ds.val.source_name == "10% of training.csv"
    assert ds.test.source_name == "validation.csv"


# -- boxes -----------------------------------------------------------------------------


@pytest.mark.parametrize(("x", "y"), [(-1, 8), (46, 8), (24, -2), (24, 18)])
def test_box_overhanging_by_a_pixel_or_two_is_clipped(affectnet_root, x, y):
    root, rows = affectnet_root
    row = first_kept(rows, "training.csv")
    set_field(root / "training.csv", row["line"], "face_x", str(x))
    set_field(root / "training.csv", row["line"], "face_y", str(y))
    raw = read_quietly(root)
    image = cv2.imread(str(row["path"]), cv2.IMREAD_UNCHANGED)
    w, h = BOX[2], BOX[3]
    crop = image[max(y, 0) : min(y + h, HEIGHT), max(x, 0) : min(x + w, WIDTH)]
    index = kept(rows).index(row)
    np.testing.assert_array_equal(raw.images[index], to_gray48(crop))


@pytest.mark.parametrize(("x", "y"), [(70, 8), (-3, 8), (24, 19), (-30, -30), (200, 200)])
def test_box_outside_its_image_is_an_error(affectnet_root, x, y):
    root, rows = affectnet_root
    row = first_kept(rows, "validation.csv", ".jpg")
    set_field(root / "validation.csv", row["line"], "face_x", str(x))
    set_field(root / "validation.csv", row["line"], "face_y", str(y))
    with pytest.raises(DataError) as error, pytest.warns(UserWarning, match="dropped"):
        affectnet.read(root)
    message = str(error.value)
    assert message.startswith(f"{root / 'validation.csv'}: line {row['line']}: ")
    assert f"face box 36x44 at ({x}, {y}) lies outside image {row['path']} (80x60)" in message


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("expression", "happy", "expression 'happy' is not an integer"),
        ("expression", "2.5", "expression '2.5' is not an integer"),
        ("expression", "11", "expression 11 is outside 0..10"),
        ("expression", "-1", "expression -1 is outside 0..10"),
        ("face_y", "abc", "face_y 'abc' is not a number"),
        ("face_x", "", "face_x '' is not a number"),
        ("face_height", "nan", "face_height 'nan' is not a number"),
        ("face_width", "0", "face_width 0 is not positive"),
        ("face_height", "-5", "face_height -5 is not positive"),
        ("subDirectory_filePath", " ", "subDirectory_filePath is empty"),
    ],
)
def test_bad_field_names_file_and_line(affectnet_root, column, value, problem):
    root, _ = affectnet_root
    set_field(root / "training.csv", 5, column, value)
    with pytest.raises(DataError) as error:
        affectnet.read(root)
    assert str(error.value) == f"{root / 'training.csv'}: line 5: {problem}"


def test_header_lacking_a_column_is_an_error(tmp_path):
    write_affectnet(tmp_path, columns=tuple(c for c in HEADER if c != "face_width"))
    assert affectnet.detect(tmp_path)  # found as AffectNet, so the reader says what is wrong
    with pytest.raises(DataError, match=r"training\.csv: line 1: header lacks face_width;"):
        load_dataset(tmp_path, use_cache=False)


def test_short_row_is_an_error(affectnet_root):
    root, _ = affectnet_root
    with open(root / "validation.csv", "a") as f:
        f.write("1/extra.png,1,2\n")
    with pytest.raises(DataError, match=r"validation\.csv: line 19: has 3 fields"):
        affectnet.read(root)


def test_empty_csv_is_an_error(affectnet_root):
    root, _ = affectnet_root
    header = (root / "validation.csv").read_text().splitlines()[0]
    (root / "validation.csv").write_text(header + "\n")
    with pytest.raises(DataError, match=r"validation\.csv: holds a header but no rows"):
        affectnet.read(root)
    (root / "training.csv").write_text("")
    with pytest.raises(DataError, match=r"training\.csv: is empty"):
        affectnet.read(root)


def test_missing_image_is_an_error_not_a_skip(affectnet_root):
    root, rows = affectnet_root
    first = first_kept(rows, "validation.csv")
    first["path"].unlink()
    second = next(r for r in kept(rows) if r["file"] == "validation.csv" and r is not first)
    second["path"].unlink()
    line = min(first["line"], second["line"])
    with pytest.raises(DataError) as error, pytest.warns(UserWarning, match="dropped"):
        affectnet.read(root)
    message = str(error.value)
    assert message.startswith(f"{root / 'validation.csv'}: line {line}: image ")
    assert message.endswith("is missing (and 1 more of the 84 images to read)")


def test_unreadable_image_is_skipped_or_fatal_when_strict(affectnet_root):
    root, rows = affectnet_root
    row = first_kept(rows, "training.csv", ".jpg")
    row["path"].write_bytes(b"not a jpeg at all")
    with pytest.warns(UserWarning) as caught:
        raw = affectnet.read(root)
    relative = row["path"].relative_to(root).as_posix()
    assert any(f"skipped 1 unreadable image(s): {relative}" in str(w.message) for w in caught)
    assert raw.skipped == 1 and len(raw.labels) == 83
    with pytest.raises(DataError) as error, pytest.warns(UserWarning, match="dropped"):
        affectnet.read(root, strict=True)
    assert str(error.value) == (
        f"{root / 'training.csv'}: line {row['line']}: image {row['path']} is unreadable or corrupt"
    )


def test_unknown_extra_classes_is_an_error(affectnet_root):
    root, _ = affectnet_root
    with pytest.raises(ParameterError, match="unknown extra_classes 'merge'"):
        affectnet.read(root, extra_classes="merge")


# -- command line ----------------------------------------------------------------------


def test_data_info_names_the_format(affectnet_root, tmp_path, capsys):
    root, _ = affectnet_root
    assert main(["data", "info", str(root), "--cache-dir", str(tmp_path / "cache")]) == 0
    captured = capsys.readouterr()
    assert "format:      affectnet" in captured.out and "test (validation.csv)" in captured.out
    assert "dropped 12 row(s)" in captured.err


def test_data_info_on_bad_row_is_one_line_exit_2(affectnet_root, tmp_path, capsys):
    root, _ = affectnet_root
    set_field(root / "validation.csv", 3, "expression", "12")
    assert main(["data", "info", str(root), "--cache-dir", str(tmp_path / "cache")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and err.startswith("fer-classic: error:")
    assert "validation.csv: line 3: expression 12 is outside 0..10" in err
