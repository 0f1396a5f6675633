r"""How often remember and recall name an old value that a new statement does not change:
a developer's store of our own sentences (STORE), new statements that change none of them
(NOT_UPDATES: most with a change word, "We need a new logo", "The button on the left opens
the menu", "She moved to ...") and ones that do (UPDATES, with the value each changes).
Printed for each new statement: what remember lists among its nearest five (the rules of
policies/updates.py), whether recall marks an old value `newer`, and the old value recall
would show right after it (later_values), then the counts. Run:

    uv run python benchmarks/update_false_lists.py \
        --model-dir ../shared/models/all-MiniLM-L6-v2-onnx
"""

import argparse
import os
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

from memory_mcp.policies.dedup import DEFAULT_NEAR_DUPLICATE, is_near_duplicate
from memory_mcp.policies.updates import change_floor, later_values, may_list, newer_values
from memory_mcp.search.embed import FastEmbedEmbedder

MODEL = "sentence-transformers/all-MiniLM-L6-v2"
DEFAULT_MODEL_DIR = Path(__file__).resolve().parents[1] / "../shared/models/all-MiniLM-L6-v2-onnx"
NEAREST = 5  # what remember's search reads (rewordings.NEAR_DUPLICATE_CANDIDATES)
SHOWN = 3  # rewordings.SIMILAR_SHOWN
T0 = datetime(2026, 1, 1, tzinfo=UTC)

STORE = [
    "I live in Berlin",
    "I work at Google as a backend engineer",
    "My name is Dana",
    "I prefer dark mode in every editor",
    "My favourite editor is Neovim",
    "I use a Mac with an M2 chip",
    "I'm allergic to peanuts",
    "I'm vegetarian",
    "I speak German and English",
    "I'm learning Japanese",
    "I have two kids",
    "My wife is a doctor",
    "My sister lives in Munich",
    "My daughter goes to primary school",
    "I usually work from 9 to 5",
    "I take the train to work",
    "The project uses PostgreSQL 15",
    "The frontend is built with React and TypeScript",
    "We use pnpm for packages",
    "Tests run with pytest",
    "CI runs on GitHub Actions",
    "The API is deployed on AWS ECS",
    "The staging database is on port 5433",
    "The production database is on port 5432",
    "The default branch is main",
    "We deploy on Tuesdays and Thursdays",
    "The team standup is at 9:30",
    "Code review needs two approvals",
    "We use Sentry for error tracking",
    "The app targets Python 3.11",
    "We use Black for formatting",
    "Logs go to Datadog",
    "The design system lives in the ui-kit repo",
    "The login button is on the right of the header",
    "Our logo is a blue circle",
    "The company is called Acme Robotics",
    "The office is in Kreuzberg",
    "My manager is Priya",
    "Sam is the tech lead",
    "Sam works on the payments service",
    "The payments service is written in Go",
    "The mobile app is built with Flutter",
    "We use Jira for tickets",
    "Docs are in Confluence",
    "I prefer short answers without preamble",
    "Always write commit messages in the imperative mood",
    "I like tabs over spaces",
    "My phone number is 555-0101",
    "My email is dana@example.com",
    "I drink my coffee black",
    "I run three times a week",
    "I play the guitar",
    "My favourite book is Dune",
    "I'm reading The Pragmatic Programmer",
    "The VPN config is in the ops wiki",
    "Feature flags are managed with LaunchDarkly",
    "The cache is Redis 7",
    "Deploys need a green build on main",
    "The release train leaves every second Wednesday",
    "Mum lives in Hamburg",
]
# (new statement, the old value it updates)
UPDATES = [
    ("Sam's new job is at Stripe", "Sam works on the payments service"),
    ("My sister moved to Lisbon", "My sister lives in Munich"),
    ("Mum moved to Leeds", "Mum lives in Hamburg"),
    ("I moved to Lisbon last month", "I live in Berlin"),
    ("I just started a new job at Stripe", "I work at Google as a backend engineer"),
    ("I switched to light mode", "I prefer dark mode in every editor"),
    ("I've started using VS Code for everything", "My favourite editor is Neovim"),
    ("We switched the database to MySQL 8", "The project uses PostgreSQL 15"),
    ("We migrated the frontend to Svelte", "The frontend is built with React and TypeScript"),
    ("We use npm now", "We use pnpm for packages"),
    ("CI moved to GitLab CI", "CI runs on GitHub Actions"),
    ("Staging DB moved to port 6543", "The staging database is on port 5433"),
    ("Standup is now at 10:00", "The team standup is at 9:30"),
    ("We upgraded to Python 3.12", "The app targets Python 3.11"),
    ("We replaced Black with Ruff format", "We use Black for formatting"),
    ("My new number is 555-0199", "My phone number is 555-0101"),
    ("I've gone fully vegan", "I'm vegetarian"),
    ("I no longer take the train, I cycle to work", "I take the train to work"),
    ("I stopped learning Japanese", "I'm learning Japanese"),
    ("The login button is on the left now", "The login button is on the right of the header"),
    ("Our new logo is a green triangle", "Our logo is a blue circle"),
    ("We moved error tracking to Rollbar", "We use Sentry for error tracking"),
    (
        "I finished The Pragmatic Programmer and started Clean Code",
        "I'm reading The Pragmatic Programmer",
    ),
    ("Priya left; my manager is now Tom", "My manager is Priya"),
    ("Sam moved to the search team", "Sam works on the payments service"),
    ("Wir deployen jetzt nur noch montags", "We deploy on Tuesdays and Thursdays"),
    ("Je bois mon café avec du lait maintenant", "I drink my coffee black"),
]
# New statements that change none of the stored values (some with change words).
NOT_UPDATES = [
    "We need a new logo for the conference",
    "I left my laptop charger at the office",
    "I started a new side project in Rust",
    "Priya moved to the London office",
    "Tom switched to Linux",
    "The new intern starts on Monday",
    "I went to the dentist today",
    "I finished the migration guide",
    "We now also use Redis for rate limiting",
    "Right now I'm debugging the login flow",
    "The button on the left opens the menu",
    "New York is five hours behind us",
    "I want to become a staff engineer",
    "The payments service now has 90% test coverage",
    "The staging database was slow today",
    "Please stop adding emojis to commit messages",
    "I changed the README wording",
    "We renamed the users table column email to email_address",
    "I gave up coffee for lent",
    "Don't quit the app with Ctrl+C, use the menu",
    "The office got a new coffee machine",
    "My daughter started piano lessons",
    "The kids are learning to swim",
    "We're hiring a new frontend developer",
    "Our team moved to the third floor",
    "I'm moving the docs from Confluence to Notion",
    "The release was moved to Friday",
    "Priya is now on parental leave",
    "My wife moved her practice to Spandau",
    "I upgraded my phone to an iPhone 15",
    "I now run on Saturdays too",
    "Ich habe jetzt Hunger",
    "Maintenant je dois partir",
    "The new Flutter version broke the build",
    "We changed the Jira workflow",
    "Datadog changed its pricing",
    "My friend moved to Berlin",
]
UPDATES += [  # written after the rules, before they were run on them
    ("I now live in Porto", "I live in Berlin"),
    ("We dropped Jira and use Linear instead", "We use Jira for tickets"),
    ("The cache moved to Valkey", "The cache is Redis 7"),
    ("I'd rather have long, detailed answers now", "I prefer short answers without preamble"),
    ("Code review needs only one approval now", "Code review needs two approvals"),
    ("Deploys no longer need a green build", "Deploys need a green build on main"),
]
NOT_UPDATES += [  # written after the rules, before they were run on them
    "We might move the standup to Mondays",
    "I'd love to switch to a standing desk",
    "If we migrate to Kubernetes, logs will go to Loki",
    "Should we replace Sentry?",
    "The new hire is shadowing Sam this week",
    "Click the icon in the top left corner",
    "Just now the build failed on main",
    "Tom joined the team as a designer",
    "Anna is the new product owner",
    "He moved the meeting to 3pm",
    "Let's try a new branching model next quarter",
    "I'm thinking about learning Rust",
    "We will upgrade Python after the release",
    "Our new office opens in March",
    "The old logo is still on the website",
    "New Relic sends the alerts to Slack",
]


