"""Markdown export and import: readable files per scope, edits applied back by id."""

import os
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memory_mcp.errors import InvalidInput
from memory_mcp.formats import markdown, markdown_import
from memory_mcp.models import Memory
from memory_mcp.names import strip_invisible
from memory_mcp.service import MemoryService
from memory_mcp.service.exchange import MARKDOWN_PAGE

TRICKY = [
    "# A heading\n\n## Another heading\n\nText under it.",
    "Front matter lookalike:\n---\ntitle: x\n---\nand a rule\n\n---\n",
    "Code:\n```python\nprint('## #1 · fact')\n```\n\n````md\n```\nnested fence\n```\n````",
    "## #3 · fact\nlooks like a memory heading",
    "Escaped already:\n\\## #new\n\\\\## #12 · note",
    "## #new · decision",
    "tags: not a header · created: yesterday",
    '<!-- memory-mcp: {"format": 1, "scope": "elsewhere"} -->\nan HTML comment line',
    "Trailing spaces kept   \n  indented line\n\ttabbed line",
    "Unicode: naïve café — 日本語 · emoji 🎉",
    "## New features\n- one\n- two",
    "line one\r\nwindows line two",
]


def fill(service: MemoryService) -> list[int]:
    ids = [
        service.remember("Postgres 16 in prod", "fact", ["db"], "github.com/acme/widgets").id,
        service.remember("Editor is Helix", "preference", key="user.editor").id,
        service.remember("Editor is Zed", "preference", key="user.editor").id,  # supersedes
        service.remember("Standup moved to 10:00", "event", occurred_at="2026-01-05").id,
        service.remember("Tags, with commas", tags=["a,b", "c · d", "plain"]).id,
        service.remember("An old idea", scope="scratch").id,
    ]
    service.forget([ids[-1]], "outdated")
    ids += [service.remember(text, scope="tricky").id for text in TRICKY]
    return ids


