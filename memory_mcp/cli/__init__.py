"""The `memory-mcp` command: typer app over MemoryService."""

from memory_mcp.cli.app import app, main

__all__ = ["app", "main"]
