"""The web UI: find, understand and fix what memory holds, in a browser (another thin adapter
over the one MemoryService)."""
