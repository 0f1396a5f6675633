"""Calibrate the near-duplicate rule on hand-written memory pairs with the real model.

MUST_MERGE pairs state one fact twice in different words; MUST_KEEP pairs look alike but differ
in a number, version, date, weekday, name, identifier, port, negation, antonym, role or subject.
Each pair is embedded with all-MiniLM-L6-v2 (unit vectors, so cosine = dot product) and
printed with its cosine, the facts() difference and the decision of memory_mcp.policies.dedup at the
chosen threshold. The summary counts, for several thresholds, the must-merge pairs that merge
and the must-keep pairs that are (wrongly) merged, with cosine alone and with
cosine + same_information. Run:

    uv run python benchmarks/dedup_pairs.py --model-dir ../shared/models/all-MiniLM-L6-v2-onnx
"""

import argparse
import os
from collections import Counter
from pathlib import Path

import numpy as np

from memory_mcp.policies.dedup import (
    DEFAULT_NEAR_DUPLICATE,
    facts,
    is_near_duplicate,
    same_information,
)
from memory_mcp.search.embed import FastEmbedEmbedder

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "../shared/models/all-MiniLM-L6-v2-onnx"
THRESHOLDS = (0.80, 0.85, 0.88, 0.90, 0.92, 0.95, 0.96, 0.97)

MUST_MERGE = [
    ("The user prefers dark mode", "User prefers dark mode."),
    ("We deploy on Fridays", "Deployments happen on Fridays"),
    ("The user prefers dark mode in every editor", "In every editor, the user prefers dark mode"),
    ("The project uses Python 3.12", "This project is built on Python 3.12"),
    ("Alice is the team lead", "The team lead is Alice"),
    ("The API listens on port 8080", "Port 8080 is where the API listens"),
    ("User likes concise answers", "The user prefers short, concise answers"),
    ("Tests run with pytest", "We run the tests with pytest"),
    ("The user's favourite editor is Neovim", "Neovim is the user's favorite editor"),
    ("The standup is at 9:30 every morning", "Every morning the standup is at 9:30"),
    ("Bob works on the billing service", "Bob is working on the billing service"),
    ("The database is PostgreSQL 16", "We use PostgreSQL 16 as the database"),
    ("The user is vegetarian", "User is a vegetarian."),
    ("Code reviews need two approvals", "Two approvals are required for code reviews"),
    ("The user does not drink coffee", "The user doesn't drink coffee"),
    ("Never force-push to main", "Do not ever force-push to main"),
    ("Carol lives in Berlin", "Carol is based in Berlin"),
    ("The CI pipeline runs on GitHub Actions", "GitHub Actions runs our CI pipeline"),
    (
        "The user wants replies in British English",
        "Replies to the user should be in British English",
    ),
    ("Our team meets every Tuesday afternoon", "The team has a meeting every Tuesday afternoon"),
    ("Logs are kept for 30 days", "We keep logs for 30 days"),
    ("The frontend is written in TypeScript", "TypeScript is used for the frontend"),
    ("Dave is allergic to peanuts", "Dave has a peanut allergy"),
    ("The user prefers tabs over spaces", "User prefers tabs rather than spaces."),
    ("Use ruff for linting", "Linting is done with ruff"),
    ("The staging server is in Frankfurt", "Staging runs on a server in Frankfurt"),
    ("Emma is the product manager", "The product manager is Emma"),
    ("The user's timezone is Europe/Paris", "User timezone: Europe/Paris"),
    ("Backups run nightly at 02:00", "Nightly backups run at 02:00"),
    ("The user has two cats", "The user owns 2 cats"),
    ("Frank prefers email over Slack", "Frank would rather use email than Slack"),
    ("The release branch is release/2.4", "Releases are cut from the release/2.4 branch"),
    ("The mobile app supports iOS and Android", "The mobile app supports Android and iOS"),
    ("Grace joined the company in March 2021", "Grace has worked at the company since March 2021"),
    ("The user is learning Japanese", "User is currently learning Japanese."),
    ("Our office is closed on public holidays", "The office closes on public holidays"),
    ("The max upload size is 25 MB", "Uploads are limited to 25 MB"),
    ("Henry's birthday is on 12 May", "Henry was born on 12 May"),
    ("The user dislikes emoji in responses", "The user does not like emoji in responses"),
    ("Ivan is on vacation until Monday", "Ivan is out on vacation until Monday"),
    ("Use 4 spaces for indentation", "Indentation uses 4 spaces."),
    ("The user wants answers in bullet points", "The user would like answers as bullet points"),
]

