"""`memory-mcp hook capture|session-start|prompt --url URL` (or `MEMORY_MCP_HOOK_URL`): the
hook's JSON POSTed to a running `serve --http`, whose answer is printed as is.

A hook command is a new process, and the third-party imports of the local path (numpy,
pydantic, the SQLite extensions) cost about a third of a second before any work; the server
has everything loaded and answers in milliseconds. This module imports the standard library
only. When the server cannot answer (not running, refused, timed out, any status but 200),
nothing was printed yet and the input is handed on to the local path, which answers exactly
as it would have without a URL: a capture is never lost, a briefing never skipped.

The local path runs instead (no request) for what the server cannot act on as the command
line means it: an explicit project (`--project`, `MEMORY_MCP_PROJECT`), a principal
(`MEMORY_MCP_AS`), capture turned off (`MEMORY_MCP_CAPTURE=false`), an unknown option.
"""

import io
import os
import sys
import time

from memory_mcp import regular_files
from memory_mcp.adapters.hook_input import read_input

TYPE_CHECKING = False  # typing itself costs milliseconds here
if TYPE_CHECKING:
    import socket
    from collections.abc import Mapping

URL_ENV = "MEMORY_MCP_HOOK_URL"
COMMANDS = ("capture", "session-start", "prompt")
# Seconds the server may take. Capture runs in the background (the client does not wait); the
# others sit in front of the session or the prompt, and the local path is the fallback.
TIMEOUTS = {"capture": 110.0, "session-start": 10.0, "prompt": 5.0}
LOOPBACK = ("127.0.0.1", "localhost", "::1")
MAX_TOKEN_FILE = 4096  # characters of the token file read: a token is 43
_OFF = ("0", "false", "no", "off")


def remote_target(argv: list[str], env: "Mapping[str, str]") -> tuple[str, str] | None:
    """(command, url) of a `[--db X] [--model-dir M …] hook <command> [--db X] [--project P]
    [--url U]` line whose hook the server can answer as asked, or None for the local path."""
    try:
        at = argv.index("hook")
    except ValueError:
        return None
    command = argv[at + 1] if at + 1 < len(argv) else ""
    root, rest = (
        # the model's options only matter if it answers locally: the server uses its own
        option_pairs(argv[:at], ("--db", "--pg-schema", "--model", "--model-dir", "--cache-dir")),
        option_pairs(argv[at + 2 :], ("--db", "--project", "--url")),
    )
    if command not in COMMANDS or root is None or rest is None or "project" in rest:
        return None
    url = rest.get("url") or env.get(URL_ENV, "").strip()
    if not url or env.get("MEMORY_MCP_PROJECT") or env.get("MEMORY_MCP_AS"):
        return None
    if command == "capture" and env.get("MEMORY_MCP_CAPTURE", "").strip().lower() in _OFF:
        return None
    return command, url


def option_pairs(args: list[str], names: tuple[str, ...]) -> dict[str, str] | None:
    """`--name value` / `--name=value` pairs, each name at most once; None for anything else
    (the hook lines' options, here and in quick.py)."""
    found: dict[str, str] = {}
    words = iter(args)
    for arg in words:
        name, eq, value = arg.partition("=")
        if name not in names:
            return None
        if not eq:
            value = next(words, "")
        if not value or value.startswith("-") or name.lstrip("-") in found:
            return None
        found[name.lstrip("-")] = value
    return found


def remote_hook(argv: list[str]) -> bool:
    """Answer the hook through the server if `argv` names one (exits then); else False, with
    stdin still holding the hook's input for the local path."""
    target = remote_target(argv, os.environ)
    if target is None:
        return False
    command, url = target
    raw = read_input(sys.stdin.buffer)  # bytes: clients write UTF-8; over 1 MB, its start
    reply = post(command, url, raw)
    if reply is None:  # the local path reads the same input
        sys.stdin = io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="replace")
        return False
    if reply != b"{}":  # what the server sends is what write_reply prints, but the newline
        sys.stdout.buffer.write(reply + b"\n")
        sys.stdout.flush()
    raise SystemExit(0)


def post(command: str, url: str, body: str | bytes) -> bytes | None:
    """The server's answer to one hook (the JSON object it sent; b"{}": nothing to print), or
    None if it gave none (the caller then answers locally)."""
    try:
        scheme, host, port, path = split_url(url)
        token = _token(host)
        head = [f"POST {path}/hooks/{command} HTTP/1.1", f"Host: {_host_header(host, port)}",
                "Content-Type: application/json", f"Content-Length: {len(data := _utf8(body))}",
                "Connection: close"]  # fmt: skip
        if token:
            head.append(f"Authorization: Bearer {token}")
        request = ("\r\n".join(head) + "\r\n\r\n").encode() + data
        status, reply = _exchange(scheme, host, port, request, TIMEOUTS[command])
    except (OSError, ValueError):
        return None  # not running, refused, timed out, a bad URL: the local path answers
    if status == 401 or (status == 403 and not _said(reply)):
        sys.stderr.write(f"memory-mcp hook {command}: {url} refused the token ({status});"
                         " answered locally (set MEMORY_MCP_TOKEN).\n")  # fmt: skip
    elif status == 403:  # the token is good, what it asked is not its to ask
        sys.stderr.write(f"memory-mcp hook {command}: {url} refused: {_said(reply)} "
                         "Answered locally.\n")  # fmt: skip
    reply = reply.strip()
    if status != 200 or not (reply.startswith(b"{") and reply.endswith(b"}")):
        return None
    return reply


