"""memory-mcp: persistent, cross-session memory for MCP clients."""

TYPE_CHECKING = False  # not typing's: importing typing costs a hook milliseconds
if TYPE_CHECKING:
    from typing import Any

    from memory_mcp.config import Settings
    from memory_mcp.models import Memory
    from memory_mcp.service import MemoryService

__version__ = "0.1.0"
__all__ = ["Memory", "MemoryService", "Settings", "__version__"]

# Imported on first use, so `python -m memory_mcp serve` loads only what serving needs.
_EXPORTS = {
    "Memory": "memory_mcp.models",
    "MemoryService": "memory_mcp.service",
    "Settings": "memory_mcp.config",
}


def __getattr__(name: str) -> "Any":
    if name in _EXPORTS:
        import importlib

        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
