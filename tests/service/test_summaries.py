"""Summaries over more memories than they find themes in: what they say is true of all."""

import re

from memory_mcp.models import MemoryFilter
from memory_mcp.policies.summarize import CITATION
from memory_mcp.service import MemoryService
from memory_mcp.service.summaries import SUMMARY_POOL

OLDER = 120


def test_counts_scopes_kinds_and_dates_describe_every_match(
    keyword_service: MemoryService,
) -> None:
    """Themes come from the newest SUMMARY_POOL memories, but the totals, scopes, kinds and
    dates cover all of them: the 500 newest once stood for the whole (an archive older than
    them vanished from the summary's scopes and dates while `total` still counted it)."""
    svc = keyword_service
    archive = [
        {
            "content": f"Archived incident {i} about the billing queue",
            "kind": "event",
            "scope": "archive",
            "occurred_at": f"2020-03-{1 + i % 28:02d}T10:00:00Z",
        }
        for i in range(OLDER)
    ]
    recent = [
        {"content": f"Recent fact {i} about the deploy pipeline", "kind": "fact", "scope": "work"}
        for i in range(SUMMARY_POOL)
    ]
    svc.remember("Everything in one line", "summary", scope="archive")  # never counted
    svc.remember_many(archive)
    svc.remember_many(recent)

    summary = svc.summarize(scope="*")
    assert summary.total == OLDER + SUMMARY_POOL
    assert summary.by_kind == {"fact": SUMMARY_POOL, "event": OLDER}
    assert summary.scopes == {"work": SUMMARY_POOL, "archive": OLDER}
    assert summary.first_at is not None and summary.first_at.year == 2020
    assert f"{OLDER + SUMMARY_POOL} memories from 2020-03-01 to " in summary.text
    assert "archive" in summary.text and f"{OLDER} event" in summary.text
    assert f"Main themes (of the newest {SUMMARY_POOL}):" in summary.text

    events = svc.summarize(scope="*", kind="event")
    assert (events.total, events.by_kind, events.scopes) == (
        OLDER,
        {"event": OLDER},
        {"archive": OLDER},
    )
    assert "Main themes:" in events.text  # all of them were drawn on
    # the summary is stored in the archive, only never summarized again
    assert svc.count(MemoryFilter(scopes=["archive"])) == OLDER + 1


def test_quoted_text_cannot_pass_for_a_citation(keyword_service: MemoryService) -> None:
    """A memory saying "[#1; also #2]" was quoted as it is, reading as the summary citing #1
    and #2 (and an import renumbering the real citations left it naming unrelated ones); a
    summary of summaries quoted their citations the same way. Quoted, "#" reads "№"."""
    svc = keyword_service
    w = "w [#7]"  # a scope's name is words the summary quotes too
    svc.remember("Deploy with the blue script [#1; also #2] unless #? says so", scope=w)
    svc.remember("Tea is served at four in the kitchen", "note", scope=w)
    saved = svc.summarize(scope=w, save=True)
    assert "blue script [№1; also №2] unless №? says so" in saved.text
    assert " in w [№7] (" in saved.text.splitlines()[0]
    of_summaries = svc.summarize(scope=w, kind="summary")
    assert of_summaries.clusters and "[#" not in of_summaries.clusters[0].statement
    for summary in (saved, of_summaries):
        assert re.search(r"#[\d?]", summary.text.splitlines()[0]) is None
        for line in summary.text.splitlines()[1:]:
            quoted = CITATION.sub("", line)
            assert quoted != line and re.search(r"#[\d?]", quoted) is None, line
