"""memory-mcp: persistent, cross-session memory for MCP clients."""

from memory_mcp.config import Settings
from memory_mcp.models import Memory
from memory_mcp.service import MemoryService

__version__ = "0.1.0"
__all__ = ["Memory", "MemoryService", "Settings", "__version__"]
