"""The service layer: MemoryService, the one object every adapter calls."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from memory_mcp.service.facade import MemoryService

__all__ = ["MemoryService"]


def __getattr__(name: str) -> Any:
    # Imported on first use: the stdio server answers its first requests before the service
    # stack (numpy, the storage backend, the search layer) has been imported (server.py).
    if name == "MemoryService":
        from memory_mcp.service.facade import MemoryService

        return MemoryService
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
