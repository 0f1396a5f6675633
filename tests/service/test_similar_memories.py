"""`remember` names the current memories close to a new one that a fact keeps apart (an older
value of the same thing, perhaps), so the client can make the new one replace it; with the
real model, on both backends."""

import pytest

from memory_mcp.service import MemoryService

pytestmark = pytest.mark.model

OLD = "The staging database is on port 5433"
NEW = "Staging DB moved to port 6543"


@pytest.fixture
def svc(real_service: MemoryService) -> MemoryService:
    return real_service


def similar_ids(result: object) -> list[int]:
    return [near.id for near in result.similar]


def test_a_new_value_names_the_old_one_and_can_then_replace_it(svc: MemoryService) -> None:
    svc.remember("The user likes green tea")
    old = svc.remember(OLD)
    new = svc.remember(NEW)
    assert (new.status, similar_ids(new)) == ("created", [old.id])
    assert new.similar[0].content == OLD and new.similar[0].created_at == old.created_at
    fixed = svc.remember(NEW, replaces=old.id)  # what the reply tells the client to do
    assert (fixed.id, fixed.status, fixed.supersedes) == (new.id, "duplicate", [old.id])
    assert [h.id for h in svc.recall("which port is the staging database on?").hits] == [new.id]


def test_a_rewording_is_merged_and_names_nothing(svc: MemoryService) -> None:
    first = svc.remember("Ana's birthday is March 3")
    again = svc.remember("Ana's birthday is on the 3rd of March")
    assert (again.status, again.id, again.similar) == ("merged", first.id, [])


def test_nothing_close_names_nothing(svc: MemoryService) -> None:
    svc.remember(OLD)
    assert svc.remember("The user prefers tabs over spaces").similar == []


def test_hidden_memories_and_other_scopes_are_never_named(svc: MemoryService) -> None:
    forgotten = svc.remember(OLD, scope="p1")
    svc.forget([forgotten.id])
    replaced = svc.remember("The staging database is on port 5400", scope="p1")
    svc.remember("The staging database is on port 5401", scope="p1", replaces=replaced.id)
    elsewhere = svc.remember(OLD, scope="p2")
    new = svc.remember(NEW, scope="p1")
    assert forgotten.id not in similar_ids(new) and replaced.id not in similar_ids(new)
    assert elsewhere.id not in similar_ids(new)
    assert len(new.similar) == 1  # the current correction alone


def test_events_and_keyed_values_name_nothing(svc: MemoryService) -> None:
    """Another day's event is another event; a key already replaces its old value."""
    svc.remember("Went to the dentist for a check-up", kind="event", occurred_at="2026-03-03")
    event = svc.remember(
        "Went to the dentist for a filling", kind="event", occurred_at="2026-06-09"
    )
    assert event.similar == []
    svc.remember(OLD)
    keyed = svc.remember(NEW, key="staging.db.port")
    assert keyed.similar == []


def test_recall_names_the_later_value_on_the_older_hit(svc: MemoryService) -> None:
    svc.remember("The user likes green tea")
    old = svc.remember("The team standup is at 9am")
    new = svc.remember("The team standup moved to 10am")  # cosine 0.85
    hits = {h.id: h for h in svc.recall("when is the team standup?").hits}
    assert (hits[old.id].newer, hits[new.id].newer) == (new.id, None)


def test_recall_asks_more_than_remember_before_it_marks_a_hit(svc: MemoryService) -> None:
    """Two values 0.74 apart, the later saying no change: remember lists it, which the
    writer weighs; recall, which asserts it to every reader, does not mark it (NEWER_COSINE).
    The staging port's move (0.75) says it changes the port: recall marks it."""
    dana = svc.remember("My manager is Dana")
    omar = svc.remember("Dana's manager is Omar")
    assert [near.id for near in omar.similar] == [dana.id]
    assert all(h.newer is None for h in svc.recall("who is Dana's manager?").hits)
    old = svc.remember(OLD)
    new = svc.remember(NEW)
    hits = {h.id: h for h in svc.recall("which port is the staging database on?").hits}
    assert (hits[old.id].newer, hits[new.id].newer) == (new.id, None)


def test_a_change_far_apart_in_meaning_is_named_and_marked(svc: MemoryService) -> None:
    """A changed city, stack or job sits at 0.3-0.6 from the old value, where memories of
    one topic that both hold sit too: what the new text says (moved, switched, now) tells
    them apart; an addition ("also") or another person's move names nothing. Recall marks
    such a change from CHANGE_NEWER_COSINE (0.55) on: Spanish -> Portuguese (0.63), not the
    city (0.39)."""
    svc.remember("The user likes green tea")
    berlin = svc.remember("I live in Berlin")
    svc.remember("I love the food in Lisbon", kind="note", occurred_at="2026-01-04")
    assert svc.remember("My sister moved to Lisbon").similar == []
    lisbon = svc.remember("I moved to Lisbon last month")  # cosine 0.39
    assert [near.id for near in lisbon.similar] == [berlin.id]
    spanish = svc.remember("I'm learning Spanish")
    portuguese = svc.remember("I've switched to learning Portuguese")
    hits = {h.id: h for h in svc.recall("which language am I learning?").hits}
    assert (hits[spanish.id].newer, hits[portuguese.id].newer) == (portuguese.id, None)
    postgres = svc.remember("The project uses PostgreSQL 14", scope="app")
    assert svc.remember("We now also use Redis for caching", scope="app").similar == []
    mysql = svc.remember("Switched from PostgreSQL 14 to MySQL 8", scope="app")
    assert [near.id for near in mysql.similar] == [postgres.id]


