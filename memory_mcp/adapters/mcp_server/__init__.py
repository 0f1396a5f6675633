"""The MCP server: tools, resources, prompts, and the streamable HTTP transport."""
