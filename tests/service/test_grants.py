"""Grants enforced in the service: every path a principal can take, on a real SQLite file.

alice and bob have personal scopes; `team` is shared (alice writes, bob reads); `global`
belongs to the owner. A memory a principal may not read is answered as a missing one.
"""

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory_mcp.errors import Forbidden, NotFound
from memory_mcp.models import MemoryFilter
from memory_mcp.policies import access
from memory_mcp.service import MemoryService
from memory_mcp.service.masking import WITHHELD


@pytest.fixture
def team(service: MemoryService) -> dict[str, object]:
    alice = service.as_principal(access.principal("alice", access.parse_grants(["team=write"])))
    bob = service.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    ids = {
        "alice": alice.remember("Alice keeps her ferry schedule in a spreadsheet").id,
        "team": alice.remember("The team ferry leaves at nine", scope="team").id,
        "bob": bob.remember("Bob likes the ferry's upper deck").id,
        "global": service.remember("The owner's ferry pass number is private").id,
    }
    return {"alice": alice, "bob": bob, "ids": ids, "owner": service}


def _scopes(hits: object) -> set[str]:
    return {h.scope for h in hits.hits}  # type: ignore[attr-defined]


def test_each_principal_writes_to_its_own_scope_by_default(team: dict) -> None:  # type: ignore[type-arg]
    owner: MemoryService = team["owner"]
    ids = team["ids"]
    assert owner.get(ids["alice"]).scope == "user/alice"
    assert owner.get(ids["bob"]).scope == "user/bob"
    assert owner.get(ids["global"]).scope == "global"


def test_recall_covers_only_readable_scopes(team: dict) -> None:  # type: ignore[type-arg]
    bob: MemoryService = team["bob"]
    for scope in (None, "*"):
        assert _scopes(bob.recall("ferry", scope=scope)) == {"team", "user/bob"}
    assert bob.recall("ferry", scope="user/alice").hits == []
    assert bob.recall("ferry", scope="global").hits == []
    assert _scopes(team["owner"].recall("ferry", scope="*")) == {
        "team", "user/bob", "user/alice", "global",
    }  # fmt: skip


def test_an_unreadable_id_is_answered_as_a_missing_one(team: dict) -> None:  # type: ignore[type-arg]
    bob: MemoryService = team["bob"]
    ids = team["ids"]
    for memory_id in (ids["alice"], ids["global"]):
        missing = f"No memory with id {memory_id}."
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.get(memory_id)
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.recall(ids=[memory_id])
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.forget([memory_id])
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.history(memory_id)
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.update(memory_id, content="mine now")
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.remember("a correction", replaces=memory_id)
        for call in (bob.restore, bob.purge):
            with pytest.raises(NotFound, match=f"^{missing}$"):
                call([memory_id])
        with pytest.raises(NotFound, match=f"^{missing}$"):
            bob.scrub([memory_id], "ferry pass")
    unknown = 10_000
    with pytest.raises(NotFound, match=f"^No memory with id {unknown}.$"):
        bob.get(unknown)
    assert bob.get_many([ids["alice"], ids["team"]])[0].id == ids["team"]
    assert team["owner"].get(ids["alice"]).forgotten_at is None


def test_read_only_grants_cannot_write(team: dict) -> None:  # type: ignore[type-arg]
    bob: MemoryService = team["bob"]
    team_id = team["ids"]["team"]
    assert bob.get(team_id).scope == "team"
    with pytest.raises(Forbidden, match="team"):
        bob.remember("Bob's note for the team", scope="team")
    with pytest.raises(Forbidden):
        bob.forget([team_id])
    with pytest.raises(Forbidden):
        bob.update(team_id, content="changed")
    with pytest.raises(Forbidden):
        bob.move([team["ids"]["bob"]], "team")
    with pytest.raises(Forbidden):
        bob.remember("nowhere", scope="global")
    with pytest.raises(Forbidden):
        bob.summarize(scope="team", save=True)
    assert team["owner"].get(team_id).content == "The team ferry leaves at nine"


