"""Per-call plumbing of the MCP server: the service (opened after the first replies, or once
the database is usable), the HTTP caller it acts for, the project scope from MCP roots, the
client's name, core errors as tool errors, and the blocking service call on a worker thread
(offload.py)."""

import functools
import logging
import threading
import warnings
from collections.abc import Callable, MutableMapping
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, TypeVar

import anyio
import anyio.lowlevel
import anyio.to_thread
from mcp.server.connection import Connection
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPDeprecationWarning
from mcp.shared.message import ServerMessageMetadata
from mcp.types import ListRootsRequest, ListRootsResult

from memory_mcp.adapters.mcp_server.offload import OFFLOAD
from memory_mcp.errors import MemoryMCPError
from memory_mcp.names import clean_label
from memory_mcp.policies.redact import redact
from memory_mcp.service import projects

if TYPE_CHECKING:  # the service stack is imported once the first requests are answered
    from memory_mcp.policies.access import Access
    from memory_mcp.service import MemoryService

logger = logging.getLogger(__name__)

T = TypeVar("T")

ROOTS_SCOPE = "memory_mcp.roots_scope"  # our key in the connection's per-client state
ROOTS_ASKING = "memory_mcp.roots_asking"  # set while one call of the connection asks
ROOTS_TIMEOUT_S = 10.0  # a client answers roots/list from memory: this is one that will not
MAX_CLIENT_NAME_CHARS = 64
MAX_CLIENT_VERSION_CHARS = 32

# Set by access.AccessGate for each HTTP request (here, so that stdio never imports the gate).
CALLER: "ContextVar[Access | None]" = ContextVar("memory_mcp_http_access", default=None)
# Set by shared.SignedSessions under `serve --http --workers N`: the (name, version) the
# client declared in its session's initialize, which another worker may have answered.
SESSION_CLIENT: "ContextVar[tuple[str, str] | None]" = ContextVar(
    "memory_mcp_session_client", default=None
)


def current_access() -> "Access | None":
    """The caller of the HTTP request being served (None: not over HTTP, i.e. the owner)."""
    return CALLER.get()


class ServiceHolder:
    """The service, or a function opening it: the stdio server answers its first requests
    before the service stack is imported, then opens it on a thread (`started`); a call that
    comes first opens it itself. If the database is not usable, each call retries the open,
    so a passing fault heals and a lasting one is reported per call."""

    def __init__(
        self,
        service: "MemoryService | Callable[[], MemoryService]",
        load_model: bool,
        principal: str | None = None,
    ) -> None:
        self._principal = principal  # `memory-mcp --as NAME serve`: every call as NAME
        self._service = None if callable(service) else service
        self._open = service if callable(service) else None
        self._load_model = load_model
        self._lock = threading.Lock()
        self._tried = False  # the open on a thread: once; after that, calls retry it
        self._failed = False
        self._closed = False

    def current(self) -> "MemoryService":
        """The open service (blocking: call on a worker thread); raises MemoryMCPError. Over
        HTTP it acts for the request's caller, so every tool, resource and prompt obeys
        that caller's grants."""
        return self._acting(self._opened_now())

    def _opened_now(self) -> "MemoryService":
        with self._lock:
            if self._service is None:
                if self._open is None or self._closed:
                    raise MemoryMCPError("The server is stopping.")
                try:
                    self._service = self._open()
                except MemoryMCPError:
                    self._failed = True
                    raise
                if self._failed:
                    logger.info("Database is usable now")
                if self._load_model:
                    self._service.semantic.start_background()
            return self._service

    def _open_quietly(self) -> None:
        try:
            self._opened_now()
        except MemoryMCPError as exc:  # a database problem: every call retries and says so
            logger.error("%s", exc)
        except Exception:
            logger.exception("Opening the database failed; every call will retry")
            self._failed = True

    def _acting(self, service: "MemoryService") -> "MemoryService":
        access = current_access()
        if access is None and self._principal is not None:
            access = service.team.access_for(self._principal)  # read per call: grants apply now
        return service if access is None else service.as_principal(access)  # None: stdio

    @property
    def opened(self) -> "MemoryService | None":
        """What `current` returns, when that needs no database (never blocks: safe on the
        event loop); None when the service must be opened, or `--as NAME` read from it."""
        if self._service is None or self._principal is not None:
            return None
        return self._acting(self._service)

    def started(self) -> None:
        """The first requests are answered: open the service on a thread if it is not open
        yet (once), else start loading the model."""
        if self._closed:
            return
        if self._service is None:
            if self._open is not None and not self._tried:
                self._tried = True
                threading.Thread(target=self._open_quietly, name="open", daemon=True).start()
        elif self._load_model:
            self._service.semantic.start_background()

    def close_opened(self, wait: float) -> None:
        """Close the service if the holder opened it (a given one belongs to the caller),
        once an open under way has finished, waiting up to `wait` s for its background work."""
        if self._open is None:
            return
        with self._lock:
            self._closed = True
            if self._service is not None:
                self._service.close(wait)
                self._service = None

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self.current(), name)(*args, **kwargs)

        return call


