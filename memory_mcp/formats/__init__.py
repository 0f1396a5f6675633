"""Files of other formats and other memory systems: one small module per format.

`jsonl` (lossless backup, in service/transfer.py) and `markdown` (markdown.py writes,
markdown_import.py reads back) go both ways; `kg-jsonl`, `mem0` and `mcp-memory-service` are
importers: each reader turns a source into records (common.py), which ingest.py checks and
stores.
"""

from collections.abc import Callable
from pathlib import Path

from memory_mcp.formats import kg, mcp_memory_service, mem0
from memory_mcp.formats.common import ImportSummary, Item, Record, Skipped

Reader = Callable[[Path], list[Item]]

READERS: dict[str, Reader] = {
    kg.FORMAT: kg.read,
    mem0.FORMAT: mem0.read,
    mcp_memory_service.FORMAT: mcp_memory_service.read,
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
