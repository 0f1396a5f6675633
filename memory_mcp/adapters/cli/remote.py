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
import json
import os
import sys
from typing import Any

URL_ENV = "MEMORY_MCP_HOOK_URL"
COMMANDS = ("capture", "session-start", "prompt")
# Seconds the server may take. Capture runs in the background (the client does not wait); the
# others sit in front of the session or the prompt, and the local path is the fallback.
TIMEOUTS = {"capture": 110.0, "session-start": 10.0, "prompt": 5.0}
MAX_INPUT_CHARS = 1 << 20  # as hooks/protocol.py: larger input gets the local path's error
LOOPBACK = ("127.0.0.1", "localhost", "::1")
_OFF = ("0", "false", "no", "off")


def remote_target(
    argv: list[str], env: dict[str, str] | os._Environ[str]
) -> tuple[str, str] | None:
    """(command, url) of a `[--db X] hook <command> [--db X] [--project P] [--url U]` line whose
    hook the server can answer as asked, or None for the local path."""
    try:
        at = argv.index("hook")
    except ValueError:
        return None
    command = argv[at + 1] if at + 1 < len(argv) else ""
    root, rest = (
        _pairs(argv[:at], ("--db",)),
        _pairs(argv[at + 2 :], ("--db", "--project", "--url")),
    )
    if command not in COMMANDS or root is None or rest is None or "project" in rest:
        return None
    url = rest.get("url") or env.get(URL_ENV, "").strip()
    if not url or env.get("MEMORY_MCP_PROJECT") or env.get("MEMORY_MCP_AS"):
        return None
    if command == "capture" and env.get("MEMORY_MCP_CAPTURE", "").strip().lower() in _OFF:
        return None
    return command, url


def _pairs(args: list[str], names: tuple[str, ...]) -> dict[str, str] | None:
    """`--name value` / `--name=value` pairs, each name at most once; None for anything else."""
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
    raw = sys.stdin.read(MAX_INPUT_CHARS + 1)
    reply = None if len(raw) > MAX_INPUT_CHARS else post(command, url, raw)
    if reply is None:
        sys.stdin = io.StringIO(raw)  # the local path reads the same input
        return False
    if reply:
        sys.stdout.write(json.dumps(reply, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    raise SystemExit(0)


def post(command: str, url: str, body: str) -> dict[str, Any] | None:
    """The server's answer to one hook (an empty dict: nothing to print), or None if it gave
    none (the caller then answers locally)."""
    import http.client
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
        if parts.scheme not in ("http", "https") or not host:
            raise ValueError(f"not an http(s) URL: {url!r}")
        kind = (
            http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        )
        conn = kind(host, port, timeout=TIMEOUTS[command])
        headers = {"Content-Type": "application/json"}
        token = _token(host)
        if token:
            headers["Authorization"] = f"Bearer {token}"
        path = parts.path.rstrip("/") + f"/hooks/{command}"
        try:
            conn.request("POST", path, body=body.encode("utf-8"), headers=headers)
            response = conn.getresponse()
            status, data = response.status, response.read()
        finally:
            conn.close()
    except (OSError, ValueError, http.client.HTTPException):
        return None  # not running, refused, timed out, a bad URL: the local path answers
    if status in (401, 403):
        sys.stderr.write(f"memory-mcp hook {command}: {url} refused the token ({status});"
                         " answered locally (set MEMORY_MCP_TOKEN).\n")  # fmt: skip
    if status != 200:
        return None
    try:
        reply = json.loads(data)
    except ValueError:
        return None
    return reply if isinstance(reply, dict) else None


def _token(host: str) -> str | None:
    """The bearer token to send: MEMORY_MCP_TOKEN, else (to a loopback server only, which
    reads the same file) the owner's token file."""
    token = os.environ.get("MEMORY_MCP_TOKEN", "").strip()
    if token or host.lower().strip("[]") not in LOOPBACK:
        return token or None
    path = os.environ.get("MEMORY_MCP_TOKEN_FILE", "").strip()
    if not path:
        import platformdirs  # what config.default_token_path uses (pure Python, small)

        path = os.path.join(platformdirs.user_data_dir("memory-mcp", appauthor=False), "http-token")
    try:
        with open(os.path.expanduser(path), encoding="utf-8", errors="replace") as fh:
            return fh.read().strip() or None
    except OSError:
        return None
