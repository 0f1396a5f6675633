"""Write sessions.json out as Claude Code transcripts (one JSONL file per session).

    uv run python benchmarks/data/capture/make_transcripts.py

The lines have the shape Claude Code writes to ~/.claude/projects/<folder>/<session>.jsonl:
`type` user/assistant, `message` with `role` and `content` (a string for what the user typed;
text and tool_use blocks for the assistant; tool_result blocks for tool output), `uuid`,
`parentUuid`, `sessionId`, `timestamp`, `cwd`, `gitBranch`, `version`, `userType`,
`isSidechain`. Ids and times are derived from the spec, so the files are reproducible.
"""

import json
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "transcripts"
VERSION = "2.0.31"
MODEL = "claude-sonnet-4-5-20250929"


def _id(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join(map(str, parts))))


def _tool_input(cwd: str, tool: list[Any]) -> dict[str, Any]:
    name = tool[0]
    if name in ("Read", "Edit", "Write"):
        body: dict[str, Any] = {"file_path": f"{cwd}/{tool[1]}"}
        if name == "Edit":
            body |= {"old_string": "…", "new_string": "…"}
        if name == "Write":
            body["content"] = "…"
        return body
    if name == "Grep":
        return {"pattern": tool[1], "path": f"{cwd}/{tool[2]}", "output_mode": "files_with_matches"}
    if name == "Glob":
        return {"pattern": tool[1]}
    return {"command": tool[1], "description": "Run " + tool[1].split()[0]}


def _result_text(tool: list[Any], ok: bool) -> str:
    if tool[0] == "Bash":
        return "ok" if ok else "exit status 1\nFAILED"
    if tool[0] == "Read":
        return "     1\t# (file contents)\n"
    return "done"


def session_lines(spec: dict[str, Any], project: dict[str, Any]) -> list[dict[str, Any]]:
    sid = _id("session", spec["id"])
    cwd = project["cwd"]
    now = datetime.fromisoformat(spec["start"].replace("Z", "+00:00"))
    lines: list[dict[str, Any]] = []
    parent: str | None = None

    def add(kind: str, message: dict[str, Any], **extra: Any) -> None:
        nonlocal parent, now
        now += timedelta(seconds=7)
        line_id = _id(sid, len(lines))
        lines.append({
            "parentUuid": parent, "isSidechain": False, "userType": "external", "cwd": cwd,
            "sessionId": sid, "version": VERSION, "gitBranch": spec["branch"], "type": kind,
            "message": message, "uuid": line_id,
            "timestamp": now.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            **extra,
        })  # fmt: skip
        parent = line_id

    for t, turn in enumerate(spec["turns"]):
        add("user", {"role": "user", "content": turn["user"]})
        for n, tool in enumerate(turn["tools"]):
            use_id = "toolu_" + _id(sid, t, n).replace("-", "")[:24]
            block = {"type": "tool_use", "id": use_id, "name": tool[0],
                     "input": _tool_input(cwd, tool)}  # fmt: skip
            add("assistant", {"model": MODEL, "role": "assistant", "content": [block],
                              "stop_reason": "tool_use"})  # fmt: skip
            ok = bool(tool[2]) if tool[0] == "Bash" else True
            result = {"type": "tool_result", "tool_use_id": use_id,
                      "content": _result_text(tool, ok), "is_error": not ok}  # fmt: skip
            add("user", {"role": "user", "content": [result]})
        add("assistant", {"model": MODEL, "role": "assistant",
                          "content": [{"type": "text", "text": turn["reply"]}],
                          "stop_reason": "end_turn"})  # fmt: skip
    return lines


def main() -> None:
    spec = json.loads((HERE / "sessions.json").read_text())
    OUT.mkdir(exist_ok=True)
    for session in spec["sessions"]:
        lines = session_lines(session, spec["projects"][session["project"]])
        text = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
        (OUT / f"{session['id']}.jsonl").write_text(text)
    print(f"wrote {len(spec['sessions'])} transcripts to {OUT}")


if __name__ == "__main__":
    main()