def _utf8(body: str | bytes) -> bytes:
    return body if isinstance(body, bytes) else body.encode()


def _said(reply: bytes) -> str:
    """The message of a refusal's JSON body ("" if none)."""
    import json

    try:
        found = json.loads(reply)
    except ValueError:
        return ""
    message = found.get("message") if isinstance(found, dict) else None
    return message if isinstance(message, str) else ""


def split_url(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path without a trailing slash) of an http(s) URL; ValueError
    otherwise. (urllib.parse would import `re`: a few milliseconds more per hook.)"""
    scheme, sep, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if not sep or scheme not in ("http", "https"):
        raise ValueError(f"not an http(s) URL: {url!r}")
    netloc, slash, path = rest.partition("/")
    if "@" in netloc or any(c in rest for c in "?# \t\r\n"):  # the path goes into a request line
        raise ValueError(f"not a server address: {url!r}")
    if netloc.startswith("["):
        host, _, after = netloc[1:].partition("]")
        port_text = after.removeprefix(":")
    else:
        host, _, port_text = netloc.partition(":")
    port = int(port_text) if port_text else (443 if scheme == "https" else 80)
    if not host or not 0 < port < 65536:
        raise ValueError(f"not a server address: {url!r}")
    return scheme, host, port, (slash + path).rstrip("/")


def _host_header(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _exchange(
    scheme: str, host: str, port: int, request: bytes, timeout: float
) -> tuple[int, bytes]:
    """Send one HTTP/1.1 request (Connection: close) and read the whole reply: (status, body),
    all within `timeout` seconds (TimeoutError otherwise)."""
    import socket

    deadline = time.monotonic() + timeout
    with socket.create_connection((host, port), timeout=timeout) as raw:
        conn = raw
        if scheme == "https":
            import ssl

            conn = ssl.create_default_context().wrap_socket(raw, server_hostname=host)
        conn.sendall(request)
        reply = _read_reply(conn, deadline)
    head, sep, body = reply.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ", 2)
    if not sep or len(parts) < 2 or not parts[0].startswith(b"HTTP/1."):
        raise ValueError("not an HTTP reply")
    headers = _headers(head)
    if b"chunked" in headers.get(b"transfer-encoding", b""):
        raise ValueError("a chunked reply")  # serve --http sends Content-Length
    length = headers.get(b"content-length")
    if length is not None and len(body) != int(length):
        raise ValueError("a short reply")
    return int(parts[1]), body


def _read_reply(conn: "socket.socket", deadline: float) -> bytes:
    """The reply's bytes: up to the end of its Content-Length body (a server or proxy that
    keeps the connection open despite `Connection: close` is not waited for), else to the
    close. The reply may come in any number of pieces, all before `deadline` (a server
    trickling bytes does not hold the hook past its timeout)."""
    data, want = b"", None
    while want is None or len(data) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no whole reply in time")
        conn.settimeout(left)
        chunk = conn.recv(65536)
        if not chunk:
            break
        data += chunk
        head, sep, _ = data.partition(b"\r\n\r\n")
        if want is None and sep and (length := _headers(head).get(b"content-length")):
            want = len(head) + len(sep) + int(length)
    return data


def _headers(head: bytes) -> dict[bytes, bytes]:
    """The header fields after the status line, names lower-cased, values stripped."""
    fields = (line.partition(b":")[::2] for line in head.split(b"\r\n")[1:])
    return {name.strip().lower(): value.strip() for name, value in fields}


def _token(host: str) -> str | None:
    """The bearer token to send: MEMORY_MCP_TOKEN, else (to a loopback server only, which
    reads the same file) the owner's token file."""
    token = os.environ.get("MEMORY_MCP_TOKEN", "").strip()
    if token or host.lower().strip("[]") not in LOOPBACK:
        return token or None
    path = os.environ.get("MEMORY_MCP_TOKEN_FILE", "").strip() or _default_token_file()
    try:  # a regular file's start only: a FIFO would wait for a writer
        with regular_files.open_regular(os.path.expanduser(path)) as fh:
            return fh.read(MAX_TOKEN_FILE).decode("utf-8", "replace").strip() or None
    except regular_files.NotRegular:
        sys.stderr.write(f"memory-mcp hook: the token file {path} is not a file.\n")
        return None
    except OSError:
        return None


def _default_token_file() -> str:
    """config.default_token_path without importing platformdirs where its answer is plain:
    $XDG_DATA_HOME or ~/.local/share on Linux and BSD, ~/Library/Application Support on macOS."""
    if sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support")
    elif os.name == "posix":
        base = os.environ.get("XDG_DATA_HOME", "").strip() or os.path.expanduser("~/.local/share")
    else:
        import platformdirs

        return os.path.join(platformdirs.user_data_dir("memory-mcp", appauthor=False), "http-token")
    return os.path.join(base, "memory-mcp", "http-token")
