"""Memory that stays small, current and trustworthy: dedup, supersession, time, scopes,
history, expiry, budgets and redaction, through the service on a real SQLite file."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput, NotFound
from memory_mcp.models import wire_json
from memory_mcp.policies.budget import estimate_tokens
from memory_mcp.service import MemoryService
from tests import pg
from tests.conftest import FakeEmbedder


def ids(result: object) -> list[int]:
    return [h.id for h in result.hits]  # type: ignore[attr-defined]


# -- dedup ----------------------------------------------------------------------------------


def test_exact_duplicate_is_counted_not_stored(service: MemoryService) -> None:
    first = service.remember("The user prefers dark mode", tags=["ui"], client="a")
    again = service.remember("  the user prefers DARK mode. ", tags=["theme"], client="b")
    assert first.status == "created"
    assert again.status == "duplicate" and again.duplicate_of == first.id == again.id
    assert again.repeat_count == 2 and again.last_seen_at is not None
    assert again.tags == ["ui", "theme"]
    assert service.store.counts()["memories"] == 1
    assert [e.action for e in service.history(first.id)] == ["duplicate", "create"]


def test_same_text_in_another_scope_is_a_separate_memory(service: MemoryService) -> None:
    a = service.remember("Tests run with pytest", scope="repo-a")
    b = service.remember("Tests run with pytest", scope="repo-b")
    assert b.status == "created" and a.id != b.id


def test_a_forgotten_memory_said_again_is_stored_again(service: MemoryService) -> None:
    a = service.remember("Lunch is at noon")
    service.forget([a.id])
    assert service.remember("Lunch is at noon").status == "created"


# -- supersession ---------------------------------------------------------------------------


def test_key_supersedes_and_recall_hides_the_old_value(service: MemoryService) -> None:
    old = service.remember("The user's editor is Vim", key="user.editor")
    new = service.remember("The user's editor is Helix", key="user.editor")
    assert new.status == "superseded" and new.supersedes == [old.id]
    stale = service.get(old.id)
    assert stale.superseded_by == new.id and stale.superseded_at is not None
    assert ids(service.recall("editor")) == [new.id]
    assert set(ids(service.recall("editor", include_superseded=True))) == {old.id, new.id}
    same = service.remember("The user's editor is Helix", key="user.editor")
    assert same.status == "duplicate" and same.id == new.id


def test_as_of_returns_what_was_current_then(service: MemoryService) -> None:
    old = service.remember("Test command is make test", key="project.test_command")
    between = datetime.now(UTC)
    new = service.remember("Test command is uv run pytest", key="project.test_command")
    assert ids(service.recall("test command", as_of=between)) == [old.id]
    assert ids(service.recall("test command")) == [new.id]


def test_replaces_corrects_without_a_key(service: MemoryService) -> None:
    wrong = service.remember("The staging server is stg-01")
    right = service.remember("The staging server is stg-02", replaces=wrong.id)
    assert right.supersedes == [wrong.id]
    assert ids(service.recall("staging server")) == [right.id]
    with pytest.raises(NotFound, match="No memory with id 999"):
        service.remember("anything", replaces=999)
    with pytest.raises(InvalidInput, match="already replaced"):
        service.remember("again", replaces=wrong.id)


def test_a_correction_whose_text_is_stored_already_supersedes_with_that_memory(
    service: MemoryService,
) -> None:
    """The new value was remembered first, then named as the old one's correction: the
    stored memory takes over (counted as a repeat), no second copy of it is stored."""
    old = service.remember("The staging database is on port 5433")
    new = service.remember("Staging DB moved to port 6543")
    fixed = service.remember("Staging DB moved to port 6543.", replaces=old.id)
    assert (fixed.id, fixed.status, fixed.supersedes) == (new.id, "duplicate", [old.id])
    assert (fixed.repeat_count, service.get(old.id).superseded_by) == (2, new.id)
    assert ids(service.recall("staging database port")) == [new.id]
    assert [m.id for m in service.list_memories()] == [new.id]
    assert [e.action for e in service.history(old.id)][:1] == ["supersede"]
    with pytest.raises(InvalidInput, match=f"already replaced by {new.id}"):
        service.remember("Staging DB moved to port 7000", replaces=old.id)  # another value


def test_the_same_correction_again_is_a_repeat_not_refused(service: MemoryService) -> None:
    """A client retrying a correction whose reply it lost (or a second writer sending the
    same one) gets the memory that replaced the old one, not "already replaced"."""
    old = service.remember("The staging database is on port 5433")
    first = service.remember("Staging DB moved to port 6543", replaces=old.id)
    again = service.remember("Staging DB moved to port 6543", replaces=old.id)
    assert (first.status, first.supersedes) == ("superseded", [old.id])
    assert (again.id, again.status, again.supersedes) == (first.id, "duplicate", [])
    assert (again.repeat_count, service.get(old.id).superseded_by) == (2, first.id)


def test_a_correction_repeating_the_memory_it_corrects_changes_nothing(
    service: MemoryService,
) -> None:
    old = service.remember("Standups are at 9:30")
    again = service.remember("standups are at 9:30", replaces=old.id)
    assert (again.id, again.status, again.supersedes) == (old.id, "duplicate", [])
    assert service.get(old.id).superseded_by is None


def test_a_correction_stays_in_the_scope_of_what_it_corrects(service: MemoryService) -> None:
    wrong = service.remember("The repo uses tabs", scope="repo-a")
    with pytest.raises(InvalidInput, match=r"in scope 'repo-a', not 'repo-b'.*scope='repo-a'"):
        service.remember("The repo uses spaces", scope="repo-b", replaces=wrong.id)
    assert service.get(wrong.id).superseded_by is None
    right = service.remember("The repo uses spaces", replaces=wrong.id, project="repo-b")
    assert (right.scope, right.supersedes) == ("repo-a", [wrong.id])  # no scope given: its own


def test_saying_the_same_thing_again_and_again_keeps_a_short_history(
    service: MemoryService,
) -> None:
    first = service.remember("The build runs on kestrel", client="agent")
    for _ in range(200):
        again = service.remember("The build runs on kestrel", client="agent")
    assert again.repeat_count == 201
    trail = service.history(first.id)
    assert [e.action for e in trail] == ["duplicate", "create"]
    assert trail[0].detail["count"] == 200


# -- time -------------------------------------------------------------------------------------


def test_relative_occurred_at_is_stored_absolute(service: MemoryService) -> None:
    ref = "2026-11-25T15:00:00Z"
    m = service.remember("Shipped v2.0", kind="event", occurred_at="yesterday", reference_time=ref)
    assert m.occurred_at == datetime(2026, 11, 24, tzinfo=UTC)
    week = service.recall("shipped", since="2026-11-20", until="2026-11-25")
    assert ids(week) == [m.id]
    assert ids(service.recall("shipped", since="2026-11-25")) == []
    assert ids(service.recall("shipped", since="2026-11-25", time_field="recorded")) == [m.id]


def test_expired_memories_drop_out_and_purge_removes_them(service: MemoryService) -> None:
    m = service.remember("Door number is 4411 this week", ttl="7d")
    assert m.expires_at is not None
    assert m.expires_at - datetime.now(UTC) > timedelta(days=6)
    pg.raw_rows(
        service.store,
        f"update memories set expires_at = '2000-01-01T00:00:00.000000Z' where id = {m.id}",
    )
    assert ids(service.recall("door number")) == []
    assert service.purge_expired() == [m.id]
    assert service.store.counts()["memories"] == 0
    assert [e.action for e in service.history(m.id)][0] == "expire"
    with pytest.raises(InvalidInput, match="past"):
        service.remember("too late", expires_at="2001-01-01")
    with pytest.raises(InvalidInput, match="ttl or expires_at"):
        service.remember("both", ttl="1d", expires_at="2999-01-01")


# -- scopes -----------------------------------------------------------------------------------


def test_project_scope_from_configuration(tmp_path: Path) -> None:
    repo = tmp_path / "widgets"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:acme/widgets.git\n'
    )
    settings = Settings(db=tmp_path / "p.db", project=repo)
    svc = MemoryService.open(settings, embedder=FakeEmbedder())
    svc.semantic.ensure()
    mine = svc.remember("Widgets use tabs")
    assert mine.scope == "github.com/acme/widgets"
    everywhere = svc.remember("The user likes tabs", scope="global")
    other = svc.remember("Gadgets use tabs", scope="gadgets")
    found = svc.recall("tabs")
    assert ids(found)[0] == mine.id
    assert set(ids(found)) == {mine.id, everywhere.id}
    assert other.id in ids(svc.recall("tabs", scope="*"))
    assert ids(svc.recall("tabs", scope="gadgets")) == [other.id]
    assert svc.scopes() == {"github.com/acme/widgets": 1, "global": 1, "gadgets": 1}
    svc.close()


def test_move_between_scopes(service: MemoryService) -> None:
    m = service.remember("Filed under the wrong project", scope="a")
    moved = service.move([m.id], "b")
    assert moved[0].scope == "b"
    assert ids(service.recall("wrong project", scope="b")) == [m.id]
    assert service.history(m.id)[0].action == "move"


# -- history -----------------------------------------------------------------------------------


def test_an_edit_sets_and_clears_the_key_and_times(service: MemoryService) -> None:
    """The web UI edits a memory's key and times through update: a new key supersedes its
    current holder as remember would, "" clears a field, None leaves it, bad times are clear
    errors, and the edit is in the history."""
    old = service.remember("Editor is Vim.", key="editor").id
    memory = service.remember("I now use Helix for everything.").id
    edited = service.update(memory, key="editor", occurred_at="2026-03-01",
                            expires_at="2099-01-01", client="ui")  # fmt: skip
    assert edited.key == "editor" and edited.occurred_at == datetime(2026, 3, 1, tzinfo=UTC)
    assert edited.expires_at is not None and edited.expires_at.year == 2099
    assert service.get(old).superseded_by == memory
    entry = service.history(memory)[0]
    assert (entry.action, entry.client, entry.after and entry.after["key"]) == (
        "edit",
        "ui",
        "editor",
    )
    kept = service.update(memory, content="I now use Helix.")
    assert kept.key == "editor" and kept.occurred_at is not None
    cleared = service.update(memory, key="", occurred_at="", expires_at="")
    assert (cleared.key, cleared.occurred_at, cleared.expires_at) == (None, None, None)
    with pytest.raises(InvalidInput, match="occurred_at"):
        service.update(memory, occurred_at="not a date")


def test_every_mutation_is_in_the_history(service: MemoryService) -> None:
    m = service.remember("v1 of the fact", client="claude-desktop")
    service.update(m.id, content="v2 of the fact", client="cli")
    service.forget([m.id], reason="outdated", client="cursor")
    service.restore([m.id], client="cli")
    edit = service.history(m.id)[2]
    assert edit.before["content"] == "v1 of the fact" and edit.after["content"] == "v2 of the fact"
    assert service.history(m.id)[1].detail["reason"] == "outdated"
    service.purge([m.id], client="cli")
    trail = service.history(m.id)
    assert [e.action for e in trail] == ["purge", "restore", "forget", "edit", "create"]
    assert [e.client for e in trail] == ["cli", "cli", "cursor", "cli", "claude-desktop"]
    assert "fact" not in str(trail) and "outdated" not in str(trail)  # purge keeps no text
    assert service.history()[0].action == "purge"


def test_an_edit_of_the_context_is_on_record_masked(service: MemoryService) -> None:
    """The history's snapshots left `context` out: an edit of it alone was an entry whose
    before and after were the same, and the context it replaced was lost. A secret in it is
    masked in the history as in the memory, and a purge erases it there too."""
    m = service.remember("Deploys go through the shared runner", context="said at standup")
    service.update(m.id, context="from the wiki, password=hunter2secret", client="cli")
    service.update(m.id, context="", client="ui")
    cleared, edit = service.history(m.id)[:2]
    assert (edit.before["context"], edit.after["context"]) == (
        "said at standup", "from the wiki, password=[REDACTED:password]"
    )  # fmt: skip
    assert (cleared.client, cleared.before["context"], cleared.after["context"]) == (
        "ui", "from the wiki, password=[REDACTED:password]", None
    )  # fmt: skip
    assert "hunter2secret" not in str(service.history(m.id))
    service.purge([m.id])
    assert "standup" not in str(service.history(m.id))


# -- budgeted recall ---------------------------------------------------------------------------


def test_max_tokens_fits_the_budget_and_cuts_snippets(service: MemoryService) -> None:
    long = service.remember("Architecture notes: " + "the billing service talks to ledger " * 60)
    for i in range(5):
        service.remember(f"Billing runs nightly batch number {i}")
    result = service.recall("billing", max_tokens=300, limit=10)
    assert estimate_tokens(wire_json(result)) <= 300
    assert result.hits and result.omitted
    cut = [h for h in result.hits if h.truncated]
    full = service.recall(ids=[h.id for h in cut]) if cut else None
    if cut:
        assert full is not None and full.hits[0].content == service.get(cut[0].id).content
    assert long.id in ids(service.recall("architecture billing", max_tokens=200))


def test_recall_by_ids_returns_full_text(service: MemoryService) -> None:
    m = service.remember("full text please")
    assert service.recall(ids=[m.id]).hits[0].content == "full text please"
    with pytest.raises(NotFound, match="42"):
        service.recall(ids=[m.id, 42])


# -- hygiene -----------------------------------------------------------------------------------


def test_secrets_and_private_text_never_reach_the_database(service: MemoryService) -> None:
    token = "ghp_" + "a1B2" * 9
    m = service.remember(f"CI token is {token} <private>my diary</private> ok")
    assert token not in m.content and "diary" not in m.content
    assert "github_token" in m.redacted and "private" in m.redacted
    raw = str(pg.raw_rows(service.store, "select content from memories")[0][0])
    assert token not in raw and "diary" not in raw
    with pytest.raises(InvalidInput, match="private or secret"):
        service.remember("<private>only this</private>")


def test_round_trip_keeps_lifecycle_fields_and_import_is_in_history(
    service: MemoryService, tmp_path: Path
) -> None:
    import io

    old = service.remember("Shell is bash", key="user.shell", occurred_at="2026-01-02")
    new = service.remember("Shell is zsh", key="user.shell", ttl="30d", client="agent")
    buf = io.StringIO()
    service.export_jsonl(buf)
    path = tmp_path / "dump.jsonl"
    path.write_text(buf.getvalue())
    other = MemoryService.open(
        service.settings.model_copy(update={"db": tmp_path / "copy.db"}), FakeEmbedder()
    )
    other.semantic.ensure()
    other.import_jsonl(path)
    for memory in (old, new):
        assert other.get(memory.id).model_dump(exclude={"embedded"}) == service.get(
            memory.id
        ).model_dump(exclude={"embedded"})
    assert other.history(new.id)[0].action == "import"
    assert ids(other.recall("shell")) == [new.id]
    other.close()


def test_remember_many_dedups_redacts_and_keeps_event_times(service: MemoryService) -> None:
    token = "ghp_" + "Z9y8" * 9
    first = service.remember("Already stored fact")
    got = service.remember_many(
        [
            {"content": "Already stored fact"},
            {"content": "New fact", "occurred_at": "2023-05-08"},
            {"content": "new fact."},
            {"content": f"token {token}"},
        ]
    )
    assert got[0] == first.id and got[1] == got[2] and len(set(got)) == 3
    assert service.get(got[1]).occurred_at == datetime(2023, 5, 8, tzinfo=UTC)
    assert token not in service.get(got[3]).content
    assert service.get(first.id).repeat_count == 2
    raw = service.remember_many([{"content": "x"}, {"content": "x"}], dedup=False)
    assert raw[0] != raw[1]
    with pytest.raises(InvalidInput, match="not \\['colour'\\]"):
        service.remember_many([{"content": "y", "colour": "red"}])


# -- several ids at once ----------------------------------------------------------------------


def test_one_unknown_id_changes_none_and_the_error_says_so(service: MemoryService) -> None:
    """`move` moved the known ids before failing on the unknown one; every such error named
    the unknown id only, leaving the caller to wonder about the others."""
    kept = service.remember("The staging database is on port 5433 secretword")
    hidden = service.remember("An old note, forgotten")
    service.forget([hidden.id])
    unchanged = "No memory with id 99999; nothing was changed."
    attempts = {
        "forget": lambda: service.forget([kept.id, 99999]),
        "restore": lambda: service.restore([hidden.id, 99999]),
        "move": lambda: service.move([kept.id, 99999], "elsewhere"),
        "purge": lambda: service.purge([kept.id, 99999]),
        "purge_candidates": lambda: service.purge_candidates([kept.id, 99999]),
        "scrub": lambda: service.scrub([kept.id, 99999], "secretword"),
    }
    for name, attempt in attempts.items():
        with pytest.raises(NotFound) as caught:
            attempt()
        assert str(caught.value) == unchanged, name
        now = service.get(kept.id)
        assert (now.scope, now.content, now.forgotten_at) == (kept.scope, kept.content, None), name
        assert service.get(hidden.id).forgotten_at is not None, name
    with pytest.raises(NotFound, match=r"^No memory with id 99999\.$"):  # one id: nothing else
        service.forget([99999])


def test_scrub_erases_the_text_in_each_spelling_a_field_stores_it(service: MemoryService) -> None:
    # Keys are stored case-folded and tags lower-cased, both without invisible characters:
    # scrub matched only the text as typed, so the secret typed again as it was first typed
    # stayed in the key, the tags and the history that recorded them.
    secret = "Quokka\u200b7Zeta"
    typed = service.remember(f"Vault phrase {secret} for staging", key=f"vault.{secret}")
    tagged = service.remember("Staging vault phrase, rotated", tags=[f"old-{secret}"])
    aside = service.remember("A note that says quokka7zeta in lower case")
    assert (typed.key, tagged.tags) == ("vault.quokka7zeta", ["old-quokka7zeta"])

    result = service.scrub([typed.id, tagged.id, aside.id], secret)
    assert result == {typed.id: (True, 2), tagged.id: (True, 1), aside.id: (False, 0)}
    assert service.get(typed.id).key == "vault.[scrubbed]"
    assert service.get(typed.id).content == "Vault phrase [scrubbed] for staging"
    assert service.get(tagged.id).tags == ["old-[scrubbed]"]
    for memory_id in (typed.id, tagged.id):
        said = str(service.get(memory_id)) + str(service.history(memory_id))
        assert "quokka7zeta" not in said.casefold().replace("\u200b", "")
    # Content is stored as typed: another spelling there is other text, and left alone.
    assert service.get(aside.id).content == "A note that says quokka7zeta in lower case"
    assert service.doctor().healthy


def test_scrub_erases_a_tag_a_repeat_added_from_its_history(service: MemoryService) -> None:
    """A repeat's new tags are in its history entry's detail (`tags_added`), folded as the
    memory's tags are; scrub read that detail as typed text, so the secret typed again as
    first typed was erased from the memory's tags and stayed in its history."""
    memory_id = service.remember("The deploy token is in the vault", tags=["ops"]).id
    service.remember("The deploy token is in the vault", tags=["Hunter2XYZ"])
    assert service.get(memory_id).tags == ["ops", "hunter2xyz"]
    assert service.scrub([memory_id], "Hunter2XYZ") == {memory_id: (True, 1)}
    assert service.get(memory_id).tags == ["ops", "[scrubbed]"]
    assert "hunter2xyz" not in str(service.history(memory_id)).casefold()


