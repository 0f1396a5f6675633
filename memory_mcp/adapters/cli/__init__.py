"""The `memory-mcp` command: typer app over MemoryService."""

from memory_mcp.adapters.cli.app import app, main

__all__ = ["app", "main"]
