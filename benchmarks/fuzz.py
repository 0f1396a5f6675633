"""Hostile arguments to every tool through the real MCP server; count what comes back.

    uv run python benchmarks/fuzz.py [--calls 10000] [--seed 1] [--stdio]

Each call picks a tool and arguments from `hostile_args` (arbitrary unicode, lone
surrogates, NUL bytes, huge strings, FTS5 operators and quotes, SQL fragments,
negative/huge numbers, malformed dates and ids, wrong types, missing and unknown fields)
and sends it through an in-memory `mcp.Client` (or, with --stdio, a `memory-mcp serve`
process). Outcomes: `ok`, `tool error` (a message naming the problem), `crash` (the SDK's
bare "Error executing tool X" with no message: an unexpected exception), `unsendable` (the
client itself cannot encode the arguments). Every 100 calls a known memory must still be
recallable, so the server provably keeps serving. tests/test_fuzz.py runs the same
generator under hypothesis.
"""

import argparse
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

TOOLS = ("remember", "recall", "forget", "summarize")
CRASH = re.compile(r"^Error executing tool \w+:?\s*$")
HOSTILE_TEXT = [
    "", " ", "\x00", "a\x00b", "\ud800", "x\udfffy", "\ufeff", "\u202e", "😀" * 50, "é" * 3,
    '"', "'", '""', "AND", "OR", "NOT", "NEAR(a b)", "a*", "^a", "col:umn", "{a b}", "(", ")",
    "-", "a-b-c", "'; drop table memories; --", "1 or 1=1", "%", "_", "\\", "/", "../../etc/passwd",
    "file:///etc/passwd", "*", "NaN", "null", "true", "-1", "0", "99999999999999999999",
    "9999-12-31T23:59:59Z", "0001-01-01", "0000-00-00", "2026-02-30", "13/13/2026", "yesterday",
    "1000000 years ago", "in 99999 weeks", "last Tuesday", "3 days before 0001-01-01", "now",
    "999999w", "0d", "-5d", "1.5h", "<private>secret</private>", "ghp_" + "a" * 36,
    "x" * 101, "y" * 5_000, "z " * 3_000, "\n\t\r", "\x1b[31mred", "[red]markup[/red]",
]  # fmt: skip
HOSTILE_NUMBERS = [0, -1, 1, 2, 49, 50, 51, 10**6, 2**63 - 1, 2**63, -(2**63), 10**30, 1.5, True]


