"""The HTTP port, bound before anything heavy starts (`serve --http`, its workers, `ui`).

Binding first means a port another program holds is one clear line and exit 1 at once, not
uvicorn's `[Errno 98]` after the database was opened and the model began to load. The bound
socket is what uvicorn then serves (no window for another program to take the port between).
"""

import contextlib
import errno
import socket
from typing import TYPE_CHECKING

from memory_mcp.adapters.mcp_server.guards import BACKLOG
from memory_mcp.errors import InvalidInput

if TYPE_CHECKING:
    import uvicorn


def listening_socket(host: str, port: int, host_option: bool = True) -> socket.socket:
    """`host`:`port` bound and listening (as uvicorn binds it), or InvalidInput saying what to
    do. `host_option`: the command has a --host to suggest."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # The protocol named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only
    # on connections whose socket says IPPROTO_TCP, and accepted ones take the listener's.
    # With it on, a reply's last small write waited for the client's delayed ACK: every
    # request on a kept-alive connection took 40 ms more (the workers' sockets, made from a
    # file descriptor, always said TCP).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise InvalidInput(_why(exc, host, port, host_option)) from exc
    return sock


def _why(exc: OSError, host: str, port: int, host_option: bool) -> str:
    where = f"{host}:{port}"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"Port {port} on {host} is already in use by another program (perhaps a memory-mcp "
            f"`serve --http` or `ui` already running): pick a free port with --port, or stop "
            f"the server that holds {where}."
        )
    if exc.errno == errno.EACCES:
        return (
            f"Not allowed to listen on {where} (ports below 1024 need administrator rights): "
            "pick another with --port."
        )
    if exc.errno == errno.EADDRNOTAVAIL or isinstance(exc, socket.gaierror):
        hint = "give one of its addresses with --host" if host_option else "check the address"
        return f"Cannot listen on {where}: {host} is not an address of this machine ({hint})."
    return f"Cannot listen on {where}: {exc.strerror or exc}."


def serve_socket(config: "uvicorn.Config", sock: socket.socket, graceful: bool = False) -> None:
    """uvicorn.run on a socket bound here: serve until stopped; exit 3 (as uvicorn.run does)
    if the server did not start. `graceful`: stop as GracefulServer does (`serve --http`);
    otherwise uvicorn raises the stop signal again once it has shut down."""
    import uvicorn

    from memory_mcp.adapters.mcp_server.graceful import GracefulServer

    server = GracefulServer(config) if graceful else uvicorn.Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run(sockets=[sock])
    if not server.started:
        raise SystemExit(3)
