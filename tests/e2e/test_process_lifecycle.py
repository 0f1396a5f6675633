"""`memory-mcp serve` stops cleanly however it is asked to, at any moment: the client closing
stdin, Ctrl-C (SIGINT) or SIGTERM (a graceful stop: exit 0), including while the embedding
model is still loading on its background thread. Real processes, the real model."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.test_e2e_stdio import MODEL_READY_S, RawSession, _keyword_only_ids

pytestmark = [pytest.mark.slow, pytest.mark.model]

SCRIPT = Path(sys.executable).parent / "memory-mcp"
LOADING = "Loading the embedding model"  # logged as the model's files are opened
ABORT = "terminate called"  # C++ std::terminate, then SIGABRT (exit -6)


def start(tmp_path: Path, model_dir: Path, name: str) -> RawSession:
    env = {
        **os.environ,
        "MEMORY_MCP_DB": str(tmp_path / f"{name}.db"),
        "MEMORY_MCP_MODEL_DIR": str(model_dir),
    }
    session = RawSession([str(SCRIPT), "serve"], env, tmp_path / f"{name}.log")
    session.request(
        "initialize",
        {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "lifecycle-test", "version": "0"},
        },
    )
    session.notify("notifications/initialized")
    return session


def wait_for_log(session: RawSession, text: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in session.stderr():
            return True
        time.sleep(0.01)
    return False


def wait_until_hybrid(session: RawSession) -> None:
    deadline = time.monotonic() + MODEL_READY_S
    while session.call("recall", {"query": "anything"})["mode"] != "hybrid":
        assert time.monotonic() < deadline, "the model never finished loading"
        time.sleep(0.1)


def assert_clean(session: RawSession, code: int, expected: int) -> None:
    log = session.stderr()
    assert code == expected, log
    assert ABORT not in log and "Traceback" not in log, log
    for line in session.lines:  # stdout belongs to the protocol, to the end
        assert json.loads(line).get("jsonrpc") == "2.0", line


def test_closing_stdin_while_the_model_loads_exits_0(tmp_path: Path, model_dir: Path) -> None:
    """Interpreter shutdown used to unwind the loader thread inside onnxruntime's C++ code:
    "terminate called without an active exception", exit -6, in about 1 run in 5."""
    for run in range(4):
        session = start(tmp_path, model_dir, f"eof{run}")
        # right as the model's files are opened (that is where the thread sits in C++)
        if not wait_for_log(session, LOADING, timeout=5):
            time.sleep(0.3 * run)  # pragma: no cover - a server that does not log it
        assert_clean(session, session.close(timeout=30), 0)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize("moment", ["loading", "ready"])
def test_sigint_and_sigterm_stop_the_server(
    tmp_path: Path, model_dir: Path, stop: signal.Signals, moment: str
) -> None:
    """Ctrl-C used to leave the server running (the SDK reads stdin on a thread that no
    cancellation wakes); SIGTERM killed it without closing the database."""
    session = start(tmp_path, model_dir, "signal")
    stored = session.call("remember", {"content": "Kestrel-00042 ships on Fridays"})
    if moment == "loading":
        wait_for_log(session, LOADING, timeout=MODEL_READY_S)
    else:
        wait_until_hybrid(session)
    session.proc.send_signal(stop)
    try:
        code = session.proc.wait(timeout=30)
    finally:
        code = session.close(timeout=5)
    assert_clean(session, code, 0)  # a graceful stop with nothing under way
    assert _keyword_only_ids(tmp_path / "signal.db", "Kestrel-00042") == [stored["id"]]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_http_stops_like_stdio_while_the_model_loads(
    tmp_path: Path, model_dir: Path, stop: signal.Signals
) -> None:
    """uvicorn raised the signal again after its graceful shutdown, which killed the process
    (exit -15) before the database was closed; ending in interpreter shutdown instead could
    abort inside onnxruntime's model loading."""
    db = tmp_path / "http.db"
    env = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model_dir)}
    log_path = tmp_path / "http.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [str(SCRIPT), "serve", "--http", "--port", "0"],  # a port the system picks
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + MODEL_READY_S
        while LOADING not in log_path.read_text() and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(stop)
        code = proc.wait(timeout=30)
    finally:
        proc.kill()
        proc.wait()
    text = log_path.read_text()
    assert code == 0, text  # a graceful stop with nothing under way
    assert ABORT not in text and "Traceback" not in text, text
    assert not Path(f"{db}-wal").exists()  # the last connection closed: its log was folded in
