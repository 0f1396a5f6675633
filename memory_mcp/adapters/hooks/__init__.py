"""Client hooks: read the JSON a client's hook hands over, make one service call, and answer
in the shape that client reads. Shared by `memory-mcp hook …` and `serve --http`'s hook
endpoint (protocol.py holds the shapes; nothing here touches stdin or a socket)."""

from memory_mcp.adapters.hooks.protocol import HookInput, HookProblem, answer, parse

__all__ = ["HookInput", "HookProblem", "answer", "parse"]
