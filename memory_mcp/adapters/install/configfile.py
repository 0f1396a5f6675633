"""Reading and safely rewriting a client's JSON config file (backup first, atomic replace)."""

import json
import math
import os
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

from memory_mcp import regular_files
from memory_mcp.errors import MemoryMCPError, json_problem, read_json


class ConfigError(MemoryMCPError):
    """A client config file we must not rewrite (unreadable, not JSON, unexpected shape)."""


_JSONC = re.compile(r"^\s*//|/\*|,\s*[}\]]", re.M)
# Deeper than any client's config; json.dumps recurses a level at a time (a traceback past ~400).
MAX_DEPTH = 64
_DEEP = object()  # a document json itself found too deep to read
_UNTOUCHED = "Nothing was changed; fix the file or add the entry by hand (`--print` shows it)."


def read_config(path: Path) -> dict[str, Any] | None:
    """The file's JSON object; None when it does not exist; {} when it is empty."""
    try:
        # utf-8-sig: Windows editors may write a byte-order mark, which json rejects. A FIFO
        # or a device in the file's place is refused, not waited on or read without end.
        with regular_files.open_regular(path) as fh:
            text = fh.read().decode("utf-8-sig")
    except FileNotFoundError:
        return None
    except regular_files.NotRegular as exc:
        raise ConfigError(f"{exc}. {_UNTOUCHED}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"Cannot read {path}: {exc}. {_UNTOUCHED}") from exc
    if not text.strip():
        return {}
    try:
        doc = read_json(text)
    except json.JSONDecodeError as exc:
        # JSONC is refused too: editors accept it, but a rewrite would drop the comments.
        kind = "JSON with comments or trailing commas" if _JSONC.search(text) else "not valid JSON"
        raise ConfigError(f"{path} is {kind} ({json_problem(exc)}). " + _UNTOUCHED) from exc
    except RecursionError:  # not a ValueError: it escaped as a traceback
        doc = _DEEP
    if doc is _DEEP or _too_deep(doc):
        raise ConfigError(
            f"{path} holds JSON nested deeper than {MAX_DEPTH} levels, which a rewrite cannot"
            f" keep. {_UNTOUCHED}"
        )
    if not isinstance(doc, dict):
        raise ConfigError(f"{path} holds a JSON {type(doc).__name__}, not an object. {_UNTOUCHED}")
    if not _finite(doc):
        # `NaN`/`Infinity` (which Python's json takes and JSON does not), or a number too large
        # for a double (1e400): rewritten, it came out as `Infinity`, which the client's
        # JSON parser refuses, so every server in the file was lost to it.
        raise ConfigError(
            f"{path} holds NaN, Infinity or a number too large for JSON readers (such as"
            f" 1e400), which a rewrite cannot keep as written. {_UNTOUCHED}"
        )
    return doc


def _finite(value: object) -> bool:
    """Whether every number in a parsed JSON document is finite (read without recursion:
    a document nested deeply is refused by _too_deep, not a RecursionError here)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _too_deep(value: object) -> bool:
    """Whether a parsed JSON document nests deeper than MAX_DEPTH (json.dumps, which
    rewrites it, recurses once a level: a traceback then, after the file was read)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        )
        if children and depth >= MAX_DEPTH:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def write_config(path: Path, doc: dict[str, Any], now: datetime) -> Path | None:
    """Replace the file with `doc` in one step, after copying the old one to a dated backup.

    Returns the backup's path (None for a new file). A symlinked config (dotfile managers)
    is written through to its target so the link survives.
    """
    target = path.resolve() if path.is_symlink() else path
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = _backup(target, now) if target.exists() else None
    text = json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    # Opened with "x" rather than mkstemp so a new file gets the usual umask mode, not 600.
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("x", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        if backup is not None:
            shutil.copymode(backup, tmp)  # ~/.claude.json is private (600); keep it so
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return backup


def _backup(path: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%d-%H%M%S")
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    n = 1
    while candidate.exists():  # two runs in one second must not overwrite the first backup
        candidate = path.with_name(f"{path.name}.{stamp}-{n}.bak")
        n += 1
    shutil.copy2(path, candidate)
    return candidate