def test_recall_names_nothing_between_episodes_or_scopes(svc: MemoryService) -> None:
    svc.remember("Standup was moved to 9:30", kind="event", occurred_at="2026-03-03")
    svc.remember("Standup was moved to 10:00", kind="event", occurred_at="2026-03-10")
    svc.remember(OLD, scope="p1")
    svc.remember(NEW, scope="p2")
    assert all(h.newer is None for h in svc.recall("standup", scope="*").hits)
    assert all(h.newer is None for h in svc.recall("staging database port", scope="*").hits)


def test_a_dated_note_is_an_episode_and_names_nothing(svc: MemoryService) -> None:
    """A turn of a conversation, stored with its date, is what was said then."""
    svc.remember(OLD, occurred_at="2026-03-03")
    assert svc.remember(NEW, occurred_at="2026-03-10").similar == []
    assert svc.remember("Staging DB moved to port 6544").similar == []  # the other is dated


def test_a_value_said_again_is_the_latest_and_names_no_newer(svc: MemoryService) -> None:
    """Mon 9am, Tue 10am, Wed 9am again (counted on Monday's memory): the 9am one was said
    last, so recall must not tell the model that the 10am one updates it."""
    nine = svc.remember("The team standup is at 9am")
    ten = svc.remember("The team standup moved to 10am")
    again = svc.remember("The team standup is at 9am")
    assert (again.status, again.id) == ("duplicate", nine.id)
    hits = {h.id: h for h in svc.recall("when is the team standup?").hits}
    assert (hits[nine.id].newer, hits[ten.id].newer) == (None, nine.id)


def test_a_principal_is_never_shown_another_scopes_text(svc: MemoryService) -> None:
    """On a shared server: bob may write his own scope and read `team`; alice's scope and
    the secrets scope he may not read hold values close to his. `similar` names only his
    scope's, and recall's `newer` only a hit he is shown."""
    from memory_mcp.policies import access

    svc.remember(OLD, scope="user/alice")
    svc.remember("The staging database is on port 5434", scope="secrets")
    team = svc.remember("The staging database is on port 5435", scope="team")
    bob = svc.as_principal(access.principal("bob", access.parse_grants(["team=read"])))
    mine = bob.remember(NEW)
    assert mine.scope == "user/bob" and mine.similar == []
    again = bob.remember("Staging DB moved to port 6544")
    assert [near.id for near in again.similar] == [mine.id]
    hits = bob.recall("which port is the staging database on?", scope="*").hits
    shown = {h.id for h in hits}
    assert shown <= {team.id, mine.id, again.id}
    assert all(h.newer is None or h.newer in shown for h in hits)


def test_recall_shows_a_later_value_next_to_the_one_it_updates(svc: MemoryService) -> None:
    """ "I moved to Porto last month" is far from "where does the user live?" (0.28) next to
    the stored city (0.60): the relevance floor left it out, and the model read the old city
    alone. A later memory that says it changes a first hit (0.49 from it) now comes right
    after it."""
    for text in ("The user is allergic to peanuts", "Kubernetes manifests live in deploy/"):
        svc.remember(text)
    lisbon = svc.remember("The user lives in Lisbon")
    porto = svc.remember("I moved to Porto last month")
    sister = svc.remember("My sister moved to Madrid")  # not the user's value
    ids = [h.id for h in svc.recall("where does the user live?").hits]
    assert ids[ids.index(lisbon.id) + 1] == porto.id and sister.id not in ids[:3]
    page = svc.recall("where does the user live?", limit=1).hits
    assert [h.id for h in page] == [lisbon.id]  # the limit holds


def test_a_change_only_wished_for_or_of_someone_else_names_nothing(svc: MemoryService) -> None:
    """Words of change that change nothing of the writer's: a need or a wish ("We need a new
    logo": 0.64 from the stored logo), "left" of a place (0.55), "now" of the moment, and a
    move of a person named in forms the first rule missed (kin without "my", "she", a name:
    0.64-0.72 from the writer's own home). None is listed, nor shown after the old value."""
    logo = svc.remember("Our logo is a blue circle")
    svc.remember("The login button is on the right of the header")
    home = svc.remember("I live in Berlin, in Kreuzberg")
    svc.remember("I work at Google as a backend engineer")
    for text in [
        "We need a new logo for the conference",
        "The button on the left opens the menu",
        "Right now I'm debugging the login flow",
        "I want to become a staff engineer",
        "Mum moved to Kreuzberg in Berlin",
        "She moved to Kreuzberg in Berlin",
        "Anna moved to Kreuzberg in Berlin",
        "Tom now works at Google as a frontend engineer",
    ]:
        assert svc.remember(text).similar == [], text
    ids = [h.id for h in svc.recall("where do I live?").hits]
    assert ids[0] == home.id and all(h.newer is None for h in svc.recall("our logo").hits)
    assert similar_ids(svc.remember("Our new logo is a green triangle"))[0] == logo.id
