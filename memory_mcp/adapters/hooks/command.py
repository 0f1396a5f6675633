"""One hook command as a process runs it (`memory-mcp hook …`): the steps around `answer` that
the CLI's command and its quick path (cli/quick.py) share, so both say exactly the same."""

import json
from pathlib import Path
from typing import Any, TextIO

from memory_mcp.adapters.hooks.protocol import MAX_INPUT_CHARS, HookInput, HookProblem, decode
from memory_mcp.config import Settings, is_database_url


def read_hook(stream: TextIO) -> HookInput:
    """The hook's JSON from `stream` (stdin); empty input is an empty object."""
    raw = stream.read(MAX_INPUT_CHARS + 1)
    if len(raw) > MAX_INPUT_CHARS:
        raise HookProblem("The hook input is larger than 1 MB.")
    return decode(raw)


def has_work(command: str, settings: Settings) -> bool:
    """False when there is nothing to do: no database yet to brief from, or capture is off."""
    if command == "capture":
        return settings.capture
    return is_database_url(settings.db) or Path(settings.db).expanduser().exists()


def write_reply(stream: TextIO, reply: dict[str, Any] | None) -> None:
    if reply is not None:
        stream.write(json.dumps(reply, ensure_ascii=False) + "\n")
        stream.flush()


def report_problem(command: str, exc: Exception) -> None:
    """The one line on stderr a hook problem gets (clients show it and carry on)."""
    from memory_mcp.adapters.cli.render import err, safe  # rich: only when there is a problem

    err.print(f"memory-mcp hook {command}: {safe(exc)}", markup=False, soft_wrap=True)
