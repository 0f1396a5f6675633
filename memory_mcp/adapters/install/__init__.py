"""Registering the server with MCP clients (Claude Desktop, Cursor, Claude Code, VS Code)."""
