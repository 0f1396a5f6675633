"""Shared fixtures: a deterministic fake embedder, settings on tmp_path, a service on both."""

import hashlib
import json
import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from memory_mcp.config import Settings
from memory_mcp.policies.text import tokens
from memory_mcp.service import MemoryService

FAKE_DIM = 8
REPO = Path(__file__).resolve().parent.parent
SHARED_MODEL = REPO.parent / "shared" / "models" / "all-MiniLM-L6-v2-onnx"


class FakeEmbedder:
    """Deterministic 8-d bag-of-hashed-words vectors: texts sharing words are similar."""

    def __init__(self, dim: int = FAKE_DIM, model_name: str = "fake/hashed-words") -> None:
        self.model_name = model_name
        self._dim = dim
        self.calls = 0

    @property
    def dim(self) -> int:
        return self._dim

    def load(self) -> None:
        pass

    def _one(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        for word in tokens(text) or ["empty"]:
            digest = hashlib.sha256(word.encode()).digest()
            vec[digest[0] % self._dim] += 1.0 + digest[1] / 255
        return vec / np.linalg.norm(vec)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self._dim))

    def embed_query(self, text: str) -> np.ndarray:
        self.calls += 1
        return self._one(text)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches a real database or the user's data dir."""
    monkeypatch.setenv("MEMORY_MCP_DB", str(tmp_path / "env-default.db"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # where models download


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(db=tmp_path / "memory.db")


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


def _opened(settings: Settings, embedder: Any) -> Iterator[MemoryService]:
    svc = MemoryService.open(settings, embedder=embedder)
    assert svc.semantic.ensure()
    yield svc
    svc.close()


@pytest.fixture
def service(settings: Settings, embedder: FakeEmbedder) -> Iterator[MemoryService]:
    yield from _opened(settings, embedder)


@pytest.fixture
def real_service(settings: Settings, real_embedder: Any) -> Iterator[MemoryService]:
    """`service` with the real model (tests marked `model`)."""
    yield from _opened(settings, real_embedder)


@pytest.fixture
def keyword_service(settings: Settings) -> Iterator[MemoryService]:
    """A service whose semantic search is switched off."""
    svc = MemoryService.open(settings.model_copy(update={"semantic": False}))
    yield svc
    svc.close()


def real_model_dir() -> Path | None:
    """MEMORY_MCP_MODEL_DIR when set (it must then work), else the shared copy if present."""
    given = os.environ.get("MEMORY_MCP_MODEL_DIR")
    if given:
        return Path(given)
    return SHARED_MODEL if SHARED_MODEL.is_dir() else None


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The real model: tests using it skip only when no model dir is configured or found,
    and fail (never skip) when a configured dir is broken."""
    found = real_model_dir()
    if found is None:
        pytest.skip("no embedding model: set MEMORY_MCP_MODEL_DIR to run real-model tests")
    return found


@pytest.fixture(scope="session")
def real_embedder(model_dir: Path) -> object:
    from memory_mcp.search.embed import FastEmbedEmbedder

    emb = FastEmbedEmbedder("sentence-transformers/all-MiniLM-L6-v2", model_dir)
    emb.load()  # raises (fails the test) when the configured dir is broken
    return emb


async def call_tool(client: Any, tool: str, **args: Any) -> dict[str, Any]:
    """Call an MCP tool through the SDK client; fail the test on a tool error."""
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    # The text block is the same JSON, for clients that show the model text.
    assert [json.loads(block.text) for block in result.content] == [result.structured_content]
    return dict(result.structured_content)


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (pytest.mark.anyio) run on asyncio, like the SDK's own transports."""
    return "asyncio"


@pytest.fixture
async def client(service: MemoryService) -> AsyncIterator[Any]:
    """The real MCP server over `service`, through the SDK client, in memory."""
    from mcp import Client

    from memory_mcp.adapters.mcp_server.server import build_server

    async with Client(build_server(service, load_model=False)) as c:
        yield c


@pytest.fixture(scope="session", autouse=True)
def _drop_test_schemas() -> Iterator[None]:
    """The PostgreSQL schemas tests made (tests/pg.py) go at the end of the session."""
    from tests import pg

    yield
    pg.drop_schemas()
