"""The web UI of a team's `serve --http` (real HTTP on loopback, an httpx client): a principal
logs into /ui with its own token and the pages obey its grants exactly as the tools do; a
revoked or rotated token ends its sessions on the next request; the owner sees everything."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.team_server import OWNER_TOKEN, Issuer, serving

ALICE = "Alice keeps locker number 4417"
BOB = "Bob keeps locker number 9931"
TEAM = "The team locker room is B2"


class Team:
    def __init__(self, service: MemoryService, url: str) -> None:
        self.service = service
        self.origin = url.removesuffix("/mcp")
        self.ui = self.origin + "/ui"
        _, self.alice = service.team.add("alice", ["team=write"])
        _, self.bob = service.team.add("bob", ["team=read"])
        self.clients: list[httpx2.Client] = []
        self.ids = {
            "alice": service.remember(ALICE, scope="user/alice").id,
            "bob": service.remember(BOB, scope="user/bob").id,
            "team": service.remember(TEAM, scope="team").id,
        }

    def client(self, **headers: str) -> httpx2.Client:
        """An HTTP client of the pages (closed when the test ends)."""
        web = httpx2.Client(base_url=self.ui, timeout=10, headers=headers)
        self.clients.append(web)
        return web

    def close(self) -> None:
        for web in self.clients:
            web.close()

    def browser(self, token: str) -> httpx2.Client:
        """A client that logged in through the login form, as a browser does."""
        web = self.client(origin=self.origin)
        form = web.get("/login").text
        found = re.search(r'name="csrf" value="([^"]+)"', form)
        assert found is not None
        done = web.post("/login", data={"csrf": found.group(1), "token": token})
        assert done.status_code == 303, done.text
        cookie = done.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert token.lower() not in cookie  # the cookie names a session, not the token
        # this login's pages: under its path mark (the cookie alone is no login)
        assert web.get("/").headers.get("location") == "/ui/login"
        home = done.headers["location"]
        assert re.fullmatch(r"/ui/s/[A-Za-z0-9_-]{32}/", home), home
        web.base_url = self.origin + home.rstrip("/")
        return web

    @staticmethod
    def csrf(web: httpx2.Client) -> str:
        found = re.search(r'name="csrf-token" content="([^"]+)"', web.get("/").text)
        assert found is not None
        return found.group(1)


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    service = MemoryService.open(Settings(db=tmp_path / "team.db", semantic=False))
    try:
        with serving(service) as url:
            team = Team(service, url)
            yield team
            team.close()
    finally:
        service.close()


def exported_ids(web: httpx2.Client) -> set[int]:
    response = web.get("/export.jsonl")
    assert response.status_code == 200
    return {json.loads(line)["id"] for line in response.text.splitlines()}


def test_a_principal_sees_its_own_and_team_memories_never_anothers(team: Team) -> None:
    alice = team.browser(team.alice)
    for page in (alice.get("/?q=locker").text, alice.get("/").text):
        assert ALICE in page and TEAM in page and BOB not in page
    assert BOB not in alice.get("/?q=9931&scope=user/bob").text
    assert "user/bob" not in alice.get("/").text  # not even among the scopes to filter by
    hidden, never = alice.get(f"/m/{team.ids['bob']}"), alice.get("/m/999999")
    assert hidden.status_code == never.status_code == 404
    assert f"No memory with id {team.ids['bob']}." in hidden.text
    overview = alice.get("/overview").text
    assert "user/bob" not in overview and "9931" not in overview
    assert "user/alice" in overview and ">team<" in overview
    assert exported_ids(alice) == {team.ids["alice"], team.ids["team"]}
    # changing a memory it cannot read is the same "not found", and changes nothing
    csrf = team.csrf(alice)
    forget = alice.post(f"/m/{team.ids['bob']}/forget", data={"csrf": csrf})
    assert forget.status_code == 404
    purge = alice.post("/purge", data={"csrf": csrf, "id": team.ids["bob"], "confirm": "yes"})
    assert purge.status_code == 404
    assert alice.get(f"/purge?id={team.ids['bob']}").status_code == 404  # no confirmation page
    bob_memory = team.service.get(team.ids["bob"])
    assert bob_memory.forgotten_at is None and bob_memory.content == BOB
    # a change it may make is recorded as hers
    edit = {"csrf": csrf, "content": TEAM + " (second floor)", "kind": "fact", "tags": "",
            "scope": "team", "key": "", "occurred_at": "", "expires_at": ""}  # fmt: skip
    assert alice.post(f"/m/{team.ids['team']}/edit", data=edit).status_code == 303
    entry = team.service.history(team.ids["team"])[0]
    assert (entry.action, entry.client, entry.principal) == ("edit", "ui", "alice")


def test_a_read_only_grant_cannot_edit_or_forget(team: Team) -> None:
    bob = team.browser(team.bob)
    assert TEAM in bob.get(f"/m/{team.ids['team']}").text
    csrf, memory_id = team.csrf(bob), team.ids["team"]
    refusal = "do not allow writing to scope &#x27;team&#x27;"
    forget = bob.post(f"/m/{memory_id}/forget", data={"csrf": csrf})
    assert forget.status_code == 403 and refusal in forget.text
    edit = {"csrf": csrf, "content": "Bob moved the locker room", "kind": "fact", "tags": "",
            "scope": "team", "key": "", "occurred_at": "", "expires_at": ""}  # fmt: skip
    edited = bob.post(f"/m/{memory_id}/edit", data=edit)
    assert edited.status_code == 403 and refusal in edited.text
    bulk = bob.post("/bulk", data={"csrf": csrf, "action": "forget", "id": memory_id})
    assert bulk.status_code == 403
    purge = bob.post("/purge", data={"csrf": csrf, "id": memory_id, "confirm": "yes"})
    assert purge.status_code == 403
    kept = team.service.get(memory_id)
    assert kept.content == TEAM and kept.forgotten_at is None
    # moving his own memory into the team needs write there too
    own = team.service.remember("A note of Bob", scope="user/bob").id
    moved = bob.post("/bulk", data={"csrf": csrf, "action": "move", "to": "team", "id": own})
    assert moved.status_code == 403 and team.service.get(own).scope == "user/bob"
    # imports obey the service's rules too (a JSONL restore is the owner's): nothing lands
    line = json.dumps({"content": "Smuggled into the team", "scope": "team"}) + "\n"
    files = {"file": ("in.jsonl", line.encode(), "application/x-ndjson")}
    before = team.service.count(team.service.make_filter())
    imported = bob.post("/import", data={"csrf": csrf, "format": "jsonl"}, files=files)
    assert imported.status_code == 403 and "Only the database owner may" in imported.text
    assert team.service.count(team.service.make_filter()) == before


def test_a_revoked_or_rotated_token_ends_its_session_on_the_next_request(team: Team) -> None:
    alice, bob = team.browser(team.alice), team.browser(team.bob)
    csrf = team.csrf(alice)
    assert alice.get("/").status_code == 200 and bob.get("/").status_code == 200
    team.service.team.revoke("alice")
    team.service.team.rotate("bob")
    for web in (alice, bob):
        page = web.get("/")
        assert page.status_code == 303 and page.headers["location"] == "/ui/login"
    forget = alice.post(f"/m/{team.ids['alice']}/forget", data={"csrf": csrf})
    assert forget.status_code == 401 and "Not saved" in forget.text  # not lost in a redirect
    assert team.service.get(team.ids["alice"]).forgotten_at is None
    stale = team.client(origin=team.origin)
    login = re.search(r'name="csrf" value="([^"]+)"', stale.get("/login").text)
    assert login is not None
    again = stale.post("/login", data={"csrf": login.group(1), "token": team.alice})
    assert again.status_code == 401
    forged = team.client(cookie=f"memory_mcp_ui_{team.origin.rsplit(':', 1)[1]}=x.y")
    assert forged.get("/").status_code == 303


def test_the_owner_sees_everything_and_a_bearer_header_works_too(team: Team) -> None:
    owner = team.browser(OWNER_TOKEN)
    assert exported_ids(owner) == set(team.ids.values())
    assert BOB in owner.get(f"/m/{team.ids['bob']}").text
    bearer = team.client(authorization=f"Bearer {team.alice}")
    assert exported_ids(bearer) == {team.ids["alice"], team.ids["team"]}


def test_a_principals_pages_share_its_rate_limit(tmp_path: Path) -> None:
    settings = Settings(db=tmp_path / "team.db", semantic=False, http_rate_limit=6)
    service = MemoryService.open(settings)
    try:
        with serving(service) as url:
            team = Team(service, url)
            try:
                web = team.client(authorization=f"Bearer {team.alice}")
                assert web.get("/").status_code == 200
                slowed = web.get("/")
                assert slowed.status_code == 429 and "retry-after" in slowed.headers
                owner_web = team.client(authorization=f"Bearer {OWNER_TOKEN}")
                assert all(owner_web.get("/").status_code == 200 for _ in range(3))
            finally:
                team.close()
    finally:
        service.close()


def test_an_organisations_jwt_logs_in_with_the_grants_it_carries(tmp_path: Path) -> None:
    issuer = Issuer()
    settings = Settings(
        db=tmp_path / "oauth.db", semantic=False, oauth_issuer=issuer.url,
        oauth_jwks_url=issuer.jwks_url, oauth_audience="memory",
        oauth_grants_claim="memory_grants",
    )  # fmt: skip
    service = MemoryService.open(settings)
    try:
        with serving(service) as url:
            team = Team(service, url)
            try:
                jwt = issuer.token(sub="carol", memory_grants=["team=read"])
                carol = team.browser(jwt)
                assert exported_ids(carol) == {team.ids["team"]}
                wrong = issuer.token(sub="carol", aud="someone-else")
                assert team.client(authorization=f"Bearer {wrong}").get("/").status_code == 303
            finally:
                team.close()
    finally:
        service.close()
        issuer.close()


def test_a_body_is_bounded_by_who_sends_it(team: Team) -> None:
    """Only the owner may upload an import of any size: someone not logged in (the login form
    is open to all) or a team member gets 413 past MEMORY_MCP_HTTP_MAX_BODY_KB, as the tools
    do, before the server reads (and spools to disk) the rest."""
    big = b"x" * (2 * 1024 * 1024)  # the default limit is 1 MiB
    stranger = team.client(origin=team.origin)
    form = re.search(r'name="csrf" value="([^"]+)"', stranger.get("/login").text)
    assert form is not None
    login = stranger.post(
        "/login", data={"csrf": form.group(1), "token": "x"}, files={"file": ("f", big)}
    )
    assert login.status_code == 413
    bob = team.browser(team.bob)
    upload = {"file": ("export.jsonl", big)}
    refused = bob.post("/import", data={"csrf": team.csrf(bob), "format": "jsonl"}, files=upload)
    assert refused.status_code == 413
    lines = [
        json.dumps(
            {
                "id": 1000 + i,
                "content": f"Imported fact number {i} " + "y" * 200,
                "kind": "note",
                "scope": "team",
            }
        )  # fmt: skip
        for i in range(10_000)
    ]
    jsonl = ("\n".join(lines) + "\n").encode()
    assert len(jsonl) > 2 * 1024 * 1024
    owner = team.browser(OWNER_TOKEN)
    done = owner.post(
        "/import",
        data={"csrf": team.csrf(owner), "format": "jsonl"},
        files={"file": ("export.jsonl", jsonl)},
        timeout=120,  # 10,000 rows stored before the reply: seconds on a loaded machine
    )
    assert done.status_code == 200, done.text[-500:]
    assert "10000" in done.text.replace(",", "")
