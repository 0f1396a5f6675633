"""Use memory-mcp as a library, without MCP: the same service the server and CLI call.

Run: uv run python examples/python_api.py
"""

import tempfile
from pathlib import Path

from memory_mcp import MemoryService, Settings

with tempfile.TemporaryDirectory() as tmp:
    service = MemoryService.open(Settings(db=Path(tmp) / "memory.db"))
    service.semantic.ensure()  # load the embedding model now (the server does it in background)
    service.remember("Deploys happen on Tuesdays after the standup", kind="fact", scope="acme")
    service.remember(
        "We chose Postgres over MySQL for JSONB support", kind="decision", scope="acme"
    )
    result = service.recall("when do we ship releases?", scope="acme")
    print(result.mode, [(hit.id, hit.content) for hit in result.hits])
    print(service.summarize(scope="acme").text)
    service.close()
