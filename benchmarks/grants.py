"""What grants cost: keyword recall, list and stats as the owner and as a principal.

    uv run python benchmarks/grants.py [--memories 20000] [--scopes 200] [--calls 200]

A principal's calls first resolve the scopes it may read (one `select distinct scope`),
then run the same filtered queries as the owner's with those scopes; this prints the
median time per call of each, keyword-only (the model's time would hide the difference).
"""

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.policies import access
from memory_mcp.service import MemoryService

WORDS = ["ferry", "ledger", "orchid", "cobalt", "walnut", "harbor", "quartz", "meadow", "ember"]


def median_ms(call: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(calls):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memories", type=int, default=20_000)
    parser.add_argument("--scopes", type=int, default=200)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        owner = MemoryService.open(Settings(db=Path(tmp) / "g.db", semantic=False))
        items = [
            {
                "content": f"{WORDS[i % 9]} {WORDS[(i * 7) % 9]} item {i}",
                "scope": f"team/s{i % args.scopes}",
            }  # fmt: skip
            for i in range(args.memories)
        ]
        owner.remember_many(items, dedup=False)
        grants = access.parse_grants(["team/s1*=read", "team/s2=write"])
        alice = owner.as_principal(access.principal("alice", grants))
        print(f"{args.memories} memories in {args.scopes} scopes; median ms per call")
        for label, service in (("owner", owner), ("principal", alice)):
            recall = median_ms(lambda s=service: s.recall("ferry ledger", scope="*"), args.calls)
            listing = median_ms(lambda s=service: s.list_memories(limit=20), args.calls)
            stats = median_ms(service.stats, max(args.calls // 10, 5))
            view = median_ms(lambda: owner.as_principal(access.principal("a", grants)), 1000)
            print(f"{label:>9}: recall {recall:.2f}  list {listing:.2f}  stats {stats:.2f}"
                  + (f"  as_principal {view:.3f}" if label == "principal" else ""))  # fmt: skip
        owner.close()


if __name__ == "__main__":
    main()
