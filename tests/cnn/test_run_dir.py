"""The CNN run directory's record of how a model was trained: devices and lineage."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("keras")

from fer_classic.cnn.run_dir import (
    HISTORY,
    STATE,
    init_lineage,
    record_init,
    trained_on,
    write_history,
)


def _session(start: int, device: str | None) -> dict:
    return {"start_epoch": start} | ({"device": device} if device else {})


def test_trained_on_lists_the_devices_of_the_sessions_that_trained():
    manifest = {
        "sessions": [
            _session(0, "NVIDIA H100"),
            _session(10, "CPU: AMD EPYC"),
            _session(20, "CPU: other"),  # exported only: trained no epoch
        ]
    }
    assert trained_on(manifest, 20) == ["CPU: AMD EPYC", "NVIDIA H100"]
    assert trained_on(manifest, 10) == ["NVIDIA H100"]  # the best epoch came before the CPU


def test_trained_on_is_unknown_where_a_session_that_trained_did_not_record_it():
    manifest = {"sessions": [_session(0, None), _session(5, "CPU: AMD EPYC")]}
    assert trained_on(manifest, 8) is None
    assert trained_on({"sessions": [_session(0, None), _session(5, "GPU")]}, 5) is None
    # the unrecorded session repeated no epoch that counts: known
    manifest = {"sessions": [_session(0, "GPU"), _session(4, None)]}
    assert trained_on(manifest, 4) == ["GPU"]


def _fake_run(path: Path, seconds: list[float], best: int, sessions: list[dict]) -> Path:
    path.mkdir(parents=True)
    (path / "model.keras").write_bytes(b"weights")
    manifest = {"kind": "cnn", "sessions": sessions}
    (path / "manifest.json").write_text(json.dumps(manifest))
    (path / STATE).write_text(json.dumps({"epoch": len(seconds), "best_epoch": best}))
    rows = [
        {"epoch": i + 1, "loss": 1.0, "accuracy": 0.5, "val_loss": 1.0, "val_accuracy": 0.5,
         "learning_rate": 1e-3, "seconds": s}
        for i, s in enumerate(seconds)
    ]  # fmt: skip
    write_history(path / HISTORY, rows)
    return path


def test_lineage_counts_the_epochs_up_to_the_best_and_follows_init_from(tmp_path):
    first = _fake_run(tmp_path / "first", [1.0, 2.0, 4.0], best=2, sessions=[_session(0, "GPU")])
    assert init_lineage(first / "model.keras") == [
        {"run": str(first), "epochs": 2, "train_seconds": 3.0, "trained_on": ["GPU"]}
    ]
    second = _fake_run(tmp_path / "second", [10.0, 20.0], best=2, sessions=[_session(0, "CPU")])
    record_init(second, first / "model.keras", "sha-of-first")
    recorded = json.loads((second / "manifest.json").read_text())["init_from"]
    assert recorded["sha256"] == "sha-of-first"
    assert [entry["run"] for entry in init_lineage(second / "model.keras")] == [
        str(first),
        str(second),
    ]
    assert init_lineage(second / "model.keras")[1]["train_seconds"] == 30.0


def test_record_init_keeps_what_it_wrote_for_the_same_weights(tmp_path):
    first = _fake_run(tmp_path / "first", [1.0], best=1, sessions=[_session(0, "GPU")])
    second = _fake_run(tmp_path / "second", [5.0], best=1, sessions=[_session(0, "CPU")])
    record_init(second, first / "model.keras", "sha")
    before = (second / "manifest.json").read_text()
    (first / HISTORY).unlink()  # the source changed or moved since
    record_init(second, first / "model.keras", "sha")
    assert (second / "manifest.json").read_text() == before


def test_weights_outside_a_run_have_no_lineage(tmp_path):
    (tmp_path / "model.keras").write_bytes(b"weights")
    (tmp_path / "other.keras").write_bytes(b"weights")
    assert init_lineage(tmp_path / "model.keras") == []
    assert init_lineage(tmp_path / "other.keras") == []


def test_an_unused_gpu_is_warned_about(monkeypatch):
    import shutil

    from fer_classic.cnn.run_dir import training_device, unused_gpu_warning

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    warning = unused_gpu_warning("CPU: Some Xeon")
    assert warning is not None and "trains on the CPU: Some Xeon" in warning
    assert 'pip install "fer-classic[gpu]"' in warning
    assert unused_gpu_warning("NVIDIA H200") is None
    monkeypatch.setattr(shutil, "which", lambda name: None)
    if training_device().startswith("CPU"):  # no NVIDIA driver on this machine
        assert unused_gpu_warning(training_device()) is None
