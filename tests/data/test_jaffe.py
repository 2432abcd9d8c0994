"""JAFFE's flat folder: labels from file names, no split of its own."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from fer_classic.cli.main import main
from fer_classic.data import CLASS_NAMES, canonical_class, jaffe, load_dataset, to_gray48
from fer_classic.data.dataset import UNASSIGNED
from fer_classic.data.formats import detect_format
from fer_classic.errors import DataError

from .conftest import write_class_folders

# JAFFE's codes and the FER-2013 label each stands for.
CODE_LABELS = {"AN": 0, "DI": 1, "FE": 2, "HA": 3, "SA": 4, "SU": 5, "NE": 6}


def write_jaffe(root: Path, names: list[str]) -> Path:
    """Grey 256x256 TIFF files of the given names directly in ``root``."""
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    for name in names:
        image = rng.integers(0, 256, size=(256, 256), dtype=np.uint8)
        assert cv2.imwrite(str(root / name), image)
    return root


def _names(per_class: int = 5) -> list[str]:
    """``per_class`` images of each code, posed by KA, KL and YM in turn."""
    posers = ("KA", "KL", "YM")
    return [
        f"{posers[i % 3]}.{code}{i + 1}.{10 * j + i}.tiff"
        for j, code in enumerate(CODE_LABELS)
        for i in range(per_class)
    ]


@pytest.fixture
def jaffe_root(tmp_path: Path) -> Path:
    return write_jaffe(tmp_path / "jaffe", _names())


def test_codes_map_through_canonical_class():
    assert {code: CLASS_NAMES.index(canonical_class(code)) for code in jaffe.CODES} == CODE_LABELS


def test_read_labels_from_names_all_unassigned(jaffe_root):
    (jaffe_root / "README").write_text("The JAFFE images")
    (jaffe_root / ".DS_Store").write_bytes(b"\0\0")
    (jaffe_root / "._KA.AN1.0.tiff").write_bytes(b"resource fork")
    raw = jaffe.read(jaffe_root)
    files = sorted(_names())
    assert raw.format == "jaffe" and raw.class_names == CLASS_NAMES
    assert raw.images.shape == (35, 48, 48) and raw.images.dtype == np.uint8
    assert raw.labels.tolist() == [CODE_LABELS[name[3:5]] for name in files]
    assert (raw.usage == UNASSIGNED).all() and raw.usage_names == ("train", "val", "test")
    first = cv2.imread(str(jaffe_root / files[0]), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(raw.images[0], to_gray48(first))


def test_tif_and_upper_case_suffixes_are_jaffe(tmp_path):
    write_jaffe(tmp_path, ["KA.HA1.29.tif", "KM.SA2.10.TIFF", "NA.NE1.3.Tif"])
    assert jaffe.detect(tmp_path)
    assert jaffe.read(tmp_path).labels.tolist() == [3, 4, 6]


def test_detect(jaffe_root, tmp_path):
    assert jaffe.detect(jaffe_root) and detect_format(jaffe_root) == "jaffe"
    assert not jaffe.detect(tmp_path / "absent")
    other = write_jaffe(tmp_path / "other", ["face1.tiff", "face2.png"])
    assert not jaffe.detect(other)
    (jaffe_root / "extra").mkdir()
    assert not jaffe.detect(jaffe_root)
    folders = write_class_folders(tmp_path / "folders", {"happy": 2, "sad": 2})
    assert not jaffe.detect(folders) and detect_format(folders) == "folders"


def test_load_dataset_makes_a_stratified_split(jaffe_root):
    ds = load_dataset(jaffe_root, use_cache=False)
    assert ds.raw.format == "jaffe" and ds.split == "stratified"
    assert (len(ds.train), len(ds.val), len(ds.test)) == (24, 4, 7)
    assert np.bincount(ds.test.labels, minlength=7).tolist() == [1] * 7
    with pytest.raises(DataError, match="has no train/test split of its own"):
        load_dataset(jaffe_root, split="canonical", use_cache=False)


def test_fingerprint_follows_the_files(jaffe_root):
    before = jaffe.fingerprint(jaffe_root)
    (jaffe_root / "KA.AN1.0.tiff").rename(jaffe_root / "KA.SU1.0.tiff")
    assert jaffe.fingerprint(jaffe_root) != before


def test_unknown_code_names_file_code_and_valid_codes(jaffe_root):
    write_jaffe(jaffe_root, ["KA.XX1.39.tiff"])
    with pytest.raises(DataError) as info:
        jaffe.read(jaffe_root)
    message = str(info.value)
    assert message.startswith(str(jaffe_root / "KA.XX1.39.tiff"))
    assert "unknown expression code 'XX'; valid codes: AN, DI, FE, HA, NE, SA, SU" in message


def test_other_image_name_in_a_jaffe_folder_is_an_error(jaffe_root):
    write_jaffe(jaffe_root, ["KA.AN1.39.png", "ka.an1.40.tiff"])
    assert jaffe.detect(jaffe_root)
    with pytest.raises(DataError, match=r"KA\.AN1\.39\.png: not a JAFFE file name"):
        load_dataset(jaffe_root, use_cache=False)
    (jaffe_root / "KA.AN1.39.png").unlink()
    with pytest.raises(DataError, match=r"ka\.an1\.40\.tiff: not a JAFFE file name"):
        jaffe.read(jaffe_root)


def test_corrupt_image_is_skipped_with_warning_or_fatal_when_strict(jaffe_root):
    (jaffe_root / "UY.DI3.99.tiff").write_bytes(b"not a tiff at all")
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable image\(s\): UY\.DI3\.99\.tiff"):
        raw = jaffe.read(jaffe_root)
    assert raw.skipped == 1 and len(raw.labels) == 35
    with pytest.raises(DataError, match=r"UY\.DI3\.99\.tiff: unreadable or corrupt image"):
        load_dataset(jaffe_root, strict=True, use_cache=False)


def test_command_line_info_and_one_line_error(jaffe_root, capsys):
    assert main(["data", "info", str(jaffe_root)]) == 0
    assert "jaffe" in capsys.readouterr().out
    write_jaffe(jaffe_root, ["KA.XX1.39.tiff"])
    assert main(["data", "info", str(jaffe_root)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("fer-classic: error:") and "KA.XX1.39.tiff: unknown" in err
