"""What a long, hostile or concurrently changed memory does to the pages (fast, no browser):
bounded work per page, edits that never overwrite a newer change, and pages that say what
went wrong."""

import difflib
import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from memory_mcp.adapters.ui import memory as memory_page
from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard
from memory_mcp.service import MemoryService
from tests.ui.conftest import ORIGIN


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


def _form(page: str) -> dict[str, str]:
    """The edit form's hidden fields as the page holds them."""
    version = re.search(r'name="version" value="([^"]+)"', page)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert version is not None and csrf is not None
    return {"version": version.group(1), "csrf": csrf.group(1)}


def test_an_edit_never_overwrites_a_change_made_since_the_page_opened(
    web: TestClient, service: MemoryService
) -> None:
    memory_id = service.remember("The deploy runs on Fridays.", tags=["ops"]).id
    opened = _form(web.get(f"/m/{memory_id}").text)
    service.update(memory_id, tags=["ops", "urgent"], client="claude-code")  # from MCP, meanwhile
    mine = {**opened, "content": "The deploy runs on Mondays.", "kind": "note", "tags": "ops",
            "scope": "global", "key": "", "occurred_at": "", "expires_at": ""}  # fmt: skip
    refused = web.post(f"/m/{memory_id}/edit", data=mine, headers={"origin": ORIGIN})
    assert refused.status_code == 409
    assert "changed by claude-code" in refused.text and "Not saved" in refused.text
    assert ">The deploy runs on Mondays.</textarea>" in refused.text  # what was typed is kept
    kept = service.get(memory_id)
    assert (kept.content, kept.tags) == ("The deploy runs on Fridays.", ["ops", "urgent"])
    # saving again from the page that showed the conflict is a knowing replacement
    again = {**mine, **_form(refused.text)}
    assert (
        web.post(f"/m/{memory_id}/edit", data=again, headers={"origin": ORIGIN}).status_code == 200
    )
    assert service.get(memory_id).content == "The deploy runs on Mondays."


def test_a_refused_edit_keeps_what_was_typed_and_says_why(
    web: TestClient, service: MemoryService
) -> None:
    memory_id = service.remember("Standup is at 9:30.").id
    typed = {**_form(web.get(f"/m/{memory_id}").text), "content": "Standup <moved> to 10:00.",
             "kind": "event", "tags": "team", "scope": "global", "key": "",
             "occurred_at": "not a date", "expires_at": ""}  # fmt: skip
    refused = web.post(f"/m/{memory_id}/edit", data=typed, headers={"origin": ORIGIN})
    assert refused.status_code == 400 and "Not saved: occurred_at: cannot read" in refused.text
    assert ">Standup &lt;moved&gt; to 10:00.</textarea>" in refused.text
    assert 'value="not a date"' in refused.text and 'value="team"' in refused.text
    assert service.get(memory_id).content == "Standup is at 9:30."


@pytest.mark.parametrize("cleared", ["", "   "])
def test_a_cleared_scope_is_refused_not_silently_kept(
    web: TestClient, service: MemoryService, cleared: str
) -> None:
    """Emptying the scope field and saving said "saved" and left the scope as it was, while
    the text typed with it was stored: the same mistake a tool call is refused for."""
    memory_id = service.remember("Standup is at 9:30.", scope="team").id
    typed = {**_form(web.get(f"/m/{memory_id}").text), "content": "Standup is at 10:00.",
             "kind": "note", "tags": "", "scope": cleared, "key": "", "occurred_at": "",
             "expires_at": ""}  # fmt: skip
    refused = web.post(f"/m/{memory_id}/edit", data=typed, headers={"origin": ORIGIN})
    assert refused.status_code == 400, refused.text
    assert "Not saved: scope must not be empty or blank" in refused.text
    assert ">Standup is at 10:00.</textarea>" in refused.text
    kept = service.get(memory_id)
    assert (kept.content, kept.scope) == ("Standup is at 9:30.", "team")


