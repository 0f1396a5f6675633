"""The edit form and the purge confirmation compare what the page showed with the memory as
the handler reads it, then write: a change landing between that read and the write (MCP,
the CLI, another tab) was overwritten or deleted unseen. The write now goes only over the
version read (unchanged_since, checked in the service and in the store's transaction).

The race is made real: a second service on the same file or database writes right after
the handler's read, on both backends (fast, over HTTP without a browser)."""

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest
from starlette.testclient import TestClient

from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard
from memory_mcp.config import Settings
from memory_mcp.models import Memory
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder
from tests.service.conftest import backend, settings
from tests.ui.conftest import ORIGIN

__all__ = ["backend", "settings"]


class ReadThenChanged(MemoryService):
    """The UI's service: `meanwhile` (another writer) runs once, right after its next read
    of a memory returns, before the handler writes."""

    meanwhile: Callable[[], object] | None = None

    def _after_read(self) -> None:
        if self.meanwhile is not None:
            step, self.meanwhile = self.meanwhile, None
            step()

    def get(self, memory_id: int) -> Memory:
        found = super().get(memory_id)
        self._after_read()
        return found

    def get_many(self, ids: Sequence[int], *args: Any, **kwargs: Any) -> list[Memory]:
        found = super().get_many(ids, *args, **kwargs)
        self._after_read()
        return found


@pytest.fixture
def ui_service(settings: Settings) -> Iterator[ReadThenChanged]:
    svc = ReadThenChanged.open(settings, embedder=FakeEmbedder())
    yield svc
    svc.close()


@pytest.fixture
def other(settings: Settings) -> Iterator[MemoryService]:
    svc = MemoryService.open(settings, embedder=FakeEmbedder())
    yield svc
    svc.close()


@pytest.fixture
def web(ui_service: ReadThenChanged, guard: UiGuard) -> Iterator[TestClient]:
    with TestClient(ui_app(ui_service, guard), base_url=ORIGIN) as client:
        yield client


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', page)
    assert found is not None, name
    return found.group(1)


def test_an_edit_does_not_overwrite_a_change_landing_after_the_form_was_checked(
    web: TestClient, ui_service: ReadThenChanged, other: MemoryService
) -> None:
    memory_id = other.remember("The deploy runs on Fridays.", tags=["ops"]).id
    page = web.get(f"/m/{memory_id}").text
    mine = {"csrf": _hidden(page, "csrf"), "version": _hidden(page, "version"),
            "content": "The deploy runs on Mondays.", "kind": "note", "tags": "ops",
            "scope": "global", "key": "", "occurred_at": "", "expires_at": ""}  # fmt: skip
    ui_service.meanwhile = lambda: other.update(memory_id, tags=["ops", "urgent"], client="mcp")
    refused = web.post(f"/m/{memory_id}/edit", data=mine, headers={"origin": ORIGIN})
    assert refused.status_code == 409, refused.text
    assert "Not saved: this memory was changed by mcp" in refused.text
    assert ">The deploy runs on Mondays.</textarea>" in refused.text  # what was typed is kept
    kept = other.get(memory_id)
    assert (kept.content, kept.tags) == ("The deploy runs on Fridays.", ["ops", "urgent"])


def test_a_purge_deletes_nothing_when_one_changes_after_the_page_was_checked(
    web: TestClient, ui_service: ReadThenChanged, other: MemoryService
) -> None:
    a = other.remember("Alpha note to delete").id
    b = other.remember("Bravo note to delete").id
    page = web.get(f"/purge?id={a}&id={b}").text
    form = {"csrf": _hidden(page, "csrf"), "seen": _hidden(page, "seen"), "confirm": "yes",
            "id": [str(a), str(b)]}  # fmt: skip
    ui_service.meanwhile = lambda: other.update(b, content="Bravo, worth keeping", client="mcp")
    refused = web.post("/purge", data=form, headers={"origin": ORIGIN})
    assert refused.status_code == 409, refused.text
    assert "Nothing deleted: since this page was shown" in refused.text
    assert "Bravo, worth keeping" in refused.text  # the page as they now read
    assert [m.id for m in other.get_many([a, b])] == [a, b]
    # confirmed again on the page that shows the change: both go
    again = {**form, "seen": _hidden(refused.text, "seen")}
    done = web.post("/purge", data=again, headers={"origin": ORIGIN}, follow_redirects=False)
    assert done.status_code == 303 and other.get_many([a, b]) == []


def test_an_edit_folded_into_a_correction_goes_to_the_memory_that_holds_it(
    web: TestClient, other: MemoryService
) -> None:
    """An edit giving a memory the text of a correction folds it into that correction (a
    correction is never folded away): the page after it is the correction's, saying so,
    not the edited id's, which no longer exists."""
    wrong = other.remember("The deploy runs on Thursdays")
    right = other.remember("The deploy runs on Fridays", replaces=wrong.id)
    lunch = other.remember("Lunch is at noon in the kitchen").id
    page = web.get(f"/m/{lunch}").text
    mine = {"csrf": _hidden(page, "csrf"), "version": _hidden(page, "version"),
            "content": "The deploy runs on Fridays", "kind": "note", "tags": "",
            "scope": "global", "key": "", "occurred_at": "", "expires_at": ""}  # fmt: skip
    saved = web.post(f"/m/{lunch}/edit", data=mine, headers={"origin": ORIGIN})
    assert saved.status_code == 200, saved.text
    assert str(saved.url).split("?")[0].endswith(f"/m/{right.id}")
    assert "the memory you edited now says what this one says, and was merged" in saved.text
    assert f"#{lunch}" in saved.text  # the history, on the page, names it


def test_a_restore_folded_into_a_correction_goes_to_the_memory_that_holds_it(
    web: TestClient, other: MemoryService
) -> None:
    """A memory restored where a correction now says the same folds into that correction:
    the page after it is the correction's, saying so, not the restored id's, which no longer
    exists (it said "Restored: back in recall." on a page that was then not found)."""
    back = other.remember("Standup is at 10", scope="p1").id
    other.forget([back])
    old = other.remember("Standup is at 9", scope="p1").id
    fix = other.remember("Standup is at 10", scope="p1", replaces=old).id
    page = web.get(f"/m/{back}").text
    done = web.post(f"/m/{back}/restore", data={"csrf": _hidden(page, "csrf")},
                    headers={"origin": ORIGIN})  # fmt: skip
    assert done.status_code == 200, done.text
    assert str(done.url).split("?")[0].endswith(f"/m/{fix}")
    assert "a correction says the same, so it was merged into this one" in done.text
    assert "back in recall" not in done.text
