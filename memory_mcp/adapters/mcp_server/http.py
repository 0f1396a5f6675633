"""One server for several clients or machines: the same tools over MCP streamable HTTP.

Loopback needs no token unless one is configured; any other address requires a bearer token
(MEMORY_MCP_TOKEN, or one generated into an owner-only file, for the owner), and a team's
principals bring their own tokens or an organisation's JWTs (access.py, oauth.py).
DNS-rebinding protection is on: only the Host/Origin values this server is reachable under
are accepted. Connections, sessions, bodies and each principal's request rate are bounded.
"""

import contextlib
import logging
import os
import secrets
import signal
import stat
import tempfile
from pathlib import Path

from mcp.server.transport_security import TransportSecuritySettings

from memory_mcp import __version__, regular_files
from memory_mcp.adapters.mcp_server.access import AccessGate, Authenticator, RateLimit
from memory_mcp.adapters.mcp_server.guards import (
    ASGIApp,
    JsonTooLarge,
    Receive,
    Scope,
    SdkRefusals,
    Send,
    SessionLimit,
    connection_limits,
    guarded_protocol,
    origins,
    quiet_client_disconnects,
)
from memory_mcp.adapters.mcp_server.hookroute import HookRoutes
from memory_mcp.adapters.mcp_server.listen import listening_socket, serve_socket
from memory_mcp.adapters.mcp_server.oauth import JwtVerifier, metadata_app
from memory_mcp.adapters.mcp_server.server import build_server
from memory_mcp.adapters.mcp_server.shared import Shared, SharedRateLimit, SignedSessions
from memory_mcp.adapters.mcp_server.stopping import (
    STOP_SIGNALS,
    STOP_WAIT_S,
    exit_at_once,
    stop_process,
)
from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.mount import with_ui
from memory_mcp.adapters.ui.security import UiGuard
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)

LOOPBACK = ("127.0.0.1", "localhost", "::1")
MCP_PATH = "/mcp"
WELL_KNOWN = "/.well-known/"


def is_loopback(host: str) -> bool:
    return host in LOOPBACK


def host_values(host: str, port: int, allow_hosts: list[str]) -> list[str]:
    """The Host header values the server answers (the Origins are these with a scheme): its
    address and the loopback names with its port, and each `--allow-host` NAME with the port
    and without one (a reverse proxy in front presents the name alone, on 443 or 80), or
    NAME:PORT as given (a proxy on another port). The first is how the server names itself."""
    values = [_with_port(n, port) for n in dict.fromkeys([host, *LOOPBACK])]
    for given in allow_hosts:
        name, named_port = _split_host(given)
        values += [_with_port(name, named_port)] if named_port else [_with_port(name, port), name]
    return list(dict.fromkeys(values))


def _with_port(name: str, port: int) -> str:
    return f"[{name}]:{port}" if ":" in name and not name.startswith("[") else f"{name}:{port}"


def _split_host(given: str) -> tuple[str, int | None]:
    """(name, port or None) of an `--allow-host` value; IPv6 literals in brackets."""
    text = given.strip().lower()
    if text.count(":") > 1 and not text.startswith("["):
        text = f"[{text}]"  # a bare IPv6 address
    if text.startswith("["):
        address, bracket, after = text.partition("]")
        name, colon, port_text = address + "]", after[:1] == ":", after[1:]
        bad = not bracket or len(address) < 2 or bool(after and not colon)
    else:
        name, sep, port_text = text.partition(":")
        colon, bad = bool(sep), False
    bad = bad or bool(colon and not port_text)
    port = int(port_text) if port_text.isdigit() and 0 < int(port_text) < 65536 else None
    if bad or not name or (port_text and port is None) or any(c in name for c in "/@*?#% \t"):
        raise InvalidInput(
            f"--allow-host takes a host name clients use, as in their URL: NAME or NAME:PORT "
            f"(e.g. mybox.lan, memory.acme.com:8443), not {given!r}."
        )
    return name, port


