"""End to end over stdio: the real `memory-mcp serve` process, driven by the MCP SDK client
(both protocol eras) and by hand-written JSON-RPC lines."""

import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from memory_mcp.config import Settings
from memory_mcp.policies.text import STOPWORDS, tokens
from memory_mcp.service import MemoryService
from tests.conftest import real_model_dir

SERVE = [sys.executable, "-m", "memory_mcp", "serve"]
TOOLS = {"remember", "recall", "forget", "summarize"}
PROTOCOLS = {"legacy": "2025-11-25", "auto": "2026-07-28"}
MODEL_READY_S = 90  # the model loads on a background thread after start-up

EDITOR = "The user's favourite editor is Neovim with the LazyVim distribution"
DEPLOY = "Deploys go out through the Kestrel-00042 pipeline on Fridays"
FACTS: list[dict[str, Any]] = [
    {"content": EDITOR, "kind": "preference", "tags": ["tools"]},
    {"content": DEPLOY, "kind": "fact", "tags": ["ops"]},
    {"content": "Our CI runs pytest on Python 3.12", "kind": "fact", "tags": ["ci"]},
    {"content": "The weekly team sync is on Tuesday mornings", "kind": "event"},
    {"content": "Alice takes her coffee black, no sugar", "kind": "preference"},
    {"content": "The staging database lives in the eu-west-1 region", "kind": "fact"},
    {"content": "Release notes are reviewed by two people before publishing", "kind": "decision"},
]
# Paraphrases sharing no content word with their target (checked below, and with FTS itself).
EDITOR_QUESTION = "What program does this person prefer for writing code?"
DEPLOY_QUESTION = "When do we ship changes to production servers?"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "e2e.db"


@pytest.fixture
def server_log(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Path]:
    """The server's stderr, attached to the test report so failures show what it logged."""
    path = tmp_path / "server-stderr.log"
    yield path
    if path.exists():
        request.node.add_report_section("teardown", "server stderr", path.read_text("utf-8"))


def _content_words(text: str) -> set[str]:
    return set(tokens(text)) - STOPWORDS


def _keyword_only_ids(db: Path, query: str) -> list[int]:
    """What keyword search alone finds, read from the live database file (WAL allows it)."""
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        return [hit.id for hit in service.recall(query, limit=50).hits]
    finally:
        service.close()


def _all_embedded(db: Path) -> bool:
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        return all(m.embedded for m in service.list_memories(limit=None))
    finally:
        service.close()


def _cli_env(model_dir: Path) -> dict[str, str]:
    """The test's environment minus MEMORY_MCP_DB, so `--db` is the only database named
    (a subcommand reads MEMORY_MCP_DB itself, and that beat the root `--db` when written)."""
    env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_DB"}
    return env | {"MEMORY_MCP_MODEL_DIR": str(model_dir)}


@asynccontextmanager
async def _connect(db: Path, model_dir: Path, mode: str, log: Path) -> AsyncIterator[Client]:
    env = {"MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model_dir)}
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=env)
    with log.open("a", encoding="utf-8") as errlog:
        transport = stdio_client(params, errlog=errlog)
        async with Client(transport, mode=mode, read_timeout_seconds=60) as client:
            yield client


async def _call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """Call a tool that must succeed; its structured result."""
    result = await client.call_tool(tool, args)
    assert not result.is_error, _text(result)
    assert result.structured_content is not None
    return dict(result.structured_content)


def _text(result: CallToolResult) -> str:
    return " ".join(getattr(block, "text", "") for block in result.content)


async def _hit_ids(client: Client, query: str, **args: Any) -> list[int]:
    found = await _call(client, "recall", {"query": query, **args})
    return [hit["id"] for hit in found["hits"]]


async def _wait_until_hybrid(client: Client, db: Path) -> None:
    """Poll recall until semantic search is on, then until the memories stored while the
    model loaded have their vectors (the mode flips before that backlog is embedded)."""
    with anyio.fail_after(MODEL_READY_S):
        while (await _call(client, "recall", {"query": "anything"}))["mode"] != "hybrid":
            await anyio.sleep(0.1)
        while not _all_embedded(db):
            await anyio.sleep(0.1)


# -- the MCP SDK client over stdio, in both protocol eras ------------------------------------


