"""Per-call plumbing of the MCP server: the service (opened lazily when the database was not
usable at start), the project scope from MCP roots, the client's name, core errors as tool
errors, and the blocking service call on a worker thread."""

import functools
import logging
import threading
import warnings
from collections.abc import Callable
from typing import Any, TypeVar

import anyio.to_thread
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPDeprecationWarning

from memory_mcp.errors import MemoryMCPError
from memory_mcp.service import MemoryService, projects

logger = logging.getLogger(__name__)

T = TypeVar("T")


class ServiceHolder:
    """The service; if the server started without a usable database, opened on first use
    (each call retries), so a passing fault heals and a lasting one is reported per call."""

    def __init__(self, service: MemoryService | Callable[[], MemoryService], load_model: bool):
        self._service = service if isinstance(service, MemoryService) else None
        self._open = None if isinstance(service, MemoryService) else service
        self._load_model = load_model
        self._lock = threading.Lock()

    def current(self) -> MemoryService:
        """The open service (blocking: call on a worker thread); raises MemoryMCPError."""
        with self._lock:
            if self._service is None:
                assert self._open is not None
                self._service = self._open()
                logger.info("Database is usable now")
                self.started()
            return self._service

    def started(self) -> None:
        if self._service is not None and self._load_model:
            self._service.semantic.start_background()

    def close_opened(self) -> None:
        """Close the service if the holder opened it (a given one belongs to the caller)."""
        if self._open is not None and self._service is not None:
            self._service.close()
            self._service = None

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(self.current(), name)(*args, **kwargs)

        return call


class CallContext:
    """Per-call translation: project scope from MCP roots (legacy fallback), client name,
    core errors as tool errors, and the blocking service call on a worker thread."""

    def __init__(self, holder: ServiceHolder) -> None:
        self.holder = holder
        self._root_scopes: dict[int, str | None] = {}

    async def service(self) -> MemoryService:
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
    ) -> T:
        """Call an unbound MemoryService method. `project`: pass the roots-derived project
        when no scope or configured project decides it; `client`: pass the client's name."""
        service = await self.service()
        extra: dict[str, Any] = {}
        if project and scope is None and service.project_scope() is None:
            found = await self._scope_from_roots(ctx)
            if found is not None:
                extra["project"] = found
        if client:
            extra["client"] = _client_name(ctx)
        try:
            return await anyio.to_thread.run_sync(functools.partial(call, service, **extra))
        except MemoryMCPError as exc:
            raise ToolError(str(exc)) from exc

    async def _scope_from_roots(self, ctx: Context) -> str | None:
        """The first file root's project scope, asked once per session, if the client offers
        roots (2025-11-25 and older; deprecated by SEP-2577, so only a fallback)."""
        session = ctx.session
        if id(session) in self._root_scopes:
            return self._root_scopes[id(session)]
        found: str | None = None
        caps = ctx.client_capabilities
        if caps is not None and caps.roots is not None:
            try:
                with warnings.catch_warnings():
                    # Deliberate: roots are only our fallback for clients on older protocols.
                    warnings.simplefilter("ignore", MCPDeprecationWarning)
                    roots = (await session.list_roots()).roots
            except Exception as exc:  # noqa: BLE001 - a client may fail this; we fall back
                logger.info("Client offered roots but list_roots failed: %s", exc)
                roots = []
            for root in roots:
                try:
                    found = projects.scope_from_root_uri(str(root.uri))
                except MemoryMCPError as exc:
                    logger.info("Ignoring root %s: %s", root.uri, exc)
                if found:
                    break
        self._root_scopes[id(session)] = found
        return found


def _client_name(ctx: Context) -> str:
    params = ctx.session.client_params
    info = getattr(params, "client_info", None)
    if info is None:
        return "mcp"
    return f"{info.name} {info.version}".strip() if getattr(info, "version", None) else info.name
