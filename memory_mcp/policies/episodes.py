"""What a session explored and did, as short memories: one per request, one per session. No I/O.

The service hands over each request's tool calls as (tool name, input, succeeded) triples, in
Claude Code's tool vocabulary: Read / Edit / MultiEdit / Write / NotebookEdit name a file
(`file_path`, `notebook_path`), Grep a `pattern` (and `path`), Glob a `pattern`, Bash a
`command`. Paths are shown relative to the project root; paths an ignore rule matches are left
out. A request leaves a memory only when it changed a file, or read some and the assistant
concluded something; and one session keeps at most MAX_EXPLORED of them (plan()): alike
requests folded into one with their count, the most informative kept when there are more,
across captures too (each held in one of MAX_EXPLORED slots, which a stronger one takes).
"""

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from memory_mcp.policies import alike
from memory_mcp.policies.text import STOPWORDS, tokens

MAX_PROMPT_CHARS = 160
MAX_CONCLUSION_CHARS = 400
MAX_FILES = 8
MAX_COMMANDS = 5
MAX_COMMAND_CHARS = 80
# A session of thousands of requests ("check item N", each reading a file) stored thousands of
# alike events, and the briefings showed them five times over: what one session keeps.
MAX_EXPLORED = 40
_DIGITS = re.compile(r"\d+")
MIN_CONCLUSION_WORDS = 3  # "ok", "Done." conclude nothing worth a memory of what was read
# A request that only ran commands (tests, logs, a query) and found something: a debugging
# session's findings ("the worker restarts every 10 minutes: its memory limit…") came from
# commands and were lost. More words than for a read: "All 207 tests pass." is no finding.
MIN_COMMAND_CONCLUSION_WORDS = 6

READS = {"Read": "file_path", "NotebookRead": "notebook_path"}
WRITES = {"Edit": "file_path", "MultiEdit": "file_path", "Write": "file_path",
          "NotebookEdit": "notebook_path"}  # fmt: skip

Tool = tuple[str, Mapping[str, Any], bool | None]


@dataclass
class Activity:
    read: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    searched: list[str] = field(default_factory=list)
    commands: list[tuple[str, bool | None]] = field(default_factory=list)
    _seen: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def files(self) -> list[str]:
        return list(dict.fromkeys([*self.changed, *self.read]))

    def add(self, other: "Activity") -> None:
        """Another request's activity added (a session's total: each path and search once;
        sets beside the lists, as a 30,000-request session took seconds of list scans)."""
        for name in ("read", "changed", "searched"):
            mine: list[str] = getattr(self, name)
            seen = self._seen.get(name)
            if seen is None or len(seen) != len(mine):  # the list was set anew since
                seen = self._seen[name] = set(mine)
            for item in getattr(other, name):
                if item not in seen:
                    seen.add(item)
                    mine.append(item)
        self.commands.extend(other.commands)


def activity(
    tools: Iterable[Tool], roots: Sequence[str], ignored: Callable[[str], bool]
) -> Activity:
    """The files read and changed, searches and commands of some tool calls; paths under
    one of `roots` (the project folder) are made relative to it."""
    act = Activity()
    for name, given, ok in tools:
        if name in READS or name in WRITES:
            path = relative(str(given.get(READS.get(name) or WRITES[name], "")), roots)
            target = act.read if name in READS else act.changed
            if path and not ignored(path) and path not in target:
                target.append(path)
        elif name == "Grep" and isinstance(given.get("pattern"), str):
            if given["pattern"] not in act.searched:
                act.searched.append(given["pattern"])
        elif name == "Bash" and isinstance(given.get("command"), str):
            act.commands.append((" ".join(given["command"].split()), ok))
    act.read = [p for p in act.read if p not in act.changed]
    return act


def relative(path: str, roots: Sequence[str]) -> str:
    """A path inside the project as a relative one; others as given."""
    path = path.strip()
    for root in roots:
        prefix = root.rstrip("/") + "/"
        if root and path.startswith(prefix):
            return path[len(prefix) :]
    return path


