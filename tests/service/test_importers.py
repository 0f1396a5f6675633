"""Importers from other memory servers, on small fixture files written in their formats."""

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlean
import sqlite_vec

from memory_mcp.errors import InvalidInput, MemoryMCPError
from memory_mcp.formats import READERS, Record, Skipped
from memory_mcp.formats.common import instant, stored_tags, tags
from memory_mcp.service import MemoryService
from tests.overlap import watch_overlap

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
KG = FIXTURES / "kg" / "memory.jsonl"
MEM0 = FIXTURES / "mem0" / "export.json"
MMS_SQL = FIXTURES / "mcp_memory_service" / "memories.sql"


def build_mms(path: Path) -> Path:
    """An mcp-memory-service database (WAL, with its vec0 table) from the fixture script."""
    conn = sqlean.connect(str(path))
    conn.enable_load_extension(True)
    sqlite_vec.load(conn)
    conn.executescript(MMS_SQL.read_text())
    conn.commit()
    conn.close()
    return path


def by_content(service: MemoryService) -> dict[str, object]:
    return {m.content: m for m in service.store.iter_all()}


def reasons(summary: object) -> dict[str, str]:
    return {s.where: s.reason for s in summary.skipped}  # type: ignore[attr-defined]


# -- the official knowledge-graph memory server ---------------------------------------------------


def test_kg_observations_and_relations_become_facts(service: MemoryService) -> None:
    summary = service.import_from("kg-jsonl", KG, scope="people")
    assert (summary.read, summary.created, summary.duplicates) == (11, 5, 1)
    memories = by_content(service)
    alice = memories["Alice: Speaks fluent Spanish"]
    assert (alice.kind, alice.tags, alice.scope) == ("fact", ["person", "alice"], "people")
    assert alice.metadata["imported_from"]["format"] == "kg-jsonl"
    assert alice.metadata["imported_from"]["entity"] == "Alice"
    works = memories["Alice works at Acme Corp"]
    assert works.tags == ["relation", "alice", "acme corp"]
    assert "Deploy bot: Uses token [REDACTED:github_token]" in memories
    assert summary.redacted == 1
    assert reasons(summary) == {
        "line 2, observation 2": "same content as line 2, observation 1",
        "line 3": "entity 'Bob' has no observations",
        "line 5": "relation needs from, to and relationType",
        "line 7, observation 2": "observation is not text",
        "line 8": "not JSON (Expecting value at column 1)",
        "line 9": "not an entity or relation (type 'note')",
    }
    history = service.history(alice.id)
    assert [(h.action, h.client) for h in history] == [("import", "import:kg-jsonl")]


def test_kg_rerun_adds_nothing(service: MemoryService) -> None:
    first = service.import_from("kg-jsonl", KG)
    log = len(service.history(limit=1000))
    again = service.import_from("kg-jsonl", KG)
    assert first.created == 5
    assert (again.created, again.already_imported, again.duplicates) == (0, 6, 0)
    assert len(service.history(limit=1000)) == log
    assert service.store.counts()["memories"] == 5


def test_kg_rerun_after_an_edit_does_not_bring_the_old_text_back(service: MemoryService) -> None:
    service.import_from("kg-jsonl", KG)
    alice = by_content(service)["Alice: Speaks fluent Spanish"]
    service.update(alice.id, content="Alice: Speaks fluent Spanish and Portuguese")  # type: ignore[attr-defined]
    assert service.import_from("kg-jsonl", KG).created == 0


def test_kg_lines_end_at_newlines_only_and_a_line_not_utf8_is_skipped_alone(
    service: MemoryService, tmp_path: Path
) -> None:
    # JSON.stringify keeps U+2028, U+2029 and NEL raw in strings; str.splitlines breaks there.
    observations = ["Pasted\u2028from a PDF", "NEL\x85here", "para\u2029graph"]
    odd = {"type": "entity", "name": "Alice", "entityType": "person", "observations": observations}
    fine = {"type": "entity", "name": "Bob", "entityType": "person", "observations": ["Hi"]}
    path = tmp_path / "memory.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps(odd, ensure_ascii=False).encode()
        + b"\r\n"
        + b'{"type": "entity", "name": "Eve \xff", "entityType": "p", "observations": ["x"]}\n'
        + json.dumps(fine).encode()
        + b"\n"
    )
    summary = service.import_from("kg-jsonl", path)
    assert summary.created == 4 and reasons(summary) == {"line 2": "not UTF-8 text"}
    assert {"Alice: Pasted\u2028from a PDF", "Alice: NEL\x85here", "Bob: Hi"} <= set(
        by_content(service)
    )


