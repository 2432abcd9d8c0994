"""``fer-classic mirror`` on the command line: one line for each bad input, exit status 2."""

from __future__ import annotations

import socket

import pytest

from fer_classic import inference
from fer_classic.cli.main import main
from fer_classic.mirror import bind_socket


@pytest.fixture
def quick_model(monkeypatch, classifier):
    """The session's packaged model, instead of loading it again for each command."""
    monkeypatch.setattr(inference, "load_model", lambda source, **kwargs: classifier)


@pytest.fixture
def busy_port():
    """A port some other program listens on, on every interface."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("0.0.0.0", 0))
    sock.listen(1)
    yield sock.getsockname()[1]
    sock.close()


def _run(capsys, *argv):
    status = main(["mirror", *map(str, argv)])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("fer-classic: error: ")]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("take.csv", "start,end,emotion\n0,2,happy\n2,4,joyful\n", "line 3: unknown emotion"),
        ("take.csv", "start,end,emotion\n0,4,happy\n3,6,sad\n", "line 3: starts at 3 s, before"),
        ("take.csv", "start,end,emotion\n4,6,happy\n0,2,sad\n", "list the cues in time order"),
        ("take.csv", "0,2,happy\n", "line 1: the header must be start,end,emotion"),
        ("take.csv", "start,end,emotion\n3,3,happy\n", "line 2: end 3 s is not after start"),
        ("take.json", '{"start": 0, "end": 1, "emotion": "happy"}', "must hold a list"),
    ],
)
def test_a_bad_script_is_one_line_naming_the_row(
    quick_model, capsys, tmp_path, name, text, expected
):
    path = tmp_path / name
    path.write_text(text)
    status, _, err = _run(capsys, "--script", path, "--port", 0)
    assert status == 2
    line = _one_error_line(err)
    assert str(path) in line and expected in line


def test_a_missing_script_is_one_line(quick_model, capsys, tmp_path):
    status, _, err = _run(capsys, "--script", tmp_path / "none.csv", "--port", 0)
    assert status == 2
    assert _one_error_line(err).endswith("none.csv: no such file")


def test_a_port_in_use_is_one_line(quick_model, capsys, busy_port):
    status, _, err = _run(capsys, "--port", busy_port)
    assert status == 2
    line = _one_error_line(err)
    assert f"port {busy_port} on 127.0.0.1 is in use" in line
    assert "--port 0 for a free one" in line


def test_another_host_warns_in_one_line(quick_model, capsys, busy_port):
    status, _, err = _run(capsys, "--host", "0.0.0.0", "--port", busy_port)
    assert status == 2
    warnings = [line for line in err.splitlines() if line.startswith("fer-classic: warning: ")]
    assert len(warnings) == 1
    assert "listening on 0.0.0.0, so other machines can reach the mirror" in warnings[0]
    assert f"port {busy_port} on 0.0.0.0 is in use" in _one_error_line(err)


def test_the_loopback_address_does_not_warn(recwarn):
    bind_socket("127.0.0.1", 0).close()
    assert not [w for w in recwarn if "other machines" in str(w.message)]


def test_every_interface_warns_and_the_url_stays_on_this_machine(classifier):
    from fer_classic.mirror import open_mirror

    with pytest.warns(UserWarning, match="other machines can reach the mirror"):
        server = open_mirror(classifier, host="0.0.0.0", port=0)
    try:
        assert server.url == f"http://127.0.0.1:{server.port}/"
    finally:
        server.stop()


@pytest.mark.parametrize("port", ["-1", "65536", "eighty"])
def test_a_bad_port_is_a_usage_error(capsys, port):
    with pytest.raises(SystemExit) as caught:
        main(["mirror", "--port", port])
    assert caught.value.code == 2
    assert "--port: must be a port number 0..65535" in capsys.readouterr().err


def test_an_unknown_host_is_one_line(quick_model, capsys):
    status, _, err = _run(capsys, "--host", "no-such-host.invalid", "--port", 0)
    assert status == 2
    assert "--host 'no-such-host.invalid' is not a known address" in _one_error_line(err)


def test_mirror_is_listed_with_the_detector_options_of_predict(capsys):
    with pytest.raises(SystemExit):
        main(["mirror", "--help"])
    text = capsys.readouterr().out
    for option in ("--model", "--port", "--host", "--script", "--detector", "--min-face"):
        assert option in text
    assert "--margin" in text and "--tta" in text
