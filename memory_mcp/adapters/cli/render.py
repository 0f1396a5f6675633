"""How the CLI shows things: rich tables for people, --json for scripts. Data goes to stdout.

Everything a memory holds (content, tags, scope, kind, key, client, metadata, history) was
written by some client, so it is data, never markup and never terminal control: it reaches rich
only as `inert()` text (or `safe()` inside a message with markup), which shows control
characters as visible escapes (`\\x1b`). A render hook on both consoles replaces any control
character that still reaches them, whatever printed it.
"""

import difflib
import json
import re
import textwrap
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console, ConsoleOptions, RenderableType, RenderHook, RenderResult
from rich.markup import escape
from rich.segment import Segment
from rich.table import Table
from rich.text import Text

from memory_mcp.policies import controls
from memory_mcp.policies.controls import CONTROL, json_escaped
from memory_mcp.timestamps import minute_text

if TYPE_CHECKING:  # pydantic is imported where JSON is written: `--help` needs none of it
    from pydantic import BaseModel

PREVIEW_CHARS = 160
DIFF_CONTEXT_WORDS = 4


def visible(text: str) -> str:
    """`text` with every control character, and every one that prints as nothing, written
    out (`\\x1b`, `\\u202e`, `\\u200b`: policies.controls.shown)."""
    return controls.shown(text)


# A written-out character is marked on a terminal, as the web UI marks it: `\x1b` typed as
# four characters and an escape character written out would otherwise read the same.
WRITTEN_OUT = "reverse"


def inert(value: object, style: str = "") -> Text:
    """A value from a memory as rich text: never read as markup, shown with visible controls
    (each marked: WRITTEN_OUT)."""
    text = value if isinstance(value, str) else str(value)
    shown = Text(style=style)
    at = 0
    if controls.MAYBE_UNSHOWN.search(text):
        for found in controls.UNSHOWN.finditer(text):
            shown.append(text[at : found.start()])
            shown.append(controls.written_out(found.group()), style=WRITTEN_OUT)
            at = found.end()
    shown.append(text[at:])
    return shown


def safe(value: object) -> str:
    """A value from a memory, to put inside a message that uses markup."""
    return escape(visible(str(value)))


class _Filtered:
    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.renderable, options):
            if segment.control is None and CONTROL.search(segment.text):
                yield Segment(CONTROL.sub("\ufffd", segment.text), segment.style)
            else:
                yield segment


class _NoControlCharacters(RenderHook):
    """The last line of defence: whatever is printed, no control character gets through."""

    def process_renderables(self, renderables: list[Any]) -> list[Any]:
        return [_Filtered(r) for r in renderables]


def _console(**options: Any) -> Console:
    console = Console(highlight=False, emoji=False, **options)
    console.push_render_hook(_NoControlCharacters())
    return console


out = _console(soft_wrap=False, markup=False)  # stdout is data: never markup
err = _console(stderr=True)


def as_json(value: "BaseModel | Sequence[BaseModel] | dict[str, Any]") -> None:
    """Print machine-readable JSON on stdout: plain, with control characters as \\u escapes."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    elif isinstance(value, dict):
        text = json.dumps(value, indent=2, default=_jsonable, ensure_ascii=False)
    else:
        json_array(value)
        return
    out.file.write(json_escaped(text) + "\n")
    out.file.flush()


def _jsonable(value: Any) -> Any:
    """A model inside a dict printed as JSON is its fields (str() gave its repr, one string);
    a time is written as the models write theirs (`2026-12-07T13:34:51Z`, not str()'s
    `2026-12-07 13:34:51+00:00`)."""
    if isinstance(value, datetime):
        text = value.isoformat()
        return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) else str(value)


def json_array(items: "Iterable[BaseModel]") -> int:
    """Write a JSON array on stdout as its items come, in the text `json.dumps(indent=2)`
    gives: a long list (`list -n 1000000 --json`) is never held whole, as one string or as
    rich's segments of it (gigabytes at 200k memories), and a reader sees the first at once."""
    write = out.file.write
    count = 0
    for item in items:
        text = json.dumps(item.model_dump(mode="json"), indent=2, ensure_ascii=False)
        write(("[\n" if count == 0 else ",\n") + json_escaped(textwrap.indent(text, "  ")))
        count += 1
    write("\n]\n" if count else "[]\n")
    out.file.flush()
    return count


