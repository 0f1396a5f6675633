"""The README's tools, resources and prompts tables say what a real server says: each tool's
arguments (which are optional, their limits and choices), each resource and template, each
prompt and its arguments, read from tools/list & co. through the MCP SDK client, over stdio
and streamable HTTP, on both protocol versions; and every tool, resource and prompt answers
as the README's examples call them."""

import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.ports import log_file, serving_port

pytestmark = pytest.mark.slow

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
MODES = {"legacy": "2025-11-25", "auto": "2026-07-28"}


def _section(title: str) -> str:
    return README.split(f"\n{title}\n", 1)[1].split("\n#", 1)[0]


def _without_parentheses(text: str) -> str:
    while (shorter := re.sub(r"\([^()]*\)", "", text)) != text:
        text = shorter
    return text


def _arguments(cell: str) -> dict[str, tuple[bool, str]]:
    """`name?` (what it says in parentheses) -> (optional, that text)."""
    found = {}
    for match in re.finditer(r"`(\w+)(\?)?`", _without_parentheses(cell)):
        said = re.search(rf"`{match[1]}\??` (\((?:[^()]|\([^()]*\))*\))", cell)
        found[match[1]] = (bool(match[2]), said[1] if said else "")
    return found


TOOLS = {
    row[1]: _arguments(row[2])
    for row in re.finditer(r"^\| `(\w+)` \| (.+?) \| .+ \|$", _section("## The tools"), re.M)
}
RESOURCES = set(re.findall(r"^\| `(memory://[^`]+)`", _section("### Resources and prompts"), re.M))
PROMPTS = {
    row[1]: _arguments((row[2] or "()")[1:-1])
    for row in re.finditer(
        r"^\| `(\w+)` (\(.*?\))? ?\|", _section("### Resources and prompts"), re.M
    )
}


@asynccontextmanager
async def _stdio(tmp_path: Path, mode: str) -> AsyncIterator[Client]:
    env = {"MEMORY_MCP_DB": str(tmp_path / "m.db"), "MEMORY_MCP_SEMANTIC": "false",
           "HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")}  # fmt: skip
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    with (tmp_path / "stdio.log").open("a", encoding="utf-8") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode=mode) as client:
            yield client


@asynccontextmanager
async def _http(tmp_path: Path, mode: str) -> AsyncIterator[Client]:
    env = dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "h.db"), MEMORY_MCP_SEMANTIC="false",
               MEMORY_MCP_TOKEN_FILE=str(tmp_path / "token"))  # fmt: skip
    env.pop("MEMORY_MCP_TOKEN", None)
    log = log_file(tmp_path)
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", "0"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{serving_port(log, proc)}/mcp"
        async with Client(streamable_http_client(url), mode=mode) as client:
            yield client
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _check_tool(name: str, schema: dict[str, Any]) -> None:
    documented = TOOLS[name]
    properties, required = schema["properties"], set(schema.get("required", []))
    assert set(documented) == set(properties), name
    for arg, (optional, said) in documented.items():
        spec = properties[arg]
        assert optional is (arg not in required), (name, arg)
        if "minimum" in spec and "maximum" in spec:
            assert f"{spec['minimum']}-{spec['maximum']}" in said, (name, arg, said)
        elif "minimum" in spec:
            assert f"at least {spec['minimum']}" in said, (name, arg, said)
        if "minItems" in spec:
            assert f"at least {spec['minItems']}" in said or "one" in said, (name, arg, said)
        if (default := re.search(r"default (\w+)", said)) and "default" in spec:
            assert default[1] == str(spec["default"]), (name, arg, said)
        if "enum" in spec and said and not said.startswith("(these"):
            assert all(value in said for value in spec["enum"]), (name, arg, said)


async def _surface(client: Client) -> None:
    tools = (await client.list_tools()).tools
    assert {t.name for t in tools} == set(TOOLS)
    for tool in tools:
        _check_tool(tool.name, tool.input_schema)
        assert tool.input_schema.get("additionalProperties") is False, tool.name
    resources = {str(r.uri) for r in (await client.list_resources()).resources}
    templates = {
        t.uri_template for t in (await client.list_resource_templates()).resource_templates
    }
    assert resources | templates == RESOURCES
    prompts = {p.name: p for p in (await client.list_prompts()).prompts}
    assert set(prompts) == set(PROMPTS)
    for name, prompt in prompts.items():
        arguments = {a.name: not a.required for a in prompt.arguments or []}
        assert arguments == {arg: optional for arg, (optional, _) in PROMPTS[name].items()}


async def _use_each(client: Client) -> None:
    """Each tool as the README's examples call it; each resource; each prompt."""
    stored = await client.call_tool(
        "remember", {"content": "We deploy with Kamal", "kind": "decision"}
    )
    assert not stored.is_error and stored.structured_content
    memory_id = stored.structured_content["id"]
    calls = [
        ("recall", {"query": "deploy", "max_tokens": 800}),
        ("recall", {"ids": [memory_id]}),
        ("summarize", {"save": True}),
        ("forget", {"ids": [memory_id], "reason": "outdated"}),
    ]
    for tool, args in calls:
        result = await client.call_tool(tool, args)
        assert not result.is_error and result.structured_content, (tool, result.content)
    refused = await client.call_tool("recall", {"query": "x", "limt": 3})
    assert refused.is_error and "unknown argument 'limt'" in refused.content[0].text  # type: ignore[union-attr]
    gone = await client.call_tool("forget", {"ids": [memory_id, 99999]})
    assert gone.is_error
    assert "No memory with id 99999; nothing was changed." in gone.content[0].text  # type: ignore[union-attr]
    for uri in sorted(RESOURCES):
        read = await client.read_resource(uri.replace("{memory_id}", str(memory_id)))
        assert read.contents, uri
    for name in PROMPTS:
        assert (await client.get_prompt(name, {})).messages, name


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("transport", [_stdio, _http], ids=["stdio", "http"])
def test_the_readme_tables_are_what_the_server_lists(
    tmp_path: Path, transport: Any, mode: str
) -> None:
    async def run() -> None:
        async with transport(tmp_path, mode) as client:
            assert client.protocol_version == MODES[mode]
            await _surface(client)
            await _use_each(client)

    anyio.run(run)


def test_the_tables_parse() -> None:
    assert TOOLS["recall"]["limit"] == (True, "(1-50, default 8)")
    assert TOOLS["remember"]["content"] == (False, "")
    assert PROMPTS == {
        "memory_context": {"topic": (True, "")},
        "review_session": {"focus": (True, "")},
    }
    assert "memory://recent" in RESOURCES
