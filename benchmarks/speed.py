"""Speed benchmarks for memory-mcp: cold start, remember, bulk import, recall, size on disk.

Run from the repository root:

    uv run python benchmarks/speed.py [--sizes 1000,10000,100000] [--model-dir DIR] [--quick]

`--model-dir` (or MEMORY_MCP_MODEL_DIR) points at a local ONNX copy of the embedding model;
without it fastembed uses its cache or downloads the model. `--quick` measures 1k and 10k
memories only. Every figure is measured in this run next to a baseline measured in the same
run (the machine may be shared and noisy, so compare the ratios, not absolute times).
Memories are synthetic sentences built from word lists with a fixed seed; no external data.
Databases up to `--embed-max` memories are built through `remember_many` (every text
embedded); larger ones reuse the vectors of a `--pool`-text pool via `store.insert_many`.
The largest of the former is built span by span next to the embedder alone on the same texts:
that is the bulk-import figure (`--only-bulk`: that table alone; benchmarks/bulk_cpu.py gives
what storing a bulk item costs the CPU). `--only-http`: the HTTP concurrency rows alone
(req/s, p95 and the server's CPU per request at 1, 4 and 16 clients, 1 and one-per-core
workers, next to in-process recall); with `--http-old DIR` (a checkout of other code) its
servers run too, interleaved, and each row gives new/old. Figures go to stdout, progress to
stderr.
"""

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import anyio
import numpy as np
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.config import DEFAULT_MODEL, Settings
from memory_mcp.models import MemoryFilter
from memory_mcp.search.embed import FastEmbedEmbedder
from memory_mcp.service import MemoryService
from memory_mcp.service.recalling import CANDIDATES_PER_HIT
from memory_mcp.storage.contract import NewRow
from memory_mcp.storage.sqlite.fts import fts_query

SEED = 20240611
LIMIT = 8  # recall limit (the server default)
INSERT_BATCH = 5_000
BULK_CHUNK = 256  # remember_many's default batch size
BULK_SPAN = 2 * BULK_CHUNK  # what one timed step imports
SERVE_ARGS = ["-m", "memory_mcp", "serve"]
FALLBACK_ARGS = ["-c", "from memory_mcp.adapters.mcp_server.server import serve; serve()"]
TARGET_COLD_S = 0.5
TARGET_RECALL_MS = 10.0
TARGET_REMEMBER_MS = 10.0
TARGET_BULK_RATIO = 0.95  # of the embedder's own batch rate, on the same texts

# -- synthetic memories ------------------------------------------------------------------------

PEOPLE = "Alice Bob Carmen Dmitri Esther Farid Grace Hiro Ines Jonas Keiko Luis Maya Olu Priya"
PROJECTS = ["kestrel", "atlas", "billing-api", "orion", "webshop", "pipeline", "mobile", "infra"]
EDITORS = ["vim", "neovim", "VS Code", "Emacs", "PyCharm", "Helix", "Zed", "Sublime Text"]
LANGS = ["Python", "Rust", "Go", "TypeScript", "Kotlin", "Elixir", "Java", "C#"]
DATABASES = ["PostgreSQL", "SQLite", "MySQL", "Redis", "DuckDB", "ClickHouse", "MongoDB"]
LIBS = ["pydantic", "httpx", "numpy", "react", "tokio", "serde", "django", "fastapi", "pytest"]
ENVS = ["staging", "production", "dev", "CI", "eu-west", "us-east"]
COMPONENTS = [
    "auth service", "payment worker", "search indexer", "nightly export", "admin dashboard",
    "rate limiter", "email queue", "image resizer", "webhook relay", "feature-flag service",
    "invoice generator", "session cache", "audit log", "CSV importer", "GraphQL gateway",
]  # fmt: skip
TASKS = [
    "code review", "debugging", "writing docs", "quick scripts", "data analysis",
    "refactoring", "on-call triage", "pairing sessions", "release notes",
]  # fmt: skip
REASONS = [
    "it halves the cold-start time", "the team already knows it", "licensing is simpler",
    "it handles our write load", "the old one kept timing out", "it runs fully offline",
    "ops asked for fewer moving parts", "the vendor dropped support", "costs went down 30%",
]  # fmt: skip
STYLES = [
    "tabs instead of spaces", "commit messages in the imperative mood", "dark mode everywhere",
    "short answers without preamble", "type hints on every public function",
    "squash merges only", "British spelling in docs", "metric units in reports",
    "tests before the fix", "no meetings before 10am",
]  # fmt: skip
BUGS = ["memory leak", "race condition", "timezone bug", "deadlock", "off-by-one error",
        "encoding issue", "retry storm", "stale cache", "N+1 query"]  # fmt: skip