@dataclass
class M:
    id: int
    content: str
    created_at: datetime
    kind: str = "fact"
    scope: str = "default"
    occurred_at: None = None
    superseded_by: None = None


def listed(new: str, vectors: dict[str, np.ndarray]) -> list[str]:
    """What remember's `similar` holds for `new` written into the store."""
    cosines = np.stack([vectors[t] for t in STORE]) @ vectors[new]
    floor = min(DEFAULT_NEAR_DUPLICATE, change_floor(new))
    out = []
    for i in np.argsort(-cosines)[:NEAREST].tolist():
        cosine = float(cosines[i])
        if cosine < floor:
            break
        if is_near_duplicate(STORE[i], new, cosine, DEFAULT_NEAR_DUPLICATE):
            return []  # merged: names nothing
        if may_list(STORE[i], new, cosine):
            out.append(STORE[i])
    return out[:SHOWN]


def marked_and_shown(new: str, vectors: dict[str, np.ndarray]) -> tuple[set[str], set[str]]:
    """The old values recall marks `newer` with `new`, and those it shows `new` after."""
    store = [M(i, t, T0 + timedelta(minutes=i)) for i, t in enumerate(STORE)]
    later = M(len(store), new, T0 + timedelta(days=9))
    every = {m.id: vectors[m.content] for m in [*store, later]}
    marks = newer_values([*store, later], every, first=len(store) + 1)
    shown = later_values(store, [later], every, {})
    return {STORE[k] for k, v in marks.items() if v == later.id}, {STORE[k] for k in shown}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model-dir", default=os.environ.get("MEMORY_MCP_MODEL_DIR"))
    model_dir = parser.parse_args().model_dir or str(DEFAULT_MODEL_DIR)
    texts = STORE + [new for new, _ in UPDATES] + NOT_UPDATES
    vectors = dict(
        zip(texts, FastEmbedEmbedder(MODEL, model_dir).embed_documents(texts), strict=True)
    )
    right = others = 0
    for new, old in UPDATES:
        found = listed(new, vectors)
        right += old in found
        others += len([t for t in found if t != old])
        print(f"update {'OK' if old in found else '--'} {new!r}: lists {found}")
    texts_listing = lists = marks = shows = 0
    for new in NOT_UPDATES:
        found = listed(new, vectors)
        marked, shown = marked_and_shown(new, vectors)
        texts_listing += bool(found)
        lists, marks, shows = lists + len(found), marks + len(marked), shows + len(shown)
        if found or marked or shown:
            print(f"not    {new!r}: lists {found}, marked {sorted(marked)}, after {sorted(shown)}")
    print(f"\n{len(UPDATES)} updates: the right old value listed for {right}, {others} others")
    print(
        f"{len(NOT_UPDATES)} statements that change nothing: {texts_listing} list an old value "
        f"({lists} in all), recall marks {marks}, shows {shows} old values followed by one"
    )


if __name__ == "__main__":
    main()
