"""The README documents every command, tool and setting; every command has help text."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
COMMANDS = [info.name or info.callback.__name__ for info in app.registered_commands]  # type: ignore[union-attr]


def test_commands_are_what_the_issue_promised() -> None:
    assert set(COMMANDS) >= {
        "serve", "remember", "recall", "list", "show", "edit", "forget", "restore",
        "summarize", "stats", "export", "import", "reindex", "doctor",
    }  # fmt: skip


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_is_in_the_readme_and_has_help(command: str) -> None:
    assert f"memory-mcp {command}" in README
    result = CliRunner().invoke(app, [command, "--help"])
    assert result.exit_code == 0
    info = next(i for i in app.registered_commands if (i.name or i.callback.__name__) == command)  # type: ignore[union-attr]
    assert (info.callback.__doc__ or "").strip()  # type: ignore[union-attr]


@pytest.mark.parametrize("tool", ["remember", "recall", "forget", "summarize"])
def test_every_tool_is_in_the_readme(tool: str) -> None:
    assert f"| `{tool}` |" in README


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_in_the_readme(name: str) -> None:
    assert f"`MEMORY_MCP_{name.upper()}`" in README


def test_readme_quick_start_is_two_commands() -> None:
    block = README.split("## Quick start in two commands", 1)[1].split("```bash", 1)[1]
    commands = [line for line in block.split("```", 1)[0].splitlines() if line.strip()]
    assert [c.split("#")[0].strip() for c in commands] == [
        "uv tool install .",
        "memory-mcp install claude-desktop",
    ]


def test_every_client_install_knows_has_an_example_under_connect_a_client() -> None:
    """`memory-mcp install gemini` worked, but the README showed no Gemini CLI entry."""
    from memory_mcp.adapters.install.clients import SPECS, Client

    section = README.split("### Connect a client", 1)[1].split("\n## ", 1)[0]
    for client, spec in SPECS.items():
        if client is Client.CODEX:  # hooks only: its servers are added with `codex mcp add`
            continue
        example = section.split(f"#### {spec.title}\n", 1)
        assert len(example) == 2, spec.title
        assert f"memory-mcp install {client}" in example[1].split("\n#### ", 1)[0], spec.title


@pytest.mark.parametrize("argv", [["-h"], ["list", "-h"], ["model", "status", "-h"]])
def test_dash_h_is_help_too(argv: list[str]) -> None:
    """`memory-mcp -h`, the first thing many people type, said "No such option: -h"."""
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output
    assert "Usage: memory-mcp" in result.output
    shown = next(line for line in result.output.splitlines() if "Show this message" in line)
    assert "--help" in shown and " -h " in shown