def _pick(rng: random.Random, words: Sequence[str] | str) -> str:
    return rng.choice(words.split() if isinstance(words, str) else words)


def _slots(rng: random.Random) -> dict[str, Any]:
    project = _pick(rng, PROJECTS)
    two = rng.sample(DATABASES, 2)
    return {
        "person": _pick(rng, PEOPLE), "person2": _pick(rng, PEOPLE), "project": project,
        "code": project[:3].upper(), "num": rng.randint(100, 9999), "editor": _pick(rng, EDITORS),
        "lang": _pick(rng, LANGS), "db": two[0], "db2": two[1], "lib": _pick(rng, LIBS),
        "env": _pick(rng, ENVS), "component": _pick(rng, COMPONENTS), "task": _pick(rng, TASKS),
        "reason": _pick(rng, REASONS), "style": _pick(rng, STYLES), "bug": _pick(rng, BUGS),
        "port": rng.randint(1024, 65535), "n": rng.randint(2, 95),
        "version": f"{rng.randint(0, 5)}.{rng.randint(0, 30)}.{rng.randint(0, 9)}",
        "date": f"202{rng.randint(2, 5)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "host": f"db-{rng.randint(1, 40):02d}.{_pick(rng, ENVS).lower()}.internal",
        "ident": f"{project.split('-')[0].capitalize()}-{rng.randint(0, 99999):05d}",
    }  # fmt: skip


TEMPLATES: list[tuple[str, str, str]] = [
    ("preference", "editor", "{person} prefers {editor} for {task}."),
    ("preference", "style", "{person} wants {style} in {project}."),
    ("preference", "language", "Use {lang} for new scripts in {project}; {person} asked for it."),
    ("decision", "database", "We moved the {component} from {db} to {db2} because {reason}."),
    ("decision", "deps", "Pin {lib} at {version} in {project} until the {date} release."),
    ("decision", "language", "The {component} will be rewritten in {lang} since {reason}."),
    ("fact", "ops", "The {component} listens on port {port} in {env}."),
    ("fact", "tickets", "Ticket {code}-{num} tracks the {bug} in the {component}."),
    ("fact", "owners", "{person}'s team owns the {component}; page {person2} on weekends."),
    ("fact", "ops", "The {env} database for {project} lives on {host}."),
    ("fact", "builds", "Build {ident} of {project} shipped with {lib} {version}."),
    ("event", "incident", "On {date} the {component} was down {n} minutes after a {lib} bump."),
    ("event", "migration", "{person} migrated {project} to {lang} {version} on {date}."),
    ("note", "security", "Rotate the {env} API key for the {component} before {date}."),
    ("note", "ci", "The flaky test for the {component} fails about {n}% of runs on CI."),
    ("note", "todo", "TODO: add retries around the {component} call to {host}."),
]

QUERIES = [
    "which editor does {person} prefer",
    "what port does the {component} use in {env}",
    "why did we switch away from {db}",
    "{code}-{num}",
    "who owns the {component}",
    "flaky tests on CI",
    "when was the {component} down",
    "which {lib} version is pinned",
    "coding style preferences for {project}",
    "{ident}",
    "database host for {project}",
    "what language should new scripts use",
]


