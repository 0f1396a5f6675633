"""The web UI's pages over HTTP without a browser (fast): escaping, the Host, origin and CSRF
checks, keyset paging, and the /ui mount of `serve --http` behind its token."""

import io
import json
import re
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from starlette.testclient import TestClient

from memory_mcp.adapters.mcp_server.http import http_app
from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard, host_values
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder
from tests.ui.conftest import ORIGIN, PORT

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_memory_text_is_escaped_everywhere(web: TestClient, service: MemoryService) -> None:
    memory = service.remember(HOSTILE, tags=["<b>t</b>"], scope="s<i>", key="k<u>")
    for path in ["/", "/?q=alert", f"/m/{memory.id}", "/overview", f"/purge?id={memory.id}"]:
        page = web.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "<b>t</b>" not in page and "<i>" not in page and "<u>" not in page, path
    assert "&lt;script&gt;alert" in web.get(f"/m/{memory.id}").text


def test_changes_need_this_origin_and_the_page_token(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    memory_id = service.remember("Keep me visible.").id
    path = f"/m/{memory_id}/forget"
    same = {"origin": ORIGIN}
    assert web.post(path, data={}, headers=same).status_code == 403  # no token
    assert web.post(path, data={"csrf": "x" * 43}, headers=same).status_code == 403
    evil = {"origin": "http://evil.example"}
    assert web.post(path, data={"csrf": guard.csrf}, headers=evil).status_code == 403
    site = {"origin": ORIGIN, "sec-fetch-site": "cross-site"}
    assert web.post(path, data={"csrf": guard.csrf}, headers=site).status_code == 403
    referer = {"referer": "http://evil.example/page"}
    assert web.post(path, data={"csrf": guard.csrf}, headers=referer).status_code == 403
    assert service.get(memory_id).forgotten_at is None
    done = web.post(path, data={"csrf": guard.csrf}, headers=same, follow_redirects=False)
    assert done.status_code == 303 and service.get(memory_id).forgotten_at is not None


def test_unknown_hosts_are_refused_and_headers_lock_the_page_down(web: TestClient) -> None:
    assert web.get("/", headers={"host": f"attacker.example:{PORT}"}).status_code == 421
    page = web.get("/", headers={"origin": "http://evil.example"})
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert not any(h.startswith("access-control-") for h in page.headers)


def test_browsing_pages_by_keyset_reaches_every_memory(
    web: TestClient, service: MemoryService
) -> None:
    made = service.remember_many([{"content": f"memory number {i}"} for i in range(120)])
    seen: list[int] = []
    url: str | None = "/"
    while url:
        page = web.get(url).text
        seen += [int(i) for i in re.findall(r'name="id" value="(\d+)"', page)]
        nxt = re.search(r'href="([^"]*after=[^"]*)" rel="next"', page)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_edit_is_recorded_as_the_ui_and_purge_needs_confirmation(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    memory_id = service.remember("The build uses make.").id
    form = {"csrf": guard.csrf, "content": "The build uses just.", "kind": "fact",
            "tags": "build", "scope": "global", "key": "build.tool",
            "occurred_at": "2026-02-01", "expires_at": ""}  # fmt: skip
    web.post(f"/m/{memory_id}/edit", data=form, headers={"origin": ORIGIN})
    entry = service.history(memory_id)[0]
    assert (entry.action, entry.client) == ("edit", "ui")
    edited = service.get(memory_id)
    assert (edited.content, edited.key) == ("The build uses just.", "build.tool")
    assert edited.occurred_at is not None and edited.occurred_at.month == 2
    refused = web.post("/purge", data={"csrf": guard.csrf, "id": str(memory_id)})
    assert refused.status_code == 400 and service.get(memory_id)
    purged = web.post("/purge", data={"csrf": guard.csrf, "id": str(memory_id), "confirm": "yes"})
    assert purged.status_code == 200 and service.count(service.make_filter()) == 0


def test_serve_http_serves_the_pages_under_ui_behind_its_token(service: MemoryService) -> None:
    token = "t" * 40
    app = http_app(service, "127.0.0.1", PORT, token, [])
    web = TestClient(app, base_url=ORIGIN)
    assert web.get("/ui", follow_redirects=False).status_code == 307
    first = web.get("/ui/", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == "/ui/login"
    login = web.get("/ui/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', login)
    assert csrf is not None
    wrong = web.post("/ui/login", data={"csrf": csrf.group(1), "token": "nope"})
    assert wrong.status_code == 401
    ok = web.post("/ui/login", data={"csrf": csrf.group(1), "token": token},
                  headers={"origin": ORIGIN}, follow_redirects=False)  # fmt: skip
    assert ok.status_code == 303 and "httponly" in ok.headers["set-cookie"].lower()
    assert '<meta name="csrf-token" content="">' in login  # the pages' token: after login
    home = ok.headers["location"]  # this login's pages: the cookie alone is no login
    assert re.fullmatch(r"/ui/s/[A-Za-z0-9_-]{32}/", home), home
    assert web.get("/ui/", follow_redirects=False).headers["location"] == "/ui/login"
    page = web.get(home)
    assert page.status_code == 200 and 'href="/ui/m/' not in page.text  # empty database
    shown = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert shown is not None and shown.group(1) != csrf.group(1)
    assert f'href="{home}overview"' in page.text
    # the tools still want the bearer token, even from a browser holding the login cookie
    assert web.get("/mcp").status_code == 401
    bearer = TestClient(app, base_url=ORIGIN, headers={"authorization": f"Bearer {token}"})
    assert bearer.get("/ui/data").status_code == 200


def test_serve_http_on_loopback_without_token_serves_the_pages(service: MemoryService) -> None:
    web = TestClient(http_app(service, "127.0.0.1", PORT, None, []), base_url=ORIGIN)
    assert web.get("/ui/overview").status_code == 200
    assert web.get("/ui/", headers={"host": "rebound.example"}).status_code == 421


def test_a_memory_page_links_what_it_replaced_and_what_replaced_it(
    web: TestClient, service: MemoryService
) -> None:
    old = service.remember("Editor is Vim.", key="editor").id
    new = service.remember("Editor is Helix.", key="editor").id
    newer = web.get(f"/m/{new}").text
    assert f'Replaced <a href="/m/{old}">#{old}</a>' in newer
    older = web.get(f"/m/{old}").text
    assert f'<dd><a href="/m/{new}">#{new}</a></dd>' in older and "Superseded" in older


def test_find_searches_every_scope_even_with_a_project_configured(
    tmp_path: Path, embedder: FakeEmbedder
) -> None:
    """The UI is for looking at everything: a configured project does not narrow it."""
    (tmp_path / "proj").mkdir()
    settings = Settings(db=tmp_path / "p.db", project=tmp_path / "proj")
    svc = MemoryService.open(settings, embedder=embedder)
    try:
        assert svc.semantic.ensure()
        svc.remember("Zebra crossings are painted white.", scope="elsewhere")
        guard = UiGuard(host_values(["127.0.0.1"], PORT))
        with TestClient(ui_app(svc, guard), base_url=ORIGIN) as web:
            assert "Zebra crossings" in web.get("/?q=zebra crossings").text
            assert "Zebra crossings" in web.get("/").text
            assert "Zebra crossings" in web.get("/overview").text
    finally:
        svc.close()


def test_export_and_import_through_the_pages(
    web: TestClient, service: MemoryService, guard: UiGuard, tmp_path: Path
) -> None:
    kept = service.remember("The VPN endpoint is vpn.example.org.").id
    hidden = service.remember("Old office address: 1 Main St.").id
    service.forget([hidden])
    exported = web.get("/export.jsonl")
    assert "attachment" in exported.headers["content-disposition"]
    assert [json.loads(line)["id"] for line in exported.text.splitlines()] == [kept, hidden]
    archive = zipfile.ZipFile(io.BytesIO(web.get("/export.zip").content))
    assert any(name.endswith(".md") for name in archive.namelist())
    # into a new database, as `memory-mcp import` would
    other = MemoryService.open(Settings(db=tmp_path / "other.db"), embedder=FakeEmbedder())
    try:
        with TestClient(ui_app(other, guard), base_url=ORIGIN) as web2:
            form = {"csrf": guard.csrf, "format": "jsonl"}
            files = {"file": ("backup.jsonl", exported.content, "application/x-ndjson")}
            report = web2.post("/import", data=form, files=files, headers={"origin": ORIGIN})
            assert "Read 2 memories: created 2, skipped 0 already present" in report.text
            again = web2.post("/import", data=form, files=files, headers={"origin": ORIGIN})
            assert "created 0, skipped 2 already present" in again.text
            bad = {"file": ("bad.jsonl", b'{"content": 5}\n', "application/x-ndjson")}
            refused = web2.post("/import", data=form, files=bad, headers={"origin": ORIGIN})
            assert refused.status_code == 400 and other.count(other.make_filter()) == 1
            scoped = {**form, "scope": "x"}
            assert web2.post("/import", data=scoped, files=files).status_code == 400
    finally:
        other.close()


def test_restore_says_what_it_did_as_the_cli_does(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    """The restore button said "Restored: recall sees it again." of a memory that was never
    forgotten, and of one a newer value still supersedes (recall shows that one)."""
    old = service.remember("Editor is Vim", key="user.editor").id
    new = service.remember("Editor is Helix", key="user.editor").id
    gone = service.remember("Deploys go through CI").id
    service.forget([gone, old])
    sent = {"csrf": guard.csrf}
    same = {"origin": ORIGIN}

    def notice(page: str) -> str:
        return " ".join(re.findall(r'role="status"><p>([^<]*)</p>', page))

    back = notice(web.post(f"/m/{gone}/restore", data=sent, headers=same).text)
    assert back == "Restored: back in recall."
    again = notice(web.post(f"/m/{gone}/restore", data=sent, headers=same).text)
    assert again == "Not forgotten: nothing to restore."
    hidden = notice(web.post(f"/m/{old}/restore", data=sent, headers=same).text)
    assert "recall sees it" not in hidden and "back in recall" not in hidden
    assert hidden.startswith("Restored, but superseded by a newer value")
    both = {**sent, "action": "restore", "id": [str(old), str(new)]}
    said = notice(web.post("/bulk", data=both, headers=same).text)
    assert said == (
        "Not forgotten: nothing to restore. Not forgotten, and superseded by a newer value: "
        "recall shows that one instead."
    )
    zsh = service.remember("Shell is zsh", key="user.shell").id
    service.forget([zsh])
    again = service.remember("Shell is zsh", key="user.shell").id  # said again meanwhile
    service.remember("Shell is fish", key="user.shell")
    merged = notice(web.post(f"/m/{zsh}/restore", data=sent, headers=same).text)
    assert merged.startswith("Restored, but superseded") and "was merged into it" in merged
    assert service.history(again)[0].detail == {"into": zsh}


def test_find_and_edit_hold_a_tag_with_a_comma(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    """The tag fields split at every comma: a tag holding one (`-t "ci, cd"` in the CLI)
    could not be filtered on, and saving its memory's tags split it. Past 32 tags the Find
    filter said "at most 32 tags per memory"."""
    memory = service.remember("Pipelines run on every push.", tags=["ci, cd", 'say "hi"', "ops"])
    other = service.remember("Pipelines are slow on Mondays.", tags=["ci", "cd"])
    page = web.get("/", params={"tags": '"ci, cd"'}).text
    assert "every push" in page and "slow on Mondays" not in page
    assert "slow on Mondays" in web.get("/", params={"tags": "ci, cd"}).text
    form = web.get(f"/m/{memory.id}").text
    assert 'value="&quot;ci, cd&quot;, say &quot;hi&quot;, ops"' in form
    sent = {"csrf": guard.csrf, "tags": '"ci, cd", say "hi", ops, new'}
    saved = web.post(f"/m/{memory.id}/edit", data=sent, headers={"origin": ORIGIN})
    assert saved.status_code == 200, saved.text
    assert service.get(memory.id).tags == ["ci, cd", 'say "hi"', "ops", "new"]
    assert service.get(other.id).tags == ["ci", "cd"]
    many = ", ".join(f"t{i}" for i in range(33))
    refused = web.get("/", params={"tags": many}).text
    assert "at most 32 tags in a filter" in refused and "per memory" not in refused


def test_only_a_forget_just_made_offers_its_undo(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    kept, other = service.remember("Deploys go out on Tuesdays.").id, service.remember("Ok.").id
    service.forget([other])  # forgotten on purpose, earlier: a link must not offer it back
    earlier = service.history(other, limit=1)[0].id  # the history entry of that forget
    crafted = web.get(f"/?done=forgotten&undo={earlier}-{earlier}").text
    assert "Forgotten" in crafted and "Undo: restore" not in crafted
    forged = web.get(f"/?done=forgotten&undo={earlier}-{earlier}&mark={'0' * 64}").text
    assert "Undo: restore" not in forged
    sent = {"csrf": guard.csrf, "id": str(kept), "action": "forget"}
    done = web.post("/bulk", data=sent, headers={"origin": ORIGIN}, follow_redirects=False)
    where = done.headers["location"]
    mine = service.history(kept, limit=1)[0].id
    # The address names the forget (its history entries), not the memories. Its parameters
    # are read as such: a substring check (`=1` not in it) failed whenever the random mark
    # began with the memory's id, one run in 16.
    sent_back = parse_qs(urlsplit(where).query)
    assert set(sent_back) == {"undo", "mark", "done"}, where
    assert sent_back["undo"] == [f"{mine}-{mine}"] and re.fullmatch(
        r"[0-9a-f]{64}", sent_back["mark"][0]
    )
    offered = web.get(where).text
    assert "Undo: restore the memory just forgotten" in offered
    swapped = where.replace(f"undo={mine}-{mine}", f"undo={earlier}-{earlier}")
    assert "Undo: restore" not in web.get(swapped).text  # the mark names exactly that forget
    mark = where.split("mark=")[1].split("&")[0]
    crafted_undo = {
        "csrf": guard.csrf,
        "action": "undo",
        "batch": f"{earlier}-{mine}",
        "mark": mark,
    }
    refused = web.post("/bulk", data=crafted_undo, headers={"origin": ORIGIN})
    assert "not one of your forgets" in refused.text
    assert service.get(other).forgotten_at is not None  # a wider span restores nothing
    undo = {"csrf": guard.csrf, "action": "undo", "batch": f"{mine}-{mine}", "mark": mark}
    web.post("/bulk", data=undo, headers={"origin": ORIGIN})
    assert service.get(kept).forgotten_at is None and service.get(other).forgotten_at is not None


def test_a_list_preview_writes_out_controls_python_calls_whitespace(
    web: TestClient, service: MemoryService
) -> None:
    """Find's one-line preview turned a carriage return (or U+2028, NEL...) into a space,
    where a memory's page writes it out and marks it."""
    service.remember("before\rafter cr")
    service.remember("before\u2028after ls")
    page = web.get("/").text
    for written, word in (("\\x0d", "cr"), ("\\u2028", "ls")):
        assert re.search(
            rf"before<span class=\"unseen\"[^>]*>{re.escape(written)}</span>after {word}", page
        ), written


def test_the_import_summary_names_folded_lines_and_tags_past_32(
    web: TestClient, service: MemoryService, guard: UiGuard
) -> None:
    """The CLI said both; the page said neither. Tag text is shown as text, never markup."""
    stored = service.remember("The editor is vim.", key="editor")
    line = json.loads(web.get("/export.jsonl").text.splitlines()[0])
    line |= {"id": stored.id + 100, "created_at": "2020-01-01T00:00:00+00:00"}
    form, same = {"csrf": guard.csrf, "format": "jsonl"}, {"origin": ORIGIN}
    files = {"file": ("again.jsonl", (json.dumps(line) + "\n").encode(), "application/json")}
    report = web.post("/import", data=form, files=files, headers=same)
    assert "folded 1 into the same keyed value" in report.text, report.text
    many = [f"<b>Topic{n:03d}</b>" + "x" * 50 for n in range(300)]
    source = {"results": [{"id": "m-1", "memory": "Tagged a great deal", "categories": many}]}
    files = {"file": ("mem0.json", json.dumps(source).encode(), "application/json")}
    report = web.post("/import", data={**form, "format": "mem0"}, files=files, headers=same)
    said = "1 with tags past 32 in metadata (1 with some left out, past the metadata"
    assert said in report.text, report.text
    assert "<b>" not in report.text
