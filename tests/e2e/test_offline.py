"""The CLI on a machine without the model and without network, `memory-mcp model`, and the
files a run leaves behind: real processes, a fresh HOME, and a stand-in for Hugging Face that
counts the requests it gets (so no test reaches the real network, even where there is one)."""

import json
import os
import socketserver
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import platformdirs
import pytest

from memory_mcp.config import Settings
from memory_mcp.search.embed import FastEmbedEmbedder

pytestmark = pytest.mark.slow

SCRIPT = Path(sys.executable).parent / "memory-mcp"
MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Hub:
    """A local HTTP endpoint that answers every request 503 and records its request line."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        hub = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                line = self.request.recv(65536).split(b"\r\n", 1)[0]
                hub.requests.append(line.decode("latin-1"))
                self.request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\n"
                    b"Content-Length: 0\r\nConnection: close\r\n\r\n"
                )

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hub() -> Iterator[Hub]:
    server = Hub()
    yield server
    server.close()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    (path / "data").mkdir(parents=True)  # the database's folder (MEMORY_MCP_DB below)
    return path


def machine_env(home: Path, hub: Hub, **extra: str) -> dict[str, str]:
    """A fresh user on this machine: nothing cached, no model dir, Hugging Face = `hub`."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MEMORY_MCP_", "XDG_", "HF_", "FASTEMBED_", "ORT_"))
    }
    return {
        **keep,
        "HOME": str(home),
        "MEMORY_MCP_DB": str(home / "data" / "memory.db"),
        "HF_ENDPOINT": hub.url,
        **extra,
    }