def make_items(n: int, seed: int) -> list[dict[str, Any]]:
    """n memories as `remember` keyword arguments."""
    rng = random.Random(seed)
    items = []
    for _ in range(n):
        kind, topic, template = rng.choice(TEMPLATES)
        slots = _slots(rng)
        scope = "global" if kind == "preference" and rng.random() < 0.5 else slots["project"]
        items.append(
            {"content": template.format(**slots), "kind": kind, "tags": [topic], "scope": scope}
        )
    return items


def make_queries(n: int, seed: int) -> list[tuple[str, str]]:
    """n (query, scope to filter on) pairs."""
    rng = random.Random(seed)
    queries = []
    for _ in range(n):
        template, slots = rng.choice(QUERIES), _slots(rng)
        queries.append((template.format(**slots), slots["project"]))
    return queries


def pool_suffix(rng: random.Random) -> str:
    """A distinct identifier clause appended to pooled texts so every row's content differs."""
    slots = _slots(rng)
    return rng.choice(["See {code}-{num}.", "Noted {date} by {person}.", "Ref {ident}."]).format(
        **slots
    )


# -- timing and printing ---------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def table(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    for i, row in enumerate(cells):
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  " + "  ".join("-" * w for w in widths))
    sys.stdout.flush()


def progress(message: str) -> None:
    print(f"[speed] {message}", file=sys.stderr, flush=True)


# -- building databases ----------------------------------------------------------------------


def open_service(path: Path, embedder: FastEmbedEmbedder, model_dir: Path | None) -> MemoryService:
    service = MemoryService.open(Settings(db=path, model_dir=model_dir), embedder=embedder)
    if not service.semantic.ensure():
        sys.exit(f"semantic search unavailable: {service.semantic.note}")
    return service


def ensure_db(path: Path, embedder: FastEmbedEmbedder, model_dir: Path | None) -> None:
    """`path` holds the 10k templated memories (make_items, SEED), built once if missing:
    what recall_same.py and remember_cpu.py measure against, run after run."""
    if not path.exists():
        service = open_service(path, embedder, model_dir)
        service.remember_many(make_items(10_000, SEED))
        service.close()


def build_embedded(service: MemoryService, items: list[dict[str, Any]]) -> float:
    """Every text embedded by remember_many; returns seconds."""
    return timed(lambda: service.remember_many(items))


def build_pooled(service: MemoryService, items: list[dict[str, Any]], pool: np.ndarray) -> float:
    """Row i is pooled text i % P plus a distinct clause, stored with that text's vector."""
    rng = random.Random(SEED + 7)
    rows = []
    for i in range(len(items)):
        source = items[i % len(pool)]  # the pool embedded items[:P]
        rows.append(
            NewRow(
                content=f"{source['content']} {pool_suffix(rng)}",
                kind=source["kind"],
                tags=source["tags"],
                scope=source["scope"],
                metadata={},
                vector=pool[i % len(pool)],
            )
        )
    start = time.perf_counter()
    for at in range(0, len(rows), INSERT_BATCH):
        service.store.insert_many(rows[at : at + INSERT_BATCH])
    return time.perf_counter() - start


def bytes_per_memory(service: MemoryService, n: int) -> float:
    service.store.conn.execute("pragma wal_checkpoint(truncate)")
    return service.store.size_bytes() / n


# -- measurements ----------------------------------------------------------------------------


def measure_bulk(
    service: MemoryService, items: list[dict[str, Any]]
) -> tuple[float, list[list[Any]]]:
    """remember_many next to the embedder's own batch throughput on the same texts.

    Both run span by span (two of remember_many's batches, so its embedding of the next batch
    while it stores one is inside what is timed, as in any import longer than one batch),
    alternating which goes first, so load from other processes hits both alike.
    """
    embed = service.semantic.embedder.embed_documents
    embed([item["content"] for item in items[:BULK_CHUNK]])  # warm-up: first batches are slower
    spent = {"embed": 0.0, "import": 0.0}
    for round_no, at in enumerate(range(0, len(items), BULK_SPAN)):
        span = items[at : at + BULK_SPAN]
        steps = [
            ("embed", partial(embed, [item["content"] for item in span])),
            ("import", partial(service.remember_many, span)),
        ]
        for name, step in steps[:: 1 if round_no % 2 else -1]:
            spent[name] += timed(step)
    embed_rate, import_rate = len(items) / spent["embed"], len(items) / spent["import"]
    return spent["import"], [
        ["embedder.embed_documents (baseline)", f"{embed_rate:.0f}", "1.00", ""],
        [
            "service.remember_many",
            f"{import_rate:.0f}",
            f"{import_rate / embed_rate:.2f}",
            f">= {TARGET_BULK_RATIO} x embedder (issue 17): "
            + verdict(import_rate >= TARGET_BULK_RATIO * embed_rate),
        ],
    ]