def explored(prompt: str, act: Activity, conclusion: str) -> str | None:
    """'To answer "…" the assistant read a, b; changed c; searched "x"; ran `y`. Conclusion: …'
    or None when the request touched no file and ran no command, or only read or ran and
    concluded nothing (a command alone, more: "ran the tests, 207 passed" is no finding)."""
    words = _words(conclusion)
    if act.changed:
        pass
    elif act.files:
        if words < MIN_CONCLUSION_WORDS:
            return None
    elif not act.commands or words < MIN_COMMAND_CONCLUSION_WORDS:
        return None
    parts = []
    if act.read:
        parts.append("read " + _list(act.read))
    if act.changed:
        parts.append("changed " + _list(act.changed))
    if act.searched:
        parts.append("searched for " + ", ".join(f"'{_cut(s, 40)}'" for s in act.searched[:3]))
    if act.commands:
        parts.append("ran " + _commands(_last_numbered(act.commands)))
    text = f"Asked '{_cut(_oneline(prompt), MAX_PROMPT_CHARS)}': the assistant " + "; ".join(parts)
    if conclusion.strip():
        text += ". Found: " + _cut(_oneline(conclusion), MAX_CONCLUSION_CHARS)
    return text if text.endswith(".") else text + "."


def worth(act: Activity, conclusion: str) -> tuple[bool, int]:
    """How informative a request's exploration is: a change first, then what it concluded."""
    return bool(act.changed), min(_words(conclusion), 60)


@dataclass(frozen=True)
class Held:
    """An exploration event of the session stored and current: its `slot` (None: stored
    before events had one; never displaced)."""

    slot: int | None


@dataclass(frozen=True)
class Plan:
    """What a capture does with a session's exploration events (indexes into its events):
    `store` (index -> (alike count, slot, index of the last alike request)) and `recount`
    (index of a held event -> (alike count, index of the last alike request)); `displaced`:
    the slots a stronger new event takes from a held one."""

    store: dict[int, tuple[int, int, int]]
    recount: dict[int, tuple[int, int]]
    displaced: set[int]


def plan(
    texts: Sequence[str],
    worths: Sequence[tuple[bool, int]],
    held: Mapping[int, Held],
    done: Container[int],
    elsewhere: Sequence[Held] = (),
    limit: int = MAX_EXPLORED,
) -> Plan:
    """The session's exploration events to store now and to recount: alike requests (the
    same pattern) are one group, standing for its count; a group with a `held` event is
    recounted, one with a `done` one (stored, since forgotten or displaced) left alone, the
    others ranked by `worths` then count (then the earliest). They take the free slots of
    `limit` (`elsewhere`: held events of the session this transcript does not hold), then
    the slot of a weaker held event, which the new one displaces."""
    groups: dict[frozenset[str], list[int]] = {}
    for n, text in enumerate(texts):
        groups.setdefault(alike.pattern(text), []).append(n)
    fresh: list[list[int]] = []
    kept: dict[int, list[int]] = {}  # held index -> its group
    for members in groups.values():
        mine = next((n for n in members if n in held), None)
        if mine is not None:
            kept[mine] = members
        elif not any(n in done for n in members):
            fresh.append(members)
    holders = [*(held[n] for n in kept), *elsewhere]
    occupied = {h.slot for h in holders if h.slot is not None}
    room = max(limit - len(occupied) - sum(h.slot is None for h in holders), 0)
    free = [slot for slot in range(limit) if slot not in occupied][:room]

    def rank(members: list[int]) -> tuple[tuple[bool, int], int]:
        return worths[members[0]], len(members)

    fresh.sort(key=lambda members: (*rank(members), -members[0]), reverse=True)
    weak = sorted((n for n in kept if held[n].slot is not None), key=lambda n: rank(kept[n]))
    store: dict[int, tuple[int, int, int]] = {}
    displaced: set[int] = set()
    for members in fresh:
        if free:
            slot = free.pop(0)
        elif weak and rank(members) > rank(kept[weak[0]]):
            slot = held[weak[0]].slot or 0
            displaced.add(slot)
            kept.pop(weak.pop(0))
        else:
            break
        store[members[0]] = (len(members), slot, members[-1])
    recount = {n: (len(members), members[-1]) for n, members in kept.items()}
    return Plan(dict(sorted(store.items())), recount, displaced)


