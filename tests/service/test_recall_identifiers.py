"""Keyword recall of the parts of paths, versions, hosts and addresses, the same on both
backends: PostgreSQL's parser kept `src/app/main.py` or `v1.2.3` as one word without its
parts, so `main.py` or `1.2.3` found it on SQLite (FTS5 splits at punctuation) and not there."""

from memory_mcp.service import MemoryService

NOTES = {
    "path": "Entry point is src/app/main.py; tests live in tests/unit/",
    "version": "Upgraded the API to v1.2.3 on Tuesday",
    "url": "Docs are at https://docs.example.com/api/v2/auth?tab=tokens#refresh",
    "mail": "Send invoices to billing@acme-corp.io every month",
    "tabs": "The user prefers tabs over spaces",
}

QUERIES = {
    "main.py": "path",
    "src/app/main.py": "path",
    "app main": "path",
    "1.2.3": "version",
    "v1.2.3": "version",
    "example.com": "url",
    "api/v2": "url",
    "acme-corp.io": "mail",
    "billing@acme-corp.io": "mail",
}


def test_the_parts_of_paths_versions_and_addresses_are_found(
    keyword_service: MemoryService,
) -> None:
    ids = {name: keyword_service.remember(text).id for name, text in NOTES.items()}
    for query, name in QUERIES.items():
        hits = keyword_service.recall(query).hits
        assert hits and hits[0].id == ids[name], (query, [h.content for h in hits])
