"""`serve --http` as an OAuth 2.1 protected resource (the MCP authorization spec): JWT access
tokens from an organisation's authorization server, checked against the issuer's JWKS
(signature, issuer, audience, expiry, not-before), and the protected-resource metadata
(RFC 9728) that tells clients where to get one."""

import json
import logging
import threading
import time
import urllib.request
from typing import TYPE_CHECKING, Any

import anyio.to_thread
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.routes import build_resource_metadata_url, create_protected_resource_routes
from pydantic import AnyHttpUrl
from starlette.applications import Starlette

from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput

if TYPE_CHECKING:  # PyJWT and cryptography: a fifth of a second, only for JWT callers
    import jwt

logger = logging.getLogger(__name__)

# Asymmetric algorithms only: a shared-secret (HS*) or unsigned token is never accepted.
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA"]  # fmt: skip
LEEWAY_S = 30  # clock skew allowed on exp / nbf
JWKS_CACHE_S = 300
FETCH_TIMEOUT_S = 5
# After the issuer could not be reached, JWTs are refused without trying again for this long:
# anyone can send a well-formed JWT, and each would otherwise hold a worker thread for up to
# FETCH_TIMEOUT_S (the threads the database calls need too) while the issuer is down.
UNREACHABLE_S = 30.0


class JwtVerifier:
    """Validates an issuer's JWT access tokens (an `mcp` SDK TokenVerifier)."""

    def __init__(
        self,
        issuer: str,
        audience: str,
        jwks_url: str | None = None,
        principal_claim: str = "sub",
        grants_claim: str | None = None,
    ) -> None:
        self.issuer = issuer
        self.audience = audience
        self.principal_claim = principal_claim
        self.grants_claim = grants_claim
        self._jwks_url = jwks_url
        self._client: jwt.PyJWKClient | None = None
        self._lock = threading.Lock()
        self._unreachable_until = 0.0  # time.monotonic() before which the issuer is not tried

    @classmethod
    def from_settings(cls, settings: Settings, resource: str) -> "JwtVerifier | None":
        if not settings.oauth_issuer:
            return None
        return cls(
            settings.oauth_issuer,
            settings.oauth_audience or resource,
            settings.oauth_jwks_url,
            settings.oauth_principal_claim,
            settings.oauth_grants_claim,
        )

    def claims(self, token: str) -> dict[str, Any] | None:
        """The token's claims if it is valid for us, else None (blocking: fetches the JWKS
        when a key is not cached)."""
        import jwt

        if time.monotonic() < self._unreachable_until:
            return None
        try:
            key = self._keys().get_signing_key_from_jwt(token)
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                leeway=LEEWAY_S,
                options={"require": ["exp", "iss", "aud"]},
            )
        except (jwt.PyJWKClientConnectionError, OSError) as exc:  # a reset is an OSError
            self._unreachable_until = time.monotonic() + UNREACHABLE_S
            logger.warning("JWTs refused for %d s: the issuer's JWKS is unreachable (%s)",
                           UNREACHABLE_S, exc)  # fmt: skip
            return None
        except jwt.PyJWKClientError as exc:
            logger.warning("JWT refused: no usable key from the issuer's JWKS (%s)", exc)
            return None
        except jwt.PyJWTError as exc:
            logger.info("JWT refused: %s", exc)
            return None
        if not isinstance(claims.get(self.principal_claim), str):
            logger.info("JWT refused: no %r claim naming the principal", self.principal_claim)
            return None
        return claims

    def principal(self, claims: dict[str, Any]) -> tuple[str, list[str] | None]:
        """(principal name, grants from the claim or None to use the stored ones)."""
        name = str(claims[self.principal_claim])
        if self.grants_claim is None or self.grants_claim not in claims:
            return name, None
        raw = claims[self.grants_claim]
        items = raw.split() if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            return name, []
        return name, items

    async def verify_token(self, token: str) -> AccessToken | None:
        """The SDK's TokenVerifier protocol."""
        claims = await anyio.to_thread.run_sync(self.claims, token)
        if claims is None:
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("azp") or claims.get("client_id") or claims["iss"]),
            scopes=str(claims.get("scope", "")).split(),
            expires_at=int(claims["exp"]),
            resource=self.audience,
            subject=str(claims.get("sub", "")) or None,
            claims=claims,
        )

    def _keys(self) -> "jwt.PyJWKClient":
        import jwt

        with self._lock:
            if self._client is None:
                url = self._jwks_url or discover_jwks(self.issuer)
                self._client = jwt.PyJWKClient(
                    url, cache_keys=True, lifespan=JWKS_CACHE_S, timeout=FETCH_TIMEOUT_S
                )
            return self._client


def discover_jwks(issuer: str) -> str:
    """The issuer's `jwks_uri` from its OpenID or OAuth discovery document."""
    import jwt

    base = issuer.rstrip("/")
    for path in ("/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"):
        try:
            with urllib.request.urlopen(base + path, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
                found = json.loads(response.read(1_000_000)).get("jwks_uri")
        except (OSError, ValueError) as exc:
            logger.info("No discovery document at %s%s: %s", base, path, exc)
            continue
        if isinstance(found, str):
            return found
    # as unreachable: each JWT would otherwise try both documents again
    raise jwt.PyJWKClientConnectionError(
        f"no jwks_uri found for {issuer}; set MEMORY_MCP_OAUTH_JWKS_URL"
    )


def metadata_app(resource: str, issuer: str) -> tuple[Starlette, str]:
    """The RFC 9728 metadata routes (served without a token), and their URL."""
    try:
        url = AnyHttpUrl(resource)
        routes = create_protected_resource_routes(
            resource_url=url,
            authorization_servers=[AnyHttpUrl(issuer)],
            resource_name="memory-mcp",
        )
    except ValueError as exc:
        raise InvalidInput(f"OAuth settings: {exc}") from None
    return Starlette(routes=routes), str(build_resource_metadata_url(url))
