"""Scripts to rehearse against: the two formats, and one line naming the row for bad ones."""

from __future__ import annotations

import json
import re

import pytest

from fer_classic.data import CLASS_NAMES
from fer_classic.mirror import Cue, ScriptError, read_script
from fer_classic.mirror.script import match_emotion

EIGHT = (*CLASS_NAMES, "contempt")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path, classes=CLASS_NAMES) -> str:
    with pytest.raises(ScriptError) as caught:
        read_script(path, classes)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message


def test_csv_script_is_read_in_order_with_emotions_matched(tmp_path):
    path = _write(
        tmp_path,
        "take.csv",
        "start,end,emotion\n0,4,Neutral\n4,8.5,happiness\n\n10, 14 ,surprised\n",
    )
    assert read_script(path, CLASS_NAMES) == (
        Cue(0.0, 4.0, "neutral"),
        Cue(4.0, 8.5, "happy"),
        Cue(10.0, 14.0, "surprise"),
    )


def test_csv_columns_in_another_order_and_a_byte_order_mark(tmp_path):
    path = tmp_path / "take.csv"
    path.write_bytes("\ufeffEmotion,Start,End\nanger,1,2\n".encode())
    assert read_script(path, CLASS_NAMES) == (Cue(1.0, 2.0, "angry"),)


@pytest.mark.parametrize("wrapped", [False, True])
def test_json_script_as_a_list_or_under_script(tmp_path, wrapped):
    cues = [{"start": 0, "end": 2.5, "emotion": "sad"}, {"start": 2.5, "end": 5, "emotion": "fear"}]
    path = _write(tmp_path, "take.json", json.dumps({"script": cues} if wrapped else cues))
    assert read_script(path, CLASS_NAMES) == (Cue(0.0, 2.5, "sad"), Cue(2.5, 5.0, "fear"))


def test_emotions_are_matched_to_the_model_s_own_classes():
    assert match_emotion("contempt", EIGHT) == "contempt"
    assert match_emotion("contempt", CLASS_NAMES) is None
    assert match_emotion(" HAPPY ", CLASS_NAMES) == "happy"
    assert match_emotion("joy", CLASS_NAMES) == "happy"
    assert match_emotion("pleased", ("pleased", "calm")) == "pleased"
    assert match_emotion("happy", ("pleased", "calm")) is None


def test_an_eight_class_model_takes_contempt(tmp_path):
    path = _write(tmp_path, "take.csv", "start,end,emotion\n0,1,contempt\n")
    assert read_script(path, EIGHT) == (Cue(0.0, 1.0, "contempt"),)
    assert "line 2: unknown emotion 'contempt'" in _error(path)


def test_unknown_emotion_names_the_line_and_the_classes(tmp_path):
    path = _write(tmp_path, "take.csv", "start,end,emotion\n0,1,happy\n1,2,joyful\n")
    message = _error(path)
    assert "line 3: unknown emotion 'joyful'" in message
    assert ", ".join(CLASS_NAMES) in message


def test_overlapping_cues_name_both_rows(tmp_path):
    path = _write(tmp_path, "take.csv", "start,end,emotion\n0,4,happy\n3,6,sad\n")
    message = _error(path)
    assert re.search(r"line 3: starts at 3 s, before line 2 ends \(at 4 s\).*overlap", message)


def test_cues_out_of_time_order_name_the_row(tmp_path):
    path = _write(tmp_path, "take.csv", "start,end,emotion\n5,6,happy\n0,2,sad\n")
    message = _error(path)
    assert "line 3: starts at 0 s, before line 2 (at 5 s); list the cues in time order" in message


def test_touching_cues_are_not_an_overlap(tmp_path):
    path = _write(tmp_path, "take.csv", "start,end,emotion\n0,2,happy\n2,3,sad\n")
    assert len(read_script(path, CLASS_NAMES)) == 2


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("2,2,happy", "line 2: end 2 s is not after start 2 s"),
        ("3,1,happy", "line 2: end 1 s is not after start 3 s"),
        ("-1,1,happy", "line 2: start '-1' is not a number of seconds >= 0"),
        ("soon,1,happy", "line 2: start 'soon' is not a number of seconds >= 0"),
        ("0,nan,happy", "line 2: end 'nan' is not a number of seconds >= 0"),
        ("0,,happy", "line 2: end '' is not a number of seconds >= 0"),
        ("0,1", "line 2: has 2 fields, expected 3 (start,end,emotion)"),
    ],
)
def test_bad_times_and_rows_name_the_line(tmp_path, row, expected):
    path = _write(tmp_path, "take.csv", f"start,end,emotion\n{row}\n")
    assert expected in _error(path)


def test_csv_without_header_names_line_one(tmp_path):
    path = _write(tmp_path, "take.csv", "0,4,happy\n4,8,sad\n")
    assert "line 1: the header must be start,end,emotion, got '0,4,happy'" in _error(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty; expected a header start,end,emotion"),
        ("start,end,emotion\n", "holds a header but no cues"),
        ("start,end,emotion,note\n0,1,happy,x\n", "line 1: the header must be"),
    ],
)
def test_csv_without_cues_or_with_other_columns(tmp_path, text, expected):
    assert expected in _error(_write(tmp_path, "take.csv", text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"start": 0, "end": 1, "emotion": "happy"}', "must hold a list of"),
        ('{"cues": []}', "got a JSON object"),
        ("[]", "holds no cues"),
        ('[{"start": 0, "end": 1, "emotion": "happy"}, [1, 2, "sad"]]', "entry 2: is a JSON list"),
        ('[{"start": 0, "end": 1}]', "entry 1: no 'emotion'"),
        ('[{"start": 0, "end": 1, "emotion": "sad", "mood": 1}]', "entry 1: unknown key 'mood'"),
        ('[{"start": 0, "end": true, "emotion": "sad"}]', "entry 1: end True is not a number"),
        ('[{"start": 0, "end": 1, "emotion": 3.5}]', "entry 1: unknown emotion 3.5"),
        ('[{"start": 0, "end": 1, "emotion": "happy"},]', "not valid JSON: Expecting value"),
    ],
)
def test_bad_json_names_the_entry(tmp_path, text, expected):
    assert expected in _error(_write(tmp_path, "take.json", text))


def test_json_times_are_checked_like_csv_ones(tmp_path):
    cues = [{"start": 0, "end": 3, "emotion": "happy"}, {"start": 2, "end": 4, "emotion": "sad"}]
    message = _error(_write(tmp_path, "take.json", json.dumps(cues)))
    assert "entry 2: starts at 2 s, before entry 1 ends (at 3 s)" in message


def test_missing_file_and_unknown_ending(tmp_path):
    assert _error(tmp_path / "absent.csv").endswith("absent.csv: no such file")
    message = _error(_write(tmp_path, "take.txt", "start,end,emotion\n0,1,happy\n"))
    assert "a script is a .csv or .json file" in message
