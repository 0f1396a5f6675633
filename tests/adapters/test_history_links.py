"""A history entry names other memories (what superseded this one, the copy folded into it,
the replacement whose purge brought it back): a principal reading that history, by the CLI
(`history`, `log`, run `--as NAME`) or the web UI of `serve --http`, sees such an id only
when it may read that memory (now, or where a copy was folded); otherwise the entry says
what happened without the id. On both backends."""

import json
import re
from dataclasses import dataclass
from typing import Any

import httpx2
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.team_server import serving

LINKS = ("by", "merged", "into", "replaced_by_purged", "replacement_moved", "left_replacement")


@dataclass
class Ids:
    corrected: int  # in `team`, superseded by `fix`
    fix: int  # moved to `vault`: carol reads it, bob does not
    reinstated: int  # in `team`, superseded by `purged`, then current again
    purged: int  # was in `vault`
    kept: int  # in `team` now; `copy` was folded into it in `vault`
    copy: int
    team_kept: int  # in `team`; `team_copy` was folded into it there
    team_copy: int


def _fold(service: MemoryService, text: str, scope: str) -> tuple[int, int]:
    """(the memory kept, the copy folded into it) in `scope`."""
    kept = service.remember(text, scope=scope).id
    service.forget([kept])
    copy = service.remember(text, scope=scope).id
    service.restore([kept])  # the restored one is the text's one memory: `copy` folds in
    return kept, copy


def _build(service: MemoryService) -> Ids:
    corrected = service.remember("The team printer is on floor 3", scope="team").id
    fix = service.remember("The printer is on floor 4 now", replaces=corrected).id
    service.move([fix], "vault")  # a correction lives with what it corrects, then moved
    reinstated = service.remember("The wifi password rotates monthly", scope="team").id
    purged = service.remember("It rotates weekly", replaces=reinstated).id
    service.move([purged], "vault")
    service.purge([purged])
    kept, copy = _fold(service, "Carol's locker number is 5521", "vault")
    service.move([kept], "team")
    team_kept, team_copy = _fold(service, "The team lunch is on Fridays", "team")
    return Ids(corrected, fix, reinstated, purged, kept, copy, team_kept, team_copy)


def _links(entries: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """Every id-naming detail of a history, by (action, detail name)."""
    return {(e["action"], k): v for e in entries for k, v in e["detail"].items() if k in LINKS}


def _cli(settings: Settings, principal: str, *args: str) -> list[dict[str, Any]]:
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    result = CliRunner().invoke(
        app, ["--db", str(settings.db), "--as", principal, *args, "--json"], env=env
    )
    assert result.exit_code == 0, (args, result.output, result.exception)
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def _page(url: str, token: str, memory_id: int) -> str:
    """The history part and links of memory `memory_id`'s page, as `token`'s principal."""
    origin = url.removesuffix("/mcp")
    with httpx2.Client(base_url=origin + "/ui", timeout=30, headers={"origin": origin}) as web:
        found = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text)
        assert found is not None
        login = web.post("/login", data={"csrf": found.group(1), "token": token})
        assert login.status_code == 303, login.text
        # A login's pages live under its marked address (/ui/s/MARK/): the cookie alone is none.
        home = httpx2.URL(origin + "/ui/").join(login.headers["location"])
        page = web.get(str(home.join(f"m/{memory_id}")))
        assert page.status_code == 200, page.text
        html = page.text
        # (Its Details still say which memory superseded it: see the note in the README.)
        links = html[html.find("<h2>Links</h2>") : html.index("<h2>Fix it</h2>")]
        return (links if "<h2>Links</h2>" in html else "") + html[html.index("<h2>History</h2>") :]


def _named(html: str, memory_id: int) -> bool:
    """Whether the page part names memory `memory_id` (a link to it, or a detail's value)."""
    return f'/m/{memory_id}"' in html or re.search(rf": {memory_id}\b", html) is not None


def test_history_shows_another_memorys_id_only_to_who_may_read_it(settings: Settings) -> None:
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        ids = _build(service)
        _, bob = service.team.add("bob", ["team=read"])
        _, carol = service.team.add("carol", ["team=read", "vault=read"])
        owner = _links([e.model_dump(mode="json") for e in service.history(ids.reinstated)])
        assert owner == {("supersede", "by"): ids.purged,
                         ("restore", "replaced_by_purged"): ids.purged}  # fmt: skip
        with serving(service) as url:
            bob_pages = {i: _page(url, bob, i) for i in (ids.corrected, ids.kept, ids.team_kept)}
            carol_pages = {i: _page(url, carol, i) for i in (ids.corrected, ids.kept)}
    finally:
        service.close()

    def history(principal: str, memory_id: int) -> dict[tuple[str, str], int]:
        return _links(_cli(settings, principal, "history", str(memory_id)))

    assert history("bob", ids.corrected) == {}
    assert history("carol", ids.corrected) == {("supersede", "by"): ids.fix}
    assert history("bob", ids.reinstated) == history("carol", ids.reinstated) == {}
    assert history("bob", ids.kept) == {}
    assert history("carol", ids.kept) == {("merge", "merged"): ids.copy}
    assert history("bob", ids.team_kept) == {("merge", "merged"): ids.team_copy}
    # the entries stay, and say what happened (a fold made in `vault` not what it held:
    # test_masked_links.py)
    actions = [e["action"] for e in _cli(settings, "bob", "history", str(ids.corrected))]
    assert "supersede" in actions
    merge = [e for e in _cli(settings, "bob", "history", str(ids.kept)) if e["action"] == "merge"]
    assert merge and merge[0]["detail"] == {}
    carol = [e for e in _cli(settings, "carol", "history", str(ids.kept)) if e["action"] == "merge"]
    assert carol[0]["detail"]["text"] == "Carol's locker number is 5521"

    hidden = {ids.fix, ids.purged, ids.copy}
    assert not hidden & set(_links(_cli(settings, "bob", "log", "-n", "500")).values())
    assert {ids.fix, ids.copy} <= set(_links(_cli(settings, "carol", "log", "-n", "500")).values())

    assert not any(_named(bob_pages[i], h) for i in bob_pages for h in hidden)
    assert "Merged near-duplicate" not in bob_pages[ids.kept]  # folded in `vault`
    assert _named(bob_pages[ids.team_kept], ids.team_copy)
    assert _named(carol_pages[ids.corrected], ids.fix)
    assert _named(carol_pages[ids.kept], ids.copy)