def hostile_value(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value, biased toward the nasty ones."""
    roll = rng.random()
    if roll < 0.45:
        return hostile_text(rng)
    if roll < 0.65:
        return rng.choice(HOSTILE_NUMBERS)
    if roll < 0.72:
        return rng.choice([None, True, False])
    if roll < 0.86 and depth < 3:
        return [hostile_value(rng, depth + 1) for _ in range(rng.choice([0, 1, 2, 5, 40]))]
    if depth < 3:
        return {hostile_text(rng)[:20]: hostile_value(rng, depth + 1) for _ in range(3)}
    return None


BENIGN = [
    "The user prefers tabs", "deploys happen on Friday", "Kestrel-00042 pipeline", "python",
    "editor", "global", "user.editor", "what does the user prefer?", "2025-06-01", "7d",
]  # fmt: skip


def hostile_text(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.3:
        return f"{rng.choice(BENIGN)} {rng.randrange(10_000)}"
    roll = rng.random()
    if roll < 0.5:
        return rng.choice(HOSTILE_TEXT)
    if roll < 0.8:
        return "".join(chr(rng.randrange(0x110000)) for _ in range(rng.randrange(1, 40)))
    if roll < 0.95:
        return " ".join(rng.choice(HOSTILE_TEXT) for _ in range(rng.randrange(2, 6)))
    return "w" * rng.choice([20_001, 100_000, 1_000_000])


FIELDS: dict[str, dict[str, str]] = {
    "remember": {
        "content": "text", "kind": "kind", "tags": "texts", "scope": "text", "key": "text",
        "replaces": "id", "occurred_at": "date", "ttl": "text", "expires_at": "date",
        "reference_time": "date", "metadata": "object", "context": "text",
    },
    "recall": {
        "query": "text", "limit": "number", "max_tokens": "number", "scope": "text",
        "kind": "kind", "tags": "texts", "since": "date", "until": "date",
        "time_field": "text", "include_superseded": "bool", "as_of": "date", "ids": "ids",
        "reference_time": "date",
    },
    "forget": {"ids": "ids", "reason": "text"},
    "summarize": {
        "query": "text", "scope": "text", "kind": "kind", "since": "date", "until": "date",
        "limit": "number", "max_tokens": "number", "save": "bool",
    },
}  # fmt: skip


def well_typed(rng: random.Random, shape: str) -> Any:
    """A value of the field's own type, but a hostile one."""
    if shape == "text":
        return hostile_text(rng)
    if shape == "texts":
        return [hostile_text(rng) for _ in range(rng.choice([0, 1, 1, 3, 33, 200]))]
    if shape == "kind":
        return rng.choice(["fact", "note", "summary", "rumour", "", "FACT"])
    if shape == "date":
        return rng.choice(HOSTILE_TEXT[40:56] + ["2025-06-01", "2025-06-01T10:00:00+14:00"])
    if shape in ("id", "number"):
        return rng.choice([*HOSTILE_NUMBERS[:-2], 1, 2, 3, 5, 8, 10])
    if shape == "ids":
        count = rng.choice([0, 1, 1, 3, 101, 5000])
        return [rng.choice([*HOSTILE_NUMBERS[:-2], 1, 2, 3, 4, 5]) for _ in range(count)]
    if shape == "bool":
        return rng.random() < 0.5
    return {hostile_text(rng)[:30]: hostile_value(rng) for _ in range(rng.choice([0, 1, 5]))}


def hostile_args(rng: random.Random) -> tuple[str, dict[str, Any]]:
    """A tool name (sometimes unknown) and arguments: well-typed-but-nasty, wrong types,
    missing required fields, unknown fields."""
    tool = rng.choice(TOOLS) if rng.random() > 0.02 else rng.choice(["nope", "", "REMEMBER"])
    fields = FIELDS.get(tool, {})
    args: dict[str, Any] = {}
    for name, shape in fields.items():
        roll = rng.random()
        if roll < 0.3:
            args[name] = well_typed(rng, shape)
        elif roll < 0.35:
            args[name] = hostile_value(rng)  # likely the wrong type
    if rng.random() < 0.05:
        args[hostile_text(rng)[:20] or "extra"] = hostile_value(rng)
    if tool == "remember" and "content" not in args and rng.random() < 0.8:
        args["content"] = hostile_text(rng)
    if tool == "recall" and "query" not in args and "ids" not in args and rng.random() < 0.8:
        args["query"] = hostile_text(rng)
    return tool, args


async def classify(client: Client, tool: str, args: dict[str, Any]) -> tuple[str, str]:
    """(outcome, message) of one call."""
    try:
        result = await client.call_tool(tool, args)
    except UnicodeEncodeError:
        return "unsendable", "the client cannot encode a lone surrogate in a key"
    if not result.is_error:
        return "ok", ""
    text = " ".join(getattr(block, "text", "") for block in result.content)
    if CRASH.match(text) or not text.strip():
        return "crash", text
    return "tool error", text


def reason(message: str) -> str:
    """The gist of a tool error, for counting: which field or check refused the call."""
    text = re.sub(r"^Error executing tool \w+: ", "", message)
    if "validation error" in text:
        return "argument type/shape (SDK validation)"
    text = re.sub(r"'.*?'|\d+", "#", text)
    return text[:60]


async def still_serving(client: Client, n: int) -> bool:
    """A fresh write can be stored and read back (earlier calls may forget old ones)."""
    marker = f"Sentinel-{n} proves the server still serves"
    stored = await client.call_tool("remember", {"content": marker, "scope": "sentinel"})
    if stored.is_error or not stored.structured_content:
        return False
    found = await client.call_tool("recall", {"ids": [stored.structured_content["id"]]})
    hits = (found.structured_content or {}).get("hits", [])
    return not found.is_error and [h["content"] for h in hits] == [marker]


def encodable(value: Any) -> Any:
    """The same value with lone surrogates replaced: what a stdio client can put on the wire."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [encodable(v) for v in value]
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    return value


async def fuzz(
    client: Client, calls: int, seed: int, wire: bool = False
) -> tuple[Counter[str], dict[str, str]]:
    """`wire`: only arguments JSON text can carry (the stdio client cannot encode lone
    surrogates; a raw JSON line holding one is dropped by the SDK's parser, unanswered)."""
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for n in range(calls):
        tool, args = hostile_args(rng)
        if wire:
            tool, args = encodable(tool), encodable(args)
        outcome, message = await classify(client, tool, args)
        outcomes[f"{tool if tool in TOOLS else 'unknown tool'}: {outcome}"] += 1
        outcomes[outcome] += 1
        if outcome == "tool error":
            outcomes["reason: " + reason(message)] += 1
        if outcome == "crash" and len(examples) < 10:
            examples[f"{tool} {str(args)[:300]}"] = message
        if n % 100 == 99 and not await still_serving(client, n):
            outcomes["server stopped serving"] += 1
            break
    return outcomes, examples


async def fuzz_in_memory(workdir: Path, calls: int, seed: int) -> tuple[Counter[str], Any]:
    settings = Settings(db=workdir / "fuzz.db", semantic=False)
    service = MemoryService.open(settings)
    try:
        async with Client(build_server(service, load_model=False)) as client:
            return await fuzz(client, calls, seed)
    finally:
        service.close()


async def fuzz_stdio(workdir: Path, calls: int, seed: int) -> tuple[Counter[str], Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"MEMORY_MCP_DB": str(workdir / "fuzz-stdio.db"), "MEMORY_MCP_SEMANTIC": "false"}
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    with (workdir / "server.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), read_timeout_seconds=30) as client:
            return await fuzz(client, calls, seed, wire=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--stdio", action="store_true", help="through a serve process")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memory-mcp-fuzz-") as tmp:
        began = time.perf_counter()
        run = fuzz_stdio if args.stdio else fuzz_in_memory
        outcomes, examples = anyio.run(run, Path(tmp), args.calls, args.seed)
        seconds = time.perf_counter() - began
    where = "stdio serve process" if args.stdio else "in-memory mcp.Client"
    total = sum(outcomes.get(k, 0) for k in ("ok", "tool error", "unsendable", "crash"))
    print(f"fuzz: {total} calls through the {where}, seed {args.seed}, {seconds:.0f} s")
    for key in ("ok", "tool error", "unsendable", "crash", "server stopped serving"):
        print(f"  {key:<24}{outcomes.get(key, 0):>7}")
    print("  by tool:")
    for key, count in sorted(outcomes.items()):
        if ":" in key and not key.startswith("reason: "):
            print(f"    {key:<34}{count:>7}")
    print("  most common tool-error reasons:")
    reasons = Counter({k[8:]: v for k, v in outcomes.items() if k.startswith("reason: ")})
    for text, count in reasons.most_common(12):
        print(f"    {count:>6}  {text}")
    for call, message in examples.items():
        print(f"  CRASH {call}\n        -> {message!r}")
    failed = outcomes.get("crash", 0) or outcomes.get("server stopped serving", 0)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
