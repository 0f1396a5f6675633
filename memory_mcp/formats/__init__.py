"""Files of other formats and other memory systems: one small module per format.

`jsonl` (lossless backup, in service/transfer.py) and `markdown` (markdown.py writes,
markdown_import.py reads back) go both ways; `kg-jsonl`, `mem0`, `mcp-memory-service` and
`claude-code` (Claude Code's CLAUDE.md and auto-memory files) are importers: each reader turns a
source into records (common.py), which ingest.py checks and stores. claude_code_transcript.py
reads a session transcript for capture (service/capture.py).
"""

from collections.abc import Callable
from pathlib import Path

from memory_mcp.formats import claude_code_memory, kg, mcp_memory_service, mem0
from memory_mcp.formats.common import ImportSummary, Item, Record, Skipped

Reader = Callable[[Path], list[Item]]

READERS: dict[str, Reader] = {
    kg.FORMAT: kg.read,
    mem0.FORMAT: mem0.read,
    mcp_memory_service.FORMAT: mcp_memory_service.read,
    claude_code_memory.FORMAT: claude_code_memory.read,
    claude_code_memory.CODEX_FORMAT: claude_code_memory.read_codex,
}
EXPORT_FORMATS = ("jsonl", "markdown")
IMPORT_FORMATS = (*EXPORT_FORMATS, *READERS)

__all__ = [
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "READERS",
    "ImportSummary",
    "Item",
    "Record",
    "Skipped",
]
