"""Which stored value a new one may update: remember's `similar` list and recall's `newer`
mark, measured on hand-written pairs with the real model.

UPDATES pairs are an older value and the statement that changes it ("I live in Berlin" /
"I moved to Lisbon last month"); NOT_UPDATES pairs are close in topic but both hold ("I live
in Berlin" / "My parents live in Lisbon", "... / We now also use Redis for caching"). Printed:
each pair's cosine, whether the new text says it changes something (C) and whether the two
are about one person or subject (1); then, pair by pair, how many of each kind remember
lists and recall marks under the product's rules (policies/updates.py) against cosine alone
(0.7 to list, 0.8 to mark: the rules before a change statement was read); then in one store
holding every older text at once, what each new text's remember lists among its nearest
five (the right one, and others) and which older texts recall would mark. Run:

    uv run python benchmarks/update_pairs.py --model-dir ../shared/models/all-MiniLM-L6-v2-onnx
"""

import argparse
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from memory_mcp.policies.dedup import DEFAULT_NEAR_DUPLICATE, is_near_duplicate, same_information
from memory_mcp.policies.update_words import says_change
from memory_mcp.policies.updates import (
    NEWER_COSINE,
    SIMILAR_COSINE,
    may_list,
    newer_values,
)
from memory_mcp.search.embed import FastEmbedEmbedder

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "../shared/models/all-MiniLM-L6-v2-onnx"
NEAREST = 5  # what remember's search reads (rewordings.NEAR_DUPLICATE_CANDIDATES)
T0 = datetime(2026, 1, 1, tzinfo=UTC)