def test_a_reader_is_told_it_may_not_write_before_that_the_memory_changed(
    team: dict,  # type: ignore[type-arg]
) -> None:
    """A purge or edit decided on a stale view by a principal who may only read: it was
    told the memory changed since it was opened, and only on the retry that it may not
    change it at all."""
    bob: MemoryService = team["bob"]
    team_id = team["ids"]["team"]
    seen = bob.get(team_id).changed_at
    team["alice"].update(team_id, content="The team ferry leaves at ten")  # type: ignore[attr-defined]
    with pytest.raises(Forbidden, match="team"):
        bob.purge([team_id], unchanged_since={team_id: seen})
    with pytest.raises(Forbidden, match="team"):
        bob.update(team_id, content="changed", unchanged_since=seen)
    assert team["owner"].get(team_id).content == "The team ferry leaves at ten"  # type: ignore[attr-defined]


def test_moving_needs_write_on_both_scopes(team: dict) -> None:  # type: ignore[type-arg]
    alice: MemoryService = team["alice"]
    moved = alice.move([team["ids"]["alice"]], "team")
    assert moved[0].scope == "team"
    with pytest.raises(Forbidden):
        alice.move([team["ids"]["team"]], "global")


def test_lists_counts_scopes_stats_and_summaries_cover_readable_scopes(team: dict) -> None:  # type: ignore[type-arg]
    bob: MemoryService = team["bob"]
    assert {m.scope for m in bob.list_memories()} == {"team", "user/bob"}
    assert bob.count() == 2
    assert bob.count(MemoryFilter(scopes=["user/alice"])) == 0
    assert bob.list_memories(MemoryFilter(scopes=["global"])) == []
    assert bob.scopes() == {"team": 1, "user/bob": 1}
    stats = bob.stats()
    assert stats.by_scope == {"team": 1, "user/bob": 1}
    assert stats.total == stats.active == 2 and sum(stats.by_kind.values()) == 2
    # Not "" and 0 bytes (shown as `size 0 bytes`): what the principal is not told is absent.
    assert (stats.db_path, stats.db_bytes, stats.embedded) == (None, None, None)
    summary = bob.summarize()
    assert summary.total == 2
    assert {i for c in summary.clusters for i in c.ids} <= {team["ids"]["team"], team["ids"]["bob"]}
    assert bob.summarize(scope="user/alice").total == 0
    assert bob.summarize("ferry", scope="*").total <= 2


def test_history_records_the_principal_and_filters_by_it(team: dict) -> None:  # type: ignore[type-arg]
    owner: MemoryService = team["owner"]
    bob: MemoryService = team["bob"]
    log = owner.history()
    assert {e.principal for e in log} == {"alice", "bob", None}
    assert {e.memory_id for e in owner.history(by="alice")} == {
        team["ids"]["alice"], team["ids"]["team"],
    }  # fmt: skip
    seen = {e.memory_id for e in bob.history()}
    assert seen == {team["ids"]["team"], team["ids"]["bob"]}
    assert bob.history(by="alice")[0].memory_id == team["ids"]["team"]


