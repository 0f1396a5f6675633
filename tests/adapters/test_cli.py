"""The typer CLI through CliRunner on a real database file."""

import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlean
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Invoke the CLI on tmp_path/cli.db (an empty database) with semantic search off."""
    db = tmp_path / "cli.db"
    MemoryService.open(Settings(db=db, semantic=False)).close()
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None, code: int = 0) -> str:
        result = runner.invoke(app, ["--db", str(db), *args], input=input)
        assert result.exit_code == code, (result.output, result.stderr, result.exception)
        return result.stdout

    invoke.stderr_of = lambda *args: runner.invoke(app, ["--db", str(db), *args]).stderr  # type: ignore[attr-defined]
    return invoke


def as_json(text: str) -> object:
    return json.loads(text)


def test_remember_list_show_recall(run) -> None:  # type: ignore[no-untyped-def]
    stored = as_json(run("remember", "The build uses Bazel", "-k", "fact", "-t", "build", "--json"))
    assert stored["id"] == 1 and stored["tags"] == ["build"]
    run("remember", "-", "--scope", "proj", input="Deploy on Tuesdays\n")
    listed = as_json(run("list", "--json"))
    assert [m["id"] for m in listed] == [2, 1]
    assert as_json(run("list", "--scope", "proj", "--json"))[0]["content"] == "Deploy on Tuesdays"
    assert as_json(run("show", "1", "--json"))["content"] == "The build uses Bazel"
    hits = as_json(run("recall", "bazel", "--json"))
    assert hits["mode"] == "keyword" and [h["id"] for h in hits["hits"]] == [1]
    assert "Bazel" in run("recall", "bazel")
    assert "Bazel" in run("list")


def test_forget_restore_purge(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "secret project name is Falcon")
    assert as_json(run("forget", "1", "--reason", "oops", "--json"))["forgotten"] == [1]
    assert as_json(run("recall", "Falcon", "--json"))["hits"] == []
    assert as_json(run("list", "--json")) == []
    assert as_json(run("list", "--forgotten", "--json"))[0]["forget_reason"] == "oops"
    run("restore", "1")
    assert [h["id"] for h in as_json(run("recall", "Falcon", "--json"))["hits"]] == [1]
    run("purge", "1", input="n\n", code=1)
    run("purge", "1", "--yes")
    run("show", "1", code=1)


def test_restoring_a_memory_said_again_and_replaced_since_leaves_one_copy(run) -> None:  # type: ignore[no-untyped-def]
    """Helix forgotten, said again (#2), then Zed: `restore 1` left #1 and #2, one text
    superseded twice by #3 (`list --superseded` showed both); #2 now folds into #1."""
    run("remember", "Editor is Helix", "--key", "user.editor")
    run("forget", "1")
    run("remember", "Editor is Helix", "--key", "user.editor")
    run("remember", "Editor is Zed", "--key", "user.editor")
    said = run.stderr_of("restore", "1")  # type: ignore[attr-defined]
    assert "#1 stays superseded by #3" in said
    assert "#2, the same text stored again meanwhile, merged into #1" in " ".join(said.split())
    old = as_json(run("list", "--superseded", "--json"))
    helix = [(m["id"], m["repeat_count"]) for m in old if m["content"] == "Editor is Helix"]  # type: ignore[index]
    assert helix == [(1, 2)]
    assert "#2 was merged into #1" in run.stderr_of("show", "2")  # type: ignore[attr-defined]
    assert [e["action"] for e in as_json(run("history", "1", "--json"))][:2] == ["merge", "restore"]  # type: ignore[index]


def test_restore_says_what_it_did_not_bring_back(run) -> None:  # type: ignore[no-untyped-def]
    """`restore` said "Restored #1" of a memory that was never forgotten, and of a
    superseded one that recall still hides behind its newer value."""
    run("remember", "Editor is Vim", "--key", "user.editor")
    run("remember", "Editor is Helix", "--key", "user.editor")
    run("remember", "Deploys go through CI")
    run("forget", "3")
    said = run.stderr_of("restore", "1", "2", "3")  # type: ignore[attr-defined]
    assert "Restored #3." in said
    assert "Not forgotten, nothing to restore: #1, #2." in " ".join(said.split())
    assert "#1 stays superseded by #2" in said
    assert "Restored #1" not in said and "Restored #1, #2" not in said


def test_semantic_search_turned_off_is_said_where_it_informs_only(run) -> None:  # type: ignore[no-untyped-def]
    """With MEMORY_MCP_SEMANTIC=false every remember and edit said "Semantic search is
    disabled by configuration": noise to whoever turned it off. Recall and stats still say."""
    off = "disabled by configuration"
    assert off not in run.stderr_of("remember", "Deploys go through CI")  # type: ignore[attr-defined]
    assert off not in run.stderr_of("edit", "1", "--content", "Deploys go through CD")  # type: ignore[attr-defined]
    assert off not in run.stderr_of("import", "--format", "markdown", "nowhere")  # type: ignore[attr-defined]
    assert off in run.stderr_of("recall", "deploys")  # type: ignore[attr-defined]
    assert as_json(run("recall", "deploys", "--json"))["note"].endswith("keyword-only.")
    assert off in run("stats")


def test_errors_are_one_clear_line_and_exit_1(run) -> None:  # type: ignore[no-untyped-def]
    run("show", "42", code=1)
    assert "No memory with id 42" in run.stderr_of("show", "42")
    assert "ISO-8601" in run.stderr_of("recall", "x", "--since", "someday")
    assert "kind" in run.stderr_of("remember", "x", "-k", "gossip")
    # as the MCP tool: a summary is made by summarize, which records what it draws on
    run("remember", "A summary by hand", "-k", "summary", code=1)
    assert "memory-mcp summarize --save" in run.stderr_of("remember", "x", "-k", "summary")
    assert as_json(run("list", "--json")) == []
    assert "Traceback" not in run.stderr_of("forget", "7")
    assert "--workers is for serve --http" in run.stderr_of("serve", "--workers", "2")
    assert "at least 1, or auto" in run.stderr_of("serve", "--http", "--workers", "0")


def test_edit_with_options_and_with_an_editor(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "port is 8080", "-t", "ops")
    edited = as_json(run("edit", "1", "--content", "port is 9090", "--json"))
    assert edited["content"] == "port is 9090" and edited["tags"] == ["ops"]
    script = tmp_path / "fake-editor.py"
    script.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text().replace('port is 9090', 'port is 7070')\n"
        "t = t.replace('kind: note', 'kind: fact')\n"
        "p.write_text(t.replace('tags: ops', 'tags: ops, network'))\n"
    )
    os.environ["VISUAL"] = f"{sys.executable} {script}"
    try:
        edited = as_json(run("edit", "1", "--json"))
    finally:
        del os.environ["VISUAL"]
    assert edited["content"] == "port is 7070"
    assert edited["kind"] == "fact"
    assert edited["tags"] == ["ops", "network"]


