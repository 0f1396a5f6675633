"""Near-identical texts: alike but for their numbers, or nearly the same words."""

from memory_mcp.policies.alike import alike, distinct, pattern


def test_texts_alike_but_for_numbers_are_one_pattern() -> None:
    assert pattern("Please check item 7.") == pattern("please check ITEM 1234")
    assert pattern("Please check item 7.") != pattern("Please check invoice 7.")


def test_alike_tolerates_a_word_in_ten_not_a_different_question() -> None:
    ten = "the export job recomputes every invoice total row by row nightly at two"
    assert alike(pattern(ten), pattern(ten + " again"))
    assert not alike(pattern("why is the export slow"), pattern("why is the import slow"))
    assert alike(pattern(""), pattern("the a an"))  # no content words either side


def test_distinct_keeps_the_first_of_each_alike_group_up_to_a_limit() -> None:
    items = ["check item 1", "check item 2", "why is export slow", "check item 3", "rename x"]
    assert distinct(items, str) == ["check item 1", "why is export slow", "rename x"]
    assert distinct(items, str, limit=2) == ["check item 1", "why is export slow"]
