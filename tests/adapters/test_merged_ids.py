"""An id folded into another memory (a repeat restored beside it) is answered with where it
went, but only to a caller who could read it: when the memory it went into moves to a scope
bob reads, bob still gets, for the folded id, exactly the answer of an id never used, by
every MCP tool and resource over HTTP and every CLI command that takes ids (`show` also as a
subprocess), on both backends."""

import os
import subprocess
import sys

import anyio
import pytest
from mcp.shared.exceptions import MCPError
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.team_server import connect, serving

NEVER = 987_654  # an id no test database reaches
TEXT = "Carol's locker number is 5521"


def folded(service: MemoryService) -> tuple[int, int]:
    """(folded id, the id it went into), the latter moved to `team` since."""
    first = service.remember(TEXT, scope="vault").id
    service.forget([first])
    again = service.remember(TEXT, scope="vault").id
    service.restore([first])  # the restored one is the text's one memory: `again` folds in
    assert service.history(again)[0].detail == {"into": first}
    service.move([first], "team")
    return again, first


async def _answers(url: str, token: str, memory_id: int) -> list[str]:
    """Every MCP answer about `memory_id`, with the id written as N."""
    async with connect(url, token) as client:
        answers = []
        for tool, args in [
            ("recall", {"ids": [memory_id]}),
            ("forget", {"ids": [memory_id]}),
            ("remember", {"content": "Carol's code changed", "replaces": memory_id}),
        ]:
            result = await client.call_tool(tool, args)
            assert result.is_error
            answers.append(result.content[0].text)
        with pytest.raises(MCPError) as refused:
            await client.read_resource(f"memory://{memory_id}")
        answers.append(str(refused.value))
    return [a.replace(str(memory_id), "N") for a in answers]


def _env(settings: Settings) -> dict[str, str]:
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    return env


def _cli(settings: Settings, principal: str, *args: str) -> str:
    """A command's error, run in this process (the command list is long)."""
    result = CliRunner().invoke(
        app, ["--db", str(settings.db), "--as", principal, *args], env=_env(settings)
    )
    assert result.exit_code == 1, (args, result.output, result.exception)
    return result.stderr


def _cli_process(settings: Settings, principal: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "--db", str(settings.db), "--as", principal, *args],
        capture_output=True, text=True, env=os.environ | _env(settings), timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, (args, done.stdout, done.stderr)
    return done.stderr


COMMANDS = [
    ("show", "{id}"), ("edit", "{id}", "--content", "changed"), ("history", "{id}"),
    ("forget", "{id}"), ("restore", "{id}"), ("move", "{id}", "--to", "team"),
    ("purge", "{id}", "--yes"), ("scrub", "{id}", "--text", "5521"), ("recall", "--id", "{id}"),
]  # fmt: skip


def test_a_folded_id_says_where_it_went_only_to_who_could_read_it(settings: Settings) -> None:
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        gone, kept = folded(service)
        _, bob = service.team.add("bob", ["team=read"])
        _, carol = service.team.add("carol", ["vault=write", "team=write"])
        with serving(service) as url:
            never = anyio.run(_answers, url, bob, NEVER)
            assert anyio.run(_answers, url, bob, gone) == never
            assert all("merged" not in answer for answer in never)
            told = anyio.run(_answers, url, carol, gone)  # carol read it in `vault`
            assert all(f"merged into #{kept}" in answer for answer in told[:3]), told
    finally:
        service.close()
    for command in COMMANDS:
        args = [a.replace("{id}", str(gone)) for a in command]
        unknown = [a.replace("{id}", str(NEVER)) for a in command]
        answer = _cli(settings, "bob", *args).replace(str(gone), "N")
        assert answer == _cli(settings, "bob", *unknown).replace(str(NEVER), "N"), command
    assert f"merged into #{kept}" in _cli(settings, "carol", "show", str(gone))
    shown = _cli_process(settings, "bob", "show", str(gone)).replace(str(gone), "N")
    assert shown == _cli_process(settings, "bob", "show", str(NEVER)).replace(str(NEVER), "N")
