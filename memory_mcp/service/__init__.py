"""The service layer: MemoryService, the one object every adapter calls."""

from memory_mcp.service.facade import MemoryService

__all__ = ["MemoryService"]
