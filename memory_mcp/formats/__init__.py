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
# Readers whose lines are held to a bound in bytes (what a JSONL export's line can hold),
# as a copy of stdin is: a file is refused at its first longer line, not read whole first.
BOUNDED_READERS: dict[str, Callable[[Path, int | None], list[Item]]] = {
    kg.FORMAT: kg.read,
    mem0.FORMAT: mem0.read,
}
EXPORT_FORMATS = ("jsonl", "markdown")
IMPORT_FORMATS = (*EXPORT_FORMATS, *READERS)

__all__ = [
    "BOUNDED_READERS",
    "EXPORT_FORMATS",
    "IMPORT_FORMATS",
    "READERS",
    "ImportSummary",
    "Item",
    "Record",
    "Skipped",
]
