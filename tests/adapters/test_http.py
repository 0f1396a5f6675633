"""`memory-mcp serve --http`: real HTTP on loopback, bearer tokens, DNS-rebinding protection."""

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ListRootsResult, Root
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from tests.ports import log_an_invalid_request, log_file, serving_port

pytestmark = pytest.mark.slow

TOKEN = "test-token-" + "x" * 20


def principal_token(tmp_path: Path, name: str, grant: str) -> str:
    """A principal `name` with `grant`, added by the CLI to the database start() serves: its
    token."""
    made = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "--db", str(tmp_path / "http.db"), "token", "add",
         name, "--grant", grant],
        capture_output=True, text=True, check=True,
        env=dict(os.environ, MEMORY_MCP_SEMANTIC="false"),
    )  # fmt: skip
    return made.stdout.strip()


def start(
    tmp_path: Path,
    *args: str,
    token: str | None = None,
    extra_env: dict[str, str] | None = None,
    nofile: int | None = None,
) -> tuple[subprocess.Popen[str], int]:
    """`serve --http --port 0` (the port it names once bound); `nofile` caps its descriptors
    (soft and hard)."""
    env = dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "http.db"), MEMORY_MCP_SEMANTIC="false",
               MEMORY_MCP_TOKEN_FILE=str(tmp_path / "token"), **(extra_env or {}))  # fmt: skip
    env.pop("MEMORY_MCP_TOKEN", None)
    if token:
        env["MEMORY_MCP_TOKEN"] = token

    def limit_descriptors() -> None:
        if nofile is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    log = log_file(tmp_path)
    with log.open("w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, "-m", "memory_mcp", "serve", "--http", "--port", "0", *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            text=True, preexec_fn=limit_descriptors,
        )  # fmt: skip
    try:
        # The port is bound before the database opens and the token is made (listen.py);
        # the start-up line, logged once both are done, names it.
        return proc, serving_port(log, proc)
    except BaseException:
        proc.kill()
        proc.wait()
        raise


@pytest.fixture
def servers() -> Iterator[list[subprocess.Popen[str]]]:
    procs: list[subprocess.Popen[str]] = []
    yield procs
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


