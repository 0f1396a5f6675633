"""A memory a principal may read can point at one it may not: its replacement (a correction
made in `team`, then moved to `vault`), or the scope it lived in before a move. Every adapter
shows such a memory as superseded without the replacement's id (`superseded_at` says when),
and a history snapshot taken in a scope the caller may not read with its values left out
(the entry stays): the CLI (`show`, `list`, `export`, `history`, run `--as NAME`), recall
over MCP on `serve --http` (by query and by ids) and the web UI. A principal that may read
`vault` sees both as stored. On both backends."""

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from memory_mcp.service.masking import WITHHELD
from tests.adapters.team_server import connect, serving


@dataclass
class Ids:
    corrected: int  # in `team`, superseded by `fix`
    fix: int  # moved to `vault`: carol reads it, bob does not
    wanderer: int  # stored in `vault` under the key `safe.code`, rekeyed, moved to `team`


def _build(service: MemoryService) -> Ids:
    corrected = service.remember("The team printer is on floor 3", scope="team").id
    fix = service.remember("The printer is on floor 4 now", replaces=corrected).id
    service.move([fix], "vault")
    wanderer = service.remember("Lab door code is in the safe", scope="vault", key="safe.code").id
    service.update(wanderer, key="lab.door")
    service.forget([wanderer], reason="sealed by the vault audit")  # a detail, no snapshot
    service.restore([wanderer])
    service.move([wanderer], "team")
    return Ids(corrected, fix, wanderer)


def _cli(settings: Settings, principal: str, *args: str) -> str:
    env = {"MEMORY_MCP_SEMANTIC": "false", "COLUMNS": "200"}
    if settings.pg_schema:
        env["MEMORY_MCP_PG_SCHEMA"] = settings.pg_schema
    result = CliRunner().invoke(app, ["--db", str(settings.db), "--as", principal, *args], env=env)
    assert result.exit_code == 0, (args, result.output, result.exception)
    return result.stdout


def _json(settings: Settings, principal: str, *args: str) -> Any:
    return json.loads(_cli(settings, principal, *args, "--json"))


async def _recalled(url: str, token: str, memory_id: int) -> list[dict[str, Any]]:
    """The hit for `memory_id` from recall by query (superseded ones included) and by id."""
    async with connect(url, token) as client:
        found = []
        for args in ({"query": "printer floor", "include_superseded": True},
                     {"ids": [memory_id]}):  # fmt: skip
            result = await client.call_tool("recall", args)
            assert not result.is_error, result.content
            found += [h for h in result.structured_content["hits"] if h["id"] == memory_id]
    assert len(found) == 2
    return found


def _ui(url: str, token: str, *paths: str) -> list[str]:
    origin = url.removesuffix("/mcp")
    with httpx2.Client(base_url=origin + "/ui", timeout=30, headers={"origin": origin}) as web:
        found = re.search(r'name="csrf" value="([^"]+)"', web.get("/login").text)
        assert found is not None
        login = web.post("/login", data={"csrf": found.group(1), "token": token})
        assert login.status_code == 303, login.text
        # A login's pages live under its marked address (/ui/s/MARK/): the cookie alone is none.
        home = httpx2.URL(origin + "/ui/").join(login.headers["location"])
        pages = [web.get(str(home.join(p.lstrip("/")))) for p in paths]
    assert all(p.status_code == 200 for p in pages), [p.text for p in pages]
    return [p.text for p in pages]


def _names(text: str, memory_id: int) -> bool:
    return re.search(rf"#{memory_id}\b|/m/{memory_id}\"|\"superseded_by\": ?{memory_id}\b",
                     text) is not None  # fmt: skip