def folded(text: str, count: int) -> str:
    """An exploration event standing for `count` alike requests says so."""
    if count <= 1:
        return text
    more = count - 1
    return f"{text} ({more} more request{'s' if more > 1 else ''} like it in this session.)"


def episode(
    day: str, branch: str | None, prompts: Sequence[str], act: Activity, requests: int
) -> str:
    """One line per session: when, branch, what was asked (the first four requests not alike
    to one before them), files changed, commands run."""
    head = f"Session of {day}" + (f" on branch {branch}" if branch else "")
    shown = alike.distinct(prompts, _oneline, 4)
    asked = "; ".join(f"'{_cut(_oneline(p), 80)}'" for p in shown)
    more = f" and {requests - len(shown)} more" if requests > len(shown) else ""
    text = f"{head}: {requests} request{'s' if requests != 1 else ''} ({asked}{more})."
    if act.changed:
        text += " Changed " + _list(act.changed) + "."
    if act.commands:
        text += " Ran " + _commands(_last_per_command(act.commands)) + "."
    return text


def _last_per_command(commands: list[tuple[str, bool | None]]) -> list[tuple[str, bool | None]]:
    """Each command once, with its last outcome (a test run that failed then passed passed);
    commands alike but for their numbers (`tail -n 5`, `tail -n 6`) once, as the last of them:
    a session of log reads showed five of them and nothing else."""
    last: dict[str, tuple[str, bool | None]] = {}
    for command, ok in commands:
        form = _DIGITS.sub("0", command)
        last.pop(form, None)
        last[form] = (command, ok)
    return list(last.values())


def _last_numbered(commands: list[tuple[str, bool | None]]) -> list[tuple[str, bool | None]]:
    """The commands in order, one alike to a later one but for its numbers (`tail -n 5`,
    then `tail -n 6`) left out; a command run again as it was stays (failed, then ok)."""
    last = {_DIGITS.sub("0", command): command for command, _ in commands}
    return [(c, ok) for c, ok in commands if last[_DIGITS.sub("0", c)] == c]


def _commands(commands: list[tuple[str, bool | None]]) -> str:
    shown = [
        f"`{_cut(c, MAX_COMMAND_CHARS)}`" + ("" if ok is None else " (ok)" if ok else " (failed)")
        for c, ok in commands[-MAX_COMMANDS:]
    ]
    return ", ".join(shown)


def _list(paths: list[str]) -> str:
    more = len(paths) - MAX_FILES
    return ", ".join(paths[:MAX_FILES]) + (f" and {more} more" if more > 0 else "")


def _words(text: str) -> int:
    return len({t for t in tokens(text) if t not in STOPWORDS and len(t) > 1})


def _oneline(text: str) -> str:
    return " ".join(text.split())


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class IgnoreRules:
    """`.memoryignore` in gitignore syntax: globs, `/` anchors to the root, a trailing `/`
    matches a folder and everything in it, `**` any depth, `!` re-includes, `#` comments."""

    def __init__(self, text: str = "") -> None:
        self._rules: list[tuple[bool, re.Pattern[str]]] = []
        for line in text.splitlines():
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            self._rules.append((negate, _pattern(line.removeprefix("!"))))

    def __call__(self, path: str) -> bool:
        """Whether a project-relative path is ignored (the last matching rule wins)."""
        path = path.replace("\\", "/").lstrip("/")
        verdict = False
        for negate, rule in self._rules:
            if rule.search(path):
                verdict = not negate
        return verdict


def _pattern(glob: str) -> re.Pattern[str]:
    anchored = glob.startswith("/") or "/" in glob.rstrip("/")
    folder = glob.endswith("/")
    body = "/".join(".*" if part == "**" else _part(part) for part in glob.strip("/").split("/"))
    start = "^" if anchored else r"(?:^|/)"
    end = "/" if folder else r"(?:/|$)"
    return re.compile(start + body + end)


def _part(glob: str) -> str:
    """One path component of a glob: `*` and `?` never cross a `/`."""
    out = []
    for char in glob:
        out.append("[^/]*" if char == "*" else "[^/]" if char == "?" else re.escape(char))
    return "".join(out)
