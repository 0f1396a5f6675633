"""`memory-mcp ui` stops like `serve --http`: on SIGINT/SIGTERM the database is closed and the
process ends with 130/143, while the model may still be loading. A real process."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ports import UI_LOGIN, announced

pytestmark = [pytest.mark.slow, pytest.mark.model]


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ui_stops_cleanly_on_a_signal(tmp_path: Path, model_dir: Path, stop: int) -> None:
    db = tmp_path / "ui.db"
    env = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model_dir)}
    log_path = tmp_path / "ui.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "ui", "--no-browser", "--port", "0"],
            env=env, stdout=subprocess.DEVNULL, stderr=log,
        )  # fmt: skip
    try:
        announced(log_path, proc, UI_LOGIN)  # its port bound, the database open
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
