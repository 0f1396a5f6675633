"""Long listings (`list`, `log`, `history` past LONG_LISTING rows) printed line by line: a rich
table lays out every row again to size its columns, about 0.5-1 ms a row (`log -n 100000`
took minutes). The same cells (render.memory_cell, history_cell), the id beside each, wrapped
to the terminal's width, a blank line between rows; no colour. A short listing keeps its
table. What is written passes the consoles' last line of defence too: no control character."""

from collections.abc import Iterable
from textwrap import wrap

from rich.console import Console
from rich.text import Text

from memory_mcp.policies.controls import CONTROL

LONG_LISTING = 500  # rows asked for: more are printed plain


def print_rows(console: Console, rows: Iterable[tuple[str, Text]]) -> None:
    """Each (label, cell) as the label, then the cell's lines wrapped beside it."""
    rows = list(rows)
    if not rows:
        return
    indent = max(len(label) for label, _ in rows) + 2
    width = max(20, console.width - indent)
    lines: list[str] = []
    for label, cell in rows:
        first = True
        for line in cell.plain.split("\n"):
            for part in wrap(line, width, break_on_hyphens=False) or [""]:
                lines.append((label if first else "").ljust(indent) + part)
                first = False
        lines.append("")
    console.file.write(CONTROL.sub("\ufffd", "\n".join(lines)) + "\n")
    console.file.flush()