def test_an_editor_that_changes_nothing_keeps_crlf_and_cr_exactly(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    text = "line one\r\nline two\r\nend\rcr only"
    run("remember", text)
    script = tmp_path / "kind-only.py"  # changes the header, never the text
    script.write_bytes(
        b"import sys, pathlib\n"
        b"p = pathlib.Path(sys.argv[1])\n"
        b"p.write_bytes(p.read_bytes().replace(b'kind: note', b'kind: fact'))\n"
    )
    for editor, kind, entries in (("-c pass", "note", 1), (str(script), "fact", 2)):
        os.environ["VISUAL"] = f"{sys.executable} {editor}"
        try:
            run("edit", "1")
        finally:
            del os.environ["VISUAL"]
        shown = as_json(run("show", "1", "--json"))
        assert (shown["content"], shown["kind"]) == (text, kind)  # type: ignore[index]
        assert len(as_json(run("history", "1", "--json"))) == entries  # type: ignore[arg-type]


def test_summarize_stats_doctor(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "We chose SQLite for storage", "-k", "decision")
    run("remember", "User likes terse replies", "-k", "preference")
    summary = as_json(run("summarize", "--json"))
    assert summary["total"] == 2 and sorted(summary["ids"]) == [1, 2]
    assert "SQLite" in run("summarize")
    stats = as_json(run("stats", "--json"))
    assert stats["total"] == 2 and stats["mode"] == "keyword"
    report = as_json(run("doctor", "--json"))
    assert report["healthy"] and report["integrity"] == "ok"


def test_export_import_round_trip(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "alpha")
    run("remember", "beta", "-k", "decision")
    run("forget", "2")
    dump = tmp_path / "dump.jsonl"
    run("export", str(dump))
    lines = dump.read_text().splitlines()
    assert [json.loads(line)["content"] for line in lines] == ["alpha", "beta"]
    assert run("export", "-").splitlines() == lines
    report = as_json(run("import", str(dump), "--json"))
    assert report["skipped_existing"] == 2 and report["created"] == 0


def test_help_and_version(run) -> None:  # type: ignore[no-untyped-def]
    assert "serve" in run("--help")
    assert "memory-mcp" in run("--version")
    # Help is rich markup: a literal [word] in a docstring must be escaped or it vanishes.
    assert "it becomes [scrubbed]." in " ".join(run("scrub", "--help").replace("│", "").split())
    assert "[scrubbed]" in run("--help")


def test_lifecycle_commands(run) -> None:  # type: ignore[no-untyped-def]
    first = as_json(run("remember", "Editor is Vim", "--key", "user.editor", "--json"))
    second = as_json(run("remember", "Editor is Helix", "--key", "user.editor", "--json"))
    assert second["status"] == "superseded" and second["supersedes"] == [first["id"]]
    again = as_json(run("remember", "editor is helix", "--key", "user.editor", "--json"))
    assert again["status"] == "duplicate"
    assert [m["id"] for m in as_json(run("list", "--json"))] == [second["id"]]
    assert len(as_json(run("list", "--superseded", "--json"))) == 2
    old = as_json(run("recall", "editor", "--superseded", "--json"))
    assert {h["id"] for h in old["hits"]} == {first["id"], second["id"]}
    trail = as_json(run("history", str(first["id"]), "--json"))
    assert [e["action"] for e in trail] == ["supersede", "create"]
    assert {e["client"] for e in trail} == {"cli"}
    run("move", str(second["id"]), "--to", "dotfiles")
    # the value moved away: what it replaced in global is global's value again
    assert as_json(run("scopes", "--json"))["scopes"] == {"dotfiles": 1, "global": 1}
    assert [e["action"] for e in as_json(run("log", "--json"))[:2]] == ["move", "restore"]
    assert "move" in run("log")


def test_purge_expired_lists_and_confirms(run) -> None:  # type: ignore[no-untyped-def]
    m = as_json(run("remember", "Temporary door number 1234", "--ttl", "1h", "--json"))
    assert m["expires_at"]
    run("purge", "--expired", "--yes")  # not expired yet: nothing to purge
    assert as_json(run("show", str(m["id"]), "--json"))["id"] == m["id"]
    run("remember", "x", "--ttl", "soon", code=1)


def test_root_db_flag_beats_the_environment(tmp_path: Path) -> None:
    a, b = tmp_path / "a.db", tmp_path / "b.db"
    runner = CliRunner()
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    stored = runner.invoke(app, ["--db", str(a), "remember", "only in a"], env=env)
    assert stored.exit_code == 0
    listed = runner.invoke(
        app, ["--db", str(a), "list", "--json"], env=env | {"MEMORY_MCP_DB": str(b)}
    )
    assert [m["content"] for m in json.loads(listed.stdout)] == ["only in a"]
    assert runner.invoke(app, ["--db", str(b), "remember", "only in b"], env=env).exit_code == 0
    from_env = runner.invoke(app, ["list", "--json"], env=env | {"MEMORY_MCP_DB": str(b)})
    assert [m["content"] for m in json.loads(from_env.stdout)] == ["only in b"]


def test_forget_receipt_and_scoped_export(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "alpha fact", "--scope", "a")
    run("remember", "beta fact", "--scope", "b")
    receipt = as_json(run("forget", "1", "--reason", "test", "--json"))
    assert receipt["undo"] == "memory-mcp restore 1" and receipt["at"]
    lines = run("export", "-", "--scope", "b").splitlines()
    assert [json.loads(line)["content"] for line in lines] == ["beta fact"]


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def test_markdown_export_edit_import(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "Deploys go out on Tuesdays", "-k", "decision", "-s", "github.com/acme/w")
    run("remember", "Prefers tabs", "-k", "preference")
    folder = tmp_path / "md"
    run("export", "--format", "markdown", str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["github.com%2Facme%2Fw.md", "global.md"]
    unchanged = as_json(run("import", "--format", "markdown", str(folder), "--json"))
    assert (unchanged["unchanged"], unchanged["updated"], unchanged["created"]) == (2, [], [])
    page = folder / "global.md"
    page.write_text(page.read_text().replace("Prefers tabs", "Prefers spaces"))
    (folder / "github.com%2Facme%2Fw.md").write_text("# emptied\n")
    text = run.stderr_of("import", "--format", "markdown", str(folder))  # type: ignore[attr-defined]
    assert "1 updated" in text and "In no file, not deleted: #1" in text
    assert as_json(run("show", "2", "--json"))["content"] == "Prefers spaces"
    assert as_json(run("show", "1", "--json"))["forgotten_at"] is None


def test_import_reads_stdin_for_the_one_file_formats(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`export -` wrote stdout but `import -` looked for a file named "-"."""
    run("remember", "Deploys go out on Tuesdays", "-s", "ops")
    dump = run("export", "-")
    fresh = tmp_path / "fresh.db"
    runner = CliRunner()
    back = runner.invoke(app, ["--db", str(fresh), "import", "-", "--json"], input=dump)
    assert back.exit_code == 0, back.stderr
    assert json.loads(back.stdout)["created"] == 1
    kg = (FIXTURES / "kg" / "memory.jsonl").read_text()
    graph = as_json(run("import", "-f", "kg-jsonl", "-", "-s", "kg", "--json", input=kg))
    assert (graph["created"], graph["source"]) == (5, "-")
    bad = runner.invoke(app, ["--db", str(fresh), "import", "-f", "mem0", "-"], input="{x")
    assert bad.exit_code == 1 and "stdin is not JSON (Expecting" in bad.stderr
    assert "memory-mcp-import-" not in bad.stderr  # the temporary copy is not named
    for fmt in ("markdown", "claude-code", "codex", "mcp-memory-service"):
        refused = runner.invoke(app, ["--db", str(fresh), "import", "-f", fmt, "-"], input="x")
        assert refused.exit_code == 1 and "'-' (stdin) is for jsonl" in refused.stderr, fmt


def test_import_of_a_folder_or_a_stray_markdown_file_says_what_to_do(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`import DIR` said "Cannot read md: [Errno 21] Is a directory"; `import --format
    markdown FILE` of a file that is not ours read 0 entries and exited 0."""
    run("remember", "Prefers tabs", "-k", "preference")
    folder = tmp_path / "md"
    run("export", "--format", "markdown", str(folder))
    said = run.stderr_of("import", str(folder))  # type: ignore[attr-defined]
    assert "is a folder; --format jsonl reads one file" in said and "--format markdown" in said
    assert "Errno" not in said
    run("import", "-f", "mem0", str(folder), code=1)
    one = as_json(run("import", "-f", "markdown", str(folder / "global.md"), "--json"))
    assert (one["files"], one["entries"], one["unchanged"]) == (1, 1, 1)
    readme = tmp_path / "README.md"
    readme.write_text("# Project\n\nSome notes, no memory entries.\n")
    run("import", "-f", "markdown", str(readme), code=1)
    said = run.stderr_of("import", "-f", "markdown", str(readme))  # type: ignore[attr-defined]
    assert "is not a memory-mcp Markdown file" in " ".join(said.split())
    new = tmp_path / "new.md"
    new.write_text("## #new · fact\nThe staging database is db2.\n")
    assert len(as_json(run("import", "-f", "markdown", str(new), "--json"))["created"]) == 1


def test_import_from_other_servers(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    kg = FIXTURES / "kg" / "memory.jsonl"
    report = as_json(run("import", "--format", "kg-jsonl", str(kg), "--scope", "kg", "--json"))
    assert (report["created"], report["scope"], len(report["skipped"])) == (5, "kg", 6)
    text = run.stderr_of("import", "-f", "kg-jsonl", str(kg), "-s", "kg")  # type: ignore[attr-defined]
    assert "created 0, 6 already imported" in text and "entity 'Bob' has no observations" in text
    mem0 = as_json(run("import", "-f", "mem0", str(FIXTURES / "mem0" / "export.json"), "--json"))
    assert (mem0["created"], mem0["scope"]) == (3, "global")
    assert as_json(run("scopes", "--json"))["scopes"] == {"kg": 5, "global": 3}
    run("import", str(kg), "--scope", "x", code=1)  # --scope is for other servers' files
    run("import", "-f", "letta", str(kg), code=2)


def test_export_markdown_of_one_scope(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "alpha", "--scope", "a")
    run("remember", "beta", "--scope", "b")
    run("export", "-f", "markdown", "-s", "b", str(tmp_path / "md"))
    assert [p.name for p in (tmp_path / "md").iterdir()] == ["b.md"]
    run("export", "-f", "markdown", "-", code=1)


def test_cli_formats_are_the_services() -> None:
    from memory_mcp import formats
    from memory_mcp.adapters.cli.exchange import ExportFormat, ImportFormat

    assert tuple(ExportFormat) == formats.EXPORT_FORMATS
    assert tuple(ImportFormat) == formats.IMPORT_FORMATS


def test_backup_with_progress(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for i in range(30):
        run("remember", f"backup me {i} " + "x" * 2000)
    report = as_json(run("backup", str(tmp_path / "copy.db"), "--json"))
    assert report["memories"] == 30 and report["integrity"] == "ok"


# -- memory text is data: never markup, never terminal control ---------------------------------

HOSTILE = (
    "[/x] [bold red]boom[/bold red] :warning: \x1b]0;pwned\x07 \x1b[2J\x1b[H \x9b31m "
    "\x1b]52;c;ZXZpbA==\x07 \u202egnp.exe\r overwritten \\"
)
RAW = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


def hostile_memories(db: Path) -> None:
    """Memories whose every field holds markup, escape sequences and bidi overrides."""
    service = MemoryService.open(Settings(db=db, semantic=False))
    first = service.remember(
        HOSTILE, tags=["[/x]"], scope="[bold red]ops", key="k[/x]",
        metadata={"note": "\x1b[31m[/x]"}, client="\x1b]52;c;Y2xpcA==\x07", context="\x1b[2J",
    )  # fmt: skip
    service.remember("boom replaced", scope=first.scope, key=first.key)  # supersedes it
    service.update(first.id, content=HOSTILE + " edited \x1b[1m")
    # Names refuse control characters now, but a file written by an older version holds them.
    service.store.conn.execute(  # type: ignore[attr-defined]
        "update memories set scope = :scope, tags = :tags, key = :key",
        {"scope": "[bold red]ops\x1b[5m", "tags": '["[/x]", "\\u001b]0;tag\\u0007"]',
         "key": "k[/x]\x9b"},
    )  # fmt: skip
    service.close()


def test_memory_text_is_shown_inert_by_every_command(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile_memories(tmp_path / "cli.db")
    scope = "[bold red]ops\x1b[5m"
    commands = [
        ("list",), ("list", "--superseded", "--scope", scope), ("recall", "boom"),
        ("recall", "boom", "--superseded", "--scope", scope), ("recall", "--id", "1"),
        ("show", "1"), ("history", "1"), ("log",), ("stats",), ("scopes",), ("summarize",),
        ("summarize", "boom", "--scope", scope), ("purge", "1"),
        ("move", "2", "--to", "[/y]\x1b]0;moved\x07"), ("recall", "x", "--since", "\x1b[2J[/z]"),
        ("remember", "fresh", "--scope", "[/x]\x1b[6m"),
    ]  # fmt: skip
    shown = ""
    for args in commands:
        result = CliRunner().invoke(app, ["--db", str(tmp_path / "cli.db"), *args], input="n\n")
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result)
        assert result.exit_code in (0, 1), (args, result.output)
        assert not RAW.search(result.stdout + result.stderr), (args, result.output)
        shown += result.stdout + result.stderr
    for literal in ("[/x]", "[bold red]", "\\x1b]0;pwned\\x07", "\\u202egnp", "\\x9b31m", "[/y]"):
        assert literal in shown, literal


UNSEEN_TEXT = (
    "Quarterly pay\u200bpal \u2060joined soft\u00adhyphen \ufeffbom tags\U000e0041\U000e0042 "
    "x\u200dy"
)
KEPT = "family \U0001f468\u200d\U0001f469 \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
UNSEEN_RAW = re.compile("[\u00ad\u200b\u2060\ufeff\U000e0041\U000e0042]|x\u200dy")


def test_characters_that_print_as_nothing_are_written_out(tmp_path: Path) -> None:
    # A zero-width space printed raw: `pay\u200bpal` read as "paypal" in every table, and
    # tag characters (U+E0041...) carried a text nobody saw. Joiners inside an emoji or a
    # Persian word print as they should.
    db = tmp_path / "cli.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    memory_id = service.remember(f"{UNSEEN_TEXT} {KEPT}", context="ctx \u200b here").id
    service.close()
    for args in (("list",), ("show", str(memory_id)), ("recall", "Quarterly"), ("summarize",),
                 ("history", str(memory_id))):  # fmt: skip
        result = CliRunner().invoke(app, ["--db", str(db), *args])
        shown = result.stdout + result.stderr
        assert result.exit_code == 0, (args, shown)
        assert not UNSEEN_RAW.search(shown), (args, shown)
        assert "pay\\u200bpal" in shown and "tags\\U000e0041\\U000e0042" in shown, (args, shown)
    shown = CliRunner().invoke(app, ["--db", str(db), "show", str(memory_id)]).stdout
    assert KEPT in shown and "x\\u200dy" in shown and "ctx \\u200b here" in shown


def test_json_output_keeps_the_text_with_controls_escaped(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    hostile_memories(tmp_path / "cli.db")
    text = run("show", "1", "--json")
    assert not RAW.search(text) and "\\u001b]0;pwned" in text and "\\u202e" in text
    assert as_json(text)["content"] == HOSTILE + " edited \x1b[1m"  # type: ignore[index]
    for args in (("list", "--superseded"), ("recall", "boom", "--superseded"), ("log",)):
        assert not RAW.search(run(*args, "--json")), args


def test_an_export_escapes_controls_and_line_separators_and_imports_back(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    run("remember", HOSTILE, "--tag", "[/x]")
    run("remember", "NEL\x85 LS\u2028 PS\u2029 DEL\x7f", "--context", "RLM\u200f")
    shown = run("export", "-")  # a JSON string may hold C1 and U+2028 raw: not on a terminal
    assert not RAW.search(shown) and "\\u009b31m" in shown and "\\u2028" in shown
    dump = tmp_path / "dump.jsonl"
    run("export", str(dump))
    text = dump.read_text(encoding="utf-8")
    assert not RAW.search(text)
    lines = text.splitlines()  # breaks at NEL and U+2028 too, as many line readers do
    assert len(lines) == 2 and all(isinstance(json.loads(line), dict) for line in lines)
    fresh = tmp_path / "fresh.db"
    again = tmp_path / "again.jsonl"
    for args in (("import", str(dump)), ("export", str(again))):
        assert CliRunner().invoke(app, ["--db", str(fresh), *args]).exit_code == 0
    assert again.read_text(encoding="utf-8") == text  # lossless, odd characters and all
    contents = [json.loads(line)["content"] for line in lines]
    assert "NEL\x85 LS\u2028 PS\u2029 DEL\x7f" in contents


def test_an_export_of_names_an_older_version_stored_imports_again(  # type: ignore[no-untyped-def]
    run, tmp_path: Path
) -> None:
    hostile_memories(tmp_path / "cli.db")  # scope, tags and key hold control characters
    dump = tmp_path / "dump.jsonl"
    run("export", str(dump))
    fresh = tmp_path / "fresh.db"
    result = CliRunner().invoke(app, ["--db", str(fresh), "import", str(dump)])
    assert result.exit_code == 0, result.stderr
    service = MemoryService.open(Settings(db=fresh, semantic=False))
    try:
        everything = service.make_filter(scope="*", include_superseded=True)
        memories = service.list_memories(everything)
    finally:
        service.close()
    assert len(memories) == 2 and {m.scope for m in memories} == {"[bold red]ops [5m"}
    assert {m.key for m in memories} == {"k[/x]"} and memories[0].tags == ["[/x]", "]0;tag"]
    assert sum(m.superseded_by is not None for m in memories) == 1  # the chain came along


# -- a mistyped --db is an error, not a new database --------------------------------------------

READ_COMMANDS = [
    ("list",), ("show", "1"), ("recall", "x"), ("recall", "--id", "1"), ("history", "1"),
    ("log",), ("scopes",), ("stats",), ("summarize",), ("export", "-"), ("doctor",),
    ("backup", "copy.db"), ("reindex",), ("forget", "1"), ("restore", "1"), ("purge", "1"),
    ("move", "1", "--to", "x"), ("edit", "1", "--content", "x"),
]  # fmt: skip


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a))
def test_commands_that_need_memories_refuse_a_missing_database(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    monkeypatch.chdir(tmp_path)
    for db in (tmp_path / "missing.db", tmp_path / "no-such-folder" / "memory.db"):
        result = CliRunner().invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 1, result.output
        assert f"No database at {db}" in result.stderr and "--db" in result.stderr
        assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a))
def test_commands_that_need_memories_leave_an_empty_or_foreign_file_as_it_was(
    args: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "memory.db"
    for found, said in ((b"", "is an empty file (0 bytes)"), (b"notes\n", "not an SQLite")):
        db.write_bytes(found)
        result = CliRunner().invoke(app, ["--db", str(db), *args])
        assert result.exit_code == 1, result.output
        assert said in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert db.read_bytes() == found  # a check never writes a schema into what it checks
        assert sorted(p.name for p in tmp_path.iterdir()) == ["memory.db"]


def test_only_writing_commands_create_a_database(tmp_path: Path) -> None:
    runner, env = CliRunner(), {"MEMORY_MCP_SEMANTIC": "false"}
    typo = tmp_path / "no-such-folder" / "memory.db"
    refused = runner.invoke(app, ["--db", str(typo), "remember", "x"], env=env)
    assert refused.exit_code == 1 and f"No folder {typo.parent}" in refused.stderr
    assert not typo.parent.exists()
    made = tmp_path / "new.db"
    assert runner.invoke(app, ["--db", str(made), "remember", "x"], env=env).exit_code == 0
    fresh = tmp_path / "imported.db"
    dump = tmp_path / "dump.jsonl"
    assert runner.invoke(app, ["--db", str(made), "export", str(dump)], env=env).exit_code == 0
    assert runner.invoke(app, ["--db", str(fresh), "import", str(dump)], env=env).exit_code == 0
    listed = runner.invoke(app, ["--db", str(fresh), "list", "--json"], env=env)
    assert [m["content"] for m in json.loads(listed.stdout)] == ["x"]


def test_a_new_database_logs_one_line(tmp_path: Path) -> None:
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    result = CliRunner().invoke(
        app, ["-v", "--db", str(tmp_path / "n.db"), "remember", "x"], env=env
    )
    assert result.stderr.count("Created the database") == 1
    assert "Migrated" not in result.stderr and "schema step" not in result.stderr


# -- output for people ---------------------------------------------------------------------------


def test_help_shows_no_python_types() -> None:
    runner = CliRunner()
    commands = [info.name or info.callback.__name__ for info in app.registered_commands]  # type: ignore[union-attr]
    for args in [["--help"], *([c, "--help"] for c in commands)]:
        text = runner.invoke(app, args).stdout
        assert "<bool>" not in text and "<list[" not in text, args
        assert "Show this message" in text
    remember = runner.invoke(app, ["remember", "--help"]).stdout
    assert "Only this scope" not in remember and "Store it in this scope" in remember


def test_date_options_say_they_take_relative_dates() -> None:
    """--since/--until said "ISO date/time" while taking `last week` as the tools do."""
    for command in ("recall", "list"):
        text = " ".join(
            CliRunner().invoke(app, [command, "--help"], terminal_width=200).stdout.split()
        )
        assert "3 days ago" in text and "ISO date/time" not in text, command


def test_help_prints_bracketed_words_as_written() -> None:
    """`[scrubbed]` in a docstring is text, not a rich style tag that prints as nothing."""
    import typer

    runner = CliRunner()

    def commands(group: object, path: list[str]) -> Iterator[tuple[list[str], object]]:
        for name, command in getattr(group, "commands", {}).items():
            yield [*path, name], command
            yield from commands(command, [*path, name])

    checked = 0
    for path, command in commands(typer.main.get_command(app), []):
        texts = [command.help or ""] + [p.help or "" for p in command.params]  # type: ignore[attr-defined]
        words = {w for t in texts for w in re.findall(r"\[[a-z][^\]]*\]", t.replace("\\[", "["))}
        if not words:
            continue
        shown = " ".join(runner.invoke(app, [*path, "--help"], terminal_width=200).stdout.split())
        for word in words:
            assert word in shown, (path, word)
            checked += 1
    assert checked >= 1  # scrub's [scrubbed]


def test_a_backlog_is_embedded_before_the_command_and_shown_as_it_goes(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memories stored with semantic search off get vectors before a later command's recall
    (hybrid over all of them), with a bar on a terminal; none when nothing is pending."""
    import io

    from rich.console import Console

    from memory_mcp.adapters.cli import opening

    db = tmp_path / "backlog.db"
    offline = MemoryService.open(Settings(db=db, semantic=False))
    for text in ("The deploy runs on Fridays", "Staging uses Postgres 16", "Tabs, not spaces"):
        offline.remember(text)
    offline.close()
    monkeypatch.setenv("MEMORY_MCP_MODEL_DIR", str(model_dir))
    monkeypatch.delenv("MEMORY_MCP_SEMANTIC", raising=False)

    def recall() -> tuple[dict[str, object], str]:
        shown = io.StringIO()
        monkeypatch.setattr(opening, "err", Console(file=shown, force_terminal=True, width=100))
        result = CliRunner().invoke(app, ["--db", str(db), "recall", "when do we ship", "--json"])
        assert result.exit_code == 0, (result.output, result.exception)
        return json.loads(result.stdout), shown.getvalue()

    found, shown = recall()
    assert found["mode"] == "hybrid" and "Embedding memories stored without a vector" in shown
    assert found["hits"][0]["content"] == "The deploy runs on Fridays"  # by meaning alone
    check = MemoryService.open(Settings(db=db, semantic=False))
    assert check.store.counts()["vec"] == 3
    check.close()
    found, shown = recall()
    assert found["mode"] == "hybrid" and "Embedding" not in shown


def test_show_stats_doctor_read_as_text(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "Uses Postgres", "-t", "db", "-t", "prod", "--scope", "team")
    shown = run("show", "1")
    for python in ("None", "['", "{'", "+00:00", "False"):
        assert python not in shown, python
    assert "db, prod" in shown and "Uses Postgres" in shown
    stats = run("stats")
    assert "{'" not in stats and "team: 1" in stats and " kB" in stats
    assert "--repair" not in run.stderr_of("doctor")  # type: ignore[attr-defined]


def test_doctor_on_a_damaged_index_says_so_in_a_sentence(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """It said "Database is problems found."."""
    run("remember", "Uses Postgres")
    with sqlean.connect(tmp_path / "cli.db") as conn:
        conn.execute("delete from memories_fts_data where id > 1")
    said = run.stderr_of("doctor")  # type: ignore[attr-defined]
    assert "Problems found. (--repair to fix drift)" in said and "is problems" not in said
    said = run.stderr_of("doctor", "--repair")  # type: ignore[attr-defined]
    assert "Database is healthy." in said


def test_recall_marks_superseded_and_reads_at_80_columns(run) -> None:  # type: ignore[no-untyped-def]
    run(
        "remember", "Editor is Vim, with a long explanation of the many plugins used", "--key", "ed"
    )
    run(
        "remember",
        "Editor is Helix, with a long explanation of the few plugins used",
        "--key",
        "ed",
    )
    table = run("recall", "editor", "--superseded")
    assert "superseded by #2" in table
    assert max(len(line) for line in table.splitlines()) <= 80
    assert "Editor is Helix, with a long explanation" in table.replace("\n", " ")


@pytest.mark.parametrize("editor", ["/nonexistent/editor", "no-such-editor-here", 'vim "open'])
def test_an_editor_that_cannot_run_is_one_clear_error(run, monkeypatch, editor: str) -> None:  # type: ignore[no-untyped-def]
    """A mistyped $EDITOR (missing, not executable, unbalanced quote) printed a traceback."""
    run("remember", "port is 8080")
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", editor)
    said = run.stderr_of("edit", "1")  # type: ignore[attr-defined]
    assert "Cannot run the editor" in said and "--content" in said, said
    assert "Traceback" not in said
    run("edit", "1", code=1)
    assert as_json(run("show", "1", "--json"))["content"] == "port is 8080"


def test_an_edit_the_editor_saved_but_that_is_refused_is_kept(run, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A typo in the header (a kind that does not exist) threw away everything typed."""
    run("remember", "port is 8080")
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text().replace('kind: note', 'kind: gossip')\n"
        "p.write_text(t.replace('port is 8080', 'port is 9090 after a long rewrite'))\n"
    )
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    said = " ".join(run.stderr_of("edit", "1").split())  # type: ignore[attr-defined]
    assert "gossip" in said and "What you wrote is kept in " in said, said
    kept = Path(said.split("What you wrote is kept in ")[1].rstrip("."))
    try:
        assert "port is 9090 after a long rewrite" in kept.read_text()
        assert kept.stat().st_mode & 0o777 == 0o600
    finally:
        kept.unlink()
    assert as_json(run("show", "1", "--json"))["content"] == "port is 8080"


def test_edit_fixes_key_dates_and_expiry_and_history_shows_them(run) -> None:  # type: ignore[no-untyped-def]
    """The CLI could not fix a memory's key, event date or expiry (a `--ttl` given by mistake
    would delete it), and an edit of the dates left an empty history entry."""
    run("remember", "Sprint ends Friday", "--ttl", "7d", "--occurred", "2026-01-05")
    edited = as_json(run("edit", "1", "--expires", "", "--occurred", "2026-01-06", "--json"))
    assert edited["expires_at"] is None and edited["occurred_at"].startswith("2026-01-06")
    assert as_json(run("edit", "1", "--key", "project.sprint", "--json"))["key"] == "project.sprint"
    assert as_json(run("edit", "1", "--key", "", "--json"))["key"] is None
    entry = as_json(run("history", "1", "--json"))[2]  # newest first: the dates' edit
    assert entry["before"]["occurred_at"].startswith("2026-01-05")
    assert entry["after"]["occurred_at"].startswith("2026-01-06")
    assert entry["before"]["expires_at"] and entry["after"]["expires_at"] is None
    assert "occurred_at" in run("history", "1") and "expires_at" in run("history", "1")
    run("edit", "1", "--occurred", "someday", code=1)


def test_history_shows_what_changed_and_refuses_unknown_ids(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "The staging port is 8080 and the nightly job runs at 02:00 every day")
    run(
        "edit",
        "1",
        "--content",
        "The staging port is 9090 and the nightly job runs at 02:00 every day",
    )
    for args in (("history", "1"), ("log",)):
        assert "[-8080-]{+9090+}" in run(*args)
    run("history", "999", code=1)
    assert "No memory with id 999" in run.stderr_of("history", "999")  # type: ignore[attr-defined]


def test_history_and_log_show_the_change_in_a_narrow_terminal(run, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """At 40 columns the change was squeezed to one letter a line (history) or to nothing
    (log): the fixed columns beside it took the width. The change must stay readable."""
    from memory_mcp.adapters.cli import render

    run("remember", "port is 8080", "--scope", "github.com/acme/widgets")
    run("edit", "1", "--content", "port is 9090")
    monkeypatch.setattr(render.out, "_width", 40)
    for args in (("history", "1"), ("log",)):
        shown = run(*args)
        assert max(len(line) for line in shown.splitlines()) <= 40
        assert "[-8080-]{+9090+}" in shown, shown
        assert "edit" in shown and "create" in shown


def test_limits_below_one_are_refused(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "x")
    for args in (("list", "--limit", "-3"), ("list", "--limit", "0"), ("log", "-n", "0"),
                 ("history", "1", "-n", "-1"), ("summarize", "--limit", "0"),
                 ("list", "--offset", "-1")):  # fmt: skip
        run(*args, code=1)
        assert "must be" in run.stderr_of(*args), args  # type: ignore[attr-defined]


def test_an_offset_past_any_sql_integer_is_past_every_memory(run) -> None:  # type: ignore[no-untyped-def]
    """`list --offset 10**22` was an OverflowError traceback (no SQL integer holds it)."""
    run("remember", "x")
    huge = str(10**22)
    run("list", "--offset", huge)
    assert "No memories here (of 1 matching)." in run.stderr_of("list", "--offset", huge)  # type: ignore[attr-defined]


def test_counts_read_as_english(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "only one")
    assert "Exported 1 memory." in run.stderr_of("export", str(tmp_path / "one.jsonl"))  # type: ignore[attr-defined]
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "cli.db"), "purge", "1"], input="n\n")
    assert "delete this memory?" in result.stderr and "these 1" not in result.stderr


# -- edit ----------------------------------------------------------------------------------------


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str) -> None:
    """$VISUAL: a Python script that edits the file it is given (`text` holds its content)."""
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\n"
        "with open(sys.argv[1], encoding='utf-8', newline='') as fh:\n    text = fh.read()\n"
        + code
        + "\nwith open(sys.argv[1], 'w', encoding='utf-8', newline='') as fh:\n"
        "    fh.write(text)\n"
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")


def test_edit_keeps_every_content_line(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    content = "Markdown snippet:\n# Title\n  indented #not a comment  \nbody"
    run("remember", content)
    editor(tmp_path, monkeypatch, "")  # saves the file unchanged
    assert "No change." in run.stderr_of("edit", "1")  # type: ignore[attr-defined]
    assert as_json(run("show", "1", "--json"))["content"] == content  # type: ignore[index]
    assert [e["action"] for e in as_json(run("history", "1", "--json"))] == ["create"]  # type: ignore[index]
    editor(tmp_path, monkeypatch, "text = text.replace('body', 'new body')")
    edited = as_json(run("edit", "1", "--json"))
    assert edited["content"] == content.replace("body", "new body")  # type: ignore[index]
    editor(tmp_path, monkeypatch, "text = text.replace('\\n', '\\r\\n')")  # a CRLF editor
    assert "No change." in run.stderr_of("edit", "1")  # type: ignore[attr-defined]


# -- exports: private, never over an existing file unless asked --------------------------------


def test_exports_are_private_and_replace_only_with_force(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    run("remember", "alpha")
    dump, folder = tmp_path / "dump.jsonl", tmp_path / "md"
    run("export", str(dump))
    run("export", "-f", "markdown", str(folder))
    assert dump.stat().st_mode & 0o777 == 0o600
    assert (folder / "global.md").stat().st_mode & 0o777 == 0o600
    run("remember", "beta")
    for args in ((str(dump),), ("-f", "markdown", str(folder))):
        run("export", *args, code=1)
        assert "already exists" in run.stderr_of("export", *args)  # type: ignore[attr-defined]
        run("export", *args, "--force")
    assert len(dump.read_text().splitlines()) == 2


@pytest.mark.parametrize("command", [["serve"], ["token"], ["model", "status"], ["stats"]])
def test_a_bad_setting_is_one_error_line_for_every_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """serve and token built Settings by hand and showed pydantic's traceback instead."""
    monkeypatch.setenv("MEMORY_MCP_DURABILITY", "extreme")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "m.db"), *command])
    assert result.exit_code == 1, result.output
    assert "Invalid setting MEMORY_MCP_DURABILITY" in result.stderr  # which one, by its name
    assert "'extreme'" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["serve", "--http"], ["ui", "--no-browser"]])