def preview(text: str, width: int = PREVIEW_CHARS) -> str:
    text = controls.one_line(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """`1 memory`, `2 memories`."""
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


def when(value: datetime | None, seconds: bool = False) -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return minute_text(value, seconds)


# -- memories ---------------------------------------------------------------------------------


def memory_table(memories: Sequence[Any], title: str | None = None, score: bool = False) -> Table:
    """Memories or hits: the text, and below it a line of what it is, where and when. Narrow
    columns only, so it reads at 80 columns too; `score` adds the relevance column."""
    table = Table(title=title, expand=False, show_lines=True)
    table.add_column("id", justify="right", style="cyan", no_wrap=True)
    if score:
        table.add_column("score", justify="right", no_wrap=True)
    table.add_column("memory", overflow="fold")
    for m in memories:
        row: list[RenderableType] = [str(m.id)]
        if score:
            row.append(f"{m.score:.3f}")
        row.append(memory_cell(m))
        table.add_row(*row)
    return table


def memory_cell(m: Any) -> Text:
    """A memory as memory_table's cell shows it: its text, below it what, where and when."""
    text = inert(preview(m.content))
    text.append("\n")
    text.append_text(_about(m))
    return text


def _about(m: Any) -> Text:
    """`decision · my-scope · 2026-01-02 10:00 · tags: a, b`, then its state, if not current."""
    parts = [m.kind, m.scope, when(m.created_at)]
    if m.tags:
        parts.append("tags: " + ", ".join(m.tags))
    if m.key:
        parts.append(f"key: {m.key}")
    about = inert(" · ".join(parts), style="dim")
    for mark in _states(m):
        about.append(" · ")
        about.append(mark, style="yellow")
    return about


def _states(m: Any) -> list[str]:
    marks = []
    if getattr(m, "forgotten_at", None) is not None:
        marks.append("forgotten")
    if m.superseded_by is not None:
        marks.append(f"superseded by #{m.superseded_by}")
    elif getattr(m, "superseded", False):  # by a memory the caller may not read
        marks.append("superseded")
    expires = getattr(m, "expires_at", None)
    if expires is not None and expires <= datetime.now(UTC):
        marks.append("expired")
    if getattr(m, "newer", None) is not None:
        marks.append(f"#{m.newer}, later, says otherwise")
    if getattr(m, "truncated", False):
        marks.append("snippet: recall --id for all of it")
    return marks


def key_values(title: str, pairs: Iterable[tuple[str, Any]]) -> Table:
    """Names and values, each value shown for reading (lists joined, dicts one per line)."""
    table = Table(title=title, show_header=False, expand=False)
    table.add_column("field", style="bold", overflow="fold")
    table.add_column("value", overflow="fold")
    for key, value in pairs:
        table.add_row(inert(key), shown(value))
    return table


def readable(fields: dict[str, Any], labels: dict[str, str] | None = None) -> list[tuple[str, Any]]:
    """A model's fields with names for people: `fts_rows` -> `fts rows`, or as `labels` says."""
    labels = labels or {}
    return [(labels.get(name, name.replace("_", " ")), value) for name, value in fields.items()]


def shown(value: Any) -> Text:
    """One value for a person: no Python reprs, no None, no microseconds."""
    if value is None or value == [] or value == {}:
        return Text("—", style="dim")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, datetime):
        return Text(f"{when(value, seconds=True)} UTC")
    if isinstance(value, list):
        return inert(", ".join(str(v) for v in value))
    if isinstance(value, dict):
        if all(isinstance(v, str | int | float | bool) or v is None for v in value.values()):
            return inert("\n".join(f"{k}: {v}" for k, v in value.items()))
        return inert(json.dumps(value, indent=2, ensure_ascii=False, default=str))
    return inert(value)


def memory_fields(memory: "BaseModel") -> list[tuple[str, Any]]:
    """A memory's fields but its content, leaving out the ones that are not set."""
    fields = memory.model_dump(exclude={"content"})
    return [
        (name.removesuffix("_at").replace("_", " "), value)
        for name, value in fields.items()
        if value is not None and value != [] and value != {}
    ]


def size(n: int) -> str:
    """`512 bytes`, `69.6 kB`, `1.2 GB`."""
    if n < 1000:
        return count(n, "byte")
    value, unit = n / 1000, "kB"
    for bigger in ("MB", "GB"):
        if value < 1000:
            break
        value, unit = value / 1000, bigger
    return f"{value:.1f} {unit}"


# -- history ----------------------------------------------------------------------------------


