"""What a long, hostile or concurrently changed memory does to the pages (fast, no browser):
bounded work per page, edits that never overwrite a newer change, and pages that say what
went wrong."""

import difflib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from memory_mcp.adapters.ui import memory as memory_page
from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard, host_values
from memory_mcp.service import MemoryService

PORT = 8766
ORIGIN = f"http://127.0.0.1:{PORT}"


@pytest.fixture
def guard() -> UiGuard:
    return UiGuard(host_values(["127.0.0.1", "localhost"], PORT))


@pytest.fixture
def web(service: MemoryService, guard: UiGuard) -> Iterator[TestClient]:
    with TestClient(ui_app(service, guard), base_url=ORIGIN) as client:
        yield client


class ShortOnly(difflib.SequenceMatcher):  # type: ignore[type-arg]
    """SequenceMatcher refusing long sequences: on repetitive text its work grows faster
    than the square of their lengths (minutes for one 20,000-character memory)."""

    def __init__(self, isjunk: Any, a: Any, b: Any, autojunk: bool = True) -> None:
        assert len(a) <= 600 and len(b) <= 600, (len(a), len(b))
        super().__init__(isjunk, a, b, autojunk)


def test_a_long_memorys_history_is_diffed_with_bounded_work(
    web: TestClient, service: MemoryService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(memory_page.difflib, "SequenceMatcher", ShortOnly)
    first = " ".join(f"w{i % 50}" for i in range(3000))
    memory_id = service.remember(first).id
    service.update(memory_id, content=" ".join(f"v{i % 37}" for i in range(3000)))
    page = web.get(f"/m/{memory_id}")
    assert page.status_code == 200 and "<del>w0 w1 w2" in page.text
    # one word changed in the middle of a long text: only that word is marked
    words = [f"word{i}" for i in range(2000)]
    long_id = service.remember(" ".join(words)).id
    words[1000] = "CHANGED"
    service.update(long_id, content=" ".join(words))
    marked = re.findall(r"<(del|ins)>([^<]*)</", web.get(f"/m/{long_id}").text)
    assert marked == [("del", "word1000"), ("ins", "CHANGED")]
