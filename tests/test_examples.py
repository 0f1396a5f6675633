"""The files in examples/ stay valid: configs parse and start memory-mcp; the agent runs."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.adapters.install.clients import SPECS, Client, is_ours

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
CONFIGS = sorted(EXAMPLES.glob("*.json"))


# Each client `install` writes a server entry for, and its example(s).
EXAMPLE_OF = {
    Client.CLAUDE_DESKTOP: ["claude_desktop_config.json"],
    Client.CURSOR: ["cursor_mcp.json", "cursor_project_mcp.json"],
    Client.CLAUDE_CODE: ["claude_code_mcp.json"],
    Client.VSCODE: ["vscode_mcp.json"],
    Client.GEMINI: ["gemini_settings.json"],
}


def test_there_is_a_config_for_each_client() -> None:
    """The README says examples/ has a config for each client: Gemini CLI's was missing."""
    names = {p.name for p in CONFIGS}
    assert set(EXAMPLE_OF) == set(SPECS) - {Client.CODEX}  # Codex: `codex mcp add`, no JSON
    for client, files in EXAMPLE_OF.items():
        for name in files:
            assert name in names, (client, name)
            entry = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
            entry = entry[SPECS[client].servers_key]["memory"]
            assert ("type" in entry) is SPECS[client].stdio_type, name  # as install writes it
    listed = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    documented = names | {"agent.py", "WALKTHROUGH.md"}
    assert all(f"`{name}`" in listed and (EXAMPLES / name).is_file() for name in documented)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_example_configs_have_the_clients_shape(path: Path) -> None:
    doc = json.loads(path.read_text(encoding="utf-8"))
    key = SPECS[Client.VSCODE].servers_key if path.name.startswith("vscode") else "mcpServers"
    assert list(doc) == [key]
    entry = doc[key]["memory"]
    assert is_ours(entry) and "serve" in entry["args"]
    if path.name.startswith("vscode"):
        assert entry["type"] == "stdio"  # required by VS Code


@pytest.mark.slow
def test_agent_carries_project_memory_across_sessions(tmp_path: Path) -> None:
    project = tmp_path / "widgets"
    project.mkdir()
    env = {"MEMORY_MCP_SEMANTIC": "false", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}

    def session(*args: str) -> str:
        result = subprocess.run(
            [sys.executable, str(EXAMPLES / "agent.py"), "--project", str(project),
             "--db", str(tmp_path / "a.db"), *args],
            env=env, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        return result.stdout

    first = session("Add CSV export", "--decision", "CSV export uses the stdlib csv module")
    assert '"status": "created", "scope": "widgets", "kind": "decision"' in first
    second = session("Change the CSV export")
    assert "#1 [widgets · decision] CSV export uses the stdlib csv module" in second
