"""``test_predictions.csv``: one writer, one reader, earlier formats still read."""

from __future__ import annotations

import numpy as np
import pytest

from fer_classic import runs
from fer_classic.errors import RunError

NAMES = ("angry", "happy", "sad")
ROWS = np.array([40, 7, 12, 3])
TRUE = np.array([0, 1, 2, 1])
PROBA = np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.5, 0.1, 0.4], [0.3, 0.3, 0.4]])


def test_round_trip_with_probabilities(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    runs.write_predictions(path, ROWS, TRUE, PROBA, NAMES)
    assert path.read_text().splitlines()[:2] == [
        "row,true,pred,p_angry,p_happy,p_sad",
        "40,angry,angry,0.700000,0.200000,0.100000",
    ]
    read = runs.read_predictions(path, NAMES)
    np.testing.assert_array_equal(read.rows, ROWS)
    np.testing.assert_array_equal(read.true, TRUE)
    np.testing.assert_array_equal(read.pred, PROBA.argmax(axis=1))
    np.testing.assert_allclose(read.proba, PROBA)
    assert len(read) == len(TRUE)


def test_round_trip_of_decisions_without_probabilities(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    pred = np.array([1, 1, 0, 2])
    runs.write_predictions(path, ROWS, TRUE, None, NAMES, y_pred=pred)
    assert path.read_text().splitlines()[0] == "row,true,pred"
    read = runs.read_predictions(path, NAMES)
    np.testing.assert_array_equal(read.rows, ROWS)
    np.testing.assert_array_equal(read.pred, pred)
    assert read.proba is None


def test_the_given_decisions_win_over_the_probabilities(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    pred = np.array([2, 2, 2, 2])  # an SVC's votes need not be its scores' arg-max
    runs.write_predictions(path, ROWS, TRUE, PROBA, NAMES, y_pred=pred)
    np.testing.assert_array_equal(runs.read_predictions(path, NAMES).pred, pred)


def test_writer_refuses_what_it_cannot_write(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    with pytest.raises(ValueError, match="give proba, y_pred or both"):
        runs.write_predictions(path, ROWS, TRUE, None, NAMES)
    with pytest.raises(ValueError, match="proba must have shape"):
        runs.write_predictions(path, ROWS, TRUE, PROBA[:, :2], NAMES)
    assert not path.exists()


def test_earlier_cnn_format_reads_its_source_rows(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    path.write_text(
        "index,true,pred,p_angry,p_happy,p_sad\n"
        "40,0,0,0.700000,0.200000,0.100000\n"
        "7,1,2,0.100000,0.100000,0.800000\n"
    )
    read = runs.read_predictions(path, NAMES)
    np.testing.assert_array_equal(read.rows, [40, 7])
    np.testing.assert_array_equal(read.true, [0, 1])
    np.testing.assert_array_equal(read.pred, [0, 2])
    assert read.proba.shape == (2, 3)


def test_earlier_classical_format_has_no_source_rows(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    path.write_text("index,true,pred\n0,angry,happy\n1,sad,sad\n")
    read = runs.read_predictions(path, NAMES)
    assert read.rows is None  # positions in the test split, not rows of the data set
    np.testing.assert_array_equal(read.true, [0, 2])
    np.testing.assert_array_equal(read.pred, [1, 2])
    assert read.proba is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "no column row, true, pred in the header"),
        ("row,true\n1,angry\n", "no column pred in the header"),
        ("row,true,pred\n", "no predictions"),
        ("row,true,pred\n1,angry,joy\n", "line 2: unknown class 'joy'"),
        ("row,true,pred\n1,angry,0\n", "line 2: unknown class '0'"),
        ("row,true,pred\n1,angry\n", "line 2: empty pred field"),
        ("row,true,pred\nx,angry,sad\n", "line 2: row 'x' is not an integer"),
        ("row,true,pred\n1,angry,sad,9\n", "line 2: 4 fields for 3 columns"),
        ("index,true,pred\n0,1,7\n", "line 2: class 7 is outside 0..2"),
        ("row,true,pred,p_angry,p_joy\n1,angry,sad,0.5,0.5\n", "do not match the classes"),
        ("row,true,pred,p_angry,p_happy,p_sad\n1,angry,sad,0.5,,0.5\n", "empty p_happy"),
    ],
)
def test_a_malformed_file_is_a_one_line_error(tmp_path, text, message):
    path = tmp_path / runs.PREDICTIONS
    path.write_text(text)
    with pytest.raises(RunError, match=message) as caught:
        runs.read_predictions(path, NAMES)
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


def test_a_missing_or_binary_file_is_a_one_line_error(tmp_path):
    path = tmp_path / runs.PREDICTIONS
    with pytest.raises(RunError, match="no such file"):
        runs.read_predictions(path, NAMES)
    path.write_bytes(b"\xff\xfe\x00garbage\x89")
    with pytest.raises(RunError, match="not a readable CSV file"):
        runs.read_predictions(path, NAMES)
