"""Claude Code's session transcript: the JSONL file a hook's `transcript_path` names.

One JSON object per line (`~/.claude/projects/<folder>/<session id>.jsonl`). Lines that matter:
`type` "user" with `message.content` a string (what the user typed) or a list of blocks
(`text`, or `tool_result` with `tool_use_id`, `content`, `is_error`); `type` "assistant" with
`message.content` a list of `text`, `thinking` and `tool_use` (`id`, `name`, `input`) blocks.
Every line carries `uuid`, `timestamp` (ISO-8601), `sessionId`, `cwd` and `gitBranch`. A
message's `uuid` is its own: Claude Code writes copies of earlier messages, same uuid, when it
resumes a session (into the new session's file) or after compaction (into the same file); a
copy is read once. Side chains (`isSidechain`, a subagent's work) and meta lines (`isMeta`)
are not the user's conversation, and neither is what the client adds to a message in its own
tags (`<system-reminder>`, `<ide_opened_file>`, `<ide_selection>`). Other types (summary,
system, file-history-snapshot, progress) are skipped, and so is any line that is not JSON (a
transcript may be read while it is being written); a NUL or half a surrogate pair in a line's
text becomes U+FFFD.

The parse is a list of turns: what the user asked, the tools the assistant used to answer it
and its last words. Nothing here decides what is worth keeping (policies/capture.py does).
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from memory_mcp import regular_files
from memory_mcp.errors import InvalidInput, read_json
from memory_mcp.formats.common import instant
from memory_mcp.policies.inputs import mend

MAX_TRANSCRIPT_BYTES = 64 << 20  # read at most the last 64 MB of a very long session
# What Claude Code writes as a "user" message that the user did not type.
_NOT_TYPED = (
    "<command-",
    "<local-command-",
    "<system-reminder>",
    "<bash-",
    "<user-memory-input>",
    "Caveat: The messages below were generated",
    "This session is being continued from a previous conversation",
    "[Request interrupted",
)
# What Claude Code (and its IDE extensions) wraps in its own tags inside a user's message,
# wherever it stands: a reminder, the file open in the editor, the selected lines. An opening
# tag left without its end (a cut line) hides the rest.
_ADDED = re.compile(
    r"<(system-reminder|ide_opened_file|ide_selection|ide_diagnostics)>(?:.*?</\1>|.*\Z)",
    re.DOTALL,
)
# A JSON escape that decodes to text no database takes (NUL, half of a surrogate pair): such a
# line's strings are mended (U+FFFD) rather than the line, or the whole capture, refused.
_UNFIT_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")


@dataclass(frozen=True)
class ToolUse:
    name: str
    input: dict[str, Any]
    ok: bool | None = None  # None: no result seen yet


@dataclass
class Turn:
    """One user request and what the assistant did about it."""

    uuid: str
    prompt: str
    at: datetime | None
    tools: list[ToolUse] = field(default_factory=list)
    replies: list[str] = field(default_factory=list)  # the assistant's text blocks, in order
    complete: bool = False  # the assistant finished (or the user spoke again)
    # `uuid` is the message's own (unique to it, kept when a session is resumed under a new
    # id), not a stand-in numbered within the file
    own_id: bool = True

    @property
    def conclusion(self) -> str:
        return self.replies[-1] if self.replies else ""


@dataclass
class Transcript:
    session_id: str
    cwd: str | None = None
    branch: str | None = None
    started: datetime | None = None
    ended: datetime | None = None
    turns: list[Turn] = field(default_factory=list)
    whole: bool = True  # False: only the file's tail was read (its first turn is not the first)


def read(path: Path) -> Transcript:
    """Parse a transcript file; a missing or unreadable file is a clear InvalidInput."""
    try:
        # The hook's JSON names the path: /dev/zero or a FIFO was read without end.
        with regular_files.open_regular(path) as fh:
            size = fh.seek(0, 2)
            fh.seek(max(0, size - MAX_TRANSCRIPT_BYTES))
            data = fh.read(MAX_TRANSCRIPT_BYTES)  # a file growing meanwhile: still bounded
    except regular_files.NotRegular:
        raise InvalidInput(f"The transcript {path} is not a file; nothing was read.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot read the transcript {path}: {exc.strerror or exc}.") from exc
    # Lines end at "\n" only: a message may hold U+2028 or NEL, which JSON keeps raw.
    transcript = parse(data.decode("utf-8", errors="replace").split("\n"))
    transcript.session_id = transcript.session_id or path.stem
    transcript.whole = size <= MAX_TRANSCRIPT_BYTES
    return transcript


def parse(lines: list[str], session_id: str = "") -> Transcript:
    """Turns from transcript lines, in order (lines that are not JSON objects are skipped)."""
    transcript = Transcript(session_id=session_id)
    pending: dict[str, tuple[Turn, int]] = {}  # tool_use id -> its turn and index
    seen: set[str] = set()  # message uuids: a second copy is a replay, not a new message
    for line in lines:
        entry = _entry(line)
        if entry is None or entry.get("isSidechain") or entry.get("isMeta"):
            continue
        kind, message = entry.get("type"), entry.get("message")
        if kind not in ("user", "assistant") or not isinstance(message, dict):
            continue
        uuid = entry.get("uuid")
        if isinstance(uuid, str) and uuid:  # an empty uuid names no message: never a replay
            if uuid in seen:
                continue
            seen.add(uuid)
        _context(transcript, entry)
        if kind == "user":
            _user(transcript, entry, message.get("content"), pending)
        elif transcript.turns:
            _assistant(transcript.turns[-1], message, pending)
    return transcript


def _entry(line: str) -> dict[str, Any] | None:
    if not line.strip():
        return None
    try:
        entry = read_json(line)
        if isinstance(entry, dict) and _UNFIT_ESCAPE.search(line):
            entry = _mended(entry)
    except (json.JSONDecodeError, RecursionError):
        return None
    return entry if isinstance(entry, dict) else None


def _mended(value: Any) -> Any:
    if isinstance(value, str):
        return mend(value)
    if isinstance(value, dict):
        return {_mended(k): _mended(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mended(v) for v in value]
    return value


def _context(transcript: Transcript, entry: dict[str, Any]) -> None:
    if not transcript.session_id and isinstance(entry.get("sessionId"), str):
        transcript.session_id = entry["sessionId"]
    if isinstance(entry.get("cwd"), str) and entry["cwd"]:
        transcript.cwd = entry["cwd"]
    if isinstance(entry.get("gitBranch"), str) and entry["gitBranch"]:
        transcript.branch = entry["gitBranch"]
    at = instant(entry.get("timestamp"))
    if at is not None:
        transcript.started = transcript.started or at
        transcript.ended = at


def _user(
    transcript: Transcript,
    entry: dict[str, Any],
    content: object,
    pending: dict[str, tuple[Turn, int]],
) -> None:
    texts: list[str] = []
    if isinstance(content, str):
        texts.append(content)
    elif isinstance(content, list):
        for block in content:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and isinstance(block.get("text"), str):
                texts.append(block["text"])
            elif block.get("type") == "tool_result":
                _result(block, pending)
    texts = [_ADDED.sub("", t) if "<" in t else t for t in texts]
    typed = "\n".join(t for t in texts if not t.lstrip().startswith(_NOT_TYPED)).strip()
    if not typed:
        return
    if transcript.turns:
        transcript.turns[-1].complete = True
    uuid = entry.get("uuid") if isinstance(entry.get("uuid"), str) and entry["uuid"] else None
    turn_id = uuid or f"turn-{len(transcript.turns) + 1}"
    at = instant(entry.get("timestamp"))
    transcript.turns.append(Turn(turn_id, typed, at, own_id=uuid is not None))


def _result(block: dict[str, Any], pending: dict[str, tuple[Turn, int]]) -> None:
    use_id = block.get("tool_use_id")
    if not isinstance(use_id, str) or use_id not in pending:
        return
    turn, index = pending.pop(use_id)
    use = turn.tools[index]
    turn.tools[index] = ToolUse(use.name, use.input, ok=not bool(block.get("is_error")))


def _assistant(turn: Turn, message: dict[str, Any], pending: dict[str, tuple[Turn, int]]) -> None:
    content = message.get("content")
    blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
    used_tool = said = False
    for block in blocks:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text" and isinstance(block.get("text"), str):
            if block["text"].strip():
                turn.replies.append(block["text"].strip())
                said = True
        elif block.get("type") == "tool_use" and isinstance(block.get("name"), str):
            used_tool = True
            given = block.get("input")
            tool_input: dict[str, Any] = given if isinstance(given, dict) else {}
            turn.tools.append(ToolUse(block["name"], tool_input))
            if isinstance(block.get("id"), str):
                pending[block["id"]] = (turn, len(turn.tools) - 1)
    # A reply that calls no tool ends the assistant's turn (stop_reason end_turn).
    if used_tool or said:
        turn.complete = not used_tool