def test_exports_hold_only_readable_memories(team: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    bob: MemoryService = team["bob"]
    out = io.StringIO()
    assert bob.export_jsonl(out) == 2 == bob.export_count()
    assert {json.loads(line)["scope"] for line in out.getvalue().splitlines()} == {
        "team", "user/bob",
    }  # fmt: skip
    files, count = bob.export_markdown(tmp_path / "md")
    assert count == 2 and "Alice" not in "".join(p.read_text() for p in files)
    with pytest.raises(Forbidden):
        bob.import_jsonl(tmp_path / "x.jsonl")
    for whole_database in (bob.reindex, bob.doctor, bob.reindex_status):
        with pytest.raises(Forbidden):
            whole_database()


def test_a_principal_with_no_grants_sees_only_its_own(team: dict) -> None:  # type: ignore[type-arg]
    owner: MemoryService = team["owner"]
    carol = owner.as_principal(access.principal("carol", ()))
    assert carol.recall("ferry", scope="*").hits == []
    assert carol.list_memories() == [] and carol.count() == 0 and carol.scopes() == {}
    assert carol.stats().total == 0 and carol.summarize().total == 0
    assert carol.history() == []
    made = carol.remember("Carol walks to work")
    assert carol.recall("walks", scope="*").hits[0].id == made.id


# -- property: whatever the grants, every read returns only what they allow --------------------

SCOPES = ["team/a", "team/b", "ops", "global", "user/p", "user/q"]
PATTERNS = ["team/*", "team/a", "ops", "global", "*", "user/q", "t*"]
WORDS = ["ferry", "ledger", "orchid", "cobalt", "walnut", "harbor"]

grant_lists = st.lists(
    st.builds(
        lambda p, r: f"{p}={r}", st.sampled_from(PATTERNS), st.sampled_from(["read", "write"])
    ),
    max_size=3,
)


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[MemoryService, dict[int, str]]]:
    from memory_mcp.config import Settings
    from tests.conftest import FakeEmbedder

    service = MemoryService.open(
        Settings(db=tmp_path_factory.mktemp("grants") / "g.db"), embedder=FakeEmbedder()
    )
    assert service.semantic.ensure()
    where = {}
    for n in range(40):
        scope = SCOPES[n % len(SCOPES)]
        text = f"{WORDS[n % 6]} {WORDS[(n * 5) % 6]} {WORDS[(n * 7 + 1) % 6]} note {n}"
        made = service.remember(text, scope=scope)
        where[made.id] = scope
        if n % 9 == 0:
            service.forget([made.id])
    yield service, where
    service.close()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    grants=grant_lists,
    scope=st.sampled_from([None, "*", *SCOPES]),
    query=st.sampled_from(WORDS),
)
def test_every_read_returns_only_what_the_grants_allow(
    world: tuple[MemoryService, dict[int, str]], grants: list[str], scope: str | None, query: str
) -> None:
    owner, where = world
    caller = access.principal("p", access.parse_grants(grants))
    view = owner.as_principal(caller)
    readable = {i for i, s in where.items() if caller.can_read(s)}
    hits = view.recall(query, scope=scope, limit=50).hits
    assert {h.id for h in hits} <= readable
    flt = MemoryFilter(scopes=[] if scope in (None, "*") else [scope], include_forgotten=True)
    listed = {m.id for m in view.list_memories(flt, limit=None)}
    expected = {i for i in readable if scope in (None, "*") or where[i] == scope}
    assert listed == expected and view.count(flt) == len(expected)
    summary = view.summarize(scope=scope)
    assert {i for c in summary.clusters for i in c.ids} <= readable
    assert set(view.scopes()) <= {s for s in SCOPES if caller.can_read(s)}
    assert set(view.stats().by_scope) == set(view.scopes())
    assert {e.memory_id for e in view.history(limit=500)} == readable
    for memory_id, memory_scope in where.items():
        if caller.can_read(memory_scope):
            assert view.get(memory_id).id == memory_id
        else:
            with pytest.raises(NotFound, match=f"^No memory with id {memory_id}.$"):
                view.get(memory_id)


