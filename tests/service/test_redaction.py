"""No secret reaches the database, the embedding or the history, whatever the write path
(issue 11): the corpus of realistic secrets goes in through each one, then the raw bytes of
the database file (and its write-ahead log) and every text sent to the embedder are searched."""

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlean

from memory_mcp.config import is_database_url
from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService
from tests import pg
from tests.conftest import FakeEmbedder
from tests.secret_corpus import CORPUS, Secret

MMS_SQL = Path(__file__).resolve().parents[1] / "fixtures" / "mcp_memory_service" / "memories.sql"


@pytest.fixture
def embedded(embedder: FakeEmbedder, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the service asks the embedder for."""
    texts: list[str] = []
    original = embedder.embed_documents

    def record(batch: list[str]) -> object:
        texts.extend(batch)
        return original(batch)

    monkeypatch.setattr(embedder, "embed_documents", record)
    return texts


def stored_bytes(service: MemoryService) -> bytes:
    if is_database_url(service.settings.db):
        return pg.schema_text(service.settings.pg_schema)
    db = Path(service.settings.db)
    files = [db, db.with_name(db.name + "-wal")]
    return b"".join(path.read_bytes() for path in files if path.exists())


def short(secret: Secret, width: int = 40) -> list[str]:
    """The snippet, when it fits where a short text goes (a tag, a key, a scope)."""
    snippet = secret.snippet
    return [snippet] if len(snippet) <= width and "\n" not in snippet else []


def details(secret: Secret) -> dict[str, object]:
    return {
        "note": secret.text,
        "deep": [{"list": [secret.text]}],
        "password": "Zebra-41!",
        "db": {"password": ["Zebra-42!"], "pin_password": 918273645},  # not only as a string
    }


# -- one function per write path: each stores the whole corpus ---------------------------------


def via_remember(service: MemoryService, tmp_path: Path) -> None:
    for secret in CORPUS:
        service.remember(secret.text)


def via_remember_fields(service: MemoryService, tmp_path: Path) -> None:
    for number, secret in enumerate(CORPUS):
        service.remember(
            f"Deploy note {number}", tags=short(secret), context=secret.text,
            metadata=details(secret), key=(short(secret, 100) or [None])[0],
            scope=(short(secret) or [None])[0],
        )  # fmt: skip


def via_remember_many(service: MemoryService, tmp_path: Path) -> None:
    service.remember_many(
        [
            {"content": s.text, "context": s.text, "tags": short(s), "metadata": details(s)}
            for s in CORPUS
        ]
    )


def via_edit(service: MemoryService, tmp_path: Path) -> None:
    for number, secret in enumerate(CORPUS):
        memory = service.remember(f"Plain note {number}")
        edited = service.update(
            memory.id, content=secret.text, tags=short(secret), context=secret.text,
            metadata=details(secret),
        )  # fmt: skip
        assert edited.redacted
        for scope in short(secret):
            service.move([memory.id], scope)


def via_markdown(service: MemoryService, tmp_path: Path) -> None:
    ids = [service.remember(f"Plain note {number}").id for number in range(len(CORPUS))]
    service.export_markdown(tmp_path / "md")
    page = tmp_path / "md" / "global.md"
    text = page.read_text()
    for memory_id, secret in zip(ids[::2], CORPUS[::2], strict=False):  # edited entries
        text = text.replace(f"Plain note {ids.index(memory_id)}\n", f"{secret.text}\n", 1)
    for secret in CORPUS[1::2]:  # new ones
        tags = f"tags: {json.dumps(short(secret))}\n" if short(secret) else ""
        text += f"\n## #new · fact\n{tags}\n{secret.text}\n"
    page.write_text(text)
    report = service.import_markdown(tmp_path / "md")
    assert len(report.updated) == len(CORPUS[::2]) and len(report.created) == len(CORPUS[1::2])
    assert len(report.redacted) == len(CORPUS)


def via_jsonl(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    lines = [
        {
            "id": 100 + number,
            "content": s.text,
            "context": s.text,
            "tags": short(s),
            "key": (short(s, 100) or [None])[0],
            "scope": (short(s) or ["global"])[0],
            "metadata": details(s),
            "forgotten_at": "2026-01-02T00:00:00Z",
            "forget_reason": s.text,
            "client": s.text,
        }  # fmt: skip
        for number, s in enumerate(CORPUS)
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    report = service.import_jsonl(path)
    assert (report.created, report.redacted) == (len(CORPUS), len(CORPUS))


def via_kg(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "memory.jsonl"
    lines = []
    for number, secret in enumerate(CORPUS):
        lines.append({"type": "entity", "name": f"Service {number}", "entityType": "service",
                      "observations": [secret.text]})  # fmt: skip
        for snippet in short(secret):
            lines.append({"type": "relation", "from": f"Service {number}", "to": snippet,
                          "relationType": "authenticates_with"})  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    summary = service.import_from("kg-jsonl", path)
    assert summary.redacted == summary.created > len(CORPUS)


def via_mem0(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "mem0.json"
    memories = [
        {
            "id": f"m{number}",
            "memory": s.text,
            "categories": short(s),
            "metadata": details(s),
            "user_id": "alice",
        }  # fmt: skip
        for number, s in enumerate(CORPUS)
    ]
    path.write_text(json.dumps({"results": memories}))
    assert service.import_from("mem0", path).redacted == len(CORPUS)


def via_mcp_memory_service(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "sqlite_vec.db"
    conn = sqlean.connect(str(path))
    conn.executescript(MMS_SQL.read_text().split("CREATE VIRTUAL TABLE")[0])
    conn.executemany(
        "insert into memories (content_hash, content, tags, memory_type, metadata) "
        "values (?, ?, ?, 'note', ?)",
        [
            (f"hash{number}", s.text, ",".join(["deploy", *short(s)]), json.dumps(details(s)))
            for number, s in enumerate(CORPUS)
        ],
    )
    conn.commit()
    conn.close()
    assert service.import_from("mcp-memory-service", path).redacted == len(CORPUS)


def via_claude_code(service: MemoryService, tmp_path: Path) -> None:
    # Claude Code's memory files: each paragraph and list item one memory, lines joined
    # without their indent (a YAML block scalar's value loses the indent that marked it).
    project = tmp_path / "project"
    project.mkdir()
    paragraphs = [secret.text for secret in CORPUS]
    items = [f"- Rule {n}: {s.text}" for n, s in enumerate(CORPUS) if "\n" not in s.text]
    (project / "CLAUDE.md").write_text("# Notes\n\n" + "\n\n".join(paragraphs) + "\n")
    (project / "AGENTS.md").write_text("# Rules\n\n" + "\n".join(items) + "\n")
    assert service.import_from("claude-code", project).redacted >= len(CORPUS) - 5
    assert service.import_from("codex", project).redacted >= len(items) - 5


def via_summary_and_forget(service: MemoryService, tmp_path: Path) -> None:
    for number, secret in enumerate(CORPUS):
        memory = service.remember(f"Deploy runbook step {number} for the deploy pipeline")
        service.forget([memory.id], reason=secret.text)
        for snippet in short(secret):
            service.remember(f"Deploy pipeline note {number}")
            saved = service.summarize(f"deploy pipeline {snippet}", save=True).saved_id
            assert saved is not None


WRITE_PATHS: dict[str, Callable[[MemoryService, Path], None]] = {
    name.removeprefix("via_"): function
    for name, function in dict(globals()).items()
    if name.startswith("via_")
}


@pytest.mark.parametrize("path", WRITE_PATHS)
def test_no_secret_reaches_the_database_or_the_embedding(
    path: str, service: MemoryService, embedded: list[str], tmp_path: Path
) -> None:
    WRITE_PATHS[path](service, tmp_path)
    raw = stored_bytes(service)
    assert len(raw) > 0 and embedded
    leaked = [
        (secret.name, piece)
        for secret in CORPUS
        for piece in secret.secrets
        if piece.encode() in raw or any(piece in text for text in embedded)
    ]
    assert leaked == []
    for value in (b"Zebra-41!", b"Zebra-42!", b"918273645"):  # metadata fields named "password"
        assert value not in raw


# What prints as nothing, as a page or a chat app copies it into a token: a zero-width space,
# a soft hyphen (where a page may wrap), a word joiner, a BOM, a zero-width non-joiner, an LRM.
HIDDEN = ("\u200b", "\u00ad", "\u2060", "\ufeff", "\u200c", "\u200e")


@pytest.mark.parametrize("hidden", HIDDEN)
def test_a_secret_cut_by_a_character_that_prints_as_nothing_is_masked_whole(
    hidden: str, service: MemoryService, embedded: list[str]
) -> None:
    """One such character inside a token hid it from every rule: the whole key was stored."""
    for secret in CORPUS:
        text = secret.text
        for piece in secret.secrets:
            middle = len(piece) // 2
            text = text.replace(piece, piece[:middle] + hidden + piece[middle:])
        service.remember(text, scope="hidden")
    raw = stored_bytes(service)
    leaked = [
        (secret.name, half)
        for secret in CORPUS
        for piece in secret.secrets
        for half in (piece[: len(piece) // 2], piece[len(piece) // 2 :])
        if len(half) >= 8 and (half.encode() in raw or any(half in text for text in embedded))
    ]
    assert leaked == []


# -- edits, re-imports and sizes ----------------------------------------------------------------

TOKEN = "ghp_" + "a1B2" * 9


def test_an_edit_is_redacted_and_says_what_it_removed(service: MemoryService) -> None:
    memory = service.remember("CI uses a token")
    edited = service.update(memory.id, content=f"CI uses {TOKEN}", tags=["AKIAIOSFODNN7EXAMPLE"])
    assert edited.content == "CI uses [REDACTED:github_token]"
    assert edited.tags == ["[redacted:aws_access_key]"]
    assert edited.redacted == ["github_token", "aws_access_key"]
    change = service.history(memory.id)[0]
    assert change.after is not None and change.after["content"] == edited.content
    assert TOKEN not in json.dumps([h.model_dump(mode="json") for h in service.history()])
    assert service.update(memory.id, content=edited.content).redacted == []


def test_a_markdown_edit_with_a_secret_imports_once(service: MemoryService, tmp_path: Path) -> None:
    memory = service.remember("Bot token goes here")
    service.export_markdown(tmp_path)
    page = tmp_path / "global.md"
    page.write_text(page.read_text().replace("Bot token goes here", f"Bot token {TOKEN}"))
    first = service.import_markdown(tmp_path)
    assert (first.updated, first.redacted) == ([memory.id], [memory.id])
    assert service.get(memory.id).content == "Bot token [REDACTED:github_token]"
    log = service.history(limit=100)
    again = service.import_markdown(tmp_path)  # the file still has the token: nothing to do
    assert (again.updated, again.redacted, again.unchanged) == ([], [], 1)
    assert service.history(limit=100) == log


def test_sizes_are_those_the_caller_sent(service: MemoryService, tmp_path: Path) -> None:
    limit = service.settings.max_content_chars
    with pytest.raises(InvalidInput, match=f"content is {limit + 1} characters; the limit is"):
        service.remember("x" * (limit + 1))
    grows = ("pwd=abcd " * (limit // 9 + 1))[:limit]  # each password becomes a longer marker
    memory = service.remember(grows)
    assert len(memory.content) > 2 * limit and memory.redacted == ["password"]
    assert service.remember_many([{"content": "other " + grows[6:]}])
    edited = service.update(memory.id, content=memory.content + " and more")
    assert edited.content.endswith(" and more")
    # What was stored fits again: a backup imports, a Markdown export re-imports unchanged.
    dump = tmp_path / "dump.jsonl"
    with dump.open("w") as out:
        service.export_jsonl(out)
    service.export_markdown(tmp_path / "md")
    assert service.import_markdown(tmp_path / "md").unchanged == 2
    other = MemoryService.open(
        service.settings.model_copy(update={"db": tmp_path / "copy.db"}), FakeEmbedder()
    )
    try:
        assert other.import_jsonl(dump).created == 2
    finally:
        other.close()


# -- invisible and control characters ---------------------------------------------------------


def test_names_print_as_they_are_stored(service: MemoryService) -> None:
    memory = service.remember(
        "Editor is Helix", tags=["\ufefftools", "edi\u200btor"], scope="global\u200b",
        key="user.editor\u2060",
    )  # fmt: skip
    assert (memory.scope, memory.tags, memory.key) == ("global", ["tools", "editor"], "user.editor")
    assert service.recall("Helix", scope="\u200bglobal").hits[0].id == memory.id
    moved = service.update(memory.id, scope="team\u200e")
    assert moved.scope == "team"
    with pytest.raises(InvalidInput, match="control character U\\+001B"):
        service.remember("x", scope="red\x1b[31m")
    with pytest.raises(InvalidInput, match="control character"):
        service.remember("x", tags=["a\nb"])
    with pytest.raises(InvalidInput, match="control character"):
        service.remember("x", key="a\tb")


@pytest.mark.parametrize("content", ["\u200b", "\ufeff", " \u200b\u200c\u200d\u2060\ufeff \n"])
def test_content_of_invisible_characters_is_empty(
    service: MemoryService, tmp_path: Path, content: str
) -> None:
    with pytest.raises(InvalidInput, match="empty"):
        service.remember(content)
    with pytest.raises(InvalidInput, match="empty"):
        service.remember_many([{"content": content}])
    memory = service.remember("kept")
    with pytest.raises(InvalidInput, match="empty"):
        service.update(memory.id, content=content)
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"content": content}) + "\n")
    with pytest.raises(InvalidInput, match="line 1: content"):
        service.import_jsonl(path)
    mem0 = tmp_path / "mem0.json"
    mem0.write_text(
        json.dumps([{"id": "1", "memory": f"x{content}"}, {"id": "2", "memory": content}])
    )
    summary = service.import_from("mem0", mem0)
    assert summary.created == 1 and [s.reason for s in summary.skipped] == ["empty content"]
    assert service.get(memory.id).content == "kept"