def history_table(entries: Sequence[Any], title: str | None, with_memory: bool = True) -> Table:
    """Changes: what each changed, below a line of when, what and who. Like memory_table, only
    narrow columns beside it, so the change stays readable in a narrow terminal."""
    table = Table(title=title, expand=False, show_lines=True)
    if with_memory:
        table.add_column("memory", justify="right", style="cyan", no_wrap=True)
    table.add_column("change (times UTC)", overflow="fold")
    for e in entries:
        table.add_row(*([f"#{e.memory_id}"] if with_memory else []), history_cell(e))
    return table


def history_cell(e: Any) -> Text:
    """A history entry as history_table's cell shows it: when, what, who; then the change."""
    parts = [when(e.at, seconds=True), e.action, e.client or ""]
    parts += [f"by {e.principal}"] if getattr(e, "principal", None) else []
    text = inert(" · ".join(p for p in parts if p), style="dim")
    what = change(e)
    if what:
        text.append("\n")
        text.append_text(what)
    return text


def change(entry: Any) -> Text:
    """What an entry changed: a word diff of the content, `old → new` for the other fields;
    for a create, purge or supersede, the content then; then the details (reason, by)."""
    before, after = entry.before or {}, entry.after or {}
    text = Text()
    if before and after:
        for key in dict.fromkeys([*before, *after]):
            old, new = before.get(key), after.get(key)
            if old == new:
                continue
            if text:
                text.append("\n")
            text.append(f"{key}: ", style="bold")
            if key == "content" and isinstance(old, str) and isinstance(new, str):
                text.append_text(word_diff(old, new))
            else:
                text.append_text(_field(old))
                text.append(" → ")
                text.append_text(_field(new))
    elif after or before:
        content = (after or before).get("content") or ""  # None: where the caller cannot read
        text.append_text(inert(preview(str(content), 120)))
    for key, value in entry.detail.items():
        if value is not None:
            text.append("\n" if text else "")
            if key == "by":  # supersede: the memory that replaced this one; restore: undone
                undone = entry.action == "restore"
                said = f"replacement by #{value} undone" if undone else f"superseded by #{value}"
                text.append(said, style="bold")
                continue
            text.append(f"{key}: ", style="bold")
            text.append_text(inert(preview(str(value), 120)))
    return text


def _field(value: Any) -> Text:
    if value is None or value == [] or value == {}:
        return Text("(none)", style="dim")
    if isinstance(value, list):
        return inert(", ".join(map(str, value)))
    if isinstance(value, dict):
        return inert(json.dumps(value, ensure_ascii=False, default=str))
    return inert(value)


_TOKEN = re.compile(r"\s+|\S+")


def word_diff(before: str, after: str, context: int = DIFF_CONTEXT_WORDS) -> Text:
    """Only what changed, word by word (`[-old-]{+new+}`, red and green), with `context` words
    around each change and `…` for the unchanged text between."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    opcodes = matcher.get_opcodes()
    text = Text()
    keep = 2 * context  # tokens: words and the spaces between them
    for n, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            same = old[i1:i2]
            head = same[:keep] if n > 0 else []
            tail = same[-keep:] if n < len(opcodes) - 1 else []
            if len(same) > len(head) + len(tail):
                text.append_text(_words(head, strip="right"))
                text.append(" … " if head and tail else ("… " if tail else " …"), style="dim")
                text.append_text(_words(tail, strip="left"))
            else:
                text.append_text(_words(same))
            continue
        if i2 > i1:
            text.append_text(_words(old[i1:i2], "[-", "-]", "red strike"))
        if j2 > j1:
            text.append_text(_words(new[j1:j2], "{+", "+}", "green"))
    return text


def _words(
    tokens: list[str], start: str = "", end: str = "", style: str = "", strip: str = ""
) -> Text:
    """Tokens as one line: spaces collapsed, except in a change, where a line break shows."""
    joined = "".join(
        t if not t.isspace() else (" ⏎ " if "\n" in t and style else " ") for t in tokens
    )
    joined = joined.rstrip() if strip == "right" else joined.lstrip() if strip == "left" else joined
    return inert(start + joined + end, style=style)


def miss_table(results: Sequence[Any]) -> Table:
    """Queries whose expected memories were not all in the top 10, with where they ranked."""
    table = Table(title="missed in the top 10")
    table.add_column("query", overflow="fold")
    table.add_column("expected")
    table.add_column("ranks")
    for r in results:
        ranks = ", ".join("-" if rank is None else str(rank) for rank in r.ranks)
        table.add_row(inert(preview(r.query)), fmt_ids(r.expected_ids), ranks)
    return table


def fmt_ids(ids: Sequence[int]) -> str:
    """`#1, #2`, or `nothing`."""
    return ", ".join(f"#{i}" for i in ids) or "nothing"