UPDATES = [  # (older value, the statement that changes it)
    ("The project uses PostgreSQL 14", "We switched the database to MySQL 8"),
    ("The frontend is built with React", "We migrated the frontend to Svelte"),
    ("I live in Berlin", "I moved to Lisbon last month"),
    ("I work as a nurse", "I'm an engineer now"),
    ("I work at Google", "I just started a new job at Stripe"),
    ("We use npm for packages", "We use pnpm now"),
    ("Tests run with unittest", "We switched to pytest"),
    ("My favourite editor is Vim", "I've started using VS Code for everything"),
    ("The API is deployed on Heroku", "We moved hosting to Fly.io"),
    ("I'm vegetarian", "I've gone fully vegan"),
    ("The user's timezone is CET", "I'm on New York time now"),
    ("CI runs on Travis", "CI moved to GitHub Actions"),
    ("I'm learning Spanish", "I've switched to learning Portuguese"),
    ("The default branch is master", "We renamed the default branch to main"),
    ("I prefer dark mode", "I prefer light mode now"),
    ("My phone number is 555-0101", "My new number is 555-0199"),
    ("The team standup is at 9am", "Standup is now at 10:30"),
    ("We deploy on Fridays", "We no longer deploy on Fridays"),
    ("The app targets Python 3.10", "We upgraded to Python 3.12"),
    ("We use PostgreSQL 14 for the main database", "Switched from PostgreSQL 14 to MySQL 8"),
    ("The user lives in Berlin", "The user relocated to Lisbon"),
    ("My manager is Dana", "Dana left; my new manager is Priya"),
    ("Logs are shipped to Datadog", "We replaced Datadog with Grafana Loki for logs"),
    ("The service is written in Python", "We rewrote the service in Go"),
    ("I'm training for a half marathon", "I've decided to train for a full marathon instead"),
    ("I drink two coffees a day", "I quit coffee last week"),
    ("My daughter is in third grade", "My daughter started fourth grade"),
    ("The user is single", "I got engaged to Sam last weekend"),
    ("I use a Windows laptop", "I switched to a MacBook"),
    ("The build uses webpack", "The build now runs on Vite"),
    ("Auth tokens expire after 1 hour", "Auth tokens now expire after 15 minutes"),
    ("The cluster runs Kubernetes 1.27", "The cluster was upgraded to Kubernetes 1.30"),
    ("I'm studying for the SAT", "I finished the SAT; now I'm preparing for AP Chemistry"),
    ("My goal is to read 20 books this year", "I changed my goal to 30 books this year"),
    ("Code reviews need one approval", "Code reviews need two approvals from now on"),
    ("I go to the gym on Mondays", "I moved my gym days to Tuesdays and Thursdays"),
    ("The main office is in Austin", "The company moved its main office to Denver"),
    (
        "I rent an apartment downtown",
        "I bought a house in the suburbs and moved out of my apartment",
    ),
    ("Releases are cut every two weeks", "Releases are cut weekly now"),
    ("I'm a junior developer", "I got promoted to senior developer"),
]
NOT_UPDATES = [  # (stored, new): close in topic, both hold
    ("The project uses PostgreSQL 14", "Redis is used as the cache"),
    ("I live in Berlin", "I visited Lisbon last month"),
    ("I work as a nurse", "My sister is an engineer"),
    ("The frontend is built with React", "The backend is written in Go"),
    ("We use npm for packages", "We use ESLint for linting"),
    ("I live in Berlin", "My parents live in Lisbon"),
    ("Tests run with pytest", "Linting runs with ruff"),
    ("The staging database is on port 5433", "The production database is on port 5432"),
    ("I like jazz", "I like hiking"),
    ("The API is deployed on Heroku", "The docs are hosted on Netlify"),
    ("I work at Google", "My wife works at Stripe"),
    ("I'm learning Spanish", "I speak French fluently"),
    ("The project uses PostgreSQL 14", "The analytics warehouse is BigQuery"),
    ("I love the food in Lisbon", "I moved to Lisbon in 2019"),
    ("I live in Berlin", "My sister moved to Lisbon"),
    ("The project uses PostgreSQL 14", "We now also use Redis for caching"),
    ("I play the piano", "I started learning the guitar too"),
    ("The API is deployed on Heroku", "We moved the docs to Netlify"),
    ("I work at Google", "My brother just started a new job at Stripe"),
    ("The frontend is built with React", "We migrated the admin tool to Svelte"),
    ("The team standup is at 9am", "The retro moved to Friday afternoon"),
    ("I use a Windows laptop", "My son switched to a MacBook"),
    ("My daughter is in third grade", "My son started kindergarten"),
    ("CI runs on GitHub Actions", "We moved the nightly jobs to a cron server"),
    ("I'm vegetarian", "My partner went vegan last year"),
    ("The service is written in Python", "The CLI is written in Rust"),
    ("Logs are shipped to Datadog", "Metrics now go to Prometheus as well"),
    ("I drink two coffees a day", "I started drinking green tea in the afternoons too"),
    ("The main office is in Austin", "We opened a second office in Denver"),
    ("I'm training for a half marathon", "I ran a 10k last Sunday"),
    ("Auth tokens expire after 1 hour", "Refresh tokens expire after 30 days"),
    ("The cluster runs Kubernetes 1.30", "The staging cluster runs Kubernetes 1.29"),
    ("Releases are cut every two weeks", "Hotfixes ship as soon as they are approved"),
    ("My manager is Dana", "Dana's manager is Omar"),
    ("I go to the gym on Mondays", "I go swimming on Saturdays"),
    ("The user prefers tabs", "The user prefers dark mode"),
    ("The default branch is main", "Feature branches are named feat/<ticket>"),
    ("Code reviews need two approvals", "Docs changes need one approval"),
    ("I'm allergic to peanuts", "I'm allergic to cats"),
    ("My goal is to read 20 books this year", "I finished reading Dune yesterday"),
]


@dataclass
class Stored:
    id: int
    content: str
    created_at: datetime
    kind: str = "fact"
    scope: str = "global"
    occurred_at: datetime | None = None
    superseded_by: int | None = None


def marked(old: str, new: str, va: np.ndarray, vb: np.ndarray) -> bool:
    """recall's `newer` on the older of the two, the later one stated a day after."""
    pair = [Stored(1, old, T0), Stored(2, new, T0 + timedelta(days=1))]
    return newer_values(pair, {1: va, 2: vb}) == {1: 2}