def test_kg_a_secret_in_a_relation_type_is_masked_before_it_reads_as_words(
    service: MemoryService, tmp_path: Path
) -> None:
    """A relation type reads as words (`works_at` -> `works at`); a token in it was turned to
    words first (`ghp Zq7…`), which the masking of what is stored no longer recognised."""
    token = "ghp_" + "Zq7xK2mN9pL4vB8cR1tY6wE3uI5oA0sD7fG2"
    path = tmp_path / "memory.jsonl"
    lines = [
        {"type": "relation", "from": "ci", "to": "github", "relationType": f"auth_{token}"},
        {"type": "relation", "from": "Alice", "to": "Acme", "relationType": "works_at"},
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    summary = service.import_from("kg-jsonl", path)
    assert summary.created == 2 and summary.redacted == 1
    assert set(by_content(service)) == {
        "ci auth [REDACTED:github_token] github",
        "Alice works at Acme",
    }
    exported = tmp_path / "out.jsonl"
    service.export_jsonl(exported)
    assert token[4:20] not in exported.read_text()
    assert token[4:20].lower() not in exported.read_text().lower().replace(" ", "")


def test_kg_refuses_a_file_that_is_not_a_graph(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "notes.jsonl"
    path.write_text('{"content": "a JSONL export of ours"}\nnot json\n')
    with pytest.raises(InvalidInput, match="not a knowledge-graph memory file"):
        service.import_from("kg-jsonl", path)
    assert service.store.counts()["memories"] == 0


# -- mem0 -----------------------------------------------------------------------------------------


def test_mem0_maps_fields_and_keeps_timestamps(service: MemoryService) -> None:
    summary = service.import_from("mem0", MEM0)
    assert (summary.read, summary.created, summary.duplicates) == (7, 3, 1)
    memories = by_content(service)
    dark = memories["Prefers dark mode in code editors"]
    assert dark.kind == "preference"
    assert dark.tags == ["user_preferences", "user:alice"]
    assert dark.created_at == datetime(2024, 7, 20, 8, 30, 0, 123456, tzinfo=UTC)
    assert dark.updated_at == datetime(2024, 7, 21, 16, 0, tzinfo=UTC)
    assert dark.metadata["source"] == "chat"
    assert dark.metadata["imported_from"] == {
        "format": "mem0",
        "id": "3f1c2a9e-7b4d-4c1e-9a51-0d6b1f0e2c11",
        "user_id": "alice",
        "hash": "5d41402abc4b2a76b9719d911017c592",
    }
    bot = memories["Escalates billing issues to the Tier 2 queue"]
    assert (bot.kind, bot.tags) == ("fact", ["work", "agent:support-bot"])
    assert bot.metadata["imported_from"]["run_id"] == "run-42"
    marathon = memories["Is training for the Berlin marathon"]
    assert marathon.tags == ["user:alice", "app:coach"]
    assert marathon.expires_at == datetime(2099, 12, 31, tzinfo=UTC)
    assert reasons(summary) == {
        "memory e4da3b7f-bbce-4345-9777-2b0674a318d5": "expired in mem0 on 2020-01-01",
        "memory 1679091c-5a88-4faf-9fb5-e6087eb1b2dc": "no memory text",
        "memory 8f14e45f-ceea-467f-a0e6-9f1ac0e1a3b7": (
            "same content as memory 3f1c2a9e-7b4d-4c1e-9a51-0d6b1f0e2c11"
        ),
        "item 7": "not a JSON object",
    }


def test_mem0_rerun_adds_nothing_and_a_plain_list_reads_too(
    service: MemoryService, tmp_path: Path
) -> None:
    service.import_from("mem0", MEM0)
    again = service.import_from("mem0", MEM0)
    assert (again.created, again.already_imported) == (0, 3)
    listed = tmp_path / "v1.json"
    listed.write_text(json.dumps(json.loads(MEM0.read_text())["results"]))
    assert service.import_from("mem0", listed).created == 0


def test_mem0_skips_content_already_stored_by_hand(service: MemoryService) -> None:
    mine = service.remember("Prefers dark mode in code editors", scope="global")
    summary = service.import_from("mem0", MEM0)
    assert reasons(summary)["memory 3f1c2a9e-7b4d-4c1e-9a51-0d6b1f0e2c11"] == (
        f"same content as memory #{mine.id}"
    )
    assert service.get(mine.id).repeat_count == 1


def test_mem0_refuses_other_json(service: MemoryService, tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"memories_count": 3}')
    with pytest.raises(InvalidInput, match="not a mem0 export"):
        service.import_from("mem0", path)
    path.write_text("{broken")
    with pytest.raises(InvalidInput, match="is not JSON"):
        service.import_from("mem0", path)


# -- mcp-memory-service ---------------------------------------------------------------------------


def test_mcp_memory_service_reads_its_database(service: MemoryService, tmp_path: Path) -> None:
    source = build_mms(tmp_path / "sqlite_vec.db")
    summary = service.import_from("mcp-memory-service", source, scope="widgets")
    assert (summary.read, summary.created) == (6, 3)
    memories = by_content(service)
    suite = memories["The test suite runs with pytest -q and must stay under two minutes"]
    assert (suite.kind, suite.tags, suite.scope) == ("note", ["python", "testing"], "widgets")
    assert suite.created_at == datetime(2024, 6, 10, 6, 13, 20, 500000, tzinfo=UTC)
    assert suite.updated_at == datetime(2024, 6, 10, 7, 13, 20, tzinfo=UTC)
    assert suite.metadata["project"] == "widgets"
    assert suite.metadata["imported_from"]["id"].startswith("a1f3c0de")
    flag = memories["Decided to ship the v2 API behind a feature flag"]
    assert flag.kind == "decision"
    assert flag.created_at == datetime.fromtimestamp(1719000000, UTC)  # bad ISO: epoch used
    docs = memories["SQLite WAL docs: https://sqlite.org/wal.html"]
    assert (docs.kind, docs.tags) == ("note", ["docs", "sqlite", "reference"])
    assert sorted(reasons(summary).values()) == [
        "deleted in mcp-memory-service",
        "empty content",
        "superseded by b2e4d1ef0c9f",
    ]


def test_mcp_memory_service_source_is_never_modified(
    service: MemoryService, tmp_path: Path
) -> None:
    source = build_mms(tmp_path / "sqlite_vec.db")

    def snapshot() -> dict[str, tuple[str, int]]:
        return {
            p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
            for p in tmp_path.iterdir()
            if p.name.startswith("sqlite_vec.db")
        }

    before = snapshot()
    service.import_from("mcp-memory-service", source)
    again = service.import_from("mcp-memory-service", source)
    assert (again.created, again.already_imported) == (0, 3)
    assert snapshot() == before


def test_mcp_memory_service_while_it_runs_reads_its_write_ahead_log(
    service: MemoryService, tmp_path: Path
) -> None:
    source = build_mms(tmp_path / "sqlite_vec.db")
    running = sqlean.connect(str(source))  # the service, holding the log open
    running.execute(
        """insert into memories (content_hash, content, tags, memory_type, created_at)
           values ('0123abcd', 'Written a moment ago', 'fresh', 'note', 1730000000.0)"""
    )
    running.commit()
    assert (tmp_path / "sqlite_vec.db-wal").stat().st_size > 0
    summary = service.import_from("mcp-memory-service", source)
    running.close()
    assert summary.created == 4
    assert by_content(service)["Written a moment ago"].tags == ["fresh"]  # type: ignore[attr-defined]


def test_mcp_memory_service_refuses_other_files(service: MemoryService, tmp_path: Path) -> None:
    with pytest.raises(MemoryMCPError, match="No such file"):
        service.import_from("mcp-memory-service", tmp_path / "missing.db")
    text = tmp_path / "notes.db"
    text.write_text("not a database at all, just text " * 40)
    with pytest.raises(MemoryMCPError, match="Cannot read .* as an SQLite database"):
        service.import_from("mcp-memory-service", text)
    ours = tmp_path / "ours.db"
    other = MemoryService.open(service.settings.model_copy(update={"db": ours, "semantic": False}))
    other.close()
    with pytest.raises(InvalidInput, match="not an mcp-memory-service database"):
        service.import_from("mcp-memory-service", ours)


# -- shared behaviour -----------------------------------------------------------------------------


def test_unknown_format_and_the_reader_registry(service: MemoryService) -> None:
    assert set(READERS) == {"kg-jsonl", "mem0", "mcp-memory-service", "claude-code", "codex"}
    with pytest.raises(InvalidInput, match="Unknown format 'letta'"):
        service.import_from("letta", KG)


def test_batches_are_written_one_transaction_each(
    service: MemoryService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = [
        json.dumps({"type": "entity", "name": f"E{i}", "entityType": "t", "observations": ["x"]})
        for i in range(600)
    ]
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines))
    calls: list[int] = []
    insert_many = service.store.insert_many
    monkeypatch.setattr(
        service.store,
        "insert_many",
        lambda rows, **kw: calls.append(len(rows)) or insert_many(rows, **kw),
    )
    seen: list[tuple[int, int]] = []
    summary = service.import_from("kg-jsonl", path, progress=lambda d, t: seen.append((d, t)))
    assert summary.created == 600 and calls == [256, 256, 88]
    assert seen == [(256, 600), (512, 600), (600, 600)]
    assert service.store.counts()["vec"] == 600


def test_records_skips_and_helpers() -> None:
    assert tags(["A", " b ", 7, None, True, " "]) == ["A", " b ", "7"]  # kept for redaction
    cleaned = stored_tags(["A", "a", " b ", "7", "x" * 100, "tab\there\x1b[0m"])
    assert cleaned == ["a", "b", "7", "x" * 64, "tab here [0m"]
    assert instant("2024-01-02T03:04:05+02:00") == datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC)
    assert instant(0) == datetime(1970, 1, 1, tzinfo=UTC)
    assert instant("yesterday") is None and instant(True) is None and instant("") is None
    items = READERS["kg-jsonl"](KG)
    assert isinstance(items[0], Record) and any(isinstance(i, Skipped) for i in items)


