"""The fold rules both backends apply: which copies fold, what the memory that stays keeps."""

from memory_mcp.policies.folding import (
    MAX_REPEAT_CLIENTS,
    Copy,
    can_fold,
    coalesced_repeat,
    edited_into,
    folded_into,
    keep,
)

DAY = "2026-12-07T00:00:00.000000Z"
WEEK = "2026-12-13T00:00:00.000000Z"


def copy(
    id: int, key: str | None = None, hidden: bool = False, replaced_another: bool = False
) -> Copy:
    return Copy(id, key, hidden, replaced_another)


def test_visible_copies_with_the_same_key_fold_oldest_first() -> None:
    same_text = [copy(9), copy(3), copy(5), copy(7, key="k"), copy(1, hidden=True), copy(4)]
    assert folded_into(5, same_text) == [3, 4, 9]


def test_a_correction_is_never_folded_away() -> None:
    assert folded_into(2, [copy(2), copy(6, replaced_another=True), copy(8)]) == [8]
    assert not can_fold(copy(6, replaced_another=True), copy(2))


def test_a_hidden_memory_takes_in_nothing() -> None:
    assert folded_into(2, [copy(2, hidden=True), copy(3)]) == []
    assert folded_into(2, [copy(3)]) == []  # not among the rows read: nothing to fold into
    assert not can_fold(copy(3), copy(2, hidden=True))
    assert not can_fold(copy(3, hidden=True), copy(2))


def test_a_superseded_memory_takes_in_the_copies_superseded_by_the_same_memory() -> None:
    """A restore that leaves a memory superseded (its key has a later value) made it the
    copy its text said again became: superseded by the same memory, one statement. Copies
    superseded by another memory (the key's value again later) or forgotten stay."""

    def gone(id: int, by: int | None, replaced_another: bool = False) -> Copy:
        return Copy(id, "k", True, replaced_another, successor=by)

    same_text = [gone(1, 9), gone(4, 9), gone(5, 7), gone(6, None), copy(8, key="k")]
    assert folded_into(1, same_text) == [4]
    assert folded_into(1, [gone(1, 9), gone(4, 9, replaced_another=True)]) == []
    assert folded_into(6, same_text) == []  # forgotten: takes in nothing


def test_keyed_copies_fold_only_into_their_key() -> None:
    same_text = [copy(1, key="port"), copy(2, key="port"), copy(3), copy(4, key="host")]
    assert folded_into(2, same_text) == [1]
    assert folded_into(3, same_text) == []


def test_the_memory_kept_gains_tags_counts_and_the_longer_life() -> None:
    kept = keep(["a", "b"], DAY, ["b", "c"], WEEK, repeats=3)
    assert kept.tags == ["a", "b", "c"]
    assert kept.tags_added == ["c"]
    assert (kept.expires_at, kept.expires_changed, kept.repeats) == (WEEK, True, 3)
    assert kept.detail == {"expires": WEEK}


def test_a_sighting_for_good_outlives_one_for_a_day_and_never_shortens_it() -> None:
    forever = keep([], DAY, [], None)
    assert (forever.expires_at, forever.expires_changed, forever.detail) == (
        None,
        True,
        {"expires": "never"},
    )
    shorter = keep(["a"], None, ["a"], DAY)
    assert (shorter.expires_at, shorter.expires_changed, shorter.detail) == (None, False, {})
    assert shorter.tags_added == []


def test_plain_repeats_share_one_history_entry() -> None:
    first = coalesced_repeat("duplicate", "claude", {}, "cursor", "t1")
    assert first == {"count": 2, "last_at": "t1", "clients": ["claude", "cursor"]}
    assert first is not None
    again = coalesced_repeat("duplicate", "claude", first, "claude", "t2")
    assert again == {"count": 3, "last_at": "t2", "clients": ["claude", "cursor"]}
    assert first["count"] == 2  # the entry read is not changed in place


def test_a_repeat_after_anything_else_starts_its_own_entry() -> None:
    assert coalesced_repeat("create", "claude", {}, "claude", "t") is None
    assert coalesced_repeat("duplicate", "claude", {"tags_added": ["x"]}, "claude", "t") is None


def test_a_coalesced_entry_names_a_bounded_number_of_clients() -> None:
    detail: dict[str, object] = {"clients": [f"c{i}" for i in range(MAX_REPEAT_CLIENTS)]}
    folded = coalesced_repeat("duplicate", "c0", detail, "newcomer", "t")
    assert folded is not None
    assert len(folded["clients"]) == MAX_REPEAT_CLIENTS
    assert "newcomer" not in folded["clients"]


def test_an_edited_memory_folds_into_the_oldest_correction_saying_the_same() -> None:
    correction, older = copy(3, replaced_another=True), copy(2, replaced_another=True)
    assert edited_into(9, [copy(9), correction, older, copy(1, hidden=True)]) == 2
    assert edited_into(9, [copy(9), copy(4, key="k", replaced_another=True)]) is None  # key
    assert edited_into(9, [copy(9, replaced_another=True), correction]) is None  # one itself
    assert edited_into(9, [copy(9, hidden=True), correction]) is None  # forgotten
    assert edited_into(9, [correction]) is None  # not among them
