"""`memory-mcp ui` stops like `serve --http`: on SIGINT/SIGTERM the database is closed and the
process ends with 130/143, while the model may still be loading. A real process."""

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import UI_LOGIN, announced, log_an_invalid_request

pytestmark = [pytest.mark.slow, pytest.mark.model]


def _start_ui(tmp_path: Path, model_dir: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """`memory-mcp ui` on a fresh database, its stderr in ui.log, once its port is bound."""
    env = {**os.environ, "MEMORY_MCP_DB": str(tmp_path / "ui.db"),
           "MEMORY_MCP_MODEL_DIR": str(model_dir)}  # fmt: skip
    log_path = tmp_path / "ui.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "ui", "--no-browser", "--port", "0"],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    announced(log_path, proc, UI_LOGIN)  # its port bound, the database open
    return proc, log_path


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ui_stops_cleanly_on_a_signal(tmp_path: Path, model_dir: Path, stop: int) -> None:
    db = tmp_path / "ui.db"
    proc, log_path = _start_ui(tmp_path, model_dir)
    try:
        assert "web UI on http://127.0.0.1:" in log_path.read_text()
        proc.send_signal(stop)
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    text = log_path.read_text()
    assert code == 128 + stop, text
    assert "Traceback" not in text and "terminate called" not in text, text
    assert not Path(f"{db}-wal").exists()  # the last connection closed: its log was folded in


def test_uvicorns_own_lines_go_through_the_uis_log_handler(tmp_path: Path, model_dir: Path) -> None:
    """As `serve --http` (test_http.py): uvicorn logged through a handler of its own
    ("WARNING:  Invalid HTTP request received."), untimed and past the handler that keeps
    control characters out of the log; any local program can make it log."""
    proc, log_path = _start_ui(tmp_path, model_dir)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", log_path.read_text()).group(1))  # type: ignore[union-attr]
        log_an_invalid_request(port, log_path)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    said = [line for line in log_path.read_text().splitlines() if "Invalid HTTP" in line]
    assert said and all(re.match(r"\d\d:\d\d:\d\d WARNING ", line) for line in said), said


def test_an_upgrade_request_is_answered_plain_without_warnings(
    tmp_path: Path, model_dir: Path
) -> None:
    """As `serve --http` (test_http.py): any web page the owner visits may open a WebSocket to
    a local port, and each one made uvicorn log two warnings (one advising
    `pip install 'uvicorn[standard]'`) into the terminal running the UI."""
    proc, log_path = _start_ui(tmp_path, model_dir)
    try:
        port = int(re.search(r"127\.0\.0\.1:(\d+)/", log_path.read_text()).group(1))  # type: ignore[union-attr]
        for upgrade in (b"websocket", b"h2c"):
            with socket.create_connection(("127.0.0.1", port)) as s:
                s.sendall(
                    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\n"
                    b"Upgrade: " + upgrade + b"\r\n\r\n"
                )
                assert s.recv(1000).startswith(b"HTTP/1.1 "), upgrade  # answered plain
        log_an_invalid_request(port, log_path)  # by then the upgrades' lines, if any, are there
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    text = log_path.read_text()
    assert "Unsupported upgrade" not in text and "uvicorn[standard]" not in text, text
