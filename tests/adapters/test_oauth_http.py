"""`serve --http` as an OAuth 2.1 protected resource: JWT access tokens from an issuer whose
keys are served on loopback (no external service), its protected-resource metadata, and the
principal and grants a token's claims make."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx2
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.adapters.team_server import OWNER_TOKEN, Issuer, connect, ping, serving


@pytest.fixture
def issuer() -> Iterator[Issuer]:
    found = Issuer()
    yield found
    found.close()


@pytest.fixture
def oauth_service(tmp_path: Path, issuer: Issuer) -> Iterator[MemoryService]:
    settings = Settings(
        db=tmp_path / "oauth.db", semantic=False, oauth_issuer=issuer.url,
        oauth_jwks_url=issuer.jwks_url, oauth_audience="memory",
        oauth_grants_claim="memory_grants",
    )  # fmt: skip
    service = MemoryService.open(settings)
    yield service
    service.close()


def test_metadata_points_at_the_issuer_and_401_points_at_the_metadata(
    oauth_service: MemoryService, issuer: Issuer
) -> None:
    with serving(oauth_service, token=None) as url:
        refused = ping(url, None)
        assert refused.status_code == 401
        challenge = refused.headers["www-authenticate"]
        metadata_url = url.replace("/mcp", "/.well-known/oauth-protected-resource/mcp")
        assert f'resource_metadata="{metadata_url}"' in challenge
        metadata = httpx2.get(metadata_url).json()
        assert metadata["resource"] == url
        assert metadata["authorization_servers"] == [issuer.url]


# Claims made from the time the test runs, not the time it was collected: "not yet valid"
# was `nbf: now + 600` at collection, so a test reached more than ten minutes later (a whole
# suite under load) sent a token that had become valid, and failed.
@pytest.mark.parametrize(
    "claims",
    [
        lambda now: {"aud": "someone-else"},
        lambda now: {"iss": "https://evil.example.test"},
        lambda now: {"exp": now - 3600},
        lambda now: {"nbf": now + 3600},
        lambda now: {"sub": 42},
    ],
    ids=["wrong-audience", "wrong-issuer", "expired", "not-yet-valid", "no-principal"],
)
def test_a_bad_jwt_gets_401(
    oauth_service: MemoryService, issuer: Issuer, claims: Callable[[int], dict[str, Any]]
) -> None:
    with serving(oauth_service, token=None) as url:
        assert ping(url, issuer.token()).status_code != 401  # the same token, valid
        assert ping(url, issuer.token(**claims(int(time.time())))).status_code == 401


def test_a_forged_or_unsigned_jwt_gets_401(oauth_service: MemoryService, issuer: Issuer) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    body = {"iss": issuer.url, "aud": "memory", "sub": "alice", "exp": now + 300}
    forged = [
        issuer.token(key=other),  # same kid, another key: the signature does not verify
        jwt.encode(
            body,
            "a-shared-secret-of-enough-length-xx",
            algorithm="HS256",
            headers={"kid": issuer.kid},
        ),  # fmt: skip
        jwt.encode(body, None, algorithm="none", headers={"kid": issuer.kid}),
        issuer.token()[:-4] + "AAAA",
    ]
    with serving(oauth_service, token=None) as url:
        for token in forged:
            assert ping(url, token).status_code == 401, token


async def _as_jwt_principals(url: str, issuer: Issuer) -> None:
    alice = issuer.token(sub="alice", memory_grants=["team=write"])
    async with connect(url, alice) as client:
        made = await client.call_tool("remember", {"content": "Team lunch is at noon",
                                                   "scope": "team"})  # fmt: skip
        assert not made.is_error
        mine = await client.call_tool("remember", {"content": "Alice's own note"})
        assert mine.structured_content["scope"] == "user/alice"  # type: ignore[index]
    # Without a grants claim, the grants set with the CLI for that principal apply.
    carol = issuer.token(sub="carol")
    async with connect(url, carol) as client:
        found = await client.call_tool("recall", {"query": "lunch", "scope": "*"})
        assert [h["content"] for h in found.structured_content["hits"]] == [  # type: ignore[index]
            "Team lunch is at noon"
        ]
        refused = await client.call_tool("remember", {"content": "x", "scope": "team"})
        assert refused.is_error
        hidden = await client.call_tool("recall", {"query": "note", "scope": "*"})
        assert not hidden.structured_content.get("hits")  # type: ignore[union-attr]


def test_claims_make_the_principal_and_its_grants(
    oauth_service: MemoryService, issuer: Issuer
) -> None:
    oauth_service.team.set_grants("carol", ["team=read"])
    with serving(oauth_service, token=None) as url:
        anyio.run(_as_jwt_principals, url, issuer)
    assert {e.principal for e in oauth_service.history()} == {"alice"}


def test_an_unreachable_issuer_is_not_asked_again_for_every_jwt(tmp_path: Path) -> None:
    """Anyone can send a well-formed JWT: while the issuer's JWKS cannot be reached, one
    attempt is made and later JWTs are refused at once, rather than each holding a thread
    (which the database calls need too) for the fetch's timeout."""
    import socket
    import struct
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    attempts: list[int] = []

    def refuse() -> None:  # accept and hang up at once: the fetch fails
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            attempts.append(1)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()  # a reset: an OSError in the fetch, not only urllib's own errors

    threading.Thread(target=refuse, daemon=True).start()
    jwks = f"http://127.0.0.1:{listener.getsockname()[1]}/certs"
    forger = Issuer()
    settings = Settings(
        db=tmp_path / "down.db", semantic=False, oauth_issuer=forger.url,
        oauth_jwks_url=jwks, oauth_audience="memory",
    )  # fmt: skip
    service = MemoryService.open(settings)
    try:
        with serving(service) as url:
            for n in range(5):
                assert ping(url, forger.token(jti=str(n))).status_code == 401
            assert ping(url, OWNER_TOKEN).status_code != 401  # other callers unaffected
    finally:
        service.close()
        forger.close()
        listener.close()
    assert len(attempts) == 1