def recall_steps(service: MemoryService, query: str, scope: str) -> dict[str, Callable[[], Any]]:
    """Recall and its parts for one query; FTS gets the candidate pool size recall uses."""
    k = LIMIT * CANDIDATES_PER_HIT
    store, semantic = service.store, service.semantic
    match = fts_query(query) or '""'
    everything, scoped = MemoryFilter(), MemoryFilter(scopes=[scope])
    qvec = semantic.embed_query(query)
    assert qvec is not None
    return {
        "FTS only (baseline)": lambda: store.search_fts(match, everything, k),
        "query embedding only": lambda: semantic.embed_query(query),
        "KNN only (search_vec)": lambda: store.search_vectors(qvec, everything, k),
        "recall": lambda: service.recall(query, LIMIT),
        "FTS only, scope filter": lambda: store.search_fts(match, scoped, k),
        "recall, scope filter": lambda: service.recall(query, LIMIT, scope=scope),
    }


def recall_samples(
    service: MemoryService, queries: list[tuple[str, str]]
) -> dict[str, list[float]]:
    """Every measure per query, interleaved so noise hits them alike."""
    samples: dict[str, list[float]] = {}
    for query, scope in queries:
        for name, step in recall_steps(service, query, scope).items():
            samples.setdefault(name, []).append(timed(step))
    return samples


def recall_rows(n: int, samples: dict[str, list[float]]) -> list[list[Any]]:
    rows = []
    for name, values in samples.items():
        base = samples["FTS only, scope filter" if "scope" in name else "FTS only (baseline)"]
        ratio = pct(values, 0.5) / pct(base, 0.5)
        target = ""
        if name == "recall" and n == 10_000:
            target = f"p50 <= {TARGET_RECALL_MS:.0f} ms: " + verdict(
                pct(values, 0.5) * 1000 <= TARGET_RECALL_MS
            )
        rows.append(
            [f"{n:,}", name, ms(pct(values, 0.5)), ms(pct(values, 0.95)), f"{ratio:.1f}", target]
        )
    return rows


def measure_recall(service: MemoryService, n: int, count: int) -> list[list[Any]]:
    queries = make_queries(count + 10, SEED + n)
    recall_samples(service, queries[:10])  # warm caches and the ONNX session
    return recall_rows(n, recall_samples(service, queries[10:]))


async def remember_samples(
    service: MemoryService, items: list[dict[str, Any]]
) -> dict[str, list[float]]:
    """Per round: one bare embedding (baseline), one service.remember, one MCP remember."""
    embedder = service.semantic.embedder
    assert embedder is not None
    samples: dict[str, list[float]] = {"embed": [], "service": [], "mcp": []}
    async with Client(build_server(service, load_model=False), raise_exceptions=True) as client:
        pairs = zip(items[0::2], items[1::2], strict=True)
        for round_no, (direct, via_mcp) in enumerate(pairs):
            steps = [
                ("embed", partial(embedder.embed_documents, [direct["content"]])),
                ("service", partial(service.remember, **direct)),
            ]
            for name, step in steps[:: 1 if round_no % 2 else -1]:  # alternate the order
                samples[name].append(timed(step))
            start = time.perf_counter()
            await client.call_tool("remember", via_mcp)
            samples["mcp"].append(time.perf_counter() - start)
    return samples