def pairwise(vectors: dict[str, np.ndarray]) -> None:
    rows = []
    for label, pairs in (("update", UPDATES), ("not", NOT_UPDATES)):
        for old, new in pairs:
            va, vb = vectors[old], vectors[new]
            cosine = float(va @ vb)
            listed = may_list(old, new, cosine) and not is_near_duplicate(old, new, cosine)
            mark = marked(old, new, va, vb)
            rows.append((label, cosine, listed, mark))
            flags = ("C" if says_change(new) else "-") + ("L" if listed else "-")
            print(f"{label:6} {cosine:.2f} {flags}{'M' if mark else '-'}  {old!r} -> {new!r}")
    print()
    for label in ("update", "not"):
        mine = [r for r in rows if r[0] == label]
        alone_list = sum(r[1] >= SIMILAR_COSINE for r in mine)
        alone_mark = sum(r[1] >= NEWER_COSINE for r in mine)
        print(
            f"{label:6} pairs {len(mine)}: listed {sum(r[2] for r in mine)} "
            f"(cosine >= {SIMILAR_COSINE} alone: {alone_list}), marked {sum(r[3] for r in mine)} "
            f"(cosine >= {NEWER_COSINE} alone: {alone_mark})"
        )


def in_one_store(vectors: dict[str, np.ndarray], alone: bool) -> None:
    """Every older text stored at once; each new text then written after them. `alone`:
    by cosine alone (0.7 to list, 0.8 and a fact apart to mark) instead of the rules."""
    olds = list(dict.fromkeys(old for old, _ in UPDATES + NOT_UPDATES))
    mat = np.stack([vectors[o] for o in olds])
    right = noise = right_marks = wrong_marks = 0
    for label, pairs in (("update", UPDATES), ("not", NOT_UPDATES)):
        for old, new in pairs:
            cosines = mat @ vectors[new]
            nearest = [(olds[i], float(cosines[i])) for i in np.argsort(-cosines)[:NEAREST]]
            listed = {o for o, c in nearest if _lists(o, new, c, alone)}
            hit = label == "update" and old in listed
            right += hit
            noise += len(listed) - hit
            hits = _marks(olds, new, vectors, alone)
            right_marks += label == "update" and old in hits
            wrong_marks += len(hits - ({old} if label == "update" else set()))
    writes = len(UPDATES) + len(NOT_UPDATES)
    print(
        f"{'cosine alone' if alone else 'the rules':12}: remember lists the right one for "
        f"{right} of {len(UPDATES)} updates and {noise} others in all ({noise / writes:.2f} a "
        f"write); recall marks the right one for {right_marks} of {len(UPDATES)}, and "
        f"{wrong_marks} others in all"
    )


def _lists(old: str, new: str, cosine: float, alone: bool) -> bool:
    if is_near_duplicate(old, new, cosine):
        return False  # merged, not listed
    return cosine >= SIMILAR_COSINE if alone else may_list(old, new, cosine)


def _marks(olds: list[str], new: str, vectors: dict[str, np.ndarray], alone: bool) -> set[str]:
    """The older texts recall would mark with `new` (every one weighed, not the first 3)."""
    if alone:
        return {
            o
            for o in olds
            if float(vectors[o] @ vectors[new]) >= NEWER_COSINE and not same_information(o, new)
        }
    store = [Stored(i + 1, o, T0) for i, o in enumerate(olds)]
    store.append(Stored(len(olds) + 1, new, T0 + timedelta(days=1)))
    found = newer_values(store, {m.id: vectors[m.content] for m in store}, first=len(store))
    return {store[i - 1].content for i, later in found.items() if later == len(olds) + 1}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", help="local ONNX model dir (MEMORY_MCP_MODEL_DIR)")
    args = parser.parse_args()
    given = args.model_dir or os.environ.get("MEMORY_MCP_MODEL_DIR")
    model_dir = Path(given) if given else DEFAULT_MODEL_DIR.resolve()
    texts = list(dict.fromkeys(t for pair in UPDATES + NOT_UPDATES for t in pair))
    embedded = FastEmbedEmbedder(MODEL, model_dir).embed_documents(texts)
    vectors = dict(zip(texts, embedded, strict=True))
    assert DEFAULT_NEAR_DUPLICATE > SIMILAR_COSINE
    pairwise(vectors)
    olds = len(set(old for old, _ in UPDATES + NOT_UPDATES))
    print(f"\nOne store of {olds} older texts, each new text written into it:")
    in_one_store(vectors, alone=True)
    in_one_store(vectors, alone=False)


if __name__ == "__main__":
    main()