class CallContext:
    """Per-call translation: project scope from MCP roots (legacy fallback), client name,
    core errors as tool errors, and the blocking service call on a worker thread.

    With `inline_reads` (the stdio server: one client), a read (recall) that starts while no
    other call runs is made on the event loop itself: handing it to a thread and its answer
    back costs two thread wake-ups, ~0.1 ms of CPU on an idle machine and milliseconds of
    waiting on a loaded one (2.4 ms at the median, 9.7 ms at p90, with 2 cores shared by 8
    busy processes). The loop had nothing else to do meanwhile; a call arriving then waits
    for it rather than overlapping it. Only while the recall stays in memory
    (SemanticIndex.searches_in_memory): on PostgreSQL it waits on the network, and on
    SQLite before the vector copy has loaded it scans the vector table (seconds at 1M).
    Writes stay on threads: one may wait seconds for another process's write lock, and the
    loop must stay free to hear signals meanwhile. (A
    recall can wait that long too, but only when one of this server's own background writes,
    such as embedding rows another process stored, waits so: rare, and bounded by the
    database's busy timeout.)"""

    def __init__(self, holder: ServiceHolder, inline_reads: bool = False) -> None:
        self.holder = holder
        self._inline_reads = inline_reads
        self._running = 0  # calls between here and their answer (on threads or waiting)

    async def service(self) -> "MemoryService":
        opened = self.holder.opened
        if opened is not None:  # the usual case: no thread hop (~0.1-0.3 ms per call)
            return opened
        try:
            return await anyio.to_thread.run_sync(self.holder.current)
        except MemoryMCPError as exc:
            raise ToolError(str(exc)) from exc

    async def run(
        self,
        ctx: Context,
        call: Callable[..., T],
        *,
        scope: str | None = None,
        project: bool = True,
        client: bool = False,
        reads: bool = False,
    ) -> T:
        """Call an unbound MemoryService method. `project`: pass the roots-derived project
        when no scope or configured project decides it; `client`: pass the client's name;
        `reads`: the call only reads (inline_reads may make it on the loop)."""
        service = await self.service()
        extra: dict[str, Any] = {}
        if project and scope is None and service.project_scope() is None:
            found = await self._scope_from_roots(ctx)
            if found is not None:
                extra["project"] = found
        if client:
            extra["client"] = _client_name(ctx)
        bound = functools.partial(call, service, **extra)
        self._running += 1
        try:
            if (
                reads
                and self._inline_reads
                and self._running == 1
                and service.semantic.searches_in_memory()
            ):
                await anyio.lowlevel.checkpoint_if_cancelled()
                return bound()
            return await OFFLOAD.run(bound)
        except MemoryMCPError as exc:
            raise ToolError(str(exc)) from exc
        finally:
            self._running -= 1

    async def _scope_from_roots(self, ctx: Context) -> str | None:
        """The first file root's project scope, asked once per connection, if the client
        offers roots (2025-11-25 and older; deprecated by SEP-2577, so only a fallback).

        The answer is kept in that client's own connection state, so it lives and dies with
        the connection and no other client can ever see it. Calls that come while it is
        being asked wait for that one request rather than each sending its own.

        A root is a folder on the client's machine, read here on the server's: over HTTP only
        the owner's roots are read (a principal's could name any folder on the server's
        host, and the scope it got back would tell what is there); a principal's scope comes
        from its call's `scope` or the server's configuration."""
        access = current_access()
        if access is not None and not access.unrestricted:
            return None
        session = ctx.session  # read once: a chain of properties
        state = _connection_state(session)
        if state is None:
            return await _roots_scope(ctx)
        while ROOTS_SCOPE not in state:
            asking: anyio.Event | None = state.get(ROOTS_ASKING)
            if asking is not None:  # another call of this connection is asking
                await asking.wait()
                continue  # its answer is kept; if that call was cancelled first, ask again
            state[ROOTS_ASKING] = asking = anyio.Event()
            try:
                state[ROOTS_SCOPE] = await _roots_scope(ctx)
            finally:
                state.pop(ROOTS_ASKING, None)
                asking.set()
        return state[ROOTS_SCOPE]  # type: ignore[no-any-return]