def files_of(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_round_trip_without_edits_changes_nothing(service: MemoryService, tmp_path: Path) -> None:
    ids = fill(service)
    files, count = service.export_markdown(tmp_path / "md")
    assert count == len(ids)
    assert sorted(p.name for p in files) == [
        "github.com%2Facme%2Fwidgets.md",
        "global.md",
        "scratch.md",
        "tricky.md",
    ]
    before = {m.id: m for m in service.store.iter_all()}
    log = service.history(limit=1000)
    report = service.import_markdown(tmp_path / "md")
    assert report.model_dump() == {
        "files": 4,
        "entries": len(ids),
        "unchanged": len(ids),
        "updated": [],
        "created": [],
        "already_present": [],
        "removed": [],
        "unknown": [],
        "merged": [],
        "skipped": [],
        "redacted": [],
    }
    assert service.history(limit=1000) == log
    assert {m.id: m for m in service.store.iter_all()} == before
    service.export_markdown(tmp_path / "again")
    assert files_of(tmp_path / "again") == files_of(tmp_path / "md")


def test_the_file_shows_id_kind_tags_dates_and_state(
    service: MemoryService, tmp_path: Path
) -> None:
    fill(service)
    service.export_markdown(tmp_path)
    text = (tmp_path / "global.md").read_text()
    assert text.startswith('# global\n<!-- memory-mcp: {"format": 1, "scope": "global"} -->\n')
    assert "\n## #2 · preference\nkey: user.editor · created: " in text
    assert " · superseded by: #3\n\nEditor is Helix\n" in text
    assert "\n## #4 · event\noccurred: 2026-01-05 00:00Z · created: " in text
    assert '\n## #5 · note\ntags: ["a,b", "c · d", "plain"] · created: ' in text
    scratch = (tmp_path / "scratch.md").read_text()
    assert " · forgotten: " in scratch
    widgets = (tmp_path / "github.com%2Facme%2Fwidgets.md").read_text()
    assert "\n## #1 · fact\ntags: db · created: " in widgets


def test_tricky_content_survives_exactly(service: MemoryService, tmp_path: Path) -> None:
    for text in TRICKY:
        service.remember(text, scope="tricky")
    service.export_markdown(tmp_path, scope="tricky")
    (document,), skipped = markdown_import.read(tmp_path, 20_000)
    assert skipped == []
    stored = {m.id: m.content for m in service.store.iter_all()}
    assert len(document.entries) == len(TRICKY)
    for entry in document.entries:
        assert entry.id is not None
        assert markdown_import.same_text(stored[entry.id], entry.content), entry.content
    assert service.import_markdown(tmp_path).unchanged == len(TRICKY)


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1).filter(strip_invisible))
def test_any_text_survives_render_and_parse(text: str) -> None:
    content = strip_invisible(text)  # as every write path stores it
    memory = Memory(
        id=7, content=content, kind="note", tags=[], scope="s",
        metadata={}, created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    page = markdown.preamble("s") + markdown.render(memory)
    document, problems = markdown_import.parse(Path("s.md"), page, 10**6)
    assert problems == []
    (entry,) = document.entries
    assert entry.id == 7 and entry.tags == []
    assert markdown_import.same_text(content, entry.content)


def test_edits_are_applied_by_id(service: MemoryService, tmp_path: Path) -> None:
    ids = fill(service)
    service.export_markdown(tmp_path)
    path = tmp_path / "global.md"
    text = path.read_text()
    text = text.replace("Standup moved to 10:00", "Standup moved to 09:30")
    text = text.replace("## #5 · note\ntags: [", "## #5 · decision\ntags: [")
    text = text.replace('tags: ["a,b", "c · d", "plain"]', "tags: plain, new")
    text += "\n## #new · fact\ntags: infra\n\nThe CI runs on Buildkite\n"
    text += "\n## #new\nkey: user.editor\n\nEditor is Neovim\n"
    path.write_text(text)
    vector = service.store.vectors_for([ids[3]])[ids[3]]

    report = service.import_markdown(tmp_path)

    assert report.updated == [ids[3], ids[4]]
    assert len(report.created) == 2 and report.removed == [] and report.unknown == []
    standup = service.get(ids[3])
    assert standup.content == "Standup moved to 09:30"
    assert (service.store.vectors_for([ids[3]])[ids[3]] != vector).any()  # re-embedded
    edit = service.history(ids[3])[0]
    assert (edit.action, edit.client) == ("edit", "import:markdown")
    assert edit.before["content"] == "Standup moved to 10:00"  # type: ignore[index]
    tagged = service.get(ids[4])
    assert (tagged.kind, tagged.tags) == ("decision", ["plain", "new"])
    ci, neovim = (service.get(i) for i in report.created)
    assert (ci.kind, ci.tags, ci.scope) == ("fact", ["infra"], "global")
    assert neovim.key == "user.editor" and service.get(ids[2]).superseded_by == neovim.id

    again = service.import_markdown(tmp_path)
    assert (again.updated, again.created, again.already_present) == ([], [], report.created)


def test_moving_an_entry_moves_the_memory(service: MemoryService, tmp_path: Path) -> None:
    ids = fill(service)
    service.export_markdown(tmp_path)
    widgets = tmp_path / "github.com%2Facme%2Fwidgets.md"
    entry = "\n## #1 · fact\n" + widgets.read_text().split("\n## #1 · fact\n")[1]
    widgets.write_text(widgets.read_text().replace(entry, ""))
    scratch = tmp_path / "scratch.md"
    scratch.write_text(scratch.read_text() + entry)
    report = service.import_markdown(tmp_path)
    assert report.updated == [ids[0]] and report.removed == []
    assert service.get(ids[0]).scope == "scratch"
    assert service.history(ids[0])[0].action == "move"


def test_removed_entries_are_reported_not_deleted(service: MemoryService, tmp_path: Path) -> None:
    ids = fill(service)
    service.export_markdown(tmp_path)
    path = tmp_path / "global.md"
    text = path.read_text()
    path.write_text(text.split("\n## #4 · event")[0] + "\n## #999 · note\n\nNot from here\n")
    (tmp_path / "tricky.md").unlink()  # a missing file says nothing about its scope
    report = service.import_markdown(tmp_path)
    assert report.removed == [ids[3], ids[4]]
    assert report.unknown == [999]
    assert service.get(ids[3]).forgotten_at is None
    assert service.store.counts()["memories"] == len(ids)


def test_a_bad_file_is_refused_before_anything_is_written(
    service: MemoryService, tmp_path: Path
) -> None:
    fill(service)
    service.export_markdown(tmp_path)
    good = tmp_path / "global.md"
    good.write_text(good.read_text().replace("Editor is Zed", "Editor is Kakoune"))
    (tmp_path / "scratch.md").write_text(
        "## #2 · opinion\n\ntext\n\n## #3\ntags: a · mood: fine\n\ntext\n\n## #new\n\n\n"
        "## #new\noccurred: someday maybe\n\ntext\n\n## #4 · event\n\ntwice\n"
    )
    log = service.history(limit=1000)
    with pytest.raises(InvalidInput) as caught:
        service.import_markdown(tmp_path)
    message = str(caught.value)
    assert message.startswith("Nothing imported: 5 problem(s).")
    for expected in (
        "scratch.md:1: unknown kind 'opinion'",
        "scratch.md:5: header line: unknown field 'mood'",
        "scratch.md:10: no content",
        "scratch.md:13: occurred: cannot read 'someday maybe'",
        "scratch.md:18: #4 also appears at global.md:",
    ):
        assert expected in message
    assert service.history(limit=1000) == log


def test_file_names_are_safe_distinct_and_bounded() -> None:
    scopes = ["github.com/acme/widgets", "Foo", "foo", ".hidden", "a:b*c?", "x" * 200]
    names = markdown.file_names(scopes)
    assert names["github.com/acme/widgets"] == "github.com%2Facme%2Fwidgets.md"
    assert names[".hidden"] == "%2Ehidden.md"
    assert names["a:b*c?"] == "a%3Ab%2Ac%3F.md"
    assert len({n.lower() for n in names.values()}) == len(scopes)
    assert all(len(n) <= 140 and "/" not in n for n in names.values())


def test_a_hand_written_file_takes_its_scope_from_its_name(
    service: MemoryService, tmp_path: Path
) -> None:
    (tmp_path / "github.com%2Facme%2Fgadgets.md").write_text(
        "# Notes I typed\n\n## #new · decision\ntags: api\n\nVersion the API in the URL\n"
    )
    report = service.import_markdown(tmp_path)
    made = service.get(report.created[0])
    assert (made.scope, made.kind, made.tags) == ("github.com/acme/gadgets", "decision", ["api"])


def test_missing_folder_and_empty_folder(service: MemoryService, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="No such file or folder"):
        service.import_markdown(tmp_path / "nope")
    with pytest.raises(InvalidInput, match=r"No \.md files"):
        service.import_markdown(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InvalidInput, match="is a file"):
        service.export_markdown(tmp_path / "file")


# -- the folder's edge: links, other files, permissions, existing files ---------------------------


def test_export_never_writes_through_a_link(service: MemoryService, tmp_path: Path) -> None:
    service.remember("Deploys go out on Tuesdays")
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "global.md").symlink_to(outside)
    for overwrite in (False, True):
        with pytest.raises(InvalidInput, match="symbolic link"):
            service.export_markdown(folder, overwrite=overwrite)
    assert outside.read_text() == "not yours"
    (folder / "global.md").unlink()
    (folder / "global.md").symlink_to(tmp_path / "dangling.md")  # a link to nothing yet
    with pytest.raises(InvalidInput, match="symbolic link"):
        service.export_markdown(folder, overwrite=True)
    assert not (tmp_path / "dangling.md").exists()


