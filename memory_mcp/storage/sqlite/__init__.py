"""The SQLite backend: one file, FTS5 for keywords, sqlite-vec for vectors."""
