"""A coding agent's memory loop over MCP: recall at the start of a task, remember what it decided.

The model call is left out: where a real agent would send the task plus the recalled context
to its LLM and get decisions back, this one takes the decisions from the command line. Each
run is a fresh session (a new server process); the database is what carries over.

Run:
  uv run python examples/agent.py --project ~/code/widgets --db /tmp/agent.db \
      "Add CSV export to the reports API" \
      --decision "Reports export CSV with the stdlib csv module, not pandas" \
      --slot "project.test_command=Run the API tests with: uv run pytest tests/api -q" \
      --preference "The user wants one feature per pull request"
"""

import argparse
import asyncio
import json
import os
import sys
from typing import Any

from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import Implementation

ME = Implementation(name="example-agent", version="0.1")
SHOWN = ("id", "status", "scope", "kind", "key", "supersedes", "content")


def server(project: str, db: str) -> StdioServerParameters:
    """The same command a client config holds, with this Python's install of memory-mcp."""
    # The SDK passes only HOME, PATH and the like; our settings (e.g. MEMORY_MCP_MODEL_DIR for
    # an offline model copy) are passed on explicitly.
    env = {k: v for k, v in os.environ.items() if k.startswith("MEMORY_MCP_")}
    env["MEMORY_MCP_DB"] = db
    args = ["-m", "memory_mcp", "serve", "--project", project]
    return StdioServerParameters(command=sys.executable, args=args, env=env)


async def call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    """One tool call, printed as it goes over the wire and as it comes back (trimmed)."""
    print(f"→ {tool} {json.dumps(args, ensure_ascii=False)}")
    result = await client.call_tool(tool, args)
    if result.is_error:
        raise SystemExit(f"← error: {result.content[0].text if result.content else '?'}")
    return result.structured_content or {}


async def start_task(client: Client, task: str) -> list[dict[str, Any]]:
    """Recall first: what this project (and `global`) already knows about the task."""
    args = {"query": task, "max_tokens": 600}
    found = await call(client, "recall", args)
    # A server this agent has just spawned may still be loading its embedding model and answer
    # keyword-only; give it a few seconds. (Clients start servers long before the first task.)
    for _ in range(30):
        if found["mode"] == "hybrid" or "loading" not in (found.get("note") or ""):
            break
        await asyncio.sleep(0.5)
        found = (await client.call_tool("recall", args)).structured_content or found
    print(f"← mode={found['mode']}, {len(found['hits'])} hits")
    for hit in found["hits"]:
        print(f"   #{hit['id']} [{hit['scope']} · {hit['kind']}] {hit['content']}")
    if found.get("note"):
        print(f"   note: {found['note']}")
    return list(found["hits"])


async def keep(client: Client, args: dict[str, Any]) -> None:
    stored = await call(client, "remember", args)
    fields = {k: stored[k] for k in SHOWN if stored.get(k) not in (None, [])}
    print(f"← {json.dumps(fields, ensure_ascii=False)}")


async def main(ns: argparse.Namespace) -> None:
    # The server logs to stderr; keep its log in a file so the transcript shows only the calls.
    with open(f"{ns.db}.server.log", "a", encoding="utf-8") as log:
        transport = stdio_client(server(ns.project, ns.db), errlog=log)
        async with Client(transport, read_timeout_seconds=120, client_info=ME) as client:
            await session(client, ns)


async def session(client: Client, ns: argparse.Namespace) -> None:
    print(f"# {ns.task} (project {ns.project})")
    print(f"# server says: {(client.instructions or '').splitlines()[0]}")
    await start_task(client, ns.task)
    # ... here the LLM works on the task with that context, and reports its decisions ...
    for text in ns.decision:
        await keep(client, {"content": text, "kind": "decision"})
    for text in ns.fact:
        await keep(client, {"content": text, "kind": "fact"})
    for slot in ns.slot:
        key, _, text = slot.partition("=")
        await keep(client, {"content": text, "kind": "fact", "key": key})
    for text in ns.preference:  # true in every project: stored in `global`
        await keep(client, {"content": text, "kind": "preference", "scope": "global"})


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("task", help="What this session is about (the recall query).")
    p.add_argument("--project", required=True, help="The project folder (serve --project).")
    p.add_argument("--db", default="agent-memory.db", help="The memory database file.")
    p.add_argument("--decision", action="append", default=[], help="A decision to remember.")
    p.add_argument("--fact", action="append", default=[], help="A project fact to remember.")
    p.add_argument(
        "--slot", action="append", default=[], help="KEY=TEXT: a fact whose new value replaces"
    )
    p.add_argument("--preference", action="append", default=[], help="A user preference.")
    return p.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