async def session(
    url: str, token: str | None, scheme: str = "Bearer", timeout: float = 5, mode: str = "auto"
) -> list[str]:
    """One client's tools, a write and a read; `mode="legacy"`: on 2025-11-25, in a session."""
    headers = {"Authorization": f"{scheme} {token}"} if token else {}
    async with (
        httpx2.AsyncClient(headers=headers, timeout=timeout) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        tools = sorted(t.name for t in (await client.list_tools()).tools)
        stored = await client.call_tool("remember", {"content": "Shared over HTTP"})
        assert not stored.is_error
        found = await client.call_tool("recall", {"query": "HTTP"})
        assert found.structured_content and found.structured_content["hits"]
        return tools


def test_loopback_without_token(tmp_path: Path, servers: list[subprocess.Popen[str]]) -> None:
    proc, port = start(tmp_path)
    servers.append(proc)
    tools = anyio.run(session, f"http://127.0.0.1:{port}/mcp", None)
    assert tools == ["forget", "recall", "remember", "summarize"]


def test_token_is_required_when_configured(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    assert httpx2.post(url, json=ping).status_code == 401
    wrong = httpx2.post(url, json=ping, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"].startswith("Bearer")
    assert anyio.run(session, url, TOKEN)
    # The scheme is case-insensitive (RFC 7235); two Authorization headers are ambiguous.
    assert anyio.run(session, url, TOKEN, "bearer")
    two = [("Authorization", "Bearer nope"), ("Authorization", f"Bearer {TOKEN}")]
    for headers in (two, two[::-1]):
        refused = httpx2.post(url, json=ping, headers=headers)
        assert refused.status_code == 400 and "one Authorization" in refused.text


def test_dns_rebinding_is_refused(tmp_path: Path, servers: list[subprocess.Popen[str]]) -> None:
    proc, port = start(tmp_path)
    servers.append(proc)
    evil = httpx2.post(
        f"http://127.0.0.1:{port}/mcp",
        json={"jsonrpc": "2.0", "id": 1, "method": "ping"},
        headers={"Host": "evil.example:80", "Accept": "application/json, text/event-stream"},
    )
    assert evil.status_code in (400, 403, 421)


def test_every_interface_generates_a_private_token(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    proc, port = start(tmp_path, "--host", "0.0.0.0", "--allow-host", "localhost")
    servers.append(proc)
    token_file = tmp_path / "token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    token = token_file.read_text().strip()
    url = f"http://localhost:{port}/mcp"
    assert httpx2.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "ping"}).status_code == 401
    assert anyio.run(session, url, token)


def test_every_interface_needs_named_hosts(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "serve", "--http", "--host", "0.0.0.0"],
        env=dict(os.environ, MEMORY_MCP_DB=str(tmp_path / "x.db")),
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert result.returncode == 1 and "--allow-host" in result.stderr


def test_token_command_creates_and_rotates(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"MEMORY_MCP_TOKEN_FILE": str(tmp_path / "t" / "token")}
    first = runner.invoke(app, ["token"], env=env)
    assert first.exit_code == 0
    again = runner.invoke(app, ["token"], env=env)
    rotated = runner.invoke(app, ["token", "--rotate"], env=env)
    assert first.stdout == again.stdout != rotated.stdout
    path = tmp_path / "t" / "token"
    assert path.read_text().strip() == rotated.stdout.strip()
    assert path.stat().st_mode & 0o777 == 0o600


def make_repo(
    root: Path, name: str = "gizmo", remote: str = "https://gitlab.com/acme/gizmo"
) -> Path:
    """A git repository folder `root/name` whose origin is `remote` (its project scope)."""
    repo = root / name
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')
    return repo


def test_roots_scope_stays_with_its_client_over_http(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """Ten clients at a time, with and without roots, each in many short sessions: every
    write lands in the scope its own client's roots decide (issue 11, finding 1)."""
    proc, port = start(tmp_path)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    repo = make_repo(tmp_path)
    wrong: list[str] = []

    async def roots(_: Any) -> ListRootsResult:
        return ListRootsResult(roots=[Root(uri=repo.as_uri(), name="gizmo")])

    async def one(n: int) -> None:
        with_roots = n % 2 == 0
        extra: dict[str, Any] = {"list_roots_callback": roots} if with_roots else {}
        async with (
            httpx2.AsyncClient() as http,
            Client(streamable_http_client(url, http_client=http), mode="legacy", **extra) as c,
        ):
            for i in range(3):
                stored = await c.call_tool("remember", {"content": f"client {n} fact {i}"})
                assert stored.structured_content is not None
                scope = stored.structured_content["scope"]
                if scope != ("gitlab.com/acme/gizmo" if with_roots else "global"):
                    wrong.append(f"client {n} ({with_roots=}) wrote into {scope}")

    async def clients() -> None:
        async def worker(first: int) -> None:
            for n in range(first, 80, 10):
                await one(n)

        async with anyio.create_task_group() as tg:
            for first in range(10):
                tg.start_soon(worker, first)

    anyio.run(clients)
    assert wrong == []


def test_half_open_connections_cannot_lock_out_a_client(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """300 connections that never finish a request, against a server with 256 descriptors:
    the authorised client still gets in, and the server closes the silent connections after
    the read timeout (issue 11, finding 14)."""
    proc, port = start(tmp_path, token=TOKEN, nofile=256,
                       extra_env={"MEMORY_MCP_HTTP_READ_TIMEOUT": "2"})  # fmt: skip
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"

    async def bounded() -> list[str]:
        with anyio.fail_after(30):
            return await session(url, TOKEN, timeout=30, mode="legacy")

    assert anyio.run(bounded)
    before = descriptors(proc.pid)
    flood = half_open_flood(port, 300)
    try:
        assert anyio.run(bounded)
        time.sleep(3)
        after = descriptors(proc.pid)
        if after is not None and before is not None:  # Linux: count the server's own
            assert after <= before + 2
        else:  # elsewhere: the connections that told the server something must be closed
            assert all(closed_by_server(s) for s in flood[1::2])
    finally:
        for s in flood:
            s.close()
    assert proc.poll() is None


def descriptors(pid: int) -> int | None:
    """How many files and sockets a process has open (Linux), else None."""
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def half_open_flood(port: int, count: int) -> list[socket.socket]:
    """`count` connections that never finish a request: half send nothing, half start a
    request and stop inside its headers."""

    def one(i: int) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", port), timeout=60)
        if i % 2:
            s.sendall(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        return s

    with ThreadPoolExecutor(32) as pool:
        return list(pool.map(one, range(count)))


def closed_by_server(s: socket.socket) -> bool:
    s.settimeout(5)
    try:
        return s.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def initialize(url: str, name: str) -> str:
    """Open a bare MCP session (what a flood would do) and return its id."""
    params = {"protocolVersion": "2025-11-25", "capabilities": {},
              "clientInfo": {"name": name, "version": "1"}}  # fmt: skip
    reply = httpx2.post(
        url,
        json={"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": params},
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert reply.status_code == 200, reply.text
    return reply.headers["mcp-session-id"]


def alive(url: str, session_id: str) -> bool:
    reply = httpx2.post(
        url,
        json={"jsonrpc": "2.0", "id": 2, "method": "ping"},
        headers={
            "Accept": "application/json, text/event-stream",
            "Mcp-Session-Id": session_id,
            "Mcp-Protocol-Version": "2025-11-25",
        },  # fmt: skip
    )
    assert reply.status_code in (200, 404), reply.text
    return reply.status_code == 200


def test_idle_sessions_cannot_lock_out_a_client(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """Sessions past MEMORY_MCP_HTTP_MAX_SESSIONS end the least recently used one: memory
    stays bounded and a new client always gets in (issue 11, finding 14)."""
    proc, port = start(tmp_path, extra_env={"MEMORY_MCP_HTTP_MAX_SESSIONS": "4"})
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    ids = [initialize(url, f"idle-{i}") for i in range(10)]
    assert alive(url, ids[0]) is False  # the oldest were ended to make room
    assert all(alive(url, i) for i in ids[-3:])
    assert anyio.run(session, url, None, "Bearer", 5, "legacy")  # one more session: served
    assert anyio.run(session, url, None)  # 2026-07-28 clients need no session
    assert sum(alive(url, i) for i in ids) <= 3


async def oversized(url: str, mode: str) -> str:
    """A request over the body limit, then a normal one in the same session."""
    from mcp.shared.exceptions import MCPError

    async with Client(url, mode=mode) as client:
        with pytest.raises(MCPError) as refused:
            await client.call_tool("remember", {"content": "x" * 100_000})
        stored = await client.call_tool("remember", {"content": "Still serving"})
        assert not stored.is_error
        return str(refused.value)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
def test_a_body_over_the_limit_is_a_json_rpc_error(
    tmp_path: Path, servers: list[subprocess.Popen[str]], mode: str
) -> None:
    """The SDK's plain-text 413 reached the client as "Server returned an error response"."""
    proc, port = start(tmp_path, extra_env={"MEMORY_MCP_HTTP_MAX_BODY_KB": "64"})
    servers.append(proc)
    message = anyio.run(oversized, f"http://127.0.0.1:{port}/mcp", mode)
    assert message.startswith("Request body too large: this server takes at most 64 KiB")
    assert "20000 characters" in message


def test_what_the_sdk_cannot_take_as_a_message_gets_json_rpc_answers(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """As on stdio: a batch got 400 with pydantic's report under -32602 (Invalid params); a
    request with a null or fractional id got 202 Accepted (taken for a notification) and
    never an answer; JSON nested past the SDK's parser got a parse error without its id."""
    proc, port = start(tmp_path)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    headers = {"Accept": "application/json, text/event-stream"}
    with httpx2.Client(headers=headers, timeout=10) as http:
        hello = {"protocolVersion": "2025-11-25", "capabilities": {},
                 "clientInfo": {"name": "t", "version": "1"}}  # fmt: skip
        opened = http.post(url, json={"jsonrpc": "2.0", "id": 0, "method": "initialize",
                                      "params": hello})  # fmt: skip
        session = {"mcp-session-id": opened.headers["mcp-session-id"],
                   "mcp-protocol-version": "2025-11-25"}  # fmt: skip
        ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
        deep = '{"a":' * 300 + "1" + "}" * 300
        bodies = {
            "batch": json.dumps([ping]),
            "null id": json.dumps(ping | {"id": None}),
            "fractional id": json.dumps(ping | {"id": 1.5}),
            "deep": json.dumps(ping | {"id": 8, "params": {"x": "DEEP"}}).replace('"DEEP"', deep),
            "long number": json.dumps(ping | {"id": 9, "params": {"n": 1}}).replace(
                '"n": 1', '"n": ' + "9" * 5000
            ),
        }
        answers = {}
        for name, body in bodies.items():
            reply = http.post(
                url, content=body, headers=session | {"Content-Type": "application/json"}
            )
            assert reply.status_code == 400, (name, reply.status_code, reply.text)
            assert reply.headers["mcp-session-id"] == session["mcp-session-id"]
            answers[name] = reply.json()
        assert {n: (a["id"], a["error"]["code"]) for n, a in answers.items()} == {
            "batch": (None, -32600), "null id": (None, -32600),
            "fractional id": (None, -32600), "deep": (8, -32600), "long number": (9, -32600),
        }  # fmt: skip
        assert "batches (arrays) are not supported" in answers["batch"]["error"]["message"]
        assert '"id" must be a string or an integer' in answers["null id"]["error"]["message"]
        assert "more than 200 levels deep" in answers["deep"]["error"]["message"]
        assert "more than 4300 digits" in answers["long number"]["error"]["message"]
        served = http.post(url, json=ping, headers=session)
        assert served.status_code == 200 and '"result":{}' in served.text
        # A response (as to roots/list) has an id and no method: still accepted as one.
        answer = {"jsonrpc": "2.0", "id": 99, "result": {"roots": []}}
        assert http.post(url, json=answer, headers=session).status_code == 202


def test_roots_are_asked_in_the_calls_own_stream(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """A 2025-11-25 client that offers roots need not open the optional GET stream: roots/list
    went there, was never seen, and the call waited for ever (the stream's pings kept it
    open). It now comes in the call's own reply stream, and one never answered costs that
    call ROOTS_TIMEOUT_S, after which it goes on without a project."""
    proc, port = start(tmp_path)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    repo = make_repo(tmp_path)
    accept = {"Accept": "application/json, text/event-stream"}

    def remember(content: str, answer: bool) -> tuple[list[str], dict[str, Any]]:
        hello = {"protocolVersion": "2025-11-25", "capabilities": {"roots": {}},
                 "clientInfo": {"name": "no-get-stream", "version": "1"}}  # fmt: skip
        opened = httpx2.post(url, headers=accept, json={"jsonrpc": "2.0", "id": 1,
                             "method": "initialize", "params": hello})  # fmt: skip
        session = accept | {"mcp-session-id": opened.headers["mcp-session-id"],
                            "mcp-protocol-version": "2025-11-25"}  # fmt: skip
        httpx2.post(url, headers=session, json={"jsonrpc": "2.0",
                                                "method": "notifications/initialized"})  # fmt: skip
        call = {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
                "params": {"name": "remember", "arguments": {"content": content}}}  # fmt: skip
        asked, deadline = [], time.monotonic() + 60  # the old server never answered
        with httpx2.stream("POST", url, headers=session, json=call, timeout=30) as reply:
            for line in reply.iter_lines():
                assert time.monotonic() < deadline, f"no reply; asked: {asked}"
                if not line.startswith("data:"):
                    continue
                message = json.loads(line.removeprefix("data:"))
                if message.get("method") == "roots/list":
                    asked.append(message["method"])
                    if answer:
                        roots = {"roots": [{"uri": repo.as_uri(), "name": "gizmo"}]}
                        back = {"jsonrpc": "2.0", "id": message["id"], "result": roots}
                        assert httpx2.post(url, headers=session, json=back).status_code == 202
                elif message.get("id") == 2:
                    return asked, message["result"]["structuredContent"]
        raise AssertionError(f"the call's stream ended without its reply; asked: {asked}")

    asked, stored = remember("Roots answered in the call's stream", answer=True)
    assert (asked, stored["scope"]) == (["roots/list"], "gitlab.com/acme/gizmo")
    asked, stored = remember("Roots never answered", answer=False)
    assert (asked, stored["scope"]) == (["roots/list"], "global")


def test_a_client_gone_before_its_body_is_one_info_line_not_a_traceback(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """The SDK logged each such client as "ERROR Error handling POST request" with a
    ten-line traceback: a client killed or timing out mid-request filled the log."""
    proc, port = start(tmp_path)
    servers.append(proc)
    log = next(f for f in tmp_path.glob("server-*.log") if f"1:{port}/mcp" in f.read_text())
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(
                f"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                'Content-Length: 1000\r\n\r\n{"jsonrpc": "2.0", "id": 1, '.encode()
            )
    deadline = time.monotonic() + 120
    while log.read_text().count("disconnected before its request was read") < 3:
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    text = log.read_text()
    assert "Traceback" not in text and "ERROR" not in text, text
    assert anyio.run(session, f"http://127.0.0.1:{port}/mcp", None)  # serving goes on


def test_uvicorns_own_lines_go_through_the_servers_log_handler(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """uvicorn logged through a handler of its own ("WARNING:  Invalid HTTP request
    received."): no time, and past the handler that masks secrets and control characters
    in every other line. Anyone reaching the port, without a token, can make it log."""
    proc, port = start(tmp_path)
    servers.append(proc)
    log = next(f for f in tmp_path.glob("server-*.log") if f"1:{port}/mcp" in f.read_text())
    said = [
        line for line in log_an_invalid_request(port, log).splitlines() if "request" in line.lower()
    ]
    plain = re.compile(r"^\d\d:\d\d:\d\d WARNING ")
    assert said and all(plain.match(line) for line in said), said


def test_an_upgrade_request_is_served_plain_without_advice_to_install_anything(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """`curl --http2` (Upgrade: h2c) or a websocket client made uvicorn log two warnings a
    request, one advising `pip install 'uvicorn[standard]'`: the server offers neither on
    purpose and answers such a request as plain HTTP/1.1, as the protocol allows."""
    proc, port = start(tmp_path)
    servers.append(proc)
    log = next(f for f in tmp_path.glob("server-*.log") if f"1:{port}/mcp" in f.read_text())
    for upgrade in ("h2c", "websocket"):
        reply = httpx2.get(
            f"http://127.0.0.1:{port}/mcp",
            headers={"Connection": "Upgrade", "Upgrade": upgrade},
        )
        assert reply.status_code < 500, reply.text  # answered (a 4xx: no session, no Accept)
    text = log_an_invalid_request(port, log)  # by then the upgrades' lines, if any, are there
    assert "Unsupported upgrade" not in text and "uvicorn[standard]" not in text, text


def test_an_unsupported_protocol_version_header_names_the_supported_ones(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """The 400 was right but its words were the SDK's about something else (`params._meta
    must be an object carrying ... envelope keys`): a client on a version this server does
    not speak could not tell that its version was the problem, nor which to use."""
    proc, port = start(tmp_path)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    supported = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25", "2026-07-28"]
    for asked in ("1999-01-01", "2027-01-01", "garbage"):
        reply = httpx2.post(
            url,
            json={"jsonrpc": "2.0", "id": 7, "method": "tools/list", "params": {}},
            headers={
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": asked,
            },  # fmt: skip
        )
        assert reply.status_code == 400, reply.text
        answer = reply.json()
        assert answer["id"] == 7 and answer["error"]["code"] == -32022
        assert answer["error"]["message"].startswith(
            f"Unsupported MCP-Protocol-Version {asked!r}: this server speaks 2024-11-05, "
            "2025-03-26, 2025-06-18, 2025-11-25 (after initialize) and 2026-07-28"
        )
        assert answer["error"]["data"] == {"supported": supported, "requested": asked}
    # A version it speaks still gets the SDK's own answer about what else is wrong.
    modern = httpx2.post(
        url,
        json={"jsonrpc": "2.0", "id": 8, "method": "tools/list", "params": {}},
        headers={
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2026-07-28",
        },  # fmt: skip
    )
    assert modern.status_code == 400 and "params._meta" in modern.json()["error"]["message"]
    assert anyio.run(session, url, None) and initialize(url, "after")


def test_tokens_are_checked_on_every_request_of_a_kept_connection(
    tmp_path: Path, servers: list[subprocess.Popen[str]]
) -> None:
    """The owner's token needs no database and no thread; a principal's is looked up on
    every request: revoked by `memory-mcp token revoke` in another process, the very next
    request on the same kept-alive connection gets 401, and the owner's still gets in."""
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    url = f"http://127.0.0.1:{port}/mcp"
    env = {"MEMORY_MCP_DB": str(tmp_path / "http.db"), "MEMORY_MCP_SEMANTIC": "false"}
    runner = CliRunner()
    added = runner.invoke(app, ["token", "add", "bob"], env=env)
    assert added.exit_code == 0, added.output
    bob = next(w for w in added.output.split() if w.startswith("mm_"))
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Accept": "application/json, text/event-stream"}

    def status(http: httpx2.Client, token: str) -> int:
        reply = http.post(url, json=ping, headers=headers | {"Authorization": f"Bearer {token}"})
        return reply.status_code

    with httpx2.Client(timeout=10) as http:  # one connection, kept alive throughout
        assert status(http, bob) != 401 and status(http, TOKEN) != 401
        revoked = runner.invoke(app, ["token", "revoke", "bob"], env=env)
        assert revoked.exit_code == 0, revoked.output
        assert status(http, bob) == 401
        assert status(http, TOKEN) != 401
        assert status(http, TOKEN + "x") == 401


def test_no_request_is_upgraded_to_a_websocket_even_with_a_websocket_library() -> None:
    """uvicorn upgrades a websocket request when `websockets` or `wsproto` is installed (this
    environment has neither), and the access gate and the UI's guard let such a connection
    through unchecked: the servers' protocol never upgrades."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    from memory_mcp.adapters.mcp_server.guards import PlainH11Protocol, guarded_protocol

    for protocol in (PlainH11Protocol, guarded_protocol(10.0, 256)):
        connection = object.__new__(protocol)
        connection.ws_protocol_class = H11Protocol  # a websocket library, as if installed
        assert connection._should_upgrade_to_ws() is False
    plain = object.__new__(H11Protocol)
    plain.ws_protocol_class = H11Protocol
    assert plain._should_upgrade_to_ws() is True  # what uvicorn alone would do