# An offset carries these past year 1 or 9999 once in UTC: Python cannot hold that moment.
PAST_YEAR_1 = "0001-01-01T00:00:00+01:00"
PAST_YEAR_9999 = "9999-12-31T23:59:59-14:00"


def test_a_date_an_offset_carries_out_of_range_is_dropped_not_a_traceback(
    service: MemoryService, tmp_path: Path
) -> None:
    assert instant(PAST_YEAR_1) is None and instant(PAST_YEAR_9999) is None
    path = tmp_path / "mem0.json"
    items = [
        {"id": "a", "memory": "Early bird", "created_at": PAST_YEAR_1},
        {"id": "b", "memory": "Late owl", "updated_at": PAST_YEAR_9999,
         "expiration_date": PAST_YEAR_9999},
        {"id": "c", "memory": "Edge of time", "created_at": "0001-01-01T00:00:00Z"},
    ]  # fmt: skip
    path.write_text(json.dumps(items))
    before = datetime.now(UTC)
    assert service.import_from("mem0", path).created == 3
    found = by_content(service)
    assert found["Early bird"].created_at >= before  # type: ignore[attr-defined]
    assert found["Late owl"].expires_at is None  # type: ignore[attr-defined]
    assert found["Edge of time"].created_at == datetime(1, 1, 1, tzinfo=UTC)  # type: ignore[attr-defined]


