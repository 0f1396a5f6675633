"""A third-party client: the MCP Inspector CLI (npm @modelcontextprotocol/inspector) runs the
real `memory-mcp serve` process. `.ci/run` installs it; locally these tests skip unless
MEMORY_MCP_INSPECTOR (0.15.x, legacy handshake) or MEMORY_MCP_INSPECTOR_MODERN (2.x, on
Node >= 22, whose bin dir MEMORY_MCP_NODE22_BIN names) points at the mcp-inspector bin."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import real_model_dir

pytestmark = pytest.mark.slow

TOOLS = {"remember", "recall", "forget", "summarize"}
SERVER_INFO = "io.modelcontextprotocol/serverInfo"


@dataclass
class Inspector:
    """One Inspector CLI generation and how to talk to it."""

    bin: Path
    modern: bool  # 2.x: JSON tool args, `{"result": ...}` output, exit 5 on a tool error
    env: dict[str, str]
    server: list[str]

    def run(self, *args: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
        extra = ["--format", "json", "-q", "--protocol-era", "modern"] if self.modern else []
        done = subprocess.run(
            [str(self.bin), "--cli", *self.server, *args, *extra],
            capture_output=True,
            text=True,
            timeout=120,
            env=self.env,
        )
        assert done.stdout.strip(), f"no output (exit {done.returncode}): {done.stderr}"
        output = json.loads(done.stdout)  # stdout holds the result and nothing else
        return (output["result"] if self.modern else output), done

    def list_tools(self) -> list[dict[str, Any]]:
        result, done = self.run("--method", "tools/list")
        assert done.returncode == 0, done.stderr
        return list(result["tools"])

    def call(self, tool: str, args: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Call a tool; its result and the Inspector's exit code."""
        if self.modern:
            how = ["--tool-args-json", json.dumps(args)]
        else:
            how = ["--tool-arg", *(f"{k}={_arg(v)}" for k, v in args.items())]
        result, done = self.run("--method", "tools/call", "--tool-name", tool, *how)
        return result, done.returncode


def _arg(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _configured(variable: str) -> Path:
    given = os.environ.get(variable)
    if not given:
        pytest.skip(f"{variable} is not set: .ci/run installs the MCP Inspector CLI")
    path = Path(given)
    assert path.exists(), f"{variable}={given} does not exist"  # set but broken: fail
    return path


def _inspector(generation: str, tmp_path: Path) -> Inspector:
    model = real_model_dir()
    if model is None:  # an empty dir: keyword-only, never a download attempt
        model = tmp_path / "no-model"
        model.mkdir()
    server = [
        *("-e", f"MEMORY_MCP_DB={tmp_path / 'inspector.db'}"),
        *("-e", f"MEMORY_MCP_MODEL_DIR={model}"),
        *(sys.executable, "-m", "memory_mcp", "serve"),
    ]
    env = dict(os.environ, MCP_CATALOG_PATH=str(tmp_path / "catalog.json"))
    if generation == "0.15-legacy":
        return Inspector(_configured("MEMORY_MCP_INSPECTOR"), False, env, server)
    modern = _configured("MEMORY_MCP_INSPECTOR_MODERN")
    if node_bin := os.environ.get("MEMORY_MCP_NODE22_BIN"):
        env["PATH"] = node_bin + os.pathsep + env.get("PATH", "")
    return Inspector(modern, True, env, server)


@pytest.fixture(params=["0.15-legacy", "2.x-modern"])
def inspector(request: pytest.FixtureRequest, tmp_path: Path) -> Inspector:
    return _inspector(request.param, tmp_path)


def test_lists_the_four_tools(inspector: Inspector) -> None:
    tools = {tool["name"]: tool for tool in inspector.list_tools()}
    assert set(tools) == TOOLS
    assert tools["remember"]["inputSchema"]["required"] == ["content"]
    assert all("outputSchema" in tool for tool in tools.values())
    assert tools["recall"]["annotations"]["readOnlyHint"] is True
    assert tools["summarize"]["annotations"]["destructiveHint"] is False
    assert tools["forget"]["annotations"]["destructiveHint"] is True


def test_remember_then_recall_across_server_processes(inspector: Inspector) -> None:
    fact = {
        "content": "Deploys go out through the Kestrel-00042 pipeline on Fridays",
        "kind": "fact",
        "tags": ["ops", "deploy"],
    }
    stored, code = inspector.call("remember", fact)
    assert code == 0 and stored["isError"] is False, stored
    memory = stored["structuredContent"]
    assert memory["status"] == "created" and memory["kind"] == "fact"
    inspector.call("remember", {"content": "Our CI runs pytest on Python 3.12"})

    found, code = inspector.call("recall", {"query": "Kestrel-00042", "limit": 3})
    assert code == 0 and found["isError"] is False, found
    assert found["structuredContent"]["hits"][0]["id"] == memory["id"]
    assert found["structuredContent"]["hits"][0]["tags"] == ["ops", "deploy"]
    assert "Kestrel-00042" in found["content"][0]["text"]  # the text block mirrors it
    if inspector.modern:
        assert found["_meta"][SERVER_INFO]["name"] == "memory-mcp"


def test_tool_error_is_a_result_the_model_can_read(inspector: Inspector) -> None:
    result, code = inspector.call("forget", {"ids": [4242]})
    assert result["isError"] is True
    assert "4242" in result["content"][0]["text"]
    assert code == (5 if inspector.modern else 0)  # 2.x exits 5 on isError; 0.15 does not
    assert {tool["name"] for tool in inspector.list_tools()} == TOOLS


def test_tool_schemas_are_portable(tmp_path: Path) -> None:
    """Inspector 2.x's --strict report: exit 6 means a schema other clients would reject."""
    _, done = _inspector("2.x-modern", tmp_path).run("--method", "tools/list", "--strict")
    assert done.returncode == 0, done.stderr
