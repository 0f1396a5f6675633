"""`memory-mcp edit`: a memory as an editable text file, and back."""

import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from memory_mcp.errors import InvalidInput
from memory_mcp.models import Memory

SEPARATOR = "---"
HEADER = """\
# Editing memory {id}. Change the fields and the text below the --- line, save, and quit.
# Lines starting with # are ignored. Delete all the text to cancel the edit.
"""


def to_text(memory: Memory) -> str:
    return (
        HEADER.format(id=memory.id)
        + f"kind: {memory.kind}\n"
        + f"scope: {memory.scope}\n"
        + f"tags: {', '.join(memory.tags)}\n"
        + f"{SEPARATOR}\n{memory.content}\n"
    )


def from_text(text: str) -> dict[str, Any] | None:
    """Fields from an edited file; None when the person emptied the content (cancel)."""
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    if SEPARATOR not in lines:
        raise InvalidInput(f"The edited file lost its '{SEPARATOR}' line; nothing was changed.")
    cut = lines.index(SEPARATOR)
    fields: dict[str, Any] = {}
    for line in lines[:cut]:
        if not line.strip():
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in ("kind", "scope", "tags"):
            raise InvalidInput(f"Cannot read header line {line!r}; expected kind, scope or tags.")
        value = value.strip()
        fields[key] = [t for t in value.split(",") if t.strip()] if key == "tags" else value
    content = "\n".join(lines[cut + 1 :]).strip()
    if not content:
        return None
    fields["content"] = content
    return fields


def run_editor(text: str) -> str:
    """Open $VISUAL / $EDITOR on a temp file holding `text`; return what was saved."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="memory-", suffix=".md")
    path = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        if result.returncode != 0:
            raise InvalidInput(f"The editor ({editor}) exited with {result.returncode}.")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
