"""How the CLI shows things: rich tables for people, --json for scripts. Data goes to stdout."""

import json
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

PREVIEW_CHARS = 120


def as_json(value: BaseModel | Sequence[BaseModel] | dict[str, Any]) -> None:
    """Print machine-readable JSON on stdout (plain, no rich markup)."""
    if isinstance(value, BaseModel):
        text = value.model_dump_json(indent=2)
    elif isinstance(value, dict):
        text = json.dumps(value, indent=2, default=str)
    else:
        text = json.dumps([v.model_dump(mode="json") for v in value], indent=2)
    out.print(text, markup=False, highlight=False, soft_wrap=True)


def preview(text: str, width: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def memory_table(memories: Sequence[Any], title: str | None = None, score: bool = False) -> Table:
    """Memories or hits as a table; `score` adds the relevance column."""
    table = Table(title=title, show_lines=False, expand=False)
    table.add_column("id", justify="right", style="cyan", no_wrap=True)
    if score:
        table.add_column("score", justify="right", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("scope", no_wrap=True)
    table.add_column("created", no_wrap=True)
    table.add_column("tags")
    table.add_column("content", overflow="fold")
    for m in memories:
        forgotten = getattr(m, "forgotten_at", None) is not None
        row = [str(m.id)]
        if score:
            row.append(f"{m.score:.4f}")
        row += [
            m.kind,
            m.scope,
            f"{m.created_at:%Y-%m-%d %H:%M}",
            ", ".join(m.tags),
            ("[dim](forgotten)[/dim] " if forgotten else "") + _escape(preview(m.content)),
        ]
        table.add_row(*row)
    return table


def key_values(title: str, pairs: Sequence[tuple[str, Any]]) -> Table:
    table = Table(title=title, show_header=False, expand=False)
    table.add_column("field", style="bold")
    table.add_column("value", overflow="fold")
    for key, value in pairs:
        table.add_row(key, _escape(str(value)))
    return table


def _escape(text: str) -> str:
    return text.replace("[", "\\[")


def history_table(entries: Sequence[Any], title: str) -> Table:
    table = Table(title=title, expand=False)
    for name in ("#", "memory", "action", "at", "client", "change"):
        table.add_column(name, overflow="fold")
    for e in entries:
        table.add_row(
            str(e.id),
            str(e.memory_id),
            e.action,
            f"{e.at:%Y-%m-%d %H:%M:%S}",
            e.client or "",
            _escape(_change(e)),
        )
    return table


def _change(entry: Any) -> str:
    before, after = entry.before or {}, entry.after or {}
    if before and after:
        diffs = [
            f"{k}: {before.get(k)!r} -> {after.get(k)!r}"
            for k in after
            if before.get(k) != after.get(k)
        ]
        return "; ".join(preview(d, 80) for d in diffs)
    detail = ", ".join(f"{k}={v}" for k, v in entry.detail.items() if v is not None)
    shown = after or before
    text = preview(str(shown.get("content", "")), 80) if shown else ""
    return " ".join(part for part in (text, detail) if part)


def miss_table(results: Sequence[Any]) -> Table:
    """Queries whose expected memories were not all in the top 10, with where they ranked."""
    table = Table(title="missed in the top 10")
    table.add_column("query")
    table.add_column("expected")
    table.add_column("ranks")
    for r in results:
        ranks = ", ".join("-" if rank is None else str(rank) for rank in r.ranks)
        table.add_row(_escape(preview(r.query)), fmt_id_list(r.expected_ids), ranks)
    return table


def fmt_id_list(ids: Sequence[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)
