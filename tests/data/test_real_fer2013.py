"""FER-2013 itself: the counts of ../shared/datasets/fer2013/README.md, exactly."""

from __future__ import annotations

import pytest

from fer_classic.data import load_dataset

pytestmark = pytest.mark.real_data

EXPECTED = {
    "train": [3995, 436, 4097, 7215, 4830, 3171, 4965],
    "val": [467, 56, 496, 895, 653, 415, 607],
    "test": [491, 55, 528, 879, 594, 416, 626],
}


def test_canonical_counts_match_the_readme(fer2013_path):
    ds = load_dataset(fer2013_path, split="canonical")
    for split in ds.splits:
        assert split.class_counts(7).tolist() == EXPECTED[split.name]
    assert ds.test.source_name == "PrivateTest"


def test_stratified_split_of_the_full_set(fer2013_path):
    ds = load_dataset(fer2013_path, split="stratified", seed=42)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (25120, 3589, 7178)