MUST_KEEP = [
    ("number", "Code reviews need two approvals", "Code reviews need three approvals"),
    ("number", "Logs are kept for 30 days", "Logs are kept for 90 days"),
    ("number", "The max upload size is 25 MB", "The max upload size is 50 MB"),
    ("number", "The user has two cats", "The user has three cats"),
    ("number", "Use 4 spaces for indentation", "Use 2 spaces for indentation"),
    ("number", "The cache TTL is 300 seconds", "The cache TTL is 600 seconds"),
    ("number", "The service runs 8 worker processes", "The service runs 16 worker processes"),
    (
        "number",
        "The rate limit is 100 requests per minute",
        "The rate limit is 1000 requests per minute",
    ),
    ("number", "The user runs 5 km every morning", "The user runs 10 km every morning"),
    ("version", "The project uses Python 3.12", "The project uses Python 3.11"),
    ("version", "The database is PostgreSQL 16", "The database is PostgreSQL 15"),
    (
        "version",
        "Node 20 is required for the frontend build",
        "Node 18 is required for the frontend build",
    ),
    ("version", "We pin Django to 4.2", "We pin Django to 5.0"),
    ("version", "The CLI requires typer 0.16 or newer", "The CLI requires typer 0.12 or newer"),
    ("time", "The standup is at 9:30 every morning", "The standup is at 10:30 every morning"),
    ("time", "Backups run nightly at 02:00", "Backups run nightly at 03:00"),
    ("time", "The retro is every Tuesday afternoon", "The retro is every Tuesday morning"),
    ("date", "Grace joined the company in March 2021", "Grace joined the company in March 2022"),
    ("date", "Henry's birthday is on 12 May", "Henry's birthday is on 21 May"),
    ("date", "The contract renews on 2025-01-15", "The contract renews on 2025-07-15"),
    ("date", "The launch is planned for June", "The launch is planned for July"),
    ("date", "Invoices are due within 30 days", "Invoices are due within 30 weeks"),
    ("weekday", "We deploy on Fridays", "We deploy on Thursdays"),
    (
        "weekday",
        "Our team meets every Tuesday afternoon",
        "Our team meets every Wednesday afternoon",
    ),
    ("weekday", "Ivan is on vacation until Monday", "Ivan is on vacation until Friday"),
    ("name", "Alice likes tea", "Bob likes tea"),
    ("name", "Alice is the team lead", "Carol is the team lead"),
    ("name", "Bob works on the billing service", "Dave works on the billing service"),
    ("name", "Alice reviews all database migrations", "Bob reviews all database migrations"),
    ("name", "The user's manager is Priya", "The user's manager is Sanjay"),
    ("name", "Carol lives in Berlin", "Carol lives in Munich"),
    ("name", "The staging server is in Frankfurt", "The staging server is in Dublin"),
    ("name", "The user's favourite editor is Neovim", "The user's favourite editor is Helix"),
    ("name", "The CI pipeline runs on GitHub Actions", "The CI pipeline runs on GitLab CI"),
    ("name", "The user is learning Japanese", "The user is learning Korean"),
    ("name", "Postgres stores the user sessions", "Redis stores the user sessions"),
    (
        "identifier",
        "Deploys go through the Kestrel-00042 pipeline",
        "Deploys go through the Kestrel-00058 pipeline",
    ),
    (
        "identifier",
        "The default editor is stored in user.editor",
        "The default editor is stored in core.editor",
    ),
    ("identifier", "The bug is tracked in JIRA-1423", "The bug is tracked in JIRA-1432"),
    (
        "identifier",
        "Feature flags live in config/flags.yaml",
        "Feature flags live in config/flags.json",
    ),
    (
        "identifier",
        "Set MAX_WORKERS to control concurrency",
        "Set MAX_THREADS to control concurrency",
    ),
    (
        "identifier",
        "The payments service is called billing-api",
        "The payments service is called billing-worker",
    ),
    (
        "identifier",
        "The regression was fixed in commit 3f2a9c1",
        "The regression was fixed in commit 3f2a9d1",
    ),
    ("identifier", "The release branch is release/2.4", "The release branch is release/2.5"),
    ("identifier", "The user's timezone is Europe/Paris", "The user's timezone is Europe/Berlin"),
    ("identifier", "The prod database host is db-prod-01", "The prod database host is db-prod-02"),
    ("port", "The API listens on port 8080", "The API listens on port 8081"),
    ("port", "Postgres listens on port 5432", "Postgres listens on port 5433"),
    ("port", "Redis runs on localhost:6379", "Redis runs on localhost:6380"),
    ("negation", "The user drinks coffee", "The user does not drink coffee"),
    ("negation", "Force-pushing to main is allowed", "Force-pushing to main is not allowed"),
    ("negation", "Dave is allergic to peanuts", "Dave is not allergic to peanuts"),
    ("negation", "The user wants emoji in responses", "The user wants no emoji in responses"),
    ("negation", "Tests can run in parallel", "Tests cannot run in parallel"),
    (
        "negation",
        "The internal API requires authentication",
        "The internal API works without authentication",
    ),
    (
        "negation",
        "Migrations run automatically on deploy",
        "Migrations never run automatically on deploy",
    ),
    (
        "negation",
        "The user likes meetings before lunch",
        "The user doesn't like meetings before lunch",
    ),
    ("antonym", "The user prefers tabs", "The user prefers spaces"),
    ("antonym", "The user prefers dark mode", "The user prefers light mode"),
    ("antonym", "Caching is enabled in production", "Caching is disabled in production"),
    ("antonym", "The user likes spicy food", "The user dislikes spicy food"),
    ("antonym", "Run migrations before deploying", "Run migrations after deploying"),
    ("antonym", "The build is faster with the cache", "The build is slower with the cache"),
    ("role", "The user prefers tabs over spaces", "The user prefers spaces over tabs"),
    ("role", "Frank prefers email over Slack", "Frank prefers Slack over email"),
    ("subject", "The frontend is written in TypeScript", "The backend is written in TypeScript"),
    ("subject", "The user's sister lives in Lyon", "The user's brother lives in Lyon"),
    ("subject", "Carol's son plays the violin", "Carol's daughter plays the violin"),
    ("subject", "Emma is the product manager", "Emma is the engineering manager"),
    (
        "subject",
        "Staging uses a small database instance",
        "Production uses a small database instance",
    ),
    # Held out: written after the first run, before the switch-value and direction-word rules
    # were run on them. "Alice mentors Bob" (0.993, merged) then led to the subject check.
    ("role", "Carol reports to Dave", "Dave reports to Carol"),
    ("role", "Carol moved from Berlin to Munich", "Carol moved from Munich to Berlin"),
    ("role", "Alice mentors Bob", "Bob mentors Alice"),
    ("antonym", "The metrics API is public", "The metrics API is private"),
    ("antonym", "Use synchronous database calls", "Use asynchronous database calls"),
    ("antonym", "The user wants longer answers", "The user wants shorter answers"),
    (
        "antonym",
        "The weekly planning meeting is in person",
        "The weekly planning meeting is remote",
    ),
    (
        "antonym",
        "Merge requests are squashed before merging",
        "Merge requests are rebased before merging",
    ),
    ("antonym", "We need to upgrade numpy", "We need to downgrade numpy"),
    (
        "antonym",
        "Verbose logging is turned on in staging",
        "Verbose logging is turned off in staging",
    ),
    # Held out from the subject check: written before it first ran.
    ("role", "Kestrel depends on Falcon", "Falcon depends on Kestrel"),
    ("role", "Alice replaced Bob as team lead", "Bob replaced Alice as team lead"),
    ("role", "The user's cat is older than the dog", "The user's dog is older than the cat"),
]


