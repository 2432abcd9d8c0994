from __future__ import annotations

import numpy as np
import pytest

from fer_classic.data import dataset_from_arrays, load_dataset
from fer_classic.errors import DataError

from .conftest import write_fer_csv


def test_csv_loads_canonical_splits(fer_csv, small_arrays):
    images, labels, usage = small_arrays
    ds = load_dataset(fer_csv, split="canonical")
    assert ds.raw.format == "fer2013-csv"
    assert ds.train.images.dtype == np.uint8 and ds.train.images.shape[1:] == (48, 48)
    assert ds.train.labels.dtype == np.int64
    train_rows = [i for i, u in enumerate(usage) if u == "Training"]
    np.testing.assert_array_equal(ds.train.images, images[train_rows])
    np.testing.assert_array_equal(ds.train.labels, labels[train_rows])
    assert (len(ds.train), len(ds.val), len(ds.test)) == (21, 21, 21)
    assert (ds.train.source_name, ds.val.source_name, ds.test.source_name) == (
        "Training",
        "PublicTest",
        "PrivateTest",
    )


def test_gzip_csv_gives_same_arrays(tmp_path, small_arrays, fer_csv):
    images, labels, usage = small_arrays
    gz = write_fer_csv(tmp_path / "fer2013.csv.gz", labels, usage, images)
    plain = load_dataset(fer_csv, use_cache=False)
    packed = load_dataset(gz, use_cache=False)
    np.testing.assert_array_equal(plain.raw.images, packed.raw.images)
    assert plain.test.fingerprint != "" and plain.fingerprint == packed.fingerprint


def test_csv_without_usage_has_no_canonical_split(tmp_path, small_arrays):
    images, labels, _ = small_arrays
    lines = ["emotion,pixels"] + [
        f"{label},{' '.join(map(str, image.ravel()))}"
        for label, image in zip(labels, images, strict=True)
    ]
    path = tmp_path / "train.csv"
    path.write_text("\n".join(lines) + "\n")
    assert load_dataset(path).split == "stratified"
    with pytest.raises(DataError, match="stratified"):
        load_dataset(path, split="canonical")


def _bad_csv(tmp_path, small_arrays, row: int, field: int, value: str):
    images, labels, usage = small_arrays
    path = write_fer_csv(tmp_path / "bad.csv", labels, usage, images)
    lines = path.read_text().splitlines()
    parts = lines[row].split(",")
    parts[field] = value
    lines[row] = ",".join(parts)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_wrong_header_names_file(tmp_path, small_arrays):
    images, labels, usage = small_arrays
    path = write_fer_csv(tmp_path / "x.csv", labels, usage, images, header="label,image,Usage")
    with pytest.raises(DataError, match=r"x\.csv: header .* lacks emotion and pixels"):
        load_dataset(path)


def test_short_pixel_row_names_line(tmp_path, small_arrays):
    path = _bad_csv(tmp_path, small_arrays, row=5, field=1, value=" ".join(["7"] * 2303))
    with pytest.raises(DataError, match=r"bad\.csv: line 6: has 2303 pixel values, expected 2304"):
        load_dataset(path)


def test_non_numeric_pixel_names_line(tmp_path, small_arrays):
    path = _bad_csv(tmp_path, small_arrays, row=3, field=1, value=" ".join(["9"] * 2303 + ["x"]))
    with pytest.raises(DataError, match=r"line 4: pixel value 'x' is not a number"):
        load_dataset(path)


def test_pixel_out_of_range_names_line(tmp_path, small_arrays):
    path = _bad_csv(tmp_path, small_arrays, row=2, field=1, value=" ".join(["300"] * 2304))
    with pytest.raises(DataError, match=r"line 3: pixel value 300 is outside 0\.\.255"):
        load_dataset(path)


def test_label_outside_range_names_line(tmp_path, small_arrays):
    path = _bad_csv(tmp_path, small_arrays, row=9, field=0, value="7")
    with pytest.raises(DataError, match=r"line 10: emotion 7 is outside 0\.\.6"):
        load_dataset(path)


def test_unknown_usage_names_line(tmp_path, small_arrays):
    path = _bad_csv(tmp_path, small_arrays, row=1, field=2, value="Validation")
    with pytest.raises(DataError, match=r"line 2: Usage 'Validation'"):
        load_dataset(path)


def test_empty_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(DataError, match=r"empty\.csv: is empty"):
        load_dataset(empty)
    header_only = tmp_path / "header.csv"
    header_only.write_text("emotion,pixels,Usage\n")
    with pytest.raises(DataError, match="no rows"):
        load_dataset(header_only)


def test_missing_path_and_unknown_format(tmp_path):
    with pytest.raises(DataError, match="no such file or directory"):
        load_dataset(tmp_path / "nope.csv")
    other = tmp_path / "data.json"
    other.write_text("{}")
    with pytest.raises(DataError, match="unknown data format"):
        load_dataset(other)


def test_fingerprint_depends_on_content_not_on_how_it_was_read(fer_csv):
    ds = load_dataset(fer_csv, split="canonical")
    again = dataset_from_arrays(ds.raw.images, ds.raw.labels, ds.raw.usage, split="canonical")
    assert again.fingerprint == ds.fingerprint
    assert again.test.fingerprint == ds.test.fingerprint
