"""Whether two versions of the code recall the same: every hit's id, score and `newer` mark.

    uv run python benchmarks/recall_same.py --db FILE --out FILE [--queries 300]
                                            [--compare FILE] [--model-dir DIR]

A speed change to recall must not change what it finds. Run this on the code before the
change and after it, on copies of the same database (built first if FILE does not exist:
speed.py's 10,000 synthetic memories, every text embedded), then compare the two outputs
with --compare. Each query is recalled three ways: over every scope, with a scope filter,
and with a project in context (its memories and global ones ranked together). The database
is copied first, so both runs start from the same file (recall itself writes nothing, but
the model's vectors are read into a copy as a server does).
"""

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import LIMIT, SEED, ensure_db, load_embedder, make_queries, open_service  # noqa: E402


def hits(result: Any) -> list[list[Any]]:
    return [[h.id, h.score, h.newer] for h in result.hits]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--compare", type=Path, help="an earlier --out to compare with")
    parser.add_argument("--model-dir", type=Path, default=None)
    args = parser.parse_args()
    embedder, _ = load_embedder(args.model_dir)
    ensure_db(args.db, embedder, args.model_dir)
    with tempfile.TemporaryDirectory(prefix="memory-mcp-same-") as tmp:
        db = Path(tmp) / "copy.db"
        shutil.copy(args.db, db)
        service = open_service(db, embedder, args.model_dir)
        service.semantic.load_cache()  # as a server does
        found = []
        for query, scope in make_queries(args.queries, SEED + 31):
            found.append(hits(service.recall(query, LIMIT)))
            found.append(hits(service.recall(query, LIMIT, scope=scope)))
            found.append(hits(service.recall(query, LIMIT, project=scope)))
        service.close()
    args.out.write_text(json.dumps(found, default=str))
    print(f"{len(found)} recalls written to {args.out}")
    if args.compare is not None:
        before = json.loads(args.compare.read_text())
        now = json.loads(json.dumps(found, default=str))
        differ = sum(a != b for a, b in zip(before, now, strict=True))
        print(f"{differ} of {len(now)} recalls differ from {args.compare}")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