def measure_remember(service: MemoryService, count: int) -> list[list[Any]]:
    items = make_items(2 * count + 10, SEED + 99)
    for item in items[:10]:
        service.remember(**item)  # warm-up
    samples = anyio.run(remember_samples, service, items[10:])
    base = pct(samples["embed"], 0.5)
    ok = pct(samples["service"], 0.5) * 1000 <= TARGET_REMEMBER_MS
    names = {
        "embed": ("embed one text (baseline)", ""),
        "service": ("service.remember", f"p50 <= {TARGET_REMEMBER_MS:.0f} ms: {verdict(ok)}"),
        "mcp": ("MCP remember (in-memory client)", ""),
    }
    return [
        [label, ms(pct(v, 0.5)), ms(pct(v, 0.95)), f"{pct(v, 0.5) / base:.1f}", target]
        for (label, target), v in zip(names.values(), samples.values(), strict=True)
    ]


# -- cold start ------------------------------------------------------------------------------


async def first_tools_list(args: list[str], env: dict[str, str], errlog: Any) -> float:
    """Seconds from spawning the server to its first tools/list reply."""
    params = StdioServerParameters(command=sys.executable, args=args, env=env)
    start = time.perf_counter()
    with anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            tools = await client.list_tools()
            elapsed = time.perf_counter() - start
    assert len(tools.tools) >= 4, tools
    return elapsed


def spawn_once(args: list[str], env: dict[str, str], workdir: Path) -> float:
    log = workdir / "server-stderr.log"
    with open(log, "w") as errlog:
        try:
            return anyio.run(first_tools_list, args, env, errlog)
        except Exception as exc:
            said = [line.strip(" │╰─╯") for line in log.read_text().splitlines()]
            said = [line for line in said if any(ch.isalnum() for ch in line)]
            raise RuntimeError((said or [repr(exc)])[-1]) from exc


def choose_server_args(env: dict[str, str], workdir: Path) -> tuple[list[str], str]:
    """`-m memory_mcp serve` if it answers, else serve() directly (until the CLI exists)."""
    try:
        spawn_once(SERVE_ARGS, env, workdir)
        return SERVE_ARGS, "python -m memory_mcp serve"
    except RuntimeError as exc:
        progress(f"`python -m memory_mcp serve` failed ({exc}); falling back to serve()")
        return (
            FALLBACK_ARGS,
            "python -c 'from ...mcp_server.server import serve; serve()' (fallback)",
        )


def subprocess_seconds(code: str) -> float:
    return timed(lambda: subprocess.run([sys.executable, "-c", code], check=True))


def measure_cold_start(
    largest: tuple[int, Path] | None, model_dir: Path | None, spawns: int, workdir: Path
) -> tuple[str, list[list[Any]]]:
    env = {"MEMORY_MCP_MODEL_DIR": str(model_dir)} if model_dir else {}
    fresh = iter(range(1_000_000))

    def empty_env() -> dict[str, str]:
        return {**env, "MEMORY_MCP_DB": str(workdir / f"empty-{next(fresh)}.db")}

    args, label = choose_server_args(empty_env(), workdir)
    cases: dict[str, Callable[[], float]] = {
        "python -c pass (baseline)": partial(subprocess_seconds, "pass"),
        "import mcp.server, exit (SDK floor)": partial(subprocess_seconds, "import mcp.server"),
        "import memory_mcp.server, exit": partial(
            subprocess_seconds, "import memory_mcp.adapters.mcp_server.server"
        ),
        "server, new empty DB": lambda: spawn_once(args, empty_env(), workdir),
    }
    if largest is not None:
        big_env = {**env, "MEMORY_MCP_DB": str(largest[1])}
        cases[f"server, N={largest[0]:,} DB"] = lambda: spawn_once(args, big_env, workdir)
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(spawns):  # interleaved rounds
        for name, case in cases.items():
            samples[name].append(case())
    return label, cold_rows(samples)