def cosines(embedder: FastEmbedEmbedder, pairs: list[tuple[str, str]]) -> list[float]:
    left = embedder.embed_documents([a for a, _ in pairs])
    right = embedder.embed_documents([b for _, b in pairs])
    return [float(x) for x in np.einsum("ij,ij->i", left, right)]


def facts_diff(a: str, b: str) -> str:
    fa, fb = facts(a), facts(b)
    only_a, only_b = sorted((fa - fb).elements()), sorted((fb - fa).elements())
    if not only_a and not only_b:
        return "same facts"
    return f"-{only_a} +{only_b}"


def report(title: str, labelled: list[tuple[str, str, str]], sims: list[float], t: float) -> None:
    print(f"\n== {title} (decision at threshold {t:.2f}) ==")
    print(f"{'cos':>6}  {'decision':<8} {'kind':<10} pair / facts diff")
    for (kind, a, b), cos in sorted(zip(labelled, sims, strict=True), key=lambda x: -x[1]):
        decision = "MERGE" if is_near_duplicate(a, b, cos, t) else "keep"
        print(f"{cos:6.3f}  {decision:<8} {kind:<10} {a!r} / {b!r}")
        print(f"{'':26} {facts_diff(a, b)}")


def summary(
    merge_sims: list[float], keep: list[tuple[str, str, str]], keep_sims: list[float]
) -> None:
    keep_same = [same_information(a, b) for _, a, b in keep]
    n_merge, n_keep = len(MUST_MERGE), len(keep)
    merge_same = [same_information(a, b) for a, b in MUST_MERGE]
    print("\n== Summary ==")
    print(f"must-merge pairs: {n_merge}; must-keep pairs: {n_keep}")
    print(
        f"same_information alone: {sum(merge_same)}/{n_merge} must-merge pass, "
        f"{sum(keep_same)}/{n_keep} must-keep pass (only cosine can stop these)"
    )
    print(f"{'threshold':>9} | {'cosine only':^27} | {'cosine + same_information':^27}")
    print(f"{'':>9} | {'merged':>12} {'wrong merges':>14} | {'merged':>12} {'wrong merges':>14}")
    for t in THRESHOLDS:
        cos_ok = sum(s >= t for s in merge_sims)
        cos_bad = sum(s >= t for s in keep_sims)
        rule_ok = sum(s >= t and ok for s, ok in zip(merge_sims, merge_same, strict=True))
        rule_bad = sum(s >= t and ok for s, ok in zip(keep_sims, keep_same, strict=True))
        print(
            f"{t:9.2f} | {cos_ok:>5}/{n_merge:<6} {cos_bad:>7}/{n_keep:<6} "
            f"| {rule_ok:>5}/{n_merge:<6} {rule_bad:>7}/{n_keep:<6}"
        )
    wrong = Counter(kind for (kind, _, _), ok in zip(keep, keep_same, strict=True) if ok)
    print(f"must-keep pairs same_information cannot separate, by kind: {dict(wrong)}")
    fooled = [(s, k) for (k, a, b), s, ok in zip(keep, keep_sims, keep_same, strict=True) if ok]
    if fooled:
        top, kind = max(fooled)
        print(f"highest cosine among them: {top:.3f} ({kind})")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model-dir", help="local ONNX model dir (MEMORY_MCP_MODEL_DIR)")
    parser.add_argument("--threshold", type=float, default=DEFAULT_NEAR_DUPLICATE)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    given = args.model_dir or os.environ.get("MEMORY_MCP_MODEL_DIR")
    model_dir = Path(given) if given else DEFAULT_MODEL_DIR.resolve()
    embedder = FastEmbedEmbedder(MODEL, model_dir)
    merge_sims = cosines(embedder, MUST_MERGE)
    keep_sims = cosines(embedder, [(a, b) for _, a, b in MUST_KEEP])
    merge_labelled = [("reword", a, b) for a, b in MUST_MERGE]
    report("MUST MERGE", merge_labelled, merge_sims, args.threshold)
    report("MUST KEEP BOTH", MUST_KEEP, keep_sims, args.threshold)
    summary(merge_sims, MUST_KEEP, keep_sims)


if __name__ == "__main__":
    main()
