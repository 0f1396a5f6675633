"""Rotating a principal's token replaces the secret, not the lifetime its owner chose."""

from datetime import datetime, timedelta

from memory_mcp.service import MemoryService


def _lifetime(service: MemoryService, name: str) -> timedelta | None:
    record = next(r for r in service.team.list() if r.name == name)
    if record.expires_at is None or record.token_created_at is None:
        return None
    return datetime.fromisoformat(record.expires_at) - datetime.fromisoformat(
        record.token_created_at
    )


def test_a_rotated_token_lives_as_long_as_the_one_it_replaces(service: MemoryService) -> None:
    """`token add bob --expires 90d`, then `token rotate bob`: the new token never expired,
    silently turning a 90-day credential into a permanent one."""
    _, first = service.team.add("bob", ["team/*=read"], expires="90d")
    lifetime = _lifetime(service, "bob")
    assert lifetime is not None and abs(lifetime - timedelta(days=90)) < timedelta(seconds=1)
    _, second = service.team.rotate("bob")
    assert second != first
    assert service.team.authenticate(first) is None
    assert service.team.authenticate(second) is not None
    lifetime = _lifetime(service, "bob")
    assert lifetime is not None and abs(lifetime - timedelta(days=90)) < timedelta(seconds=1)


def test_rotate_with_expires_sets_a_new_lifetime_and_none_stays_none(
    service: MemoryService,
) -> None:
    service.team.add("bob", ["team/*=read"], expires="90d")
    service.team.rotate("bob", expires="7d")
    lifetime = _lifetime(service, "bob")
    assert lifetime is not None and abs(lifetime - timedelta(days=7)) < timedelta(seconds=1)
    service.team.add("alice", ["team/*=write"])
    service.team.rotate("alice")
    assert _lifetime(service, "alice") is None