def cold_rows(samples: dict[str, list[float]]) -> list[list[Any]]:
    base = statistics.median(samples["python -c pass (baseline)"])
    rows = []
    for name, values in samples.items():
        p50 = statistics.median(values)
        target = ""
        if name.startswith("server"):
            target = f"<= {TARGET_COLD_S} s: {verdict(p50 <= TARGET_COLD_S)}"
        rows.append([name, f"{p50:.3f}", f"{min(values):.3f}", f"{p50 / base:.1f}", target])
    return rows


# -- main ------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated N")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,10000")
    parser.add_argument(
        "--model-dir", type=Path, default=os.environ.get("MEMORY_MCP_MODEL_DIR") or None
    )
    parser.add_argument("--spawns", type=int, default=5, help="server spawns per cold-start case")
    parser.add_argument("--queries", type=int, default=100, help="timed recall queries per N")
    parser.add_argument("--calls", type=int, default=100, help="timed remember calls per path")
    parser.add_argument("--embed-max", type=int, default=10_000, help="largest N embedded fully")
    parser.add_argument("--pool", type=int, default=4_000, help="texts embedded for larger N")
    parser.add_argument(
        "--common-at", default="20000", help="N for common-word recall (e.g. 20000,100000)"
    )
    parser.add_argument("--http-seconds", type=float, default=15.0, help="per client count")
    parser.add_argument(
        "--http-rounds", type=int, default=1, help="HTTP loads repeated, medians shown"
    )
    parser.add_argument(
        "--http-old",
        type=Path,
        help="a checkout of other code (e.g. `git worktree add /tmp/old main`): its HTTP "
        "servers run beside ours, interleaved, and the HTTP rows give new/old",
    )
    parser.add_argument(
        "--only-http",
        action="store_true",
        help="only the HTTP concurrency rows, on a DB of the largest --sizes N",
    )
    parser.add_argument("--no-limits", action="store_true", help="skip the limits table")
    parser.add_argument(
        "--only-common",
        action="store_true",
        help="only the common-word rows, at each --common-at size (issue 17)",
    )
    parser.add_argument(
        "--workdir", type=Path, help="keep the databases here and reuse them (default: a temp dir)"
    )
    parser.add_argument(
        "--only-bulk",
        action="store_true",
        help="only the bulk-import table, at the largest N up to --embed-max",
    )
    args = parser.parse_args()
    args.common_at = [int(s) for s in args.common_at.split(",") if s]
    args.sizes = [1_000, 10_000] if args.quick else sorted(int(s) for s in args.sizes.split(","))
    return args


def load_embedder(model_dir: Path | None) -> tuple[FastEmbedEmbedder, float]:
    embedder = FastEmbedEmbedder(DEFAULT_MODEL, model_dir)
    return embedder, timed(embedder.load)


def print_header(args: argparse.Namespace, load_s: float) -> None:
    print("memory-mcp speed benchmark")
    print(
        f"  python {platform.python_version()}, {os.cpu_count()} CPUs, seed {SEED}, "
        f"model {DEFAULT_MODEL} ({args.model_dir or 'fastembed cache'}), loaded in {load_s:.1f} s"
    )
    print("  ratios compare figures measured in this same run (the machine may be noisy)")


def build_one(
    service: MemoryService, n: int, args: argparse.Namespace, state: dict[str, Any]
) -> list[Any]:
    """Fill one DB; `state` carries the bulk figures and the vector pool across sizes."""
    items = make_items(n, SEED)
    if n <= args.embed_max:
        largest = max(size for size in args.sizes if size <= args.embed_max)
        if n == largest:  # the largest fully embedded DB doubles as the bulk measurement
            seconds, rows = measure_bulk(service, items)
            state["bulk"] = (n, rows)
        else:
            seconds = build_embedded(service, items)
        how = "remember_many, every text embedded"
        return [f"{n:,}", how, f"{seconds:.1f}", f"{n / seconds:.0f}"]
    if "pool" not in state:
        texts = [item["content"] for item in items[: args.pool]]
        state["pool"] = service.semantic.embedder.embed_documents(texts)
    seconds = build_pooled(service, items, state["pool"])
    how = f"insert_many, vectors reused from a {len(state['pool']):,}-text pool"
    return [f"{n:,}", how, f"{seconds:.1f}", f"{n / seconds:.0f}"]


