"""Thin adapters over MemoryService: the MCP server (stdio and HTTP), the CLI, installers."""
