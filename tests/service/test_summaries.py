"""Summaries over more memories than they find themes in: what they say is true of all."""

from memory_mcp.models import MemoryFilter
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