async def _roots_scope(ctx: Context) -> str | None:
    """The scope of the client's first file root that names one; None if the client offers
    no roots, does not answer roots/list (within ROOTS_TIMEOUT_S), or no root names one."""
    caps = ctx.client_capabilities
    if caps is None or caps.roots is None or not ctx.session.can_send_request:
        return None
    try:
        with warnings.catch_warnings():
            # Deliberate: roots are only our fallback for clients on older protocols.
            warnings.simplefilter("ignore", MCPDeprecationWarning)
            roots = (await _ask_roots(ctx)).roots
    except Exception as exc:  # noqa: BLE001 - a client may fail this; we fall back
        logger.info("Client offered roots but list_roots failed: %s", exc)
        return None
    for root in roots:
        try:
            found = projects.scope_from_root_uri(str(root.uri))
        except MemoryMCPError as exc:
            logger.info("Ignoring root %s: %s", root.uri, exc)
            continue
        if found:
            return found
    return None


async def _ask_roots(ctx: Context) -> ListRootsResult:
    """roots/list, sent on this call's own channel and given ROOTS_TIMEOUT_S to answer.

    `session.list_roots()` sends it on the connection's channel: over HTTP the stream a
    client may open with a GET, which the spec leaves optional. A 2025-11-25 client that
    offered roots and opened none never saw the request, and its call (kept open by the
    stream's pings) waited for ever. Tied to the call, it travels in the reply stream the
    client is reading, as the spec asks of requests made while serving one; a client that
    still does not answer costs this one call the timeout, not every call."""
    result: ListRootsResult = await ctx.session.send_request(
        ListRootsRequest(),
        ListRootsResult,
        request_read_timeout_seconds=ROOTS_TIMEOUT_S,
        metadata=ServerMessageMetadata(related_request_id=ctx.request_id),
    )
    return result


def _connection_state(session: Any) -> MutableMapping[str, Any] | None:
    """The per-connection scratch state the SDK keeps for this client (`Connection.state`),
    or None if this SDK does not expose it (then roots are asked on every call: slower,
    never wrong). `ServerSession` is a per-request proxy; the connection outlives it."""
    connection = getattr(session, "_connection", None)
    return connection.state if isinstance(connection, Connection) else None


def _client_name(ctx: Context) -> str:
    """The label stored with each write: the client's self-declared name and version,
    cleaned and bounded (it is untrusted input like any argument)."""
    params = ctx.session.client_params
    info = getattr(params, "client_info", None)
    declared = (getattr(info, "name", None), getattr(info, "version", None))
    if params is None:
        declared = SESSION_CLIENT.get() or declared
    name, version = (text if isinstance(text, str) else None for text in declared)
    return _label(name, version)


@functools.lru_cache(maxsize=64)
def _label(name: str | None, version: str | None) -> str:
    """A client's label, cleaned once: a connection declares it once and calls many times.
    Its secrets are masked, as an imported line's client is: it is stored with each write."""
    cleaned = clean_label(_masked(name, MAX_CLIENT_NAME_CHARS), MAX_CLIENT_NAME_CHARS)
    if not cleaned:
        return "mcp"
    shown = clean_label(_masked(version, MAX_CLIENT_VERSION_CHARS), MAX_CLIENT_VERSION_CHARS)
    return f"{cleaned} {shown}" if shown else cleaned


def _masked(text: str | None, limit: int) -> str | None:
    # Only what clean_label may keep is looked at, so a huge name costs no more than a short.
    return None if text is None else redact(text[: limit * 4]).text