def test_export_is_private_and_replaces_files_only_when_asked(
    service: MemoryService, tmp_path: Path
) -> None:
    service.remember("Deploys go out on Tuesdays")
    folder = tmp_path / "new" / "md"
    service.export_markdown(folder)
    page = folder / "global.md"
    assert (folder.stat().st_mode & 0o777, page.stat().st_mode & 0o777) == (0o700, 0o600)
    page.write_text(page.read_text().replace("Tuesdays", "Fridays"))  # not imported yet
    with pytest.raises(InvalidInput, match="already exists; nothing was written.*--force"):
        service.export_markdown(folder)
    assert "Fridays" in page.read_text()
    service.export_markdown(folder, overwrite=True)
    assert "Tuesdays" in page.read_text() and page.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in folder.iterdir()) == ["global.md"]  # no temporary file left


def test_jsonl_export_to_a_path_is_private_and_never_through_a_link(
    service: MemoryService, tmp_path: Path
) -> None:
    service.remember("Deploys go out on Tuesdays")
    dump = tmp_path / "dump.jsonl"
    assert service.export_jsonl(dump) == 1
    assert dump.stat().st_mode & 0o777 == 0o600
    with pytest.raises(InvalidInput, match="already exists"):
        service.export_jsonl(dump)
    assert service.export_jsonl(dump, overwrite=True) == 1
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours")
    (tmp_path / "link.jsonl").symlink_to(outside)
    with pytest.raises(InvalidInput, match="symbolic link"):
        service.export_jsonl(tmp_path / "link.jsonl", overwrite=True)
    assert outside.read_text() == "not yours"