def test_a_jsonl_time_out_of_range_in_utc_refuses_the_file_before_writing(
    service: MemoryService, tmp_path: Path
) -> None:
    path = tmp_path / "dump.jsonl"
    lines = [
        {"content": "fine", "created_at": "0001-01-01T00:00:00Z",
         "expires_at": "9999-12-31T23:59:59Z"},
        {"content": "early", "created_at": PAST_YEAR_1},
        {"content": "late", "occurred_at": PAST_YEAR_9999},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(InvalidInput) as err:
        service.import_jsonl(path)
    outside = "is outside the years 1 to 9999 in UTC"
    assert f"line 2: created_at: {outside}" in str(err.value)
    assert f"line 3: occurred_at: {outside}" in str(err.value)
    assert service.count() == 0
    path.write_text(json.dumps(lines[0]) + "\n")
    assert service.import_jsonl(path).created == 1  # the ends of the range themselves are fine
    assert service.list_memories()[0].created_at == datetime(1, 1, 1, tzinfo=UTC)


# -- the tools' limits apply to imports (issue 11) -------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000  # deeper than Python's JSON decoder can go
DEEPISH = '{"a": ' * 30 + "1" + "}" * 30  # deeper than metadata may be


def test_importers_apply_the_limits_of_the_tools(service: MemoryService, tmp_path: Path) -> None:
    big = {"blob": "x" * (service.settings.max_metadata_chars + 1)}
    path = tmp_path / "mem0.json"
    path.write_text(
        '{"results": ['
        '{"id": "nul", "memory": "a\\u0000b"},'
        '{"id": "surrogate", "memory": "lone \\ud800 half"},'
        f'{{"id": "big", "memory": "big metadata", "metadata": {json.dumps(big)}}},'
        f'{{"id": "deep", "memory": "deep metadata", "metadata": {DEEPISH}}},'
        '{"id": "long", "memory": "' + "y" * (service.settings.max_content_chars + 1) + '"},'
        '{"id": "cats", "memory": "Likes hiking", "categories": "hobbies, outdoors"}'
        "]}"
    )
    summary = service.import_from("mem0", path)
    assert summary.created == 1
    assert by_content(service)["Likes hiking"].tags == ["hobbies", "outdoors"]  # type: ignore[attr-defined]
    limit = service.settings.max_content_chars
    found = reasons(summary)
    assert sorted(found) == ["memory big", "memory deep", "memory long", "memory nul",
                             "memory surrogate"]  # fmt: skip
    assert found["memory nul"].startswith("content contains a NUL character at position 1.")
    assert found["memory surrogate"].startswith("content contains an unpaired surrogate")
    assert found["memory big"].startswith("metadata is 80")
    assert f"as JSON; the limit is {service.settings.max_metadata_chars}." in found["memory big"]
    assert found["memory deep"].endswith("is nested more than 20 levels deep.")
    assert found["memory long"] == f"content is {limit + 1} characters; the limit is {limit}."


def test_metadata_numbers_json_cannot_hold_are_refused_on_every_backend(
    service: MemoryService, tmp_path: Path
) -> None:
    for value in (float("nan"), float("inf"), -float("inf")):
        with pytest.raises(InvalidInput, match="metadata is not storable as JSON"):
            service.remember("Quarterly numbers", metadata={"ratio": [value]})
    path = tmp_path / "mem0.json"
    path.write_text(
        '[{"id": "n", "memory": "Ratio", "metadata": {"r": NaN}}, {"id": "ok", "memory": "Fine"}]'
    )
    summary = service.import_from("mem0", path)
    assert summary.created == 1 and reasons(summary)["memory n"].startswith(
        "metadata is not storable as JSON"
    )


def test_json_errors_read_the_same_in_every_importer(
    service: MemoryService, tmp_path: Path
) -> None:
    """mem0 said "not JSON (Invalid control character at at line 1)", kg-jsonl and JSONL
    "(Invalid control character at)": Python's message ends in "at", its place given apart."""
    bad = '{"content": "a\x01b"}'
    mem0 = tmp_path / "mem0.json"
    mem0.write_text(bad)
    with pytest.raises(InvalidInput) as refused:
        service.import_from("mem0", mem0)
    assert "(Invalid control character at line 1, column 15)" in str(refused.value)
    kg = tmp_path / "memory.jsonl"
    entity = {"type": "entity", "name": "A", "entityType": "t", "observations": ["fine"]}
    kg.write_text(f"{bad}\n{json.dumps(entity)}\n")
    summary = service.import_from("kg-jsonl", kg)
    assert reasons(summary) == {"line 1": "not JSON (Invalid control character at column 15)"}
    with pytest.raises(InvalidInput) as jsonl:
        service.import_jsonl(kg)
    assert "line 1: not JSON (Invalid control character at column 15)" in str(jsonl.value)
    notes = tmp_path / "notes.md"  # a Markdown export's memory-mcp line holds JSON too
    notes.write_text('<!-- memory-mcp: {"scope": "a\x01"} -->\n\n## #new\n\ntext\n')
    with pytest.raises(InvalidInput) as markdown:
        service.import_markdown(notes)
    said = "unreadable memory-mcp line (its JSON: Invalid control character at column 13)"
    assert said in str(markdown.value)


def test_json_nested_too_deeply_is_a_message_not_a_traceback(
    service: MemoryService, tmp_path: Path
) -> None:
    entity = {"type": "entity", "name": "A", "entityType": "t", "observations": ["fine"]}
    kg = tmp_path / "memory.jsonl"
    kg.write_text(f"{DEEP}\n{json.dumps(entity)}\n")
    summary = service.import_from("kg-jsonl", kg)
    assert summary.created == 1 and reasons(summary) == {"line 1": "JSON nested too deeply to read"}
    mem0 = tmp_path / "mem0.json"
    mem0.write_text(DEEP)
    with pytest.raises(InvalidInput, match="nested too deeply"):
        service.import_from("mem0", mem0)
    jsonl = tmp_path / "dump.jsonl"
    nested: object = 1
    for _ in range(21):
        nested = [nested]
    jsonl.write_text(f"{DEEP}\n{json.dumps({'content': 'x', 'metadata': {'a': nested}})}\n")
    with pytest.raises(InvalidInput, match="line 1: not readable: JSON nested too deeply") as err:
        service.import_jsonl(jsonl)
    assert "line 2: metadata.a is nested more than 20 levels deep" in str(err.value)


LONG_NUMBER = "9" * 5000  # more digits than Python's int() takes from text (4300)


def test_a_number_too_long_to_read_is_a_message_not_a_traceback(
    service: MemoryService, tmp_path: Path
) -> None:
    """`json.loads` raises a bare ValueError for it, which every reader let escape."""
    entity = {"type": "entity", "name": "A", "entityType": "t", "observations": ["fine"]}
    kg = tmp_path / "memory.jsonl"
    kg.write_text(f'{{"type": "entity", "n": {LONG_NUMBER}}}\n{json.dumps(entity)}\n')
    summary = service.import_from("kg-jsonl", kg)
    said = "not JSON (Number with more than 4300 digits at column 25)"
    assert summary.created == 1 and reasons(summary) == {"line 1": said}
    mem0 = tmp_path / "mem0.json"
    mem0.write_text(f'[{{"memory": "x", "n": -{LONG_NUMBER}}}]')
    with pytest.raises(InvalidInput, match="Number with more than 4300 digits at line 1, col"):
        service.import_from("mem0", mem0)
    jsonl = tmp_path / "dump.jsonl"
    jsonl.write_text(f'{{"content": "x", "metadata": {{"n": {LONG_NUMBER}}}}}\n')
    with pytest.raises(InvalidInput, match="line 1: not JSON \\(Number with more than 4300"):
        service.import_jsonl(jsonl)
    queries = tmp_path / "queries.jsonl"
    queries.write_text(f'{{"query": "x", "expected_ids": [{LONG_NUMBER}]}}\n')
    with pytest.raises(InvalidInput, match="line 1: not JSON \\(Number with more than 4300"):
        service.evaluate(queries)
    assert service.stats().total == 1


def test_jsonl_import_applies_the_limits_of_the_tools(
    service: MemoryService, tmp_path: Path
) -> None:
    lines = [
        {"content": "a\u0000b"},
        {"content": "ok", "metadata": {"blob": "x" * service.settings.max_metadata_chars}},
        {"content": "ok", "key": "k" * 101},
        {"content": "x" * (service.settings.max_content_chars + 1)},
        [1, 2],
    ]
    path = tmp_path / "dump.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    with pytest.raises(InvalidInput, match="Nothing imported: 5 invalid") as err:
        service.import_jsonl(path)
    message = str(err.value)
    for expected in ("line 1: content contains a NUL", "line 2: metadata is", "line 3: key is 101",
                     "line 4: content is", "line 5: not a JSON object"):  # fmt: skip
        assert expected in message
    assert service.store.counts()["memories"] == 0


def test_mcp_memory_service_memories_may_be_a_view(service: MemoryService, tmp_path: Path) -> None:
    source = tmp_path / "view.db"
    conn = sqlean.connect(str(source))
    conn.executescript(
        "create table notes (content_hash text, content text, tags text, memory_type text);"
        "insert into notes values ('h1', 'Viewed memory', 'a,b', 'fact');"
        "create view memories as select * from notes;"
        "create table broken (x);"
        "create view memories_broken as select * from broken;"
    )
    conn.commit()
    conn.close()
    summary = service.import_from("mcp-memory-service", source)
    assert summary.created == 1 and by_content(service)["Viewed memory"].kind == "fact"  # type: ignore[attr-defined]
    conn = sqlean.connect(str(source))
    conn.executescript(
        "drop view memories; drop table notes;"
        "create table memories (content_hash text, content text, memory_type text);"
        "insert into memories values ('h2', cast(x'61ff62' as text), 'note');"
    )
    conn.commit()
    conn.close()
    with pytest.raises(InvalidInput, match="Cannot read the memories of .*: Could not decode"):
        service.import_from("mcp-memory-service", source)


@pytest.mark.parametrize(
    "endless",
    [
        "select 'x' as content, cast(n as text) as content_hash, 'note' as memory_type from r",
        "select 'x' as content, 'h' as content_hash, 'note' as memory_type from r where n < 0",
    ],
    ids=["rows", "work"],
)
def test_mcp_memory_service_a_view_without_end_is_refused_not_read_for_ever(
    service: MemoryService, tmp_path: Path, endless: str
) -> None:
    """A `memories` view is read (above), and one may never end: it yielded rows until memory
    ran out, or worked for ever yielding none (a file anyone logged in may upload to the web
    UI). Reading stops past what a table the file's size could need."""
    source = tmp_path / "endless.db"
    conn = sqlean.connect(str(source))
    recursive = "with recursive r(n) as (select 1 union all select n + 1 from r) "
    conn.executescript(f"create view memories as {recursive}{endless};")
    conn.commit()
    conn.close()
    with pytest.raises(InvalidInput, match="more work, or rows, than a table in a file of"):
        service.import_from("mcp-memory-service", source)
    assert service.store.counts()["memories"] == 0


def test_an_import_embeds_the_next_batch_while_one_is_stored(
    service: MemoryService, embedder: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ingest.py admits and embeds batch k+1 while batch k is stored: the insert of the
    first batch sees the second batch's embedding begin (it waits for it, bounded)."""
    from memory_mcp.formats import ingest

    monkeypatch.setattr(ingest, "BATCH", 2)
    overlapped = watch_overlap(embedder, service.store, monkeypatch)
    results = [{"id": f"m{which}{i}", "memory": f"{which} batch fact {i}", "user_id": "alice"}
               for which in ("first", "second") for i in (1, 2)]  # fmt: skip
    path = tmp_path / "mem0.json"
    path.write_text(json.dumps({"results": results}))
    summary = service.import_from("mem0", path)
    assert overlapped == [True]
    assert summary.created == 4


@pytest.mark.parametrize(("fmt", "what"), [("kg-jsonl", "a knowledge-graph memory file"),
                                           ("mem0", "a mem0 export")])  # fmt: skip
def test_a_file_given_by_path_is_held_to_the_line_bound_of_stdin(
    settings: Any, tmp_path: Path, fmt: str, what: str
) -> None:
    """A kg-jsonl or mem0 file named by its path was read whole, however long its lines;
    stdin's copy stops at a line longer than any memory's can be. Now both do: the file is
    refused at that line, and nothing is imported."""
    small = settings.model_copy(
        update={"semantic": False, "max_content_chars": 100, "max_metadata_chars": 100}
    )
    entity = {"type": "entity", "name": "Alice", "entityType": "person",
              "observations": ["Speaks Spanish"]}  # fmt: skip
    # past 4 bytes a character of what a line can carry (300,544), 64 times that for mem0
    long = "x" * (400_000 if fmt == "kg-jsonl" else 20_000_000)
    path = tmp_path / "source"
    if fmt == "kg-jsonl":
        path.write_text(json.dumps(entity) + "\n" + json.dumps({"type": "entity", "name": long}))
    else:
        path.write_text(json.dumps([{"id": "a", "memory": "Likes hiking"},
                                    {"id": "b", "memory": long}]))  # fmt: skip
    service = MemoryService.open(small)
    try:
        with pytest.raises(InvalidInput) as refused:
            service.import_from(fmt, path)
        assert service.stats().total == 0
    finally:
        service.close()
    line = 2 if fmt == "kg-jsonl" else 1
    assert str(refused.value) == (
        f"Line {line} of {path} is longer than any memory's line can be (is this {what}?); "
        "nothing was imported."
    )


def test_a_mem0_export_on_one_line_longer_than_a_jsonl_line_is_imported(
    settings: Any, tmp_path: Path
) -> None:
    """json.dump writes a mem0 export on one line, which holds every memory: one longer than
    a JSONL line can be (300,544 bytes with these limits) was refused, however small each of
    its memories. It is held to 64 times that instead."""
    small = settings.model_copy(
        update={"semantic": False, "max_content_chars": 100, "max_metadata_chars": 100}
    )
    memories = [{"id": f"m{i}", "memory": f"Fact {i}: the team prefers trains over planes",
                 "user_id": "alice", "categories": ["travel"]}
                for i in range(4_000)]  # fmt: skip
    path = tmp_path / "mem0.json"
    path.write_text(json.dumps(memories))
    assert path.stat().st_size > 300_544 and "\n" not in path.read_text()
    service = MemoryService.open(small)
    try:
        summary = service.import_from("mem0", path)
        assert (summary.created, service.stats().total) == (4_000, 4_000)
    finally:
        service.close()


def test_mcp_memory_service_rows_in_its_write_ahead_log_count_toward_the_file_size(
    service: MemoryService, tmp_path: Path
) -> None:
    """A running mcp-memory-service keeps its newest rows in the -wal file, beside a main
    file that may be a few pages: the rows a file can hold are read from both sizes, so a
    legitimate database is never refused as a view without end."""
    source = build_mms(tmp_path / "sqlite_vec.db")
    running = sqlean.connect(str(source))  # the service, holding the log open
    running.execute("pragma wal_autocheckpoint = 0")
    running.executemany(
        "insert into memories (content_hash, content, memory_type) values (?, ?, 'note')",
        [(f"h{n}", f"m{n}") for n in range(10_000)],
    )
    running.commit()
    assert source.stat().st_size // 8 < 10_000 < (tmp_path / "sqlite_vec.db-wal").stat().st_size
    try:
        summary = service.import_from("mcp-memory-service", source)
    finally:
        running.close()
    assert summary.created == 10_003


def _many_tags_source(tmp_path: Path, fmt: str, many: list[str]) -> Path:
    """A source in `fmt` holding one memory with the tags `many` (mem0: its categories)."""
    if fmt == "mem0":
        path = tmp_path / "mem0.json"
        record = {"id": "m-1", "memory": "Tagged a great deal", "categories": many}
        path.write_text(json.dumps({"results": [record]}))
        return path
    path = tmp_path / "mms.db"
    conn = sqlean.connect(str(path))
    conn.execute(
        "create table if not exists memories"
        " (content_hash text, content text, tags text, memory_type text)"
    )
    conn.execute(
        "insert into memories values ('h1', 'Tagged a great deal', ?, 'note')", (",".join(many),)
    )
    conn.commit()
    conn.close()
    return path


@pytest.mark.parametrize("fmt", ["mem0", "mcp-memory-service"])
def test_tags_past_32_are_kept_in_metadata_and_counted(
    service: MemoryService, tmp_path: Path, fmt: str
) -> None:
    """A memory holds 32 tags; an import used to drop a source record's others without a
    word. They are kept in metadata.imported_from.more_tags, and the summary counts the
    memories that have some (a knowledge-graph record has 2 or 3 tags: never more)."""
    many = [f"Topic{n:02d}" for n in range(40)]
    summary = service.import_from(fmt, _many_tags_source(tmp_path, fmt, many))
    assert (summary.created, summary.more_tags) == (1, 1)
    memory = by_content(service)["Tagged a great deal"]
    stored = memory.tags  # type: ignore[attr-defined]
    kept = memory.metadata["imported_from"]["more_tags"]  # type: ignore[attr-defined]
    assert stored == [t.lower() for t in many[:32]] and kept == [t.lower() for t in many[32:]]
    again = service.import_from(fmt, _many_tags_source(tmp_path, fmt, many))
    assert (again.created, again.more_tags) == (0, 0)


@pytest.mark.parametrize("fmt", ["mem0", "mcp-memory-service"])
def test_tags_past_32_never_make_metadata_exceed_its_limit(
    service: MemoryService, tmp_path: Path, fmt: str
) -> None:
    """Tags past 32 went into metadata unchecked: 300 long tags stored ~19,000 characters of
    metadata where the limit is 8,000. As many as fit are kept, the number left out is
    noted, and the summary counts the memory."""
    many = [f"Topic{n:03d}-" + "x" * 50 for n in range(300)]
    summary = service.import_from(fmt, _many_tags_source(tmp_path, fmt, many))
    assert (summary.created, summary.more_tags, summary.tags_left_out) == (1, 1, 1)
    memory = by_content(service)["Tagged a great deal"]
    metadata = memory.metadata  # type: ignore[attr-defined]
    size = len(json.dumps(metadata))
    assert size <= service.settings.max_metadata_chars, size
    origin = metadata["imported_from"]
    kept, left_out = origin["more_tags"], origin["more_tags_left_out"]
    assert kept == [t.lower() for t in many[32 : 32 + len(kept)]] and kept
    assert len(kept) + left_out == len(many) - 32
    assert size > service.settings.max_metadata_chars - 64  # filled, not emptied
