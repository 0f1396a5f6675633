"""An edit that gives a memory the text of another in its scope folds that copy into it, in
its transaction, as a remember of the text would count it: never two current memories
saying the same. A Markdown import folds once all its edits are applied."""

from pathlib import Path

import pytest

from memory_mcp.errors import NotFound
from memory_mcp.service import MemoryService

DEPLOY = "The deploy runs on Fridays"


def test_an_edit_to_another_memorys_text_folds_that_copy_into_it(
    service: MemoryService,
) -> None:
    """`update(y, content=<x's text>)` left x and y both current: recall showed both and a
    later remember of the text counted on x alone."""
    x = service.remember(DEPLOY, tags=["ops"])
    y = service.remember("Lunch is at noon in the kitchen")
    edited = service.update(y.id, content=DEPLOY)
    assert (edited.id, edited.content, edited.repeat_count) == (y.id, DEPLOY, 2)
    assert "ops" in edited.tags
    assert [h.id for h in service.recall("deploy Fridays").hits] == [y.id]
    again = service.remember(DEPLOY)
    assert (again.status, again.id, again.repeat_count) == ("duplicate", y.id, 3)
    merged = service.history(y.id)[1]  # newest first: the repeat, then the fold
    assert (merged.action, merged.detail["merged"], merged.detail["text"]) == (
        "merge",
        x.id,
        DEPLOY,
    )
    assert service.history(x.id)[0].detail["into"] == y.id  # x's trail says where it went
    with pytest.raises(NotFound, match=f"#{x.id} was merged into #{y.id}"):
        service.get(x.id)


def test_an_edit_to_a_corrections_text_folds_into_the_correction(
    service: MemoryService,
) -> None:
    """A correction (a memory that replaced another) is never folded away: the edited
    memory folds into it instead, as a remember of the text counts on it."""
    wrong = service.remember("The deploy runs on Thursdays")
    right = service.remember(DEPLOY, replaces=wrong.id)
    y = service.remember("Lunch is at noon in the kitchen", tags=["food"])
    edited = service.update(y.id, content=DEPLOY)
    assert (edited.id, edited.repeat_count, edited.tags) == (right.id, 2, ["food"])
    assert service.get(wrong.id).superseded_by == right.id  # the correction stands
    assert [h.id for h in service.recall("deploy Fridays").hits] == [right.id]
    with pytest.raises(NotFound, match=f"#{y.id} was merged into #{right.id}"):
        service.get(y.id)


def test_an_edit_folds_nothing_of_another_scope_or_key(service: MemoryService) -> None:
    elsewhere = service.remember(DEPLOY, scope="other")
    keyed = service.remember(DEPLOY, key="deploy.day")
    y = service.remember("Lunch is at noon in the kitchen")
    service.update(y.id, content=DEPLOY)
    assert {service.get(i).content for i in (elsewhere.id, keyed.id, y.id)} == {DEPLOY}


def test_a_markdown_import_folds_once_its_edits_are_applied(
    service: MemoryService, tmp_path: Path
) -> None:
    """Entry x given y's text while y is given a new one: folding at x's edit would have
    deleted y before its own edit; at the end nothing folds. Given another's text alone,
    the copy folds into the edited one."""
    x = service.remember("Alpha notes about the cache")
    y = service.remember("Beta notes about the queue")
    service.export_markdown(tmp_path)
    path = tmp_path / "global.md"
    text = path.read_text(encoding="utf-8")
    swapped = text.replace("Beta notes about the queue", "Gamma notes about the index")
    path.write_text(swapped.replace("Alpha notes about the cache", "Beta notes about the queue"))
    report = service.import_markdown(tmp_path)
    assert (report.updated, report.merged, report.unknown) == ([x.id, y.id], [], [])
    assert service.get(x.id).content == "Beta notes about the queue"
    assert service.get(y.id).content == "Gamma notes about the index"

    service.export_markdown(tmp_path, overwrite=True)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Gamma notes about the index", "Beta notes about the queue"))
    report = service.import_markdown(tmp_path)
    assert (report.updated, report.merged) == ([y.id], [x.id])
    assert service.get(y.id).repeat_count == 2
    assert [h.id for h in service.recall("Beta queue").hits] == [y.id]