@pytest.mark.parametrize("port", ["65536", "-1"])  # 0: a free one (test_http_startup)
def test_a_port_out_of_range_is_a_usage_error(run, command: list[str], port: str) -> None:  # type: ignore[no-untyped-def]
    """Not the socket's OverflowError as a traceback once the server is half started."""
    result = CliRunner().invoke(app, [*command, "--port", port])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Invalid value for '--port'" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["install", "bogus"], "'bogus' is not one of 'claude-desktop'"),
        (["show", "abc"], "Memory ids are whole numbers such as 7, not 'abc'."),
        (["list", "--limit", "many"], "must be a valid integer"),
        (["serve", "--http", "--port", "70000"], "must be less than or equal to 65535"),
    ],
)
def test_a_value_typer_cannot_convert_reads_as_a_sentence(args: list[str], said: str) -> None:
    """Typer converts values with pydantic and shows its message as is."""
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    text = " ".join(result.stderr.replace("│", " ").split())
    assert said in text and "Value error" not in text and "Input should" not in text, text


def test_one_unknown_id_among_several_changes_nothing_and_says_so(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "Keep me where I am")
    for args in (["forget"], ["restore"], ["purge", "--yes"], ["move", "--to", "elsewhere"]):
        error = run.stderr_of(*args, "1", "99999")  # type: ignore[attr-defined]
        assert "No memory with id 99999; nothing was changed." in error, args
    kept = as_json(run("show", "1", "--json"))
    assert kept["scope"] == "global" and kept["forgotten_at"] is None


