from __future__ import annotations

import cv2
import numpy as np
import pytest

from fer_classic.cli.main import main
from fer_classic.data import CLASS_NAMES, canonical_class, load_dataset, load_run_data, to_gray48
from fer_classic.data.labels import CLASS_ORDERS
from fer_classic.errors import DataError, ParameterError

from .conftest import write_class_folders

SEVEN = {name: 10 for name in CLASS_NAMES}


def test_kaggle_two_folders_carve_validation_from_train(tmp_path):
    write_class_folders(tmp_path / "train", SEVEN)
    write_class_folders(tmp_path / "test", {name: 4 for name in CLASS_NAMES})
    ds = load_dataset(tmp_path, split="canonical", seed=3)
    assert ds.raw.format == "kaggle-folders"
    assert len(ds.test) == 28
    assert len(ds.train) + len(ds.val) == 70
    assert len(ds.val) == 7  # 10 % of train, one per class (stratified)
    assert sorted(ds.val.labels.tolist()) == list(range(7))
    assert not set(ds.train.indices) & set(ds.val.indices)
    again = load_dataset(tmp_path, split="canonical", seed=3)
    np.testing.assert_array_equal(ds.val.indices, again.val.indices)


def test_three_folders_keep_their_validation(tmp_path):
    write_class_folders(tmp_path / "train", SEVEN)
    write_class_folders(tmp_path / "val", {name: 2 for name in CLASS_NAMES})
    write_class_folders(tmp_path / "test", {name: 3 for name in CLASS_NAMES})
    ds = load_dataset(tmp_path)
    assert ds.raw.format == "three-folders"
    assert (len(ds.train), len(ds.val), len(ds.test)) == (70, 14, 21)


def test_class_folders_map_names_and_drop_contempt(tmp_path):
    folders = {
        "anger": 10,
        "disgust": 10,
        "fear": 10,
        "happiness": 10,
        "sadness": 10,
        "surprise": 10,
        "contempt": 5,
    }
    write_class_folders(tmp_path, folders)
    with pytest.warns(UserWarning, match=r"dropped .*contempt \(5\)"):
        ds = load_dataset(tmp_path)
    assert ds.raw.format == "class-folders" and ds.split == "stratified"
    counts = np.bincount(ds.raw.labels, minlength=7)
    assert counts.tolist() == [10, 10, 10, 10, 10, 10, 0]
    assert ds.class_names == CLASS_NAMES


def test_class_folders_keep_extra_classes_as_new_labels(tmp_path):
    write_class_folders(tmp_path, {"anger": 10, "happy": 10, "contempt": 10})
    ds = load_dataset(tmp_path, extra_classes="keep")
    assert ds.class_names == (*CLASS_NAMES, "contempt")
    assert np.bincount(ds.raw.labels).tolist() == [10, 0, 0, 10, 0, 0, 0, 10]


def test_colour_and_other_sizes_become_grey_48(tmp_path):
    write_class_folders(tmp_path, {"happy": 5, "sad": 5}, size=(100, 80), colour=True)
    ds = load_dataset(tmp_path)
    assert ds.raw.images.shape == (10, 48, 48) and ds.raw.images.dtype == np.uint8


def test_to_gray48_matches_opencv_area_resize():
    rng = np.random.default_rng(0)
    colour = rng.integers(0, 256, size=(96, 96, 3), dtype=np.uint8)
    expected = cv2.resize(
        cv2.cvtColor(colour, cv2.COLOR_BGR2GRAY), (48, 48), interpolation=cv2.INTER_AREA
    )
    np.testing.assert_array_equal(to_gray48(colour), expected)
    assert to_gray48(np.full((48, 48), 65535, dtype=np.uint16)).max() == 255


def test_corrupt_image_is_skipped_with_warning_or_fatal_when_strict(tmp_path):
    write_class_folders(tmp_path, {"happy": 6, "sad": 6})
    (tmp_path / "sad" / "broken.jpg").write_bytes(b"not a jpeg at all")
    with pytest.warns(UserWarning, match="skipped 1 unreadable"):
        ds = load_dataset(tmp_path)
    assert ds.raw.skipped == 1 and len(ds.raw.labels) == 12
    with pytest.raises(DataError, match=r"broken\.jpg: unreadable or corrupt image"):
        load_dataset(tmp_path, strict=True, use_cache=False)


def test_empty_class_folder_is_an_error(tmp_path):
    write_class_folders(tmp_path, {"happy": 3})
    (tmp_path / "sad").mkdir()
    with pytest.raises(DataError, match=r"sad: empty class folder"):
        load_dataset(tmp_path)


