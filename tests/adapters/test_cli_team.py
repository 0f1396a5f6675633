"""`memory-mcp token add|list|revoke|rotate|grant`, `log --by` and `--as NAME`."""

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    db = tmp_path / "cli.db"
    MemoryService.open(Settings(db=db, semantic=False)).close()
    monkeypatch.setenv("MEMORY_MCP_SEMANTIC", "false")
    monkeypatch.setenv("MEMORY_MCP_TOKEN_FILE", str(tmp_path / "owner-token"))
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["--db", str(db), *args])
        assert result.exit_code == code, (result.output, result.stderr, result.exception)
        return result.stdout if code == 0 else result.stderr

    invoke.db = db  # type: ignore[attr-defined]
    return invoke


def test_tokens_are_shown_once_and_stored_as_a_hash(cli) -> None:  # type: ignore[no-untyped-def]
    token = cli("token", "add", "alice", "--grant", "team/*=write", "--expires", "90d").strip()
    assert token.startswith("mm_") and len(token) > 40
    raw = cli.db.read_bytes()
    assert token.encode() not in raw
    assert hashlib.sha256(token.encode()).hexdigest().encode() in raw
    listing = json.loads(cli("token", "list", "--json"))["principals"]
    assert listing[0]["name"] == "alice" and listing[0]["grants"] == ["team/*=write"]
    assert listing[0]["expires_at"] and token not in json.dumps(listing)
    assert "already has a token" in cli("token", "add", "alice", code=1)
    assert "PATTERN=read or PATTERN=write" in cli("token", "add", "bob", "-g", "x=admin", code=1)
    rotated = cli("token", "rotate", "alice").strip()
    assert rotated != token and rotated.startswith("mm_")
    cli("token", "revoke", "alice")
    assert json.loads(cli("token", "list", "--json"))["principals"][0]["has_token"] is False
    assert "No principal named 'zed'" in cli("token", "revoke", "zed", code=1)
    # The owner's own token works as before.
    owner = cli("token").strip()
    assert owner and cli("token").strip() == owner and cli("token", "--rotate").strip() != owner


def test_as_a_principal_the_cli_obeys_its_grants(cli) -> None:  # type: ignore[no-untyped-def]
    cli("token", "grant", "bob", "-g", "team=read")
    cli("--as", "alice", "remember", "Alice's private plan")
    cli("remember", "The team meets on Mondays", "--scope", "team")
    stored = json.loads(cli("--as", "bob", "remember", "Bob's note", "--json"))
    assert stored["scope"] == "user/bob"
    assert "do not allow writing" in cli("--as", "bob", "remember", "x", "--scope", "team", code=1)
    listed = json.loads(cli("--as", "bob", "list", "--json"))
    assert {m["scope"] for m in listed} == {"team", "user/bob"}
    assert "No memory with id 1." in cli("--as", "bob", "show", "1", code=1)
    assert "Alice" not in cli("--as", "bob", "export", "-")
    assert "Only the database owner" in cli("--as", "bob", "doctor", code=1)
    by_alice = json.loads(cli("log", "--by", "alice", "--json"))
    assert [e["memory_id"] for e in by_alice] == [1] and by_alice[0]["principal"] == "alice"
    assert json.loads(cli("--as", "bob", "log", "--json"))[0]["memory_id"] != 1


def test_a_stdio_server_run_as_a_principal_obeys_its_grants(tmp_path: Path) -> None:
    """`memory-mcp --as bob serve`: the server every tool call goes through acts as bob,
    with the grants stored for him at the time of each call."""
    import anyio
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server

    service = MemoryService.open(Settings(db=tmp_path / "stdio.db", semantic=False))
    service.remember("The owner's private plan")
    service.remember("The team meets on Mondays", scope="team")
    service.team.set_grants("bob", ["team=read"])

    async def main() -> None:
        async with Client(build_server(service, load_model=False, principal="bob")) as client:
            found = await client.call_tool("recall", {"query": "plan meets", "scope": "*"})
            hits = found.structured_content["hits"]  # type: ignore[index]
            assert [h["scope"] for h in hits] == ["team"]
            made = await client.call_tool("remember", {"content": "Bob's stdio note"})
            assert made.structured_content["scope"] == "user/bob"  # type: ignore[index]
            service.team.set_grants("bob", [])  # takes effect on the next call
            found = await client.call_tool("recall", {"query": "meets", "scope": "*"})
            assert not found.structured_content.get("hits")  # type: ignore[union-attr]

    try:
        anyio.run(main)
        assert service.history(by="bob")[0].action == "create"
    finally:
        service.close()


def test_serve_http_refuses_as(cli) -> None:  # type: ignore[no-untyped-def]
    assert "--as is for stdio" in cli("--as", "bob", "serve", "--http", code=1)


def test_stats_as_a_principal_leave_out_what_they_do_not_tell(cli) -> None:  # type: ignore[no-untyped-def]
    """`stats --as bob` printed `database` empty, `size 0 bytes` and `embedded 0`: the
    principal is not told the file, its size or the vectors (everyone's), and a made-up 0
    read as an empty database."""
    cli("token", "grant", "bob", "-g", "team=read")
    cli("remember", "The team meets on Mondays", "--scope", "team")
    shown = cli("--as", "bob", "stats")
    assert "team" in shown and "memories" in shown
    for absent in ("size", "bytes", "database", "embedded"):
        assert absent not in shown, shown
    told = json.loads(cli("--as", "bob", "stats", "--json"))
    assert (told["db_path"], told["db_bytes"], told["embedded"], told["total"]) == (
        None, None, None, 1,
    )  # fmt: skip
    owner = cli("stats")
    assert "size" in owner and "database" in owner and "embedded" in owner


def test_as_a_name_no_token_or_grant_knows_is_said(tmp_path: Path) -> None:
    """A typo in --as used to act, and write, silently as a principal nobody has."""
    db = tmp_path / "as.db"
    MemoryService.open(Settings(db=db, semantic=False)).close()
    runner = CliRunner()
    env = {"MEMORY_MCP_SEMANTIC": "false"}
    runner.invoke(app, ["--db", str(db), "token", "add", "alice"], env=env)
    typo = runner.invoke(app, ["--db", str(db), "--as", "alcie", "list"], env=env)
    assert typo.exit_code == 0
    assert "No principal named 'alcie' has a token or grants" in typo.stderr
    assert "acting with its own scope user/alcie only" in typo.stderr
    known = runner.invoke(app, ["--db", str(db), "--as", "alice", "list"], env=env)
    assert known.exit_code == 0 and "No principal named" not in known.stderr
