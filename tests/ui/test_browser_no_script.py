"""The list's bulk controls with JavaScript off: Enter in the scope field below the list
submitted with the Apply above it (a form's first button), so the action chosen above (by
default Forget) ran instead of the move typed below."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.ui.browser import chromium, log_in, missing, ui_server

pytestmark = [pytest.mark.slow, pytest.mark.skipif(missing() is not None, reason=missing() or "")]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("noscript")
    db = root / "memory.db"
    service = MemoryService.open(Settings(db=db, semantic=False))
    ids = [service.remember(f"Host {n} runs the nightly build").id for n in range(4)]
    service.close()
    with (
        ui_server(db, None, root / "ui.log", MEMORY_MCP_SEMANTIC="false") as (url, login),
        chromium(java_script_enabled=False) as browser,
    ):
        url = log_in(browser, url, login)
        yield {"url": url, "ids": ids, "db": db, "browser": browser}


@pytest.fixture
def page(world: dict[str, Any]) -> Iterator[Any]:
    page = world["browser"].new_page()
    try:
        yield page
    finally:
        page.close()


def state(db: Path, memory_id: int) -> tuple[str, bool]:
    service = MemoryService.open(Settings(db=db, semantic=False), create=False)
    try:
        memory = service.get(memory_id)
        return memory.scope, memory.forgotten_at is not None
    finally:
        service.close()


def enter_in(page: Any, world: dict[str, Any], memory_id: int, below: bool, scope: str) -> None:
    page.goto(f"{world['url']}/")
    page.get_by_label(f"select memory {memory_id}").check()
    where = " (below the list)" if below else ""
    page.get_by_label(f"Action{where}", exact=True).select_option("move")
    field = page.get_by_label(f"Scope to move to{where}", exact=True)
    field.fill(scope)
    with page.expect_navigation():
        field.press("Enter")


@pytest.mark.parametrize("below", [True, False], ids=["below", "above"])
def test_enter_in_a_scope_field_does_its_own_sets_action(
    page: Any, world: dict[str, Any], below: bool
) -> None:
    memory_id = world["ids"][0 if below else 1]
    scope = "moved-below" if below else "moved-above"
    enter_in(page, world, memory_id, below, scope)
    assert state(world["db"], memory_id) == (scope, False)


def test_each_apply_button_does_its_own_sets_action(page: Any, world: dict[str, Any]) -> None:
    memory_id = world["ids"][2]
    page.goto(f"{world['url']}/")
    page.get_by_label(f"select memory {memory_id}").check()
    page.get_by_label("Action (below the list)", exact=True).select_option("move")
    page.get_by_label("Scope to move to (below the list)", exact=True).fill("by-the-button")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply to the selected").click()
    assert state(world["db"], memory_id) == ("by-the-button", False)


def test_two_sets_that_differ_are_refused_not_guessed(page: Any, world: dict[str, Any]) -> None:
    memory_id = world["ids"][3]
    page.goto(f"{world['url']}/")
    page.get_by_label(f"select memory {memory_id}").check()
    page.get_by_label("Action", exact=True).select_option("move")
    page.get_by_label("Scope to move to", exact=True).fill("one")
    page.get_by_label("Action (below the list)", exact=True).select_option("move")
    field = page.get_by_label("Scope to move to (below the list)", exact=True)
    field.fill("other")
    with page.expect_navigation():
        field.press("Enter")
    page.get_by_role("alert").filter(has_text="press the Apply beside the one you mean").wait_for()
    assert state(world["db"], memory_id) == ("global", False)
    assert page.get_by_label(f"select memory {memory_id}").is_checked()  # kept as sent


def test_invisible_characters_in_the_scope_filter_are_said(
    page: Any, world: dict[str, Any]
) -> None:
    """`glo<U+202E>bal` in an address filtered on `global` without a word; now the page says
    which character it read past, and the box shows the scope it reads."""
    page.goto(f"{world['url']}/?scope=glo%E2%80%AEbal")
    said = page.get_by_role("status").filter(has_text="invisible").inner_text()
    assert "U+202E (RIGHT-TO-LEFT OVERRIDE)" in said and "read as 'global'" in said, said
    assert "glo\\u202ebal" in said  # shown escaped: the override reorders nothing on the page
    assert page.get_by_label("Scope", exact=True).input_value() == "global"


def test_a_moves_scope_typed_with_invisible_characters_says_they_were_left_out(
    page: Any, world: dict[str, Any]
) -> None:
    memory_id = world["ids"][3]
    enter_in(page, world, memory_id, False, "night\u200bshift")
    notice = page.get_by_role("status").filter(has_text="invisible characters")
    assert "they were left out" in notice.inner_text()
    assert state(world["db"], memory_id) == ("nightshift", False)