def test_dates_before_year_1000_print_four_digits(run) -> None:  # type: ignore[no-untyped-def]
    run("remember", "The old charter was signed", "--occurred", "0999-05-01")
    assert "0999-05-01 00:00" in run("show", "1")


def test_help_in_a_narrow_terminal_keeps_option_names_whole(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At 40 columns rich's boxes cut `--max-tokens` to `--max-tok…`: plain help wraps instead,
    still printing bracketed words as written."""
    monkeypatch.setenv("COLUMNS", "40")
    runner = CliRunner()
    recall = runner.invoke(app, ["recall", "--help"]).stdout
    assert "…" not in recall and "╭" not in recall
    for option in ("--max-tokens", "--since", "--superseded", "--recorded"):
        assert option in recall, option
    assert max(len(line) for line in recall.splitlines()) <= 40
    scrub = " ".join(runner.invoke(app, ["scrub", "--help"]).stdout.split())
    assert "it becomes [scrubbed]." in scrub and "\\[" not in scrub
    assert "--rotate" in runner.invoke(app, ["token", "--help"]).stdout  # a sub-app too
    monkeypatch.setenv("COLUMNS", "120")
    assert "╭" in runner.invoke(app, ["recall", "--help"]).stdout  # wide: rich's panels


@pytest.mark.parametrize(
    "command",
    [
        ("remember", "The deploy runs on Fridays"),
        ("recall", "deploy"),
        ("list",),
        ("summarize",),
        ("profile",),
        ("export", "-"),
        ("export", "-f", "markdown", "{tmp}/md-out"),
        ("import", "-f", "mem0", str(FIXTURES / "mem0" / "export.json")),
        ("edit", "1"),
        ("move", "1", "--to"),
    ],
)
@pytest.mark.parametrize("scope", ["", "  "])
def test_an_empty_scope_option_is_refused_not_read_as_global(  # type: ignore[no-untyped-def]
    run, tmp_path: Path, command: tuple[str, ...], scope: str
) -> None:
    """`--scope ""` (an unset shell variable, say) is an error naming the option's value,
    never the default scope, and never a traceback; nothing is stored, moved or written."""
    run("remember", "The cat is called Miso", "--scope", "home")
    command = tuple(part.format(tmp=tmp_path) for part in command)
    option = () if command[-1] == "--to" else ("--scope",)
    errors = run.stderr_of(*command, *option, scope)  # type: ignore[attr-defined]
    assert "scope must not be empty or blank" in errors and "Traceback" not in errors, errors
    run(*command, *option, scope, code=1)
    assert [(m["id"], m["scope"]) for m in as_json(run("list", "--json"))] == [(1, "home")]
    assert not (tmp_path / "md-out").exists()


def test_a_dropped_keyword_index_names_doctor_repair_which_rebuilds_it(tmp_path: Path) -> None:
    runner, env = CliRunner(), {"MEMORY_MCP_SEMANTIC": "false"}
    db = tmp_path / "memory.db"
    for text in ("the heron waits by the river", "a kestrel hovers"):
        assert runner.invoke(app, ["--db", str(db), "remember", text], env=env).exit_code == 0
    conn = sqlean.connect(str(db))
    conn.execute("drop table memories_fts")
    conn.commit()
    conn.close()
    for args in (["recall", "heron"], ["stats"], ["remember", "more"], ["list"]):
        refused = runner.invoke(app, ["--db", str(db), *args], env=env)
        assert refused.exit_code == 1 and len(refused.stderr.strip().splitlines()) == 1
        assert "memories_fts" in refused.stderr and "memory-mcp doctor --repair" in refused.stderr
    checked = runner.invoke(app, ["--db", str(db), "doctor", "--json"], env=env)
    assert (
        checked.exit_code == 1
        and "memories_fts" in json.loads(checked.stdout)["missing_index_parts"]
    )
    assert runner.invoke(app, ["--db", str(db), "doctor", "--repair"], env=env).exit_code == 0
    found = runner.invoke(app, ["--db", str(db), "recall", "heron", "--json"], env=env)
    assert found.exit_code == 0 and "heron" in found.stdout


def test_a_scope_that_holds_nothing_is_named_with_the_nearest_one(run) -> None:  # type: ignore[no-untyped-def]
    """`list --scope github.com/acme/widgte` (a typo) answered "No memories match." and left
    the person to guess why; it now says no memory is in that scope, and the nearest name."""
    run("remember", "Deploy on Tuesdays", "--scope", "github.com/acme/widgets")
    run("remember", "Tabs, not spaces", "--scope", "github.com/acme/widgets", "-k", "preference")
    for command in (["list"], ["recall", "Tuesdays"]):
        said = " ".join(run.stderr_of(*command, "--scope", "github.com/acme/widgte").split())
        assert "No memory you can read is in scope 'github.com/acme/widgte'" in said, said
        assert "(did you mean 'github.com/acme/widgets'?)" in said
    # a scope that has memories, none matching: no such hint
    said = run.stderr_of("list", "--scope", "github.com/acme/widgets", "--kind", "fact")
    assert "No memories match." in said and "No memory you can read" not in said
    said = run.stderr_of("recall", "nothing-like-this", "--scope", "github.com/acme/widgets")
    assert "No memory matches." in said and "No memory you can read" not in said


def test_json_of_a_dict_writes_times_as_the_models_do(capsys: pytest.CaptureFixture[str]) -> None:
    """A report's model_dump() holds datetimes, which str() wrote `2026-12-07 13:34:51+00:00`
    beside the models' `2026-12-07T13:34:51Z` in the same outputs."""
    from datetime import UTC, datetime, timedelta, timezone

    from memory_mcp.adapters.cli.render import as_json as print_json

    moment = datetime(2026, 12, 7, 13, 34, 51, tzinfo=UTC)
    paris = moment.astimezone(timezone(timedelta(hours=1)))
    print_json({"at": moment, "there": paris, "plain": moment.replace(tzinfo=None)})
    assert json.loads(capsys.readouterr().out) == {
        "at": "2026-12-07T13:34:51Z",
        "there": "2026-12-07T14:34:51+01:00",
        "plain": "2026-12-07T13:34:51",
    }


def test_invisible_characters_in_a_scope_are_said_by_every_command(run) -> None:  # type: ignore[no-untyped-def]
    """`list --scope $'te\\u202eam'` silently matched `team`; every option naming a scope
    now says what it read past (on stderr), and still reads it as `team`."""
    memory = as_json(run("remember", "The door code changed", "--scope", "team", "--json"))
    odd, mid = "te\u202eam", str(memory["id"])
    commands = [
        ["list", "--scope", odd],
        ["recall", "door", "--scope", odd],
        ["export", "-", "--scope", odd],
        ["remember", "The gate code changed", "--scope", odd],
        ["edit", mid, "--scope", odd, "--content", "The door code changed twice"],
        ["move", mid, "--to", odd],
    ]
    for args in commands:
        said = " ".join(run.stderr_of(*args).split())
        assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in said and "read as 'team'" in said, args
    assert {m["scope"] for m in as_json(run("list", "--scope", odd, "--json"))} == {"team"}


def test_long_listings_are_printed_plain_and_short_ones_as_tables(run) -> None:  # type: ignore[no-untyped-def]
    """A rich table costs ~1 ms a row (`log -n 100000` took ~2 minutes): past LONG_LISTING
    rows asked for, `list`, `log` and `history` print each row's cell plain beside its id,
    wrapped to the width, control characters never raw; a short listing keeps its table."""
    from memory_mcp.adapters.cli.longlist import LONG_LISTING

    hostile = "Deploy \x1b[31mred\x1b[0m " + "word " * 40
    memory = as_json(run("remember", hostile, "--tag", "ops", "--json"))
    run("edit", str(memory["id"]), "--content", hostile + "again")
    long, short = str(LONG_LISTING + 1), "50"
    for args in (["list"], ["log"], ["history", str(memory["id"])]):
        table, plain = run(*args, "-n", short), run(*args, "-n", long)
        assert "│" in table and "│" not in plain, args
        assert "\x1b" not in plain and "\\x1b[31m" in plain, args  # written out, as in tables
        assert all(len(line) <= 80 for line in plain.splitlines()), args
        assert "Deploy" in plain and "word word" in plain, args
    listed = run("list", "-n", long)
    assert listed.startswith(f"{memory['id']}  Deploy") and "note · global" in listed
    logged = run("log", "-n", long)
    assert logged.startswith(f"#{memory['id']}  ") and "content: " in logged


def test_remember_prints_the_close_memories_and_recall_the_later_value(
    tmp_path: Path, model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the model: what a new value may update, and how to make it replace it; recall
    marks the old value's hit with the later one; --replaces with the same text takes over."""
    monkeypatch.setenv("MEMORY_MCP_MODEL_DIR", str(model_dir))
    monkeypatch.delenv("MEMORY_MCP_SEMANTIC", raising=False)
    runner, db = CliRunner(), str(tmp_path / "similar.db")

    def cli(*args: str) -> Any:
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, (result.output, result.exception)
        return result

    cli("remember", "The staging database is on port 5433")
    said = cli("remember", "Staging DB moved to port 6543").stderr
    assert "Close to, but not the same as:" in said
    assert "#1 The staging database is on port 5433" in " ".join(said.split())
    assert "--replaces ID" in said
    cli("remember", "The team standup is at 9am")
    cli("remember", "The team standup moved to 10am")
    table = " ".join(cli("recall", "when is the team standup").stdout.split())
    assert "#4, later, says otherwise" in table
    fixed = cli("remember", "Staging DB moved to port 6543", "--replaces", "1").stderr
    assert "Already known as #2; counted the repeat; it supersedes #1." in " ".join(fixed.split())