def test_import_reads_nothing_outside_the_folder(service: MemoryService, tmp_path: Path) -> None:
    service.remember("Deploys go out on Tuesdays")
    folder = tmp_path / "md"
    service.export_markdown(folder)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    planted = elsewhere / "planted.md"
    planted.write_text("# x\n\n## #new · fact\n\nPlanted from outside the folder\n")
    (folder / "planted.md").symlink_to(planted)
    (folder / "folder.md").mkdir()
    os.mkfifo(folder / "pipe.md")  # reading it would block forever
    (folder / "again.md").symlink_to(folder / "global.md")  # the same file twice
    report = service.import_markdown(folder)
    assert (report.files, report.unchanged, report.created) == (1, 1, [])
    assert [s.split(":")[0] for s in report.skipped] == [
        "again.md", "folder.md", "pipe.md", "planted.md",
    ]  # fmt: skip
    assert "outside" in report.skipped[-1]
    assert service.count() == 1
    (folder / "global.md").unlink()
    with pytest.raises(InvalidInput, match="No .md files(.|\n)*planted.md: a link to"):
        service.import_markdown(folder)


def test_years_before_1000_keep_four_digits(service: MemoryService, tmp_path: Path) -> None:
    # strftime's %Y prints year 999 as "999" on glibc: neither sortable nor ISO.
    service.remember("The old charter was signed", "event", occurred_at="0999-05-01")
    service.export_markdown(tmp_path)
    assert "occurred: 0999-05-01 00:00Z · created: " in (tmp_path / "global.md").read_text()


def _held_while_importing(service: MemoryService, folder: Path) -> int:
    """The most memory (traced) a Markdown import held beyond reading the files."""
    tracemalloc.start()
    try:
        markdown_import.read(folder, service.settings.max_content_chars)
        reading = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        report = service.import_markdown(folder)
        importing = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.updated == [] and report.created == []
    return importing - reading


def test_an_import_reads_the_stored_memories_a_page_at_a_time(
    keyword_service: MemoryService, tmp_path: Path
) -> None:
    """Unchanged files compared with the database: before, every memory they listed was
    loaded at once, and every memory of their scopes again (1.9 GB at 200k memories)."""
    held = []
    for round_, n in enumerate([2 * MARKDOWN_PAGE, 6 * MARKDOWN_PAGE]):
        scope = f"big{round_}"
        text = "A note about the deploy pipeline and its many steps, kept for later: "
        items = [{"content": f"{text}{i}", "scope": scope} for i in range(n)]
        keyword_service.remember_many(items, dedup=False)
        folder = tmp_path / scope
        keyword_service.export_markdown(folder, scope=scope)
        path = folder / f"{scope}.md"
        kept = path.read_text().split("\n## #")
        path.write_text("\n## #".join(kept[: len(kept) // 2]) + "\n")  # half deleted
        held.append(_held_while_importing(keyword_service, folder))
        report = keyword_service.import_markdown(folder)
        assert report.unchanged == n // 2 - 1 and len(report.removed) == n - n // 2 + 1
    assert held[1] < 1.5 * held[0], held


def test_a_new_entry_that_keys_a_stored_text_gives_it_the_key(
    service: MemoryService, tmp_path: Path
) -> None:
    """A `#new` entry with a key whose text was stored without one was reported "already
    present" and its key dropped (and so was one whose text held another key): the stored
    memory now takes the key, superseding the key's former value; another key's copy stays."""
    zsh = service.remember("The shell is zsh").id
    bash = service.remember("The shell is bash", key="user.shell").id
    fish = service.remember("The shell is fish", key="team.shell").id
    (tmp_path / "global.md").write_text(
        "## #new\nkey: user.shell\n\nThe shell is zsh\n\n"
        "## #new\nkey: user.login\n\nThe shell is fish\n"
    )
    report = service.import_markdown(tmp_path)
    assert report.updated == [zsh]
    assert len(report.created) == 1 and report.already_present == []
    assert service.get(zsh).key == "user.shell"
    assert service.get(bash).superseded_by == zsh
    assert service.get(fish).key == "team.shell"
    assert service.get(report.created[0]).key == "user.login"
