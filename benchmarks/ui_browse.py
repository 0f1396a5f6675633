"""Web UI benchmark: how long its pages take over a database of N memories (default 100k).

    uv run python benchmarks/ui_browse.py            # N = 100,000 (a few minutes to build)
    uv run python benchmarks/ui_browse.py -n 20000

Memories are stored with `remember_many` (keyword only: the model is not what is measured),
their recorded times spread over a year. Pages are fetched through the real app in-process
(Starlette's test client: HTTP parsing, routing, rendering, no socket), each several times;
the figure is the median. Browsing deep by keyset is compared with the same depth by OFFSET
through the service. Figures go to stdout, progress to stderr.
"""

import argparse
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard, host_values
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

KINDS = ("fact", "preference", "decision", "event", "note")
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india",
         "juliet", "kilo", "lima", "mike"]  # fmt: skip


def median_ms(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build(service: MemoryService, n: int) -> None:
    day = 86400
    items = [
        {"content": f"memory {i}: {WORDS[i % 13]} {WORDS[(i * 7) % 13]} item {i * 31 % 997}",
         "kind": KINDS[i % 5], "scope": f"p-{i % 7}",
         "occurred_at": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                      time.gmtime(time.time() - (n - i) * 365 * day / n))}
        for i in range(n)
    ]  # fmt: skip
    for start in range(0, n, 10_000):
        service.remember_many(items[start : start + 10_000], dedup=False)
        sys.stderr.write(f"stored {min(start + 10_000, n)}/{n}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=100_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="memory-mcp-uibench-"))
    service = MemoryService.open(Settings(db=folder / "m.db", semantic=False))
    build(service, args.n)
    guard = UiGuard(host_values(["127.0.0.1"], 8766))
    web = TestClient(ui_app(service, guard), base_url="http://127.0.0.1:8766")
    first = web.get("/").text
    nxt = re.search(r'href="([^"]*after=[^"]*)" rel="next"', first)
    assert nxt is not None
    # the cursor of a page near the end: the last of the oldest memories but one page
    depth = args.n - 51
    oldest = service.list_memories(None, 51, offset=depth)
    cursor = f"{oldest[0].created_at.isoformat()}~{oldest[0].id}".replace("+", "%2B")
    deep, next_page = f"/?after={cursor}", nxt.group(1).replace("&amp;", "&")
    at, memory_id = (oldest[0].created_at, oldest[0].id), oldest[0].id
    rows = [
        ("find: first page (50) + count", median_ms(lambda: web.get("/"))),
        ("find: next page by keyset", median_ms(lambda: web.get(next_page))),
        (f"find: page at depth {depth} by keyset", median_ms(lambda: web.get(deep))),
        (f"service: 51 at depth {depth} by keyset",
         median_ms(lambda: service.list_memories(None, 51, after=at))),
        (f"service: 51 at depth {depth} by OFFSET",
         median_ms(lambda: service.list_memories(None, 51, offset=depth))),
        ("find: filtered (kind + scope)", median_ms(lambda: web.get("/?kind=decision&scope=p-3"))),
        ("find: recall 'bravo item' (keyword mode)", median_ms(lambda: web.get("/?q=bravo+item"))),
        ("memory page", median_ms(lambda: web.get(f"/m/{memory_id}"))),
        ("overview (stats, profile, themes, 12x5 counts)", median_ms(lambda: web.get("/overview"))),
    ]  # fmt: skip
    sys.stdout.write(f"web UI over {args.n:,} memories (median ms)\n")
    for label, value in rows:
        sys.stdout.write(f"  {label:<52} {value:8.1f}\n")
    service.close()


if __name__ == "__main__":
    main()
