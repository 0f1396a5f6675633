"""`memory-mcp serve --http` as a process, configured only through the environment and the
CLI: a principal's token from `memory-mcp token add`, and an organisation's JWTs."""

import subprocess
from pathlib import Path

import anyio
import pytest

from tests.adapters.team_server import Issuer, connect, ping
from tests.adapters.test_http import principal_token, servers, start  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow


def test_serve_http_with_principal_tokens_and_oauth(
    tmp_path: Path,
    servers: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    alice = principal_token(tmp_path, "alice", "team=write")
    issuer = Issuer()
    try:
        env = {"MEMORY_MCP_OAUTH_ISSUER": issuer.url, "MEMORY_MCP_OAUTH_JWKS_URL":
               issuer.jwks_url, "MEMORY_MCP_OAUTH_AUDIENCE": "memory",
               "MEMORY_MCP_OAUTH_GRANTS_CLAIM": "memory_grants"}  # fmt: skip
        proc, port = start(tmp_path, extra_env=env)
        servers.append(proc)
        url = f"http://127.0.0.1:{port}/mcp"
        assert ping(url, None).status_code == 401
        assert ping(url, issuer.token(aud="other")).status_code == 401

        async def use() -> None:
            async with connect(url, alice) as client:
                made = await client.call_tool("remember", {"content": "Standup is at ten",
                                                           "scope": "team"})  # fmt: skip
                assert not made.is_error, made.content
            bob = issuer.token(sub="bob", memory_grants="team=read")
            async with connect(url, bob) as client:
                found = await client.call_tool("recall", {"query": "standup", "scope": "*"})
                assert found.structured_content["hits"][0]["scope"] == "team"  # type: ignore[index]
                refused = await client.call_tool("remember", {"content": "x", "scope": "team"})
                assert refused.is_error

        anyio.run(use)
    finally:
        issuer.close()