def test_scrub_erases_a_text_stored_in_a_form_that_prints_the_same(
    service: MemoryService,
) -> None:
    """A secret stored decomposed (NFD, pasted from a macOS file name) or with an invisible
    character inside (a zero-width space, a soft hyphen) prints exactly as typed, yet scrub
    said "the text is not there" and left it, in the memory and its history."""
    import unicodedata

    secret = "Señor-4471-Ωmega"
    stored = {
        "nfd": unicodedata.normalize("NFD", f"The vault code is {secret}"),
        "hidden": "The vault code is Se\u00adñor-44\u200b71-Ωmega",
    }
    ids = {name: service.remember(text, scope=name).id for name, text in stored.items()}
    ids["nfd-typed"] = service.remember("Keep Señor-4471-Ωmeg and Senor-4471-Omega").id
    typed = {"nfd": secret, "hidden": secret, "nfd-typed": unicodedata.normalize("NFD", secret)}
    for name, memory_id in ids.items():
        result = service.scrub([memory_id], typed[name])
        if name == "nfd-typed":  # a prefix, or other letters: other text, left alone
            assert result == {memory_id: (False, 0)}
            continue
        assert result == {memory_id: (True, 1)}, name
        assert service.get(memory_id).content == "The vault code is [scrubbed]"
        said = unicodedata.normalize("NFC", str(service.history(memory_id)))
        assert "4471" not in said and "4471" not in said.replace("\u200b", "")
    assert service.doctor().healthy
