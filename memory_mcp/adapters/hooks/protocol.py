"""The hook protocol of Claude Code (and of the clients that copied it: Codex CLI, Gemini CLI,
VS Code's agent hooks read the same `hookSpecificOutput`).

Input, one JSON object: `session_id`, `transcript_path`, `cwd`, `hook_event_name`, and per
event `prompt` (UserPromptSubmit; Gemini's BeforeAgent), `source` (SessionStart), `trigger`
(PreCompact), `reason` (SessionEnd). Codex and VS Code name some fields in camelCase
(`sessionId`, `hookEventName`); both spellings are read.

Output: context reaches the model only as
`{"hookSpecificOutput": {"hookEventName": "<event>", "additionalContext": "<text>"}}` on stdout
with exit code 0 (plain text or a top-level key is dropped for some events). Nothing to add
means no output at all. Capture (Stop, PreCompact, SessionEnd) prints nothing: a Stop hook's
JSON could otherwise ask the client to keep going.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from memory_mcp.errors import json_problem, read_json
from memory_mcp.policies.inputs import mend
from memory_mcp.service import MemoryService

COMMANDS = ("capture", "session-start", "prompt")
DEFAULT_EVENT = {"session-start": "SessionStart", "prompt": "UserPromptSubmit"}
# The events whose hookSpecificOutput.additionalContext the clients read.
CONTEXT_EVENTS = {"SessionStart", "UserPromptSubmit", "BeforeAgent"}
NO_TRANSCRIPT = "The hook input has no transcript_path: nothing to capture."


class HookProblem(ValueError):
    """Hook input that cannot be used; the message says what was wrong."""


@dataclass(frozen=True)
class HookInput:
    event: str | None
    session_id: str | None
    transcript: Path | None
    cwd: str | None
    prompt: str | None


def decode(raw: str | bytes) -> HookInput:
    """The hook input from its JSON text (empty: an empty object), from stdin or an HTTP
    body alike; HookProblem when it is not readable JSON."""
    try:
        data = read_json(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise HookProblem(f"The hook input is not JSON ({json_problem(exc)}).") from None
    except UnicodeDecodeError:
        raise HookProblem("The hook input is not UTF-8 text.") from None
    except RecursionError:  # not a ValueError: it would escape as a crash
        raise HookProblem("The hook input is not readable: JSON nested too deeply.") from None
    return parse(data)


def parse(data: object) -> HookInput:
    """The fields a hook's JSON object carries (the object already decoded)."""
    if not isinstance(data, dict):
        raise HookProblem("The hook input must be one JSON object (the client's hook JSON).")

    def text(*names: str) -> str | None:
        for name in names:
            value = data.get(name)
            if isinstance(value, str) and value.strip():
                return mend(value)  # a NUL or half a surrogate pair: U+FFFD, not an error
        return None

    transcript = text("transcript_path", "transcriptPath")
    cwd = text("cwd")
    roots = data.get("workspace_roots")  # Cursor names the open folders instead
    if cwd is None and isinstance(roots, list) and roots and isinstance(roots[0], str):
        cwd = mend(roots[0])
    return HookInput(
        event=text("hook_event_name", "hookEventName"),
        session_id=text("session_id", "sessionId", "conversation_id"),
        transcript=Path(transcript).expanduser() if transcript else None,
        cwd=cwd,
        prompt=text("prompt"),
    )


def answer(
    service: MemoryService, command: str, hook: HookInput, project: str | None = None
) -> dict[str, Any] | None:
    """Run one hook command; the JSON to print, or None to print nothing."""
    if command == "capture":
        if hook.transcript is None:
            raise HookProblem(NO_TRANSCRIPT)
        service.capture(hook.transcript, hook.cwd, hook.session_id, project)
        return None
    if command == "session-start":
        text = service.session_briefing(hook.cwd, project).text
    elif command == "prompt":
        prompt = hook.prompt or ""
        text = service.prompt_context(prompt, hook.cwd, project).text if prompt else ""
    else:
        raise HookProblem(f"Unknown hook command {command!r}: use one of {', '.join(COMMANDS)}.")
    if not text:
        return None
    event = hook.event if hook.event in CONTEXT_EVENTS else DEFAULT_EVENT[command]
    return {"hookSpecificOutput": {"hookEventName": event, "additionalContext": text}}
