"""The stdio transport (adapters/mcp_server/stdio.py) against real `memory-mcp serve`
processes: large messages, bursts, slow readers, stray output, bad lines, end of input, and
the SDK transport it falls back to when stdin is not a pipe or socket."""

import contextlib
import fcntl
import json
import os
import pty
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

pytestmark = pytest.mark.slow

SERVE = [sys.executable, "-m", "memory_mcp", "serve"]
PROBE = [sys.executable, str(Path(__file__).with_name("stdio_probe.py"))]
HELLO = {
    "protocolVersion": "2025-06-18",
    "capabilities": {},
    "clientInfo": {"name": "t", "version": "1"},
}
# Characters of 1 to 4 UTF-8 bytes, so pipe reads split some of them in two.
BIG = ("naïve café — 🙂 rocket 🚀 " * 80_000)[:1_500_000].strip()


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    return env | {"MEMORY_MCP_DB": str(tmp_path / "m.db"), "MEMORY_MCP_SEMANTIC": "false"} | extra


def _line(message: dict[str, Any]) -> bytes:
    return json.dumps({"jsonrpc": "2.0", **message}).encode() + b"\n"


OPENING = _line({"id": 0, "method": "initialize", "params": HELLO}) + _line(
    {"method": "notifications/initialized"}
)


def _spawn(
    tmp_path: Path, argv: list[str] = SERVE, stdin: int = subprocess.PIPE, **extra: str
) -> "subprocess.Popen[bytes]":
    with (tmp_path / "stderr.log").open("wb") as stderr:  # the child keeps its own copy
        return subprocess.Popen(
            argv, stdin=stdin, stdout=subprocess.PIPE, stderr=stderr,
            env=_env(tmp_path, **extra),
        )  # fmt: skip


def _ping(proc: "subprocess.Popen[bytes]", wire: int) -> None:
    """The opening and a ping written straight to `wire` (the server's stdin), both answered."""
    os.write(wire, OPENING + _line({"id": 1, "method": "ping"}))
    assert [r["id"] for r in _replies(proc, 2)] == [0, 1]


def _replies(proc: "subprocess.Popen[bytes]", count: int) -> list[dict[str, Any]]:
    """The next `count` stdout lines, each of which must be one JSON-RPC message."""
    assert proc.stdout is not None
    found = []
    for _ in range(count):
        line = proc.stdout.readline()
        assert line.endswith(b"\n"), f"stdout ended early: {line[:200]!r}"
        message = json.loads(line)
        assert message.get("jsonrpc") == "2.0", line[:200]
        found.append(message)
    return found