def rotate_token(path: Path) -> str:
    """Write a new random token to a fresh owner-only file that replaces any old one.

    The temporary file is always created new (O_EXCL, O_NOFOLLOW, mode 600 in the same
    folder), so a leftover file or a planted symlink is never written through; the rename
    is atomic, so a reader sees the old token or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(32)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(token + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return token


def read_token(path: Path) -> str | None:
    """The token in `path`, or None if there is none; refuses a file other users could read
    or write (anyone who read it could be using the token)."""
    try:
        with regular_files.open_regular(path) as fh:  # a FIFO is refused, not waited on
            _check_private(path, os.fstat(fh.fileno()))
            token = fh.read().decode("utf-8", "replace").strip()
    except FileNotFoundError:
        return None
    except regular_files.NotRegular as exc:
        raise InvalidInput(f"The token file {exc}. Run `memory-mcp token --rotate`.") from None
    return token or None


def _check_private(path: Path, st: os.stat_result) -> None:
    if os.name == "nt":  # no POSIX modes; the file lives in the user's own data folder
        return
    if st.st_uid != os.getuid():
        raise InvalidInput(
            f"The token file {path} belongs to another user; anyone who can change it "
            "controls who may connect. Delete it and run `memory-mcp token --rotate`."
        )
    if st.st_mode & 0o077:
        raise InvalidInput(
            f"The token file {path} can be read or changed by other users "
            f"(mode {stat.S_IMODE(st.st_mode):o}), so the token may be known. Run "
            "`memory-mcp token --rotate` to replace it with a new owner-only file (mode 600)."
        )


def resolve_token(settings: Settings, host: str, team: bool = False) -> str | None:
    """The owner's token: configured, else the token file; created if the address is not
    loopback (or a team shares the server) and none exists."""
    if settings.token:
        return settings.token
    token = read_token(settings.token_file)
    if token is None and (team or not is_loopback(host)):
        token = rotate_token(settings.token_file)
        logger.warning("Generated a bearer token in %s (owner-only)", settings.token_file)
    return token


def http_app(
    service: MemoryService,
    host: str,
    port: int,
    token: str | None,
    allow_hosts: list[str],
    shared: "Shared | None" = None,
) -> ASGIApp:
    """The streamable-HTTP app at /mcp, behind DNS-rebinding protection, the session limit,
    the caller's identification and rate limit; with OAuth, the protected-resource
    metadata beside it (served to anyone); the web UI's pages at /ui, for the same callers.

    `shared`: this process is one worker of several (workers.py): MCP sessions keep no state
    in it (the SDK's stateless mode, with session ids any worker verifies), each reply is one
    JSON body (a worker starts no message of its own: an event stream cost ~1 ms of CPU), and
    the rate limit and the UI's login cookies use what the workers share."""
    settings = service.settings
    hosts = host_values(host, port, allow_hosts)
    security = TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=hosts,
        allowed_origins=origins(hosts),
    )
    mcp = build_server(service, load_model=False)
    sdk_app: ASGIApp = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=security,
        host=host,
        stateless_http=shared is not None,
        json_response=shared is not None,
        session_idle_timeout=settings.http_session_idle,
        # A backstop only: SessionLimit ends the least recently used session past its limit,
        # so a new client is not refused while old sessions idle.
        max_sessions=2 * settings.http_max_sessions,
        max_request_body_size=settings.http_max_body_kb * 1024,
    )
    sessions, limit, secret = _per_process(sdk_app, settings, shared)
    # client hooks POST to /hooks/<command>
    app = HookRoutes(sessions, service, hosts, settings.http_max_body_kb)
    resource = settings.oauth_resource or f"http://{hosts[0]}{MCP_PATH}"
    verifier = JwtVerifier.from_settings(settings, resource)
    metadata, metadata_url = (None, None)
    if settings.oauth_issuer:
        metadata, metadata_url = metadata_app(resource, settings.oauth_issuer)
    authenticator = Authenticator(service, token, verifier)
    gate = AccessGate(app, authenticator, limit, metadata_url)
    tools: ASGIApp = gate
    if metadata is not None:
        public = metadata

        async def route(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and str(scope.get("path", "")).startswith(WELL_KNOWN):
                await public(scope, receive, send)
            else:
                await gate(scope, receive, send)

        tools = route
    # The web UI at /ui: the same hosts, callers, rate limits and body limit (bar owners' imports)
    guard = UiGuard(hosts, authenticator, limit, secret, settings.http_max_body_kb * 1024)
    return with_ui(tools, ui_app(service, guard))


def too_large(settings: Settings) -> str:
    return (
        f"Request body too large: this server takes at most {settings.http_max_body_kb} KiB"
        f" per request (MEMORY_MCP_HTTP_MAX_BODY_KB). Send less: a memory's content holds at"
        f" most {settings.max_content_chars} characters."
    )


def _per_process(
    sdk_app: ASGIApp, settings: Settings, shared: "Shared | None"
) -> tuple[ASGIApp, RateLimit, bytes]:
    """The sessions' middleware, the rate limit and the secret: this process's own, or, for
    one worker of several, those every worker shares."""
    quiet_client_disconnects()
    sdk_app = JsonTooLarge(SdkRefusals(sdk_app), too_large(settings))  # its 413 is plain text
    if shared is None:
        limited = SessionLimit(sdk_app, settings.http_max_sessions, settings.http_session_idle)
        return limited, RateLimit(settings.http_rate_limit), secrets.token_bytes(32)
    limit = SharedRateLimit(settings.http_rate_limit, shared.limit_fd)
    return SignedSessions(sdk_app, shared.secret), limit, shared.secret


def serve_http(settings: Settings, host: str, port: int, allow_hosts: list[str]) -> None:
    """Serve until interrupted; the model loads in the background meanwhile. With
    `http_workers` > 1, several processes serve (workers.py)."""
    import uvicorn

    from memory_mcp.adapters.mcp_server import workers

    if host in ("0.0.0.0", "::") and not allow_hosts:
        raise InvalidInput(
            f"Binding {host} listens on every interface: name the host names clients will use "
            "with --allow-host (DNS-rebinding protection only accepts known names)."
        )
    host_values(host, port, allow_hosts)  # each --allow-host is one a client can send
    count = workers.worker_count(settings.http_workers)
    if count > 1 and os.name == "nt":
        raise InvalidInput("Several HTTP workers need a POSIX system; on Windows serve with one.")
    sock = listening_socket(host, port)  # a port in use: one line, before anything loads
    port = sock.getsockname()[1]  # --port 0: the one the system picked (the start-up line)
    for signum in STOP_SIGNALS:  # until the database is open: end at once, nothing to close
        signal.signal(signum, exit_at_once)
    try:
        service = MemoryService.open(settings)
    except BaseException:
        sock.close()
        raise
    if count > 1:  # the schema is upgraded and a token generated once, here, before them
        try:
            team = _team(service)
            token = resolve_token(settings, host, team)
        finally:
            service.close()
        config = workers.new_config(settings, host, port, allow_hosts, token, sock)
        workers.supervise(config, count, _auth(token, team))
    # Until uvicorn watches the signals (graceful.py: a graceful stop, then exit 0 below): stop
    # the model loader, close the database and end the process (exit 130/143) the way the
    # stdio server does, never in interpreter shutdown, which can abort inside onnxruntime
    # while the model loads.
    for signum in STOP_SIGNALS:
        signal.signal(signum, lambda received, _frame: stop_process([service], 128 + received))
    try:
        team = _team(service)
        token = resolve_token(settings, host, team)
        service.semantic.start_background()
        app = http_app(service, host, port, token, allow_hosts)
        logger.info("memory-mcp %s serving http://%s:%d%s: %s.", __version__, host, port,
                    MCP_PATH, _auth(token, team))  # fmt: skip
        cap, backlog = connection_limits(settings.http_max_connections)
        protocol = guarded_protocol(settings.http_read_timeout, cap)
        # log_config=None: uvicorn's records go through the server's handler (timed; in a
        # log file, no control characters), not one of uvicorn's own
        uv = uvicorn.Config(app, log_level="warning", access_log=False, http=protocol,
                            backlog=backlog, log_config=None)  # fmt: skip
        serve_socket(uv, sock, graceful=True)
    except BaseException:
        sock.close()
        service.close(wait=STOP_WAIT_S)
        raise
    stop_process([service], 0)


def _auth(token: str | None, team: bool) -> str:
    """How clients authenticate, as the end of the startup sentence."""
    if token or team:
        return "clients send a bearer token"
    return "clients on this machine connect without a token (loopback)"


def _team(service: MemoryService) -> bool:
    return bool(service.settings.oauth_issuer) or service.store.has_tokens()
