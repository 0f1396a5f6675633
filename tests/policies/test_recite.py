"""summarize.recite renumbers a saved summary's citations (on import), and only them: a
statement quoted over several lines may end an inner line in `[#5]`, which is its text."""

from memory_mcp.policies.summarize import recite

NEW = {5: 105, 12: 112, 15: 115, 20: 120}

SUMMARY = (
    "4 memories from 2026-01-01 to 2026-01-03 in team (4 note). Main themes:\n"
    "1. deploy, steps (3 memories, 2026-01-01 to 2026-01-02): Deploy steps: see [#5]\n"
    "then ship it [#12]\n"
    "and tell ops [#12; also #5, #15]\n"
    "2. tea, four (1 memory, 2026-01-03): Tea at four [#20]\n"
    "(2 smaller themes not shown.)"
)


def test_only_the_citation_closing_each_theme_is_renumbered() -> None:
    assert recite(SUMMARY, lambda i: NEW.get(i, 0)) == (
        "4 memories from 2026-01-01 to 2026-01-03 in team (4 note). Main themes:\n"
        "1. deploy, steps (3 memories, 2026-01-01 to 2026-01-02): Deploy steps: see [#5]\n"
        "then ship it [#12]\n"
        "and tell ops [#112; also #105, #115]\n"
        "2. tea, four (1 memory, 2026-01-03): Tea at four [#120]\n"
        "(2 smaller themes not shown.)"
    )


def test_a_memory_not_there_is_cited_as_unknown_and_the_rest_is_kept() -> None:
    text = "2 memories.\n1. tea, four (2 memories, 2026-01-01): Tea at four [#1; also #98]\n"
    assert recite(text, lambda i: {1: 7}.get(i, 0)) == (
        "2 memories.\n1. tea, four (2 memories, 2026-01-01): Tea at four [#7; also #?]\n"
    )


def test_text_without_themes_is_left_as_it_is() -> None:
    for text in [
        "Memory holds nothing that matches.",
        "Notes [#5]",
        "2. not first (1 memory, x): y [#5]",
    ]:
        assert recite(text, lambda i: i + 100) == text


def test_an_import_writes_the_quoted_text_as_a_summary_now_quotes_it() -> None:
    """Text before a theme's citation that looks like one (a summary saved before quoted
    text was made inert, or edited) named unrelated memories once an import renumbered."""
    assert recite(SUMMARY, lambda i: NEW.get(i, 0), inert_quotes=True) == (
        "4 memories from 2026-01-01 to 2026-01-03 in team (4 note). Main themes:\n"
        "1. deploy, steps (3 memories, 2026-01-01 to 2026-01-02): Deploy steps: see [№5]\n"
        "then ship it [№12]\n"
        "and tell ops [#112; also #105, #115]\n"
        "2. tea, four (1 memory, 2026-01-03): Tea at four [#120]\n"
        "(2 smaller themes not shown.)"
    )
