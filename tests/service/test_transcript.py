"""Claude Code's transcript JSONL as capture reads it: turns, tools, outcomes, what to skip."""

import json

from memory_mcp.formats.claude_code_transcript import parse


def line(**fields: object) -> str:
    return json.dumps(fields)


def test_turns_tools_outcomes_and_what_is_not_the_users_conversation() -> None:
    lines = [
        line(type="summary", summary="Earlier work", leafUuid="x"),
        line(
            type="user",
            uuid="u1",
            sessionId="s",
            cwd="/w",
            gitBranch="main",
            timestamp="2026-10-05T09:00:00Z",
            message={"role": "user", "content": "Where is X?"},
        ),
        line(
            type="assistant",
            uuid="a1",
            timestamp="2026-10-05T09:00:05Z",
            message={
                "role": "assistant",
                "content": [
                    {"type": "thinking", "thinking": "hmm"},
                    {"type": "tool_use", "id": "t1", "name": "Bash", "input": {"command": "make"}},
                ],
            },
        ),
        "{not json",
        line(
            type="user",
            uuid="r1",
            message={
                "role": "user",
                "content": [
                    {
                        "type": "tool_result",
                        "tool_use_id": "t1",
                        "content": "boom",
                        "is_error": True,
                    }
                ],
            },
        ),
        line(
            type="assistant",
            uuid="side",
            isSidechain=True,
            message={"role": "assistant", "content": [{"type": "text", "text": "subagent"}]},
        ),
        line(type="user", uuid="m1", isMeta=True, message={"role": "user", "content": "meta"}),
        line(
            type="user",
            uuid="c1",
            message={"role": "user", "content": "<command-name>/clear</command-name>"},
        ),
        line(
            type="assistant",
            uuid="a2",
            timestamp="2026-10-05T09:01:00Z",
            message={"role": "assistant", "content": [{"type": "text", "text": "X is in x.py."}]},
        ),
        line(
            type="user",
            uuid="u2",
            timestamp="2026-10-05T09:02:00Z",
            message={"role": "user", "content": [{"type": "text", "text": "Thanks."}]},
        ),
    ]
    transcript = parse(lines)
    assert (transcript.session_id, transcript.cwd, transcript.branch) == ("s", "/w", "main")
    first, second = transcript.turns
    assert (first.uuid, first.prompt, first.complete) == ("u1", "Where is X?", True)
    assert [(t.name, t.ok) for t in first.tools] == [("Bash", False)]
    assert first.conclusion == "X is in x.py." and first.at is not None
    assert (second.prompt, second.complete) == ("Thanks.", False)  # no answer yet
    assert transcript.ended is not None and transcript.ended.minute == 2


def test_messages_without_a_uuid_of_their_own_are_all_read() -> None:
    # An empty uuid names no message: the second and third turns are not replays of the first.
    lines = [
        line(type="user", uuid="", message={"role": "user", "content": f"Request {n}"})
        for n in (1, 2, 3)
    ] + [line(type="user", message={"role": "user", "content": "Request 4"})]

    turns = parse(lines).turns

    assert [t.prompt for t in turns] == ["Request 1", "Request 2", "Request 3", "Request 4"]
    assert [t.uuid for t in turns] == ["turn-1", "turn-2", "turn-3", "turn-4"]
    assert not any(t.own_id for t in turns)
