"""The `memory-mcp` command: typer app over MemoryService."""

from memory_mcp.adapters.cli.main import app, main

__all__ = ["app", "main"]
