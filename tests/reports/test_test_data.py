"""Finding the test images a run was scored on, checked by fingerprint."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic.data import load_dataset, make_synthetic
from fer_classic.errors import DataError
from fer_classic.reports.test_data import load_test_split


def test_synthetic_data_is_drawn_again(synthetic):
    test = load_test_split(synthetic.describe())
    np.testing.assert_array_equal(test.images, synthetic.test.images)
    np.testing.assert_array_equal(test.labels, synthetic.test.labels)


def test_other_data_is_refused(synthetic, tmp_path):
    data = synthetic.describe()
    data["test_fingerprint"] = make_synthetic(5).test.fingerprint
    with pytest.raises(DataError, match="is not the one the runs were scored on"):
        load_test_split(data)


def test_missing_source(synthetic, tmp_path):
    data = dict(synthetic.describe(), source=str(tmp_path / "gone.csv"), format="fer2013-csv")
    with pytest.raises(DataError, match=r"gone\.csv: the run's data set is not there"):
        load_test_split(data)


@pytest.mark.real_data
def test_relative_fer2013_source_found_from_elsewhere(fer2013_path):
    data = load_dataset(fer2013_path).describe()
    data["source"] = "../some/other/cwd/fer2013.csv.gz"
    test = load_test_split(data)
    assert (test.source_name, len(test)) == ("PrivateTest", 3589)