def test_history_shows_no_python_none_and_writes_out_what_prints_as_nothing(
    web: TestClient, service: MemoryService
) -> None:
    memory_id = service.remember("Lunch at pay\u200bpal is at noon.").id
    service.forget([memory_id], reason="why \u2069\u202ereversed")
    service.restore([memory_id])  # its history entry's reason is None
    page = web.get(f"/m/{memory_id}").text
    assert "None" not in page
    # Bidi controls and zero-width characters are written out and marked, never applied:
    # an override reversed the memory's own text, a zero-width space hid inside a word.
    unseen = '<span class="unseen" title="U+{}">\\u{}</span>'
    assert f"why {unseen.format('2069', '2069')}{unseen.format('202E', '202e')}reversed" in page
    assert f"pay{unseen.format('200B', '200b')}pal" in page
    assert ">Lunch at pay\u200bpal is at noon.</textarea>" in page  # edited as it is
    assert "\u202e" not in page and "\u2069" not in page


def test_a_damaged_page_link_is_a_clear_error_not_a_server_error(web: TestClient) -> None:
    for after in [
        "2026-01-01T00:00:00~99999999999999999999999", "2026-01-01~x", "junk",
        # a time its offset carries past year 1 or 9999 in UTC (was an OverflowError: a 500)
        "0001-01-01T00:00:00+01:00~5", "9999-12-31T23:59:59-05:00~5",
    ]:  # fmt: skip
        page = web.get("/", params={"after": after})
        assert page.status_code == 400 and "That page link is damaged" in page.text, after


def test_a_damaged_search_page_number_is_a_clear_error_not_a_server_error(
    web: TestClient, service: MemoryService
) -> None:
    """`start` took any text str.isdigit() accepts: a superscript digit is one, which int()
    cannot read (a ValueError: a server error)."""
    service.remember("The deploy runs on Fridays.")
    for start in ["²", "1²", "-1", "x", "10001", "١٢³"]:
        page = web.get("/", params={"q": "deploy", "start": start})
        assert page.status_code == 400 and "That page link is damaged" in page.text, start
    assert web.get("/", params={"q": "deploy", "start": "0"}).status_code == 200


def test_a_server_error_is_a_page_that_says_what_to_do(
    service: MemoryService, guard: UiGuard, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service, "stats", broken)
    with TestClient(ui_app(service, guard), base_url=ORIGIN, raise_server_exceptions=False) as web:
        page = web.get("/overview")
    assert page.status_code == 500 and "Something went wrong on the server" in page.text
    assert "disk on fire" not in page.text and page.headers["x-frame-options"] == "DENY"


def test_an_edit_leaves_the_fields_it_did_not_touch_as_they_are(
    web: TestClient, service: MemoryService
) -> None:
    """A tag may hold a comma (MCP and the CLI take it); the form shows tags comma separated,
    that one in double quotes, and untouched fields are never parsed again."""
    memory_id = service.remember("Ship it on Fridays.", tags=["release,prod", "ops"]).id
    page = web.get(f"/m/{memory_id}").text
    form = {**_form(page), "content": "Ship it on Mondays.", "kind": "note",
            "tags": '"release,prod", ops', "scope": "global", "key": "", "occurred_at": "",
            "expires_at": ""}  # fmt: skip
    assert 'value="&quot;release,prod&quot;, ops"' in page
    web.post(f"/m/{memory_id}/edit", data=form, headers={"origin": ORIGIN})
    edited = service.get(memory_id)
    assert (edited.content, edited.tags) == ("Ship it on Mondays.", ["release,prod", "ops"])


@pytest.mark.parametrize(
    ("fmt", "body", "says"),
    [
        ("jsonl", b"\xff\xfe garbage", "Cannot read notes.txt"),
        ("jsonl", b'{"id": 99999999999999999999999, "content": "x"}\n', "less than or equal"),
        ("mem0", b'{"results": 5}', "notes.txt is not a mem0 export"),
        ("mcp-memory-service", b"not a database", "Cannot read notes.txt as an SQLite"),
    ],
)
def test_an_import_that_fails_names_the_uploaded_file_and_is_no_server_error(
    web: TestClient, guard: UiGuard, fmt: str, body: bytes, says: str
) -> None:
    answer = web.post(
        "/import",
        data={"csrf": guard.csrf, "format": fmt},
        files={"file": ("notes.txt", body)},
        headers={"origin": ORIGIN},
    )
    assert answer.status_code == 400 and says in answer.text
    assert "memory-mcp-ui-" not in answer.text  # never the server's temporary copy