def test_a_replacement_or_scope_the_caller_may_not_read_is_never_named(
    settings: Settings, tmp_path: Path
) -> None:
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        ids = _build(service)
        _, bob = service.team.add("bob", ["team=read"])
        _, carol = service.team.add("carol", ["team=read", "vault=read"])
        with serving(service) as url:
            bob_hits = anyio.run(_recalled, url, bob, ids.corrected)
            carol_hits = anyio.run(_recalled, url, carol, ids.corrected)
            pages = [f"/m/{ids.corrected}", f"/m/{ids.wanderer}", "/?scope=team&superseded=on"]
            bob_pages, carol_pages = _ui(url, bob, *pages), _ui(url, carol, *pages)
        service.team.add("dave", ["vault=write"])
        dave = service.as_principal(service.team.access_for("dave"))
        badge = service.remember("Badge readers log to the gatehouse", scope="vault").id
        dave.forget([badge], reason="dave read the vault badge log")
        dave.restore([badge])
        service.move([badge], "team")  # by the owner: `log --by dave` holds no move
    finally:
        service.close()

    # recall over MCP: still superseded (when, not by what) for bob; carol sees by what
    for hit in bob_hits:
        assert "superseded_by" not in hit and hit["superseded_at"]
    assert [h["superseded_by"] for h in carol_hits] == [ids.fix, ids.fix]

    # the CLI: show, list, the text views and exports
    shown = _json(settings, "bob", "show", str(ids.corrected))
    assert shown["superseded_by"] is None and shown["superseded_at"]
    assert _json(settings, "carol", "show", str(ids.corrected))["superseded_by"] == ids.fix
    listed = _json(settings, "bob", "list", "--superseded", "--scope", "team")
    assert [m["superseded_at"] is not None for m in listed if m["id"] == ids.corrected] == [True]
    texts = [_cli(settings, "bob", "show", str(ids.corrected)),
             _cli(settings, "bob", "list", "--superseded", "--scope", "team"),
             _cli(settings, "bob", "export", "-")]  # fmt: skip
    assert "superseded" in texts[0] and "superseded" in texts[1]
    assert not any(_names(t, ids.fix) for t in texts + [json.dumps(listed)])
    exported = [json.loads(line) for line in texts[2].splitlines()]
    assert [(r["superseded_by"], bool(r["superseded_at"])) for r in exported
            if r["id"] == ids.corrected] == [(None, True)]  # fmt: skip
    _cli(settings, "bob", "export", "--format", "markdown", str(tmp_path / "md"))
    markdown = (tmp_path / "md" / "team.md").read_text()
    assert "superseded by: a newer memory" in markdown and not _names(markdown, ids.fix)

    # history: the entries stay; a snapshot taken in `vault` says nothing to bob
    bob_trail = _json(settings, "bob", "history", str(ids.wanderer))
    carol_trail = _json(settings, "carol", "history", str(ids.wanderer))
    assert [e["action"] for e in bob_trail] == [e["action"] for e in carol_trail]
    assert "vault" not in json.dumps(bob_trail) and "safe.code" not in json.dumps(bob_trail)
    assert "vault" in json.dumps(carol_trail)
    forgot = [e["detail"] for e in bob_trail + carol_trail if e["action"] == "forget"]
    assert forgot == [{}, {"reason": "sealed by the vault audit"}]
    move = next(e for e in bob_trail if e["action"] == "move" or "scope" in (e["after"] or {}))
    assert move["before"]["scope"] is None and move["after"]["scope"] == "team"
    by_dave = _json(settings, "bob", "log", "--by", "dave")
    assert [(e["action"], e["detail"]) for e in by_dave] == [("restore", {}), ("forget", {})]
    for text in (_cli(settings, "bob", "history", str(ids.wanderer)),
                 _cli(settings, "bob", "log", "-n", "500")):  # fmt: skip
        assert "vault" not in text and "safe.code" not in text

    # the web UI: Details, the list's marks, the history
    assert not _names(bob_pages[0], ids.fix) and "Superseded " in bob_pages[0]
    assert _names(carol_pages[0], ids.fix)
    assert "vault" not in bob_pages[1] and "safe.code" not in bob_pages[1]
    assert "vault" in carol_pages[1] and "safe.code" in carol_pages[1]
    row = bob_pages[2][bob_pages[2].index(f"/m/{ids.corrected}") :]
    assert 'class="badge superseded"' in row[: row.index("</tr>")]