def test_imports_expiry_purges_and_backups_keep_to_grants(team: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    owner: MemoryService = team["owner"]
    alice: MemoryService = team["alice"]
    bob: MemoryService = team["bob"]
    kg = Path(__file__).resolve().parents[1] / "fixtures" / "kg" / "memory.jsonl"
    with pytest.raises(Forbidden):
        bob.import_from("kg-jsonl", kg, scope="team")
    assert alice.import_from("kg-jsonl", kg, scope="team").scope == "team"
    assert bob.import_from("kg-jsonl", kg).scope == "user/bob"
    # Expired memories: a principal purges only those it may write.
    mine = alice.remember("Alice's short-lived note", ttl="1d").id
    others = owner.remember("The owner's short-lived note", ttl="1d").id
    owner.store.update(mine, {"expires_at": "2020-01-01T00:00:00.000000Z"})
    owner.store.update(others, {"expires_at": "2020-01-01T00:00:00.000000Z"})
    assert bob.purge_expired() == []
    assert alice.purge_candidates([], expired=True) == [mine]
    assert alice.purge_expired() == [mine]
    assert owner.get(others).id == others
    with pytest.raises(Forbidden):
        bob.backup(tmp_path / "copy.db")
    with pytest.raises(Forbidden):  # a copy holds every scope
        alice.migrate_to(tmp_path / "copy.db")
    assert not (tmp_path / "copy.db").exists()


def test_profile_briefing_and_capture_keep_to_grants(team: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    """The automatic-memory parts read and wrote the store directly: a principal's profile
    (`memory://profile`) and session briefing listed every scope's keyed facts and decisions,
    and its capture wrote exploration events into a project it may only read."""
    owner: MemoryService = team["owner"]
    bob: MemoryService = team["bob"]
    project = "github.com/acme/widgets"
    owner.remember(
        "Alice's locker number is 4417", kind="fact", key="user.locker", scope="user/alice"
    )
    owner.remember("We decided the vault code is 9981", kind="decision", scope=project)
    owner.remember("The team ferry pass is 5512", kind="fact", key="team.pass", scope="team")
    assert "4417" in str(owner.profile(scope="*").groups)  # the owner sees every scope
    seen = str(bob.profile(scope="*").groups) + str(bob.profile().groups)
    assert "4417" not in seen and "5512" in seen  # bob reads team, not alice's scope
    assert "4417" not in str(bob.profile(scope="user/alice").groups)
    briefing = bob.session_briefing(project=project).text
    assert "9981" not in briefing  # bob has no grant on the project
    assert "9981" in owner.session_briefing(project=project).text
    transcript = Path(__file__).resolve().parents[2] / "benchmarks/data/capture/transcripts"
    before = owner.count(owner.make_filter(scope=project))
    with pytest.raises(Forbidden):
        bob.capture(next(transcript.glob("*.jsonl")), project=project)
    assert owner.count(owner.make_filter(scope=project)) == before


def test_acting_as_whom_a_service_already_acts_for_is_that_service(team: dict) -> None:  # type: ignore[type-arg]
    owner: MemoryService = team["owner"]
    alice: MemoryService = team["alice"]
    assert owner.as_principal(access.OWNER) is owner
    assert alice.as_principal(alice.access) is alice
    assert alice.as_principal(access.OWNER) is not alice  # never keeps a principal's bounds


def test_a_grant_typed_in_another_unicode_form_is_stored_in_the_one_form(
    service: MemoryService,
) -> None:
    """Scopes are NFC (`café` from a macOS folder is decomposed); a grant on it, typed
    either way, is stored as one grant in that form and covers the scope."""
    composed, decomposed = "caf\u00e9", "cafe\u0301"
    service.remember("The café opens at eight", scope=f"{decomposed}/menu")
    record, _ = service.team.add("carol", [f"{decomposed}/*=read", f"{composed}/*"])
    assert record.grants == (f"{composed}/*=read",)
    assert service.team.list()[0].grants == (f"{composed}/*=read",)
    carol = service.as_principal(service.team.access_for("carol"))
    assert [h.scope for h in carol.recall("café opens", scope="*").hits] == [f"{composed}/menu"]


def test_a_summary_written_by_hand_reads_as_written(team: dict) -> None:  # type: ignore[type-arg]
    """Only a summary summarize saved quotes other memories: one written by hand (kind
    summary, no `sources`) is shown as written to whoever may read its scope."""
    alice: MemoryService = team["alice"]
    bob: MemoryService = team["bob"]
    text = "Ferry week in short: schedules moved to the spreadsheet, upper deck booked."
    written = alice.remember(text, scope="team", kind="summary").id
    assert bob.get(written).content == alice.get(written).content == text
    assert [h.content for h in bob.recall("ferry week spreadsheet").hits if h.id == written] == [
        text
    ]


def test_a_summary_cut_to_a_budget_still_knows_every_memory_it_quotes(
    keyword_service: MemoryService,
) -> None:
    """A theme cut to fit `max_tokens` lists fewer ids than it holds, but its label draws on
    all of them: the saved summary's sources hold them all, so one moved since to a scope a
    reader may not read withholds the summary's text from that reader."""
    owner = keyword_service
    ids = [owner.remember(f"The staging deploy queue runs nightly on host number {n} of the "
                          "cluster", scope="team").id for n in range(60)]  # fmt: skip
    summary = owner.summarize(scope="team", max_tokens=300, save=True)
    (theme,) = summary.clusters
    assert summary.saved_id is not None and theme.count == 60 and len(theme.ids) < 60
    unlisted = sorted(set(ids) - set(theme.ids))
    assert owner.get(summary.saved_id).metadata["sources"] == ids
    owner.move(unlisted[:1], "vault")
    bob = owner.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    assert bob.get(summary.saved_id).content == WITHHELD
    carol = owner.as_principal(
        access.principal("carol", access.parse_grants(["team=read", "vault=read"]))
    )
    assert carol.get(summary.saved_id).content == owner.get(summary.saved_id).content