def test_a_filter_it_cannot_read_is_said_above_the_filters_kept_as_typed(
    web: TestClient,
) -> None:
    page = web.get("/", params={"q": "standup", "since": "last blursday", "tags": "team"})
    assert page.status_code == 400 and "since: cannot read" in page.text
    assert 'role="alert"' in page.text and 'value="last blursday"' in page.text
    assert 'value="standup"' in page.text and 'value="team"' in page.text
    damaged = web.get("/", params={"after": "junk", "tags": "team"})
    assert "That page link is damaged" in damaged.text and 'value="team"' in damaged.text


HOSTILE = '<b id="x">bold</b><script>window.pwned = 1</script>'


def test_a_refused_forget_keeps_the_reason_typed_and_says_why_beside_it(
    web: TestClient, service: MemoryService
) -> None:
    """A refused forget showed the page frame with the message alone: the memory, its
    forms and the reason typed were gone."""
    memory_id = service.remember(HOSTILE).id
    csrf = _form(web.get(f"/m/{memory_id}").text)["csrf"]
    typed = "<i>too long</i> " + "r" * 1_000
    refused = web.post(
        f"/m/{memory_id}/forget", data={"csrf": csrf, "reason": typed}, headers={"origin": ORIGIN}
    )
    assert refused.status_code == 400
    forget = re.search(r'<form[^>]*action="[^"]*/forget".*?</form>', refused.text, re.S)
    assert forget is not None, refused.text
    assert 'role="alert"><p' not in refused.text  # beside the form, not a page of its own
    assert "Not forgotten: reason is 1016 characters; the limit is 1000" in forget.group()
    assert 'value="&lt;i&gt;too long&lt;/i&gt; rrr' in forget.group()
    assert "&lt;script&gt;window.pwned" in refused.text and "<script>window" not in refused.text
    assert service.get(memory_id).forgotten_at is None


def test_a_refused_bulk_action_is_the_same_page_with_the_selection_kept(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    """A move with no scope, or a selection holding a memory gone meanwhile, showed the
    frame with the message alone: the filters, the results and the selection were lost."""
    shown = [service.remember(f"Printer note {i}: {HOSTILE}", tags=["ops"]).id for i in range(2)]
    other = service.remember("The kitchen tap drips.").id
    page = web.get("/", params={"tags": "ops", "done": "moved"}).text
    action = re.search(r'<form[^>]*action="([^"]*/bulk[^"]*)"', page)
    assert action is not None and "tags=ops" in action.group(1) and "done" not in action.group(1)
    address = action.group(1).replace("&amp;", "&").removeprefix(ORIGIN)
    for sent, said in (
        ({"action": "move", "to": "  ", "id": [str(i) for i in shown]}, "Name the scope"),
        ({"action": "forget", "to": "ops-archive", "id": [str(shown[0]), "99999"]},
         "Not done: No memory with id 99999; nothing was changed."),
    ):  # fmt: skip
        refused = web.post(address, data={"csrf": guard.csrf, **sent}, headers={"origin": ORIGIN})
        assert refused.status_code in (400, 404), refused.text
        bulk = re.search(r'<form[^>]*id="bulk".*?</form>', refused.text, re.S)
        assert bulk is not None and said in bulk.group(), refused.text
        assert f'value="{sent["to"]}"' in bulk.group()
        assert re.search(f'<option value="{sent["action"]}" selected', bulk.group())
        for memory_id in shown:
            checked = f'value="{memory_id}" checked' in refused.text
            assert checked == (str(memory_id) in sent["id"]), memory_id
        assert f"#{other}<" not in refused.text  # still the page filtered by tag `ops`
        assert 'value="ops"' in refused.text and "Moved" not in refused.text
        assert "<script>window" not in refused.text
    assert all(m.scope == "global" and m.forgotten_at is None for m in service.get_many(shown))


def test_a_refused_import_is_the_form_again_with_the_choices_kept(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    sent = {"csrf": guard.csrf, "format": "mem0", "scope": "<b>team</b>"}
    files = {"file": ("notes.json", b"not json at all")}
    refused = web.post("/import", data=sent, files=files, headers={"origin": ORIGIN})
    assert refused.status_code == 400
    upload = re.search(r'<form[^>]*action="[^"]*/import".*?</form>', refused.text, re.S)
    assert upload is not None, refused.text
    assert "notes.json" in upload.group() and "Choose the file again." in upload.group()
    assert '<option value="mem0" selected' in upload.group()
    assert 'value="&lt;b&gt;team&lt;/b&gt;"' in upload.group()
    assert service.count(service.make_filter()) == 0
