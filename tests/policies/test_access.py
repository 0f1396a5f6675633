"""Grants and principals, pure: what a scope pattern covers, what a principal may do."""

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.policies import access
from memory_mcp.policies.access import OWNER, Grant


def test_a_pattern_is_a_scope_or_a_prefix() -> None:
    team = Grant("team/*", "read")
    assert team.covers("team/x") and team.covers("team/a/b") and team.covers("team/")
    assert not team.covers("team") and not team.covers("teams/x") and not team.covers("TEAM/x")
    exact = Grant("user/alice", "write")
    assert exact.covers("user/alice") and not exact.covers("user/alice2")
    assert Grant("*", "read").covers("anything at all")


def test_write_includes_read_and_home_is_always_writable() -> None:
    alice = access.principal("alice", access.parse_grants(["team/*=read", "shared=write"]))
    assert alice.home == "user/alice"
    assert alice.can_write("user/alice") and alice.can_read("user/alice")
    assert alice.can_read("team/x") and not alice.can_write("team/x")
    assert alice.can_read("shared") and alice.can_write("shared")
    assert not alice.can_read("user/bob") and not alice.can_read("global")
    assert alice.readable(["global", "team/x", "user/bob", "user/alice"]) == [
        "team/x",
        "user/alice",
    ]
    assert OWNER.unrestricted and OWNER.can_write("user/bob")
    assert not access.principal("bob", ()).unrestricted


@pytest.mark.parametrize(
    ("text", "grant"),
    [
        ("team/*=write", Grant("team/*", "write")),
        ("team/*", Grant("team/*", "read")),
        (" github.com/acme/* = READ ", Grant("github.com/acme/*", "read")),
        ("*=read", Grant("*", "read")),
    ],
)
def test_grants_parse(text: str, grant: Grant) -> None:
    assert access.parse_grant(text) == grant
    assert access.parse_grant(str(grant)) == grant


@pytest.mark.parametrize(
    "text", ["te*am=read", "*team=read", "team/*=admin", "=read", "a\x00=read"]
)
def test_bad_grants_are_refused_with_a_message(text: str) -> None:
    with pytest.raises(InvalidInput, match="grant"):
        access.parse_grant(text)


@pytest.mark.parametrize("name", ["", "owner", "Owner", "a b", "-x", "x" * 65, "a/b"])
def test_bad_principal_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        access.check_name(name)


def test_names_may_be_logins_or_addresses() -> None:
    assert access.check_name(" alice@example.com ") == "alice@example.com"
    assert access.check_name("bob.smith+ci") == "bob.smith+ci"
    assert access.check_name("auth0|5f7c8ec7c33c6c004bbafe82") == "auth0|5f7c8ec7c33c6c004bbafe82"