@pytest.mark.slow
@pytest.mark.model
@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_session_over_stdio(mode: str, db: Path, model_dir: Path, server_log: Path) -> None:
    async with _connect(db, model_dir, mode, server_log) as client:
        assert client.protocol_version == PROTOCOLS[mode]
        assert client.server_info is not None and client.server_info.name == "memory-mcp"

        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert set(tools) == TOOLS
        assert all(tool.output_schema for tool in tools.values())
        recall_schema = tools["recall"].output_schema
        assert recall_schema and "hits" in recall_schema["properties"]
        hints = {name: tool.annotations for name, tool in tools.items()}
        assert hints["recall"] and hints["recall"].read_only_hint is True
        assert hints["summarize"] and hints["summarize"].destructive_hint is False
        assert hints["forget"] and hints["forget"].destructive_hint is True
        assert hints["remember"] and hints["remember"].read_only_hint is not True

        ids = {}
        for fact in FACTS:
            stored = await _call(client, "remember", fact)
            assert stored["status"] == "created" and stored["kind"] == fact["kind"]
            ids[fact["content"]] = stored["id"]
        editor, deploy = ids[EDITOR], ids[DEPLOY]

        await _wait_until_hybrid(client, db)

        # Meaning, not keywords: no shared word, keyword search alone misses it.
        assert not _content_words(EDITOR_QUESTION) & set(tokens(EDITOR))
        assert editor not in _keyword_only_ids(db, EDITOR_QUESTION)
        found = await _call(client, "recall", {"query": EDITOR_QUESTION})
        assert found["mode"] == "hybrid"
        assert found["hits"][0]["id"] == editor, found["hits"]

        # An exact identifier the tokenizer splits in two.
        assert (await _hit_ids(client, "Kestrel-00042"))[0] == deploy

        # forget hides it from both search legs ...
        gone = await _call(client, "forget", {"ids": [deploy], "reason": "e2e"})
        assert gone["forgotten"] == [deploy]
        assert deploy not in await _hit_ids(client, "Kestrel-00042")
        assert deploy not in await _hit_ids(client, DEPLOY_QUESTION)

        # ... and the CLI, a second process on the same file, brings it back while we serve.
        restored = subprocess.run(
            [sys.executable, "-m", "memory_mcp", "--db", str(db), "restore", str(deploy)],
            capture_output=True,
            text=True,
            timeout=60,
            env=_cli_env(model_dir),
        )
        assert restored.returncode == 0, restored.stderr
        assert f"#{deploy}" in restored.stderr
        assert (await _hit_ids(client, "Kestrel-00042"))[0] == deploy
        assert not _content_words(DEPLOY_QUESTION) & set(tokens(DEPLOY))
        assert (await _hit_ids(client, DEPLOY_QUESTION))[0] == deploy

        everything = await _call(client, "summarize", {})
        assert everything["total"] == len(FACTS)
        themes = [c["representative_id"] for c in everything["clusters"]]
        assert themes and set(themes) <= set(ids.values())
        topical = await _call(client, "summarize", {"query": "Kestrel-00042 pipeline"})
        assert deploy in [c["representative_id"] for c in topical["clusters"]]


@pytest.mark.slow
@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_tool_errors_keep_the_server_serving(
    mode: str, db: Path, tmp_path: Path, server_log: Path
) -> None:
    no_model = tmp_path / "no-model"  # keyword-only: errors do not depend on the model
    no_model.mkdir()
    async with _connect(db, no_model, mode, server_log) as client:
        assert client.protocol_version == PROTOCOLS[mode]
        kept = (await _call(client, "remember", {"content": "Heron-777 is the build host"}))["id"]

        async def still_serving() -> None:
            assert (await _hit_ids(client, "Heron-777")) == [kept]

        unknown = kept + 4242
        result = await client.call_tool("forget", {"ids": [unknown]})
        assert result.is_error
        assert str(unknown) in _text(result)
        await still_serving()

        for empty in ("", "   "):
            result = await client.call_tool("remember", {"content": empty})
            assert result.is_error
            assert "content" in _text(result)
            await still_serving()

        result = await client.call_tool("recall", {"query": "Heron", "since": "not a date"})
        assert result.is_error
        message = _text(result)
        assert "since" in message and "not a date" in message and "ISO-8601" in message
        await still_serving()


# -- raw JSON-RPC lines over the console script ----------------------------------------------


