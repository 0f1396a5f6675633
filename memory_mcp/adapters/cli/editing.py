"""`memory-mcp edit`: a memory as an editable text file, and back."""

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from memory_mcp.errors import Changed, InvalidInput, MemoryMCPError

if TYPE_CHECKING:
    from memory_mcp.models import Memory

SEPARATOR = "---"
HEADER = """\
# Editing memory {id}. Change the fields and the text below the --- line, save, and quit.
# Lines starting with # above the --- line are ignored; the text below it is kept exactly as
# written, # lines included. Delete all the text to cancel the edit.
"""
FIELDS = ("kind", "scope", "tags")


def to_text(memory: "Memory") -> str:
    return (
        HEADER.format(id=memory.id)
        + f"kind: {memory.kind}\n"
        + f"scope: {memory.scope}\n"
        + f"tags: {', '.join(memory.tags)}\n"
        + f"{SEPARATOR}\n{memory.content}\n"
    )


def from_text(text: str, written: str) -> dict[str, Any] | None:
    """The fields changed in the file we wrote (`written`): {} when nothing changed, None when
    the content was emptied (cancel). Only the header above the --- line holds comments."""
    if text == written:
        return {}
    header, content = _split(text)
    old_header, _ = _split(written)
    if "\r" not in written:  # an editor that saved with CRLF line ends
        content = content.replace("\r\n", "\n")
    if not content.strip():
        return None
    fields: dict[str, Any] = {"content": content}
    for key, value in header.items():
        if value != old_header.get(key):
            fields[key] = [t for t in value.split(",") if t.strip()] if key == "tags" else value
    return fields


def _split(text: str) -> tuple[dict[str, str], str]:
    """The header's fields (as written) and the content, byte for byte but for the newline
    to_text ends the file with."""
    lines = text.split("\n")
    cut = next((i for i, line in enumerate(lines) if line.rstrip("\r") == SEPARATOR), None)
    if cut is None:
        raise InvalidInput(f"The edited file lost its '{SEPARATOR}' line; nothing was changed.")
    header: dict[str, str] = {}
    for line in lines[:cut]:
        line = line.rstrip("\r")
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or key not in FIELDS:
            raise InvalidInput(f"Cannot read header line {line!r}; expected kind, scope or tags.")
        header[key] = value.strip()
    content = "\n".join(lines[cut + 1 :])
    return header, content.removesuffix("\n").removesuffix("\r")


def run_editor(text: str) -> str:
    """Open $VISUAL / $EDITOR on a temp file holding `text`; return what was saved."""
    editor = (os.environ.get("VISUAL") or os.environ.get("EDITOR") or "").strip()
    if not editor and not (sys.stdin.isatty() and sys.stdout.isatty()):
        # vi, the fallback, outside a terminal draws its screen into the pipe, then fails
        raise InvalidInput(
            "No editor to run: VISUAL and EDITOR are unset, and vi needs a terminal. Edit "
            "without one: memory-mcp edit ID --content TEXT (or other options, or --file)."
        )
    editor = editor or "vi"
    fd, name = tempfile.mkstemp(prefix="memory-", suffix=".md")
    path = Path(name)
    keep = False
    try:
        # No newline translation either way: a memory's \r\n or \r is text to keep, and
        # an unchanged file must read back as exactly what was written.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        try:
            result = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except (OSError, ValueError) as exc:  # missing, not runnable, bad quoting
            raise InvalidInput(
                f"Cannot run the editor ({editor}): {exc}. Set VISUAL or EDITOR to an editor "
                "command, or edit without one: memory-mcp edit ID --content TEXT."
            ) from exc
        if result.returncode != 0:
            raise InvalidInput(f"The editor ({editor}) exited with {result.returncode}.")
        try:
            from memory_mcp.policies.inputs import utf8  # (it loads the redaction rules)

            return utf8(path.read_bytes(), "The edited text")  # line ends kept as written
        except InvalidInput as exc:
            # What was typed is only in this file: keep it (it is private, from mkstemp) for
            # the user to re-save as UTF-8, rather than delete the only copy of their work.
            keep = True
            raise InvalidInput(
                f"{exc} Nothing was changed; what you wrote is kept, byte for byte, in {path}: "
                "save it as UTF-8 and edit again (or pass it with --content)."
            ) from exc
    finally:
        if not keep:
            path.unlink(missing_ok=True)


@contextmanager
def kept_on_error(edited: str, memory_id: int) -> Iterator[None]:
    """If the edit is refused (a bad header, a kind that does not exist, a text too long,
    the memory changed while it was open), keep what was typed in a private file and say
    where, so it can be fixed or applied again, not retyped."""
    try:
        yield
    except MemoryMCPError as exc:
        fd, name = tempfile.mkstemp(prefix=f"memory-{memory_id}-edit-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(edited)
        again = (
            f" To save it over the version there is now: memory-mcp edit {memory_id} "
            f"--file {shlex.quote(name)}"
            if isinstance(exc, Changed)
            else ""
        )
        raise MemoryMCPError(f"{exc} What you wrote is kept in {name}.{again}") from exc


def read_kept(path: Path, options: tuple[object, ...] = ()) -> str:
    """An edited file given with --file (one kept_on_error kept): its text, as written.
    The file is the whole edit: no other option (`options`, as given) goes with it."""
    if any(option is not None for option in options):
        raise InvalidInput("--file holds the whole edit: give it without other options.")
    try:  # a FIFO or a device (/dev/zero) is refused, not waited on or read without end
        from memory_mcp.formats import files  # (every importer: only for --file)

        data = files.read_regular(path)
    except InvalidInput as exc:
        raise InvalidInput(f"{str(exc).rstrip('.')}; nothing was changed.") from None
    from memory_mcp.policies.inputs import utf8

    return utf8(data, f"The file {path}")