def run_sizes(
    args: argparse.Namespace, embedder: FastEmbedEmbedder, workdir: Path, state: dict[str, Any]
) -> Any:
    """Build, measure and size every DB; returns the largest (still open) and its path.
    `state` keeps the bulk figures, the vector pool and every DB's path ("paths")."""
    state["paths"] = {}
    builds, recalls = [], []
    service, path = None, None
    for n in args.sizes:
        if service is not None:
            service.close()
        path = workdir / f"memories-{n}.db"
        progress(f"building N={n:,}")
        service = open_service(path, embedder, args.model_dir)
        row = build_one(service, n, args, state)
        state["paths"][n] = path
        progress(f"measuring recall at N={n:,}")
        recalls += measure_recall(service, n, args.queries)
        builds.append([*row, f"{bytes_per_memory(service, n):,.0f}"])
    header = ["N", "built by", "build s", "memories/s", "bytes/memory"]
    table("Databases (bytes/memory after wal_checkpoint(truncate))", header, builds)
    if "bulk" in state:
        n, rows = state["bulk"]
        title = f"Bulk import, N={n:,}, same texts, {BULK_SPAN}-item spans (memories/s)"
        table(title, ["path", "memories/s", "x embedder", "target"], rows)
    title = f"Recall, warm, limit={LIMIT}, {args.queries} queries per N (ms, includes embedding)"
    table(title, ["N", "measure", "p50", "p95", "x FTS p50", "target"], recalls)
    return service, path


def only_bulk(args: argparse.Namespace, embedder: FastEmbedEmbedder, workdir: Path) -> None:
    """The bulk-import table alone (one fresh DB), for A/B rounds of the bulk path."""
    n = max(size for size in args.sizes if size <= args.embed_max)
    progress(f"measuring bulk import at N={n:,}")
    service = open_service(workdir / "bulk.db", embedder, args.model_dir)
    _, rows = measure_bulk(service, make_items(n, SEED))
    service.close()
    title = f"Bulk import, N={n:,}, same texts, {BULK_SPAN}-item spans (memories/s)"
    table(title, ["path", "memories/s", "x embedder", "target"], rows)


def main() -> None:
    args = parse_args()
    progress("loading the embedding model")
    embedder, load_s = load_embedder(args.model_dir)
    print_header(args, load_s)
    if args.only_bulk:
        with tempfile.TemporaryDirectory(prefix="memory-mcp-speed-") as tmp:
            only_bulk(args, embedder, Path(tmp))
        return
    with tempfile.TemporaryDirectory(prefix="memory-mcp-speed-") as tmp:
        workdir = args.workdir or Path(tmp)
        state: dict[str, Any] = {}
        if args.only_http:
            import floors

            floors.http_only(args, embedder, workdir)
            return
        if args.only_common:
            import floors

            floors.common_only(args, embedder, workdir, state)
            return
        service, path = run_sizes(args, embedder, workdir, state)
        progress("measuring remember")
        title = (
            f"Remember, model loaded, {args.calls} calls per path, "
            f"on the N={args.sizes[-1]:,} DB (ms)"
        )
        header = ["path", "p50", "p95", "x embed p50", "target"]
        table(title, header, measure_remember(service, args.calls))
        service.close()
        progress("measuring cold start")
        largest = (args.sizes[-1], path) if path is not None else None
        label, rows = measure_cold_start(largest, args.model_dir, args.spawns, workdir)
        title = f"Cold start to first tools/list reply, {args.spawns} spawns each (s); {label}"
        table(title, ["case", "p50", "min", "x python startup", "target"], rows)
        if not args.no_limits:
            import floors

            floors.run(args, embedder, workdir, state, rows)


if __name__ == "__main__":
    main()
