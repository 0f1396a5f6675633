"""Drive memory-mcp over stdio with the MCP Python SDK client, as any MCP client would.

Run: uv run python examples/sdk_client.py [path/to/memory.db]
"""

import asyncio
import os
import sys

from mcp import Client, StdioServerParameters


async def main(db: str) -> None:
    env = {"MEMORY_MCP_DB": db}
    if "MEMORY_MCP_MODEL_DIR" in os.environ:  # offline machines: a local copy of the model
        env["MEMORY_MCP_MODEL_DIR"] = os.environ["MEMORY_MCP_MODEL_DIR"]
    server = StdioServerParameters(
        command=sys.executable, args=["-m", "memory_mcp", "serve"], env=env
    )
    async with Client(server) as client:
        print("protocol", client.protocol_version)
        print("tools", [t.name for t in (await client.list_tools()).tools])
        stored = await client.call_tool(
            "remember",
            {
                "content": "The user prefers concise answers",
                "kind": "preference",
                "tags": ["style"],
            },
        )
        print("stored", stored.structured_content)
        found = await client.call_tool("recall", {"query": "how should I phrase replies?"})
        print("recall", found.structured_content)
        summary = await client.call_tool("summarize", {})
        for theme in summary.structured_content["clusters"]:
            print(f"{theme['label']} ({theme['count']}): {theme['statement']}")


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "example-memory.db"))
