"""One hook command as a process runs it (`memory-mcp hook …`): the steps around `answer` that
the CLI's command and its quick path (cli/quick.py) share, so both say exactly the same."""

import json
from pathlib import Path
from typing import Any, TextIO

from memory_mcp.adapters.hook_input import MAX_INPUT_BYTES, read_input, salvage
from memory_mcp.adapters.hooks.protocol import NO_TRANSCRIPT, HookInput, HookProblem, decode
from memory_mcp.config import Settings, is_database_url


def read_hook(stream: TextIO) -> HookInput:
    """The hook's JSON from `stream` (stdin), read as the UTF-8 clients write whatever the
    locale's encoding (a Windows code page garbled a folder's name); empty input is an empty
    object, and a byte order mark (what Windows tools write first) is not part of it. Input
    over 1 MB (a pasted log) is read through, not kept: its start answers (hook_input.py)."""
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        raw = read_input(buffer).decode("utf-8", errors="replace")
    else:
        raw = stream.read(MAX_INPUT_BYTES + 1)
        if len(raw) > MAX_INPUT_BYTES:
            while stream.read(1 << 16):
                pass
            raw = json.dumps(salvage(raw[:MAX_INPUT_BYTES].removeprefix("\ufeff")))
    return decode(raw.removeprefix("\ufeff"))


# session-start and prompt run before the model answers, within the client's time limit for
# the hook: a database server that does not answer is given up on after this many seconds
# (libpq's least), not the 10 s other commands wait. Capture runs after, and waits longer.
BRIEF_CONNECT_TIMEOUT_S = 2


def connect_timeout(command: str) -> int | None:
    """How long the hook `command` waits for a database server to answer (None: the default)."""
    return None if command == "capture" else BRIEF_CONNECT_TIMEOUT_S


def has_work(
    command: str, settings: Settings, hook: HookInput | None = None, project: Path | None = None
) -> bool:
    """False when there is nothing to do: no database yet to brief from, capture is off, or
    no database yet and nothing a capture could store (a transcript with no request in it,
    or, in no project, no request saying something lasting: none is made for nothing)."""
    exists = is_database_url(settings.db) or Path(settings.db).expanduser().exists()
    if command != "capture":
        return exists
    if not settings.capture or exists or hook is None:
        return settings.capture
    if hook.transcript is None:  # said before a database is made for it
        raise HookProblem(NO_TRANSCRIPT)
    from memory_mcp.formats import claude_code_transcript  # capture loads it anyway

    parsed = claude_code_transcript.read(hook.transcript)
    if not parsed.turns:
        return False
    if project is not None or settings.project is not None or _in_project(hook.cwd or parsed.cwd):
        return True
    from memory_mcp.policies import statements  # what capture keeps outside a project

    found = (s for turn in parsed.turns for s in statements.durable(turn.prompt))
    return any(statements.kept_without_project(s.kind, s.about_user, s.text) for s in found)


def _in_project(folder: str | None) -> bool:
    """Whether capture would find a project for the hook's folder (service/capture.hook_scope)."""
    from memory_mcp.errors import InvalidInput
    from memory_mcp.service.projects import project_scope

    if folder is None or not folder.strip():
        return False
    try:
        project_scope(folder)
    except InvalidInput:
        return False
    return True


def write_reply(stream: TextIO, reply: dict[str, Any] | None) -> None:
    """The reply as UTF-8, the encoding clients read, whatever the locale's (a Windows code
    page could not encode most of the world's text: the briefing was lost)."""
    if reply is None:
        return
    text = json.dumps(reply, ensure_ascii=False) + "\n"
    buffer = getattr(stream, "buffer", None)
    if buffer is None:
        stream.write(text)
        stream.flush()
        return
    stream.flush()
    buffer.write(text.encode("utf-8", errors="replace"))
    buffer.flush()


def report_problem(command: str, exc: Exception) -> None:
    """The one line on stderr a hook problem gets (clients show it and carry on). Any error
    gets it, never a traceback: one the hook did not foresee is named by its type."""
    from memory_mcp.adapters.cli.render import err, safe  # rich: only when there is a problem
    from memory_mcp.errors import MemoryMCPError

    foreseen = isinstance(exc, HookProblem | MemoryMCPError)
    what = safe(exc) if foreseen else f"unexpected {type(exc).__name__}: {safe(exc)}"
    err.print(f"memory-mcp hook {command}: {' '.join(what.split())}", markup=False, soft_wrap=True)