class RawSession:
    """`memory-mcp serve` driven by hand-written JSON-RPC lines; records all of stdout."""

    def __init__(self, argv: list[str], env: dict[str, str], stderr: Path) -> None:
        self._stderr_path = stderr
        self._stderr = stderr.open("wb")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr, env=env
        )
        self.lines: list[bytes] = []
        self._inbox: queue.Queue[bytes | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.sent = 0  # requests so far; the last one's id

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)
            self._inbox.put(line)
        self._inbox.put(None)

    def _send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n")
        self.proc.stdin.flush()

    def notify(self, method: str, params: dict[str, Any] | None = None) -> None:
        self._send({"method": method, **({"params": params} if params else {})})

    def request(self, method: str, params: dict[str, Any], timeout: float = 30) -> Any:
        self.sent += 1
        self._send({"id": self.sent, "method": method, "params": params})
        try:
            line = self._inbox.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no answer to {method} in {timeout}s") from None
        assert line is not None, f"server closed stdout during {method}"
        message = _json_rpc(line)
        assert message.get("id") == self.sent, f"expected the answer to {method}: {message}"
        assert "error" not in message, message["error"]
        return message["result"]

    def call(self, tool: str, args: dict[str, Any]) -> dict[str, Any]:
        result = self.request("tools/call", {"name": tool, "arguments": args})
        assert result["isError"] is False, result
        return dict(result["structuredContent"])

    def close(self, timeout: float = 10) -> int:
        """Close stdin the way a client does on exit and wait for the process to end."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            code = self.proc.wait(timeout=timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self._reader.join(timeout=5)
            assert self.proc.stdout is not None
            self.proc.stdout.close()
            self._stderr.close()
        return code

    def stderr(self) -> str:
        return self._stderr_path.read_text("utf-8", errors="replace")


def _json_rpc(line: bytes) -> dict[str, Any]:
    """A stdout line must be one JSON-RPC 2.0 message: stdout belongs to the protocol."""
    try:
        message = json.loads(line)
    except ValueError:
        pytest.fail(f"stdout line is not JSON: {line!r}")
    assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", line
    return message


@pytest.fixture(
    params=[
        "keyword-only",
        pytest.param("model-ready", marks=pytest.mark.model),
        pytest.param("model-loading", marks=pytest.mark.model),
    ]
)
def raw_model(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Path]:
    """The model dir for the raw server: none (an empty dir), or the real one, used after it
    has loaded or closed while it is still loading."""
    if request.param == "keyword-only":
        empty = tmp_path / "no-model"
        empty.mkdir()
        return request.param, empty
    found = real_model_dir()
    if found is None:
        pytest.skip("no embedding model: set MEMORY_MCP_MODEL_DIR to run real-model tests")
    return request.param, found


@pytest.mark.slow
def test_raw_json_rpc_lines(raw_model: tuple[str, Path], db: Path, server_log: Path) -> None:
    variant, model = raw_model
    script = shutil.which("memory-mcp", path=str(Path(sys.executable).parent))
    assert script, "the memory-mcp console script is not installed next to this Python"
    env = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_MODEL_DIR": str(model)}
    session = RawSession([script, "serve"], env, server_log)
    try:
        hello = session.request(
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw-smoke-test", "version": "0"},
            },
        )
        assert hello["protocolVersion"] == "2025-11-25"
        assert hello["serverInfo"]["name"] == "memory-mcp"
        assert "tools" in hello["capabilities"]
        session.notify("notifications/initialized")

        listed = session.request("tools/list", {})
        assert {tool["name"] for tool in listed["tools"]} == TOOLS

        stored = session.call("remember", {"content": "Ledger-9 keeps the quarterly numbers"})
        found = session.call("recall", {"query": "Ledger-9"})
        assert found["hits"][0]["id"] == stored["id"]
        if variant == "model-ready":
            deadline = time.monotonic() + MODEL_READY_S
            while session.call("recall", {"query": "numbers"})["mode"] != "hybrid":
                assert time.monotonic() < deadline, "the model never finished loading"
                time.sleep(0.1)
    finally:
        code = session.close()

    assert code == 0, session.stderr()
    assert session.lines, "nothing on stdout"
    messages = [_json_rpc(line) for line in session.lines]
    assert all("result" in m for m in messages), messages  # no stray notifications or errors
    ids = [m["id"] for m in messages]
    assert ids == list(range(1, session.sent + 1))  # one answer per request, in order
    if variant == "keyword-only":
        assert "no model.onnx" in " ".join(session.stderr().split())  # the warning: stderr