def cli(env: dict[str, str], *args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == code, (result.stdout, result.stderr)
    return result


def test_the_model_cache_is_the_platform_cache_folder_not_the_temp_folder() -> None:
    expected = Path(platformdirs.user_cache_dir("memory-mcp", appauthor=False)) / "models"
    assert Settings().cache_dir == expected
    assert FastEmbedEmbedder(MODEL).cache_dir == expected  # what a download writes into


def test_stats_loads_no_model_and_asks_no_network(home: Path, hub: Hub) -> None:
    env = machine_env(home, hub)
    cli(env, "remember", "The deploy key rotates on Mondays")
    hub.requests.clear()
    result = cli(env, "stats", "--json")
    assert hub.requests == []
    assert result.stderr == ""  # no download, no warning: the model is not its business
    stats = json.loads(result.stdout)
    assert stats["total"] == 1 and "not loaded" in stats["note"]


@pytest.mark.parametrize(
    "command", [["recall", "deploy key", "--json"], ["remember", "Standup at 10", "--json"]]
)
def test_without_model_or_network_one_attempt_and_one_line(
    home: Path, hub: Hub, command: list[str]
) -> None:
    env = machine_env(home, hub)
    if command[0] == "recall":  # read commands need a database: make one without the model
        cli({**env, "MEMORY_MCP_SEMANTIC": "false"}, "remember", "The deploy key rotates")
    result = cli(env, *command)
    # fastembed alone retried three times, sleeping 3 + 9 + 27 s, and logged six ERROR lines
    assert len(hub.requests) == 1, hub.requests
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "ERROR" not in result.stderr and "Traceback" not in result.stderr
    assert "memory-mcp model download" in lines[0] and "MEMORY_MCP_MODEL_DIR" in lines[0]
    # keyword-only work carries on
    assert cli(env, "recall", "Standup", "--json").returncode == 0


def test_after_a_failed_download_commands_do_not_wait_for_the_network_again(
    home: Path, hub: Hub
) -> None:
    """Behind a firewall or proxy that swallows connections, each try waited ~11 s for its
    timeouts, on every recall and remember: a failed download is not tried again by a
    command for an hour (the line says when it was and why); `model download` tries at once."""
    env = machine_env(home, hub)
    cli(env, "remember", "The deploy key rotates on Mondays")
    assert len(hub.requests) == 1, hub.requests
    for command in (["recall", "deploy key", "--json"], ["remember", "Standup at 10"]):
        result = cli(env, *command)
        assert len(hub.requests) == 1, hub.requests  # not asked again
        [line] = [x for x in result.stderr.splitlines() if "Semantic search is off" in x]
        assert "the last try, 1 min ago, failed (" in line and "memory-mcp model download" in line
    assert "last download try" in cli(env, "model", "status").stderr
    cli(env, "model", "download", code=1)  # asked for: it tries
    assert len(hub.requests) == 2, hub.requests


def test_model_download_offline_fails_in_one_line(home: Path, hub: Hub) -> None:
    result = cli(machine_env(home, hub), "model", "download", code=1)
    assert len(hub.requests) == 1, hub.requests
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "could not be fetched" in result.stderr and "MEMORY_MCP_MODEL_DIR" in result.stderr


def test_model_status_without_a_model(home: Path, hub: Hub) -> None:
    env = machine_env(home, hub)
    status = json.loads(cli(env, "model", "status", "--json").stdout)
    assert status["present"] is False and status["folder"] is None
    assert status["model"] == MODEL and status["dim"] == 384
    assert status["cache_dir"] == str(home / ".cache" / "memory-mcp" / "models")
    assert hub.requests == []


@pytest.mark.model
def test_model_status_with_a_model_dir(home: Path, hub: Hub, model_dir: Path) -> None:
    env = machine_env(home, hub, MEMORY_MCP_MODEL_DIR=str(model_dir))
    result = cli(env, "model", "status", "--json")
    status = json.loads(result.stdout)
    assert status["present"] is True and status["folder"] == str(model_dir.absolute())
    assert status["source"] == "MEMORY_MCP_MODEL_DIR" and status["dim"] == 384
    assert result.stderr == ""


@pytest.mark.model
def test_a_copied_cache_folder_loads_offline(home: Path, hub: Hub, model_dir: Path) -> None:
    """What the README tells an offline machine: a copy of the cache folder is enough."""
    cache = home / ".cache" / "memory-mcp" / "models"
    snapshot = cache / "models--Qdrant--all-MiniLM-L6-v2-onnx" / "snapshots" / "0123abcd"
    snapshot.mkdir(parents=True)
    for name in ("model.onnx", "config.json", "tokenizer.json", "tokenizer_config.json",
                 "special_tokens_map.json"):  # fmt: skip
        (snapshot / name).symlink_to(model_dir / name)
    (snapshot.parent.parent / "refs").mkdir()
    (snapshot.parent.parent / "refs" / "main").write_text("0123abcd")
    env = machine_env(home, hub)
    status = json.loads(cli(env, "model", "status", "--json").stdout)
    assert status["present"] is True and status["folder"] == str(snapshot)
    cli(env, "remember", "The office router is in the cupboard")
    found = json.loads(cli(env, "recall", "where is the network hardware?", "--json").stdout)
    assert found["mode"] == "hybrid" and hub.requests == []


@pytest.mark.model
def test_loading_the_model_writes_nothing_outside_its_folders(
    home: Path, hub: Hub, model_dir: Path
) -> None:
    """onnxruntime's telemetry used to write ~/.cache/Microsoft/DeveloperTools/.onnxruntime/
    (a device id and a database of queued events) as soon as it was imported."""
    env = machine_env(home, hub, MEMORY_MCP_MODEL_DIR=str(model_dir))
    cli(env, "remember", "The printer on floor 3 is out of toner")
    cli(env, "recall", "which printer needs supplies?")
    written = sorted(p.relative_to(home) for p in home.rglob("*") if p.is_file())
    assert all(p.parts[0] == "data" for p in written), written  # the database and companions
    assert hub.requests == []


@pytest.mark.model
def test_model_download_with_a_model_dir_loads_it_and_asks_no_network(
    home: Path, hub: Hub, model_dir: Path
) -> None:
    """The folder MEMORY_MCP_MODEL_DIR names is what loads: `model download` checks it and
    fetches nothing (it used to try the network for a cache copy that would never be used)."""
    env = machine_env(home, hub, MEMORY_MCP_MODEL_DIR=str(model_dir))
    result = cli(env, "model", "download", "--json")
    assert hub.requests == []
    status = json.loads(result.stdout)
    assert status["present"] is True and status["source"] == "MEMORY_MCP_MODEL_DIR"
    assert "already there" in result.stderr and "nothing to download" in result.stderr
    assert not (home / ".cache" / "memory-mcp" / "models").exists()


def test_model_download_with_an_empty_model_dir_says_so_in_one_line(
    home: Path, hub: Hub, tmp_path: Path
) -> None:
    empty = tmp_path / "no-model"
    empty.mkdir()
    result = cli(machine_env(home, hub, MEMORY_MCP_MODEL_DIR=str(empty)), "model", "download",
                 code=1)  # fmt: skip
    assert hub.requests == []
    assert result.stderr.count("\n") == 1 and "holds no model.onnx" in result.stderr