def test_folder_without_images_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")
    with pytest.raises(DataError, match="holds no images"):
        load_dataset(tmp_path)


def test_folder_of_unknown_layout_is_an_error(tmp_path):
    write_class_folders(tmp_path, {"cats": 3, "dogs": 3})
    with pytest.raises(DataError, match="unknown layout"):
        load_dataset(tmp_path)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Anger", "angry"),
        ("sadness", "sad"),
        ("happiness", "happy"),
        ("3_happy", "happy"),
        ("4", "sad"),
        ("Surprised", "surprise"),
        ("contempt", None),
        ("9", None),
    ],
)
def test_canonical_class(name, expected):
    assert canonical_class(name) == expected


def test_skipped_images_are_named_and_opencv_stays_quiet(tmp_path, capfd):
    write_class_folders(tmp_path, {"happy": 6, "sad": 6})
    png_header = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40  # a PNG that OpenCV logs about
    for i in range(5):
        (tmp_path / "sad" / f"broken{i}.png").write_bytes(png_header)
    with pytest.warns(UserWarning) as caught:
        load_dataset(tmp_path, use_cache=False)
    message = str(caught[0].message)
    assert "skipped 5 unreadable image(s): sad/broken0.png, sad/broken1.png" in message
    assert message.endswith("and 2 more")
    native = capfd.readouterr().err
    assert "WARN:" not in native and "ERROR:" not in native


def _numbered(root, numbers, count=2):
    """``root/<n>/i.png`` whose grey level is 20 * n, to tell the folders apart."""
    for number in numbers:
        folder = root / str(number)
        folder.mkdir(parents=True)
        for i in range(count):
            cv2.imwrite(str(folder / f"{i}.png"), np.full((48, 48), 20 * number, np.uint8))
    return root


def _labels_by_level(ds):
    raw = ds.raw
    return {int(image[0, 0]) // 20: raw.class_names[label] for image, label in
            zip(raw.images, raw.labels, strict=True)}  # fmt: skip


def test_numbered_folders_in_fer2013_order(tmp_path):
    ds = load_dataset(_numbered(tmp_path, range(7)), use_cache=False)
    assert _labels_by_level(ds) == dict(enumerate(CLASS_NAMES))


@pytest.mark.parametrize("numbers", [range(1, 8), range(1, 7), [0, 7]])
def test_numbered_folders_outside_fer2013_order_are_refused(tmp_path, numbers):
    with pytest.raises(DataError, match=r"numbered .* not FER-2013's 0..6.*--class-order"):
        load_dataset(_numbered(tmp_path, numbers), use_cache=False)


def test_class_order_says_what_the_numbers_mean(tmp_path):
    root = _numbered(tmp_path, range(1, 8))
    rafdb = load_dataset(root, class_order="rafdb", use_cache=False)
    assert _labels_by_level(rafdb) == {
        1: "surprise", 2: "fear", 3: "disgust", 4: "happy", 5: "sad", 6: "angry", 7: "neutral"
    }  # fmt: skip
    assert rafdb.raw.label_source == {"class_order": str(CLASS_ORDERS["rafdb"])}
    named = load_dataset(root, class_order="1:ne,ha,su,sa,an,di,fe", use_cache=False)
    assert _labels_by_level(named)[1] == "neutral" and _labels_by_level(named)[7] == "fear"
    assert load_run_data(named.describe()).fingerprint == named.fingerprint


def test_class_order_with_contempt_drops_or_keeps_it(tmp_path):
    root = _numbered(tmp_path, range(8))
    with pytest.warns(UserWarning, match=r"contempt \(2\)"):
        dropped = load_dataset(root, class_order="affectnet", use_cache=False)
    assert dropped.raw.dropped == {"contempt": 2} and len(dropped.raw.labels) == 14
    kept = load_dataset(root, class_order="affectnet", extra_classes="keep", use_cache=False)
    assert kept.class_names == (*CLASS_NAMES, "contempt")
    assert _labels_by_level(kept)[7] == "contempt" and _labels_by_level(kept)[0] == "neutral"


def test_class_order_errors(tmp_path, fer_csv, capsys):
    root = _numbered(tmp_path / "numbered", range(1, 9))
    with pytest.raises(DataError, match="class folder 8 is outside the class order"):
        load_dataset(root, class_order="rafdb", use_cache=False)
    with pytest.raises(ParameterError, match="class_order 'happy,cats': 'cats' is no class"):
        load_dataset(root, class_order="happy,cats", use_cache=False)
    with pytest.raises(ParameterError, match="applies to numbered image folders"):
        load_dataset(fer_csv, class_order="rafdb", use_cache=False)
    assert main(["data", "info", str(root)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--class-order" in err[0]