def _finish(proc: "subprocess.Popen[bytes]") -> tuple[int, bytes]:
    """Close stdin as a client does; the exit code and whatever else stdout held."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    try:
        rest = proc.stdout.read()
        return proc.wait(timeout=30), rest
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


@pytest.mark.anyio
async def test_a_message_larger_than_a_pipe_buffer_crosses_both_ways(tmp_path: Path) -> None:
    env = _env(tmp_path, MEMORY_MCP_MAX_CONTENT_CHARS=str(2 * len(BIG)))
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=env)
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            stored = await client.call_tool("remember", {"content": BIG})
            assert not stored.is_error, stored
            assert stored.structured_content is not None
            read = await client.read_resource(f"memory://{stored.structured_content['id']}")
            assert json.loads(read.contents[0].text)["content"] == BIG  # type: ignore[union-attr]


def test_a_burst_of_requests_in_one_write_is_answered_in_order(tmp_path: Path) -> None:
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    burst = b"".join(_line({"id": i, "method": "ping"}) for i in range(1, 401))
    proc.stdin.write(OPENING + burst)
    proc.stdin.flush()
    replies = _replies(proc, 401)
    assert [r["id"] for r in replies] == list(range(401))
    assert all("result" in r for r in replies)
    assert _finish(proc) == (0, b"")


def test_a_token_sent_as_a_name_or_address_never_reaches_the_log(tmp_path: Path) -> None:
    """The SDK logs a failed tool or resource with the name or address as sent ("Tool
    'ghp_…' failed"), and the server's stderr is a file clients keep: every handler masks
    the SDK's records, and our refusal of a bad address masks what it repeats."""
    token = "ghp_" + "Ab1" * 12 + "Zq7x"
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    calls = [
        {"id": 1, "method": "tools/call", "params": {"name": token, "arguments": {}}},
        {"id": 2, "method": "resources/read", "params": {"uri": f"memory://{token}"}},
        {"id": 3, "method": "prompts/get", "params": {"name": token}},
    ]
    proc.stdin.write(OPENING + b"".join(_line(call) for call in calls))
    proc.stdin.flush()
    replies = _replies(proc, 4)
    assert replies[2]["error"]["message"] == (
        "Memory ids are whole numbers such as 7, not '[REDACTED:github_token]'."
    )
    assert _finish(proc)[0] == 0
    log = (tmp_path / "stderr.log").read_text()
    assert "failed" in log and "[REDACTED:github_token]" in log
    assert token not in log and token[:20] not in log


def _serving_big_memory(tmp_path: Path, content: str) -> tuple["subprocess.Popen[bytes]", int]:
    """A server holding `content` (a memory whose reply is larger than a pipe), and its id."""
    proc = _spawn(tmp_path, MEMORY_MCP_MAX_CONTENT_CHARS=str(len(BIG)))
    assert proc.stdin is not None
    remember = {"name": "remember", "arguments": {"content": content}}
    proc.stdin.write(OPENING + _line({"id": 1, "method": "tools/call", "params": remember}))
    proc.stdin.flush()
    return proc, _replies(proc, 2)[1]["result"]["structuredContent"]["id"]


def test_a_client_that_stops_reading_gets_every_byte_later(tmp_path: Path) -> None:
    content = BIG[:300_000].strip()
    proc, stored = _serving_big_memory(tmp_path, content)
    assert proc.stdin is not None
    reads = [
        _line({"id": i, "method": "resources/read", "params": {"uri": f"memory://{stored}"}})
        for i in range(2, 12)
    ]
    proc.stdin.write(b"".join(reads))  # ~10 MB of replies for a 64 KiB pipe
    proc.stdin.flush()
    time.sleep(1.5)  # the server's writes block meanwhile
    replies = sorted(_replies(proc, 10), key=lambda r: r["id"])  # read on threads: any order
    assert [r["id"] for r in replies] == list(range(2, 12))
    for reply in replies:
        assert json.loads(reply["result"]["contents"][0]["text"])["content"] == content
    assert _finish(proc) == (0, b"")


def test_a_reply_halfway_onto_the_wire_when_stdin_ends_is_finished(tmp_path: Path) -> None:
    """A reply larger than the pipe waits for the client to read it; the end of input
    meanwhile stops the server, which cancels what is under way, but must not cut that line
    (a client would read a garbled message): the client gets the whole reply."""
    content = BIG[:300_000].strip()
    proc, stored = _serving_big_memory(tmp_path, content)
    assert proc.stdin is not None
    read = {"uri": f"memory://{stored}"}
    proc.stdin.write(_line({"id": 2, "method": "resources/read", "params": read}))
    proc.stdin.flush()
    time.sleep(1)  # the reply fills the pipe, and its writer waits for the client
    code, rest = _finish(proc)  # stdin ends, then the client reads
    assert code == 0
    (reply,) = [json.loads(line) for line in rest.splitlines()]
    assert reply["id"] == 2
    assert json.loads(reply["result"]["contents"][0]["text"])["content"] == content


def test_a_client_that_closes_its_reading_end_leaves_a_quiet_server(tmp_path: Path) -> None:
    """A client that stops reading for good (it closed our stdout, or died) cannot get any
    answer: replies and refusals are dropped, serving goes on until stdin closes, and the
    server ends as after any client: exit 0, no traceback in its log (it used to stop on
    the broken pipe as on an unexpected error, exit 1)."""
    proc = _spawn(tmp_path)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(OPENING)
    proc.stdin.flush()
    assert _replies(proc, 1)[0]["id"] == 0
    proc.stdout.close()
    proc.stdin.write(_line({"id": 1, "method": "ping"}) + b"not json\n")
    recall = {"name": "recall", "arguments": {"query": "anything"}}
    proc.stdin.write(_line({"id": 2, "method": "tools/call", "params": recall}))
    proc.stdin.flush()
    time.sleep(1)
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    log = (tmp_path / "stderr.log").read_text()
    assert "Traceback" not in log and "unexpected error" not in log, log


def test_stray_output_on_fd_1_during_a_call_never_reaches_the_wire(tmp_path: Path) -> None:
    proc = _spawn(tmp_path, PROBE)
    assert proc.stdin is not None
    call = {"name": "noise", "arguments": {}}
    proc.stdin.write(OPENING + _line({"id": 1, "method": "tools/call", "params": call}))
    proc.stdin.write(_line({"id": 2, "method": "ping"}))
    proc.stdin.flush()
    replies = sorted(_replies(proc, 3), key=lambda r: r["id"])
    assert replies[1]["result"]["content"][0]["text"] == "noisy"
    assert replies[2] == {"jsonrpc": "2.0", "id": 2, "result": {}}
    assert _finish(proc) == (0, b"")
    stderr = (tmp_path / "stderr.log").read_text()
    assert all(f"STRAY {how}" in stderr for how in ("print", "os.write", "child")), stderr


def test_bad_lines_are_answered_with_json_rpc_errors_and_serving_goes_on(tmp_path: Path) -> None:
    """The SDK drops a line it cannot parse, so the client waited for its timeout: each gets
    JSON-RPC's error (a blank line none); the server then serves on, the SDK client too."""
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    proc.stdin.write(OPENING + b"not json\n\xff\xfe{\n\n" + _line({"id": 1, "method": "ping"}))
    proc.stdin.flush()
    replies = _replies(proc, 4)  # an error can come before an earlier request's answer
    errors = [(r["id"], r["error"]["code"]) for r in replies if "error" in r]
    assert errors == [(None, -32700), (None, -32700)]
    assert [r["id"] for r in replies if "result" in r] == [0, 1]
    assert _finish(proc) == (0, b"")


BAD_LINES = {  # a line, and the (id, code) of its answer
    "not json": (None, -32700),
    '{"jsonrpc": "2.0", "id": 3, "method": "ping"': (None, -32700),
    '[{"jsonrpc": "2.0", "id": 4, "method": "ping"}]': (None, -32600),
    '{"jsonrpc": "2.0", "id": 5}': (5, -32600),
    '{"id": "six", "method": "ping"}': ("six", -32600),
    "42": (None, -32600),
}


@pytest.mark.anyio
async def test_each_bad_line_gets_its_error_then_the_sdk_client_is_served(
    tmp_path: Path,
) -> None:
    raw, replies = tmp_path / "raw.jsonl", tmp_path / "replies.jsonl"
    raw.write_text("".join(line + "\n" for line in BAD_LINES) + "\n")  # and a blank line
    relay = str(Path(__file__).with_name("stdio_relay.py"))
    args = [relay, str(raw), str(replies), str(len(BAD_LINES))]
    params = StdioServerParameters(command=sys.executable, args=args, env=_env(tmp_path))
    with (tmp_path / "stderr.log").open("w") as errlog:
        async with Client(stdio_client(params, errlog=errlog), mode="legacy") as client:
            answered = [json.loads(line) for line in replies.read_text().splitlines()]
            assert [(a["id"], a["error"]["code"]) for a in answered] == list(BAD_LINES.values())
            assert all(a["jsonrpc"] == "2.0" for a in answered)
            assert "batch" in answered[2]["error"]["message"]
            stored = await client.call_tool("remember", {"content": "Served after bad lines"})
            assert not stored.is_error, stored


def _nested(message_id: int, depth: int) -> bytes:
    """A remember call whose metadata nests `depth` objects deep."""
    metadata = '{"a":' * depth + "1" + "}" * depth
    call = {"name": "remember", "arguments": {"content": "deep", "metadata": "METADATA"}}
    line = _line({"id": message_id, "method": "tools/call", "params": call})
    return line.replace(b'"METADATA"', metadata.encode())


def test_odd_ids_and_deep_nesting_are_answered_and_serving_goes_on(tmp_path: Path) -> None:
    """A request whose id is null, a fraction or a boolean was taken for a notification and
    dropped, its client waiting until its timeout; a line nested deeper than Python's JSON
    parser goes ended the server (RecursionError while answering it), and one nested past
    the SDK's parser's depth was refused as "not a JSON-RPC 2.0 message"."""
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    odd_ids = b"".join(_line({"id": odd, "method": "ping"}) for odd in (None, 1.5, True))
    proc.stdin.write(OPENING + odd_ids + _nested(7, 300) + _nested(8, 100_000))
    proc.stdin.write(_line({"id": 9, "method": "ping"}))
    proc.stdin.flush()
    replies = _replies(proc, 7)
    errors = [(r["id"], r["error"]["code"]) for r in replies if "error" in r]
    assert errors == [(None, -32600)] * 3 + [(7, -32600), (8, -32600)]
    messages = [r["error"]["message"] for r in replies if "error" in r]
    assert all('"id" must be a string or an integer' in m for m in messages[:3]), messages
    assert all("more than 200 levels deep" in m for m in messages[3:]), messages
    assert [r["id"] for r in replies if "result" in r] == [0, 9]
    assert _finish(proc) == (0, b"")


def test_half_an_emoji_is_answered_not_left_unanswered(tmp_path: Path) -> None:
    """JavaScript clients write a lone UTF-16 surrogate as a `\\ud83d` escape, which the SDK's
    parser refuses: the request was never answered (the Inspector timed out after 60 s)."""
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    content = r"cut \ud83d, whole \ud83d\ude00, lone \udc00, text \\ud83d"
    call = {"name": "remember", "arguments": {"content": "CONTENT"}}
    line = _line({"id": 1, "method": "tools/call", "params": call})
    proc.stdin.write(OPENING + line.replace(b"CONTENT", content.encode()))
    proc.stdin.flush()
    unanswered = threading.Timer(30, proc.kill)  # then stdout ends: no hanging test
    unanswered.start()
    try:
        reply = _replies(proc, 2)[1]
    finally:
        unanswered.cancel()
    assert reply["id"] == 1 and not reply["result"]["isError"], reply
    proc.stdin.write(_line({"id": 2, "method": "resources/read", "params": {"uri": "memory://1"}}))
    proc.stdin.flush()
    stored = json.loads(_replies(proc, 1)[0]["result"]["contents"][0]["text"])
    assert stored["content"] == "cut \ufffd, whole \U0001f600, lone \ufffd, text \\ud83d"
    assert _finish(proc)[0] == 0


def test_a_last_line_without_newline_is_read_at_end_of_input(tmp_path: Path) -> None:
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    proc.stdin.write(OPENING + _line({"id": 1, "method": "tools/list"}).rstrip(b"\n"))
    code, out = _finish(proc)  # stdin closed right after: as with the SDK's, still answered
    assert code == 0
    assert [json.loads(line)["id"] for line in out.splitlines()] == [0, 1]


def test_stdin_from_a_file_is_served_by_the_sdk_transport(tmp_path: Path) -> None:
    """A file reaches its end at once: what it asked is still answered (drain.py)."""
    requests = tmp_path / "requests.jsonl"
    requests.write_bytes(OPENING + _line({"id": 1, "method": "tools/list"}))
    with requests.open("rb") as stdin:
        done = subprocess.run(
            SERVE, stdin=stdin, capture_output=True, env=_env(tmp_path), timeout=60
        )
    assert done.returncode == 0, done.stderr.decode()
    replies = [json.loads(line) for line in done.stdout.splitlines()]
    assert replies[0]["id"] == 0 and replies[0]["result"]["serverInfo"]["name"] == "memory-mcp"
    assert [r["id"] for r in replies] == [0, 1]


def test_stdout_to_a_file_is_served_by_the_sdk_transport(tmp_path: Path) -> None:
    out = tmp_path / "replies.jsonl"
    with out.open("wb") as stdout, (tmp_path / "stderr.log").open("wb") as stderr:
        proc = subprocess.Popen(
            SERVE, stdin=subprocess.PIPE, stdout=stdout, stderr=stderr, env=_env(tmp_path)
        )
    assert proc.stdin is not None
    try:
        proc.stdin.write(OPENING + _line({"id": 1, "method": "tools/list"}))
        proc.stdin.flush()
        deadline = time.monotonic() + 120
        while out.read_bytes().count(b"\n") < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        replies = [json.loads(line) for line in out.read_bytes().splitlines()]
        assert [r["id"] for r in replies] == [0, 1]
        assert {"remember", "recall"} <= {t["name"] for t in replies[1]["result"]["tools"]}
        proc.stdin.close()
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_a_terminal_on_stdin_is_served_by_the_sdk_transport_and_left_blocking(
    tmp_path: Path,
) -> None:
    """O_NONBLOCK belongs to the open file, which a terminal shares with the shell: the loop
    must not drive it (the SDK's transport reads it on a thread instead)."""
    main, tty = pty.openpty()
    termios.tcsetattr(tty, termios.TCSANOW, _raw(termios.tcgetattr(tty)))
    proc = _spawn(tmp_path, stdin=tty)
    try:
        _ping(proc, main)
        assert not fcntl.fcntl(tty, fcntl.F_GETFL) & os.O_NONBLOCK
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
        os.close(main)
        os.close(tty)


def _raw(attrs: list[Any]) -> list[Any]:
    """No echo, no line editing: the terminal passes the lines through as written."""
    attrs[3] &= ~(termios.ECHO | termios.ICANON)
    return attrs


@pytest.mark.parametrize("how", ["end of input", "SIGTERM"])
def test_the_wire_is_left_blocking_for_whoever_shares_it(tmp_path: Path, how: str) -> None:
    """A shell that runs the server and then reads on shares its stdin's open file, and with
    it O_NONBLOCK: the server sets that flag while it serves and clears it on every exit."""
    theirs, ours = os.pipe()  # `theirs`: the read end, kept open here as a shell would
    proc = _spawn(tmp_path, stdin=theirs)
    try:
        _ping(proc, ours)
        assert fcntl.fcntl(theirs, fcntl.F_GETFL) & os.O_NONBLOCK  # while serving
        if how == "SIGTERM":
            proc.terminate()
        else:
            os.close(ours)
        proc.wait(timeout=30)
        assert not fcntl.fcntl(theirs, fcntl.F_GETFL) & os.O_NONBLOCK
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
        os.close(theirs)
        with contextlib.suppress(OSError):
            os.close(ours)


def test_a_number_too_long_to_read_is_refused_as_such_with_its_id(tmp_path: Path) -> None:
    """A number of more digits than Python reads from text (4300) is valid JSON: it was
    answered "Parse error: the line is not JSON", without the request's id."""
    proc = _spawn(tmp_path)
    assert proc.stdin is not None
    call = {"name": "remember", "arguments": {"content": "long", "metadata": {"n": "N"}}}
    line = _line({"id": 5, "method": "tools/call", "params": call})
    proc.stdin.write(OPENING + line.replace(b'"N"', b"9" * 5000))
    proc.stdin.write(_line({"id": 6, "method": "ping"}))
    proc.stdin.flush()
    refused, pong = _replies(proc, 3)[1:]
    assert (refused["id"], refused["error"]["code"]) == (5, -32600), refused
    assert "more than 4300 digits" in refused["error"]["message"]
    assert pong == {"jsonrpc": "2.0", "id": 6, "result": {}}
    assert _finish(proc) == (0, b"")