async def _summary_views(url: str, token: str, saved: int) -> tuple[list[int], list[str]]:
    """The saved summary as MCP shows it: the summaries recall finds by words the summary
    quotes, then recall by id, its resource, the recent and profile resources (it holds a
    key), and a summary of summaries quoting it."""
    async with connect(url, token) as client:
        found = await client.call_tool("recall", {"query": "staging database password monthly"})
        assert not found.is_error, found.content
        by_words = [h["id"] for h in found.structured_content["hits"] if h["kind"] == "summary"]
        by_id = await client.call_tool("recall", {"ids": [saved]})
        assert not by_id.is_error, by_id.content
        views = [json.dumps(by_id.structured_content["hits"])]
        for uri in (f"memory://{saved}", "memory://recent", "memory://profile"):
            read = await client.read_resource(uri)
            views.append(" ".join(getattr(c, "text", "") for c in read.contents))
        again = await client.call_tool("summarize", {"scope": "team", "kind": "summary"})
        assert not again.is_error, again.content
        views.append(json.dumps(again.structured_content))
    return by_words, views


SECRET = "The staging database password rotates monthly"


def test_a_saved_summary_never_shows_text_the_caller_may_not_read(settings: Settings) -> None:
    """A summary saved in `team` quotes a memory moved to `vault` since: bob, who may not
    read `vault`, is shown the summary with its text withheld everywhere (MCP recall and
    resources, the profile, a summary of summaries, the CLI's show, list, export and
    history); carol, who may, sees it as stored. A summary saved by the owner over every
    scope, moved into `team`, withholds its text from bob from the start, and so does a
    summary of those summaries saved in `team`, which quotes them. On both backends."""
    service = MemoryService.open(settings.model_copy(update={"semantic": False}))
    try:
        moved = service.remember(SECRET, scope="team").id
        service.remember("Deploys to staging happen on Thursdays", scope="team")
        saved = service.summarize(scope="team", save=True).saved_id
        assert saved is not None and f"[#{moved}]" in service.get(saved).content
        service.update(saved, key="team.digest")  # a profile value too
        service.move([moved], "vault")
        service.remember("The vault key is under the blue mat", scope="vault")
        wide = service.summarize(scope="*", save=True).saved_id  # into the default scope
        assert wide is not None and "blue mat" in service.get(wide).content
        service.move([wide], "team")
        nested = service.summarize(scope="team", kind="summary", save=True).saved_id
        assert nested is not None and SECRET in service.get(nested).content  # quotes `saved`
        _, bob = service.team.add("bob", ["team=read"])
        _, carol = service.team.add("carol", ["team=read", "vault=read"])
        with serving(service) as url:
            bob_views = anyio.run(_summary_views, url, bob, saved)
            carol_views = anyio.run(_summary_views, url, carol, saved)
    finally:
        service.close()
    # bob: shown withheld, and not found by the words it withholds (what matched was them)
    assert bob_views[0] == [] and saved in carol_views[0]
    assert all(WITHHELD in v and SECRET not in v for v in bob_views[1]), bob_views
    assert all(SECRET in v and WITHHELD not in v for v in carol_views[1][:2]), carol_views
    assert SECRET in carol_views[1][3]  # the profile
    texts = [_cli(settings, "bob", *args) for args in (
        ("show", str(saved)), ("show", str(wide)), ("show", str(nested)),
        ("list", "--scope", "team"),
        ("export", "-"), ("history", str(saved)), ("show", str(saved), "--json"),
    )]  # fmt: skip
    for text in texts:
        assert "password" not in text and "blue mat" not in text and "vault" not in text, text
    assert WITHHELD in texts[0] and WITHHELD in texts[1] and WITHHELD in texts[2]
    bob_sees = _json(settings, "bob", "show", str(saved))
    assert bob_sees["content"] == WITHHELD and moved not in bob_sees["metadata"]["sources"]
    carol_sees = _json(settings, "carol", "show", str(saved))
    assert f"[#{moved}]" in carol_sees["content"] and moved in carol_sees["metadata"]["sources"]
    assert "blue mat" in _json(settings, "carol", "show", str(wide))["content"]
