"""What a fresh attack on the pages found (fast, no browser): forms sized by what the server
is configured to take, refusals that name what was too much, and an uploaded database that
cannot keep the server reading it for ever."""

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlean
from starlette.testclient import TestClient

from memory_mcp.adapters.ui.app import ui_app
from memory_mcp.adapters.ui.security import UiGuard
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import FakeEmbedder
from tests.ui.conftest import ORIGIN

LONGEST = 1_200_000  # characters: a server configured for long memories


@pytest.fixture
def roomy(tmp_path: Path) -> Iterator[MemoryService]:
    settings = Settings(db=tmp_path / "roomy.db", max_content_chars=LONGEST)
    svc = MemoryService.open(settings, embedder=FakeEmbedder())
    yield svc
    svc.close()


def _edit_form(page: str) -> dict[str, str]:
    found = {
        name: re.search(rf'name="{name}" value="([^"]+)"', page) for name in ("version", "csrf")
    }
    return {name: match.group(1) for name, match in found.items() if match is not None}


def _alert(page: str) -> str:
    said = re.search(r'role="alert">(.*?)</p>', page)
    assert said is not None, page[:500]
    return html.unescape(said.group(1))


def test_a_memory_of_a_megabyte_is_edited_through_its_page(
    roomy: MemoryService, guard: UiGuard
) -> None:
    """Starlette's forms take fields of 1 MB at most: the edit of a longer memory (which the
    server was configured to take) was refused, as "a selection takes at most 10,000
    memories"."""
    text = " ".join(f"line{i}" for i in range(180_000))[:1_100_000]  # ASCII: 1.1 MB
    memory_id = roomy.remember(text).id
    with TestClient(ui_app(roomy, guard), base_url=ORIGIN) as web:
        page = web.get(f"/m/{memory_id}").text
        sent = {**_edit_form(page), "content": "Changed: " + text}
        saved = web.post(f"/m/{memory_id}/edit", data=sent, headers={"origin": ORIGIN})
        assert saved.status_code == 200 and "Saved." in saved.text
        assert roomy.get(memory_id).content == "Changed: " + text
        # past what the server takes: the memory's limit named, not a selection's
        page = web.get(f"/m/{memory_id}").text
        sent = {**_edit_form(page), "content": "é" * (LONGEST * 2)}  # 2 bytes a character
        refused = web.post(f"/m/{memory_id}/edit", data=sent, headers={"origin": ORIGIN})
        assert refused.status_code == 413
        said = _alert(refused.text)
        assert f"a memory's text may be at most {LONGEST:,} characters" in said, said
        assert "selection" not in said
    assert roomy.get(memory_id).content == "Changed: " + text


def test_an_uploaded_database_whose_memories_never_end_is_refused(
    web: TestClient, guard: UiGuard, service: MemoryService, tmp_path: Path
) -> None:
    """Data's import reads an mcp-memory-service file, whose `memories` may be a view: a
    recursive one kept a worker thread reading (and its memory growing) for ever."""
    evil = tmp_path / "evil.db"
    conn = sqlean.connect(str(evil))
    conn.executescript(
        "create view memories as with recursive r(n) as (select 1 union all select n + 1 "
        "from r) select 'x' as content, n as content_hash, 'note' as memory_type from r;"
    )
    conn.commit()
    conn.close()
    answer = web.post(
        "/import",
        data={"csrf": guard.csrf, "format": "mcp-memory-service"},
        files={"file": ("memories.db", evil.read_bytes())},
        headers={"origin": ORIGIN},
    )
    assert answer.status_code == 400
    said = _alert(answer.text)
    assert "Cannot read the memories of memories.db" in said and "never ends" in said, said
    assert service.count() == 0


DEEP = b'{"a":' * 100_000 + b"1" + b"}" * 100_000  # past the JSON parser's depth


@pytest.mark.parametrize(
    ("fmt", "body"),
    [
        ("jsonl", b'{"id": 1, "content": "x", "metadata": ' + DEEP + b"}\n"),
        ("mem0", DEEP),
        ("kg-jsonl", DEEP + b"\n"),
        ("markdown", b"# s\n<!-- memory-mcp: " + DEEP + b" -->\n"),
    ],
)
def test_json_nested_past_the_parsers_depth_is_refused_in_every_import(
    web: TestClient, guard: UiGuard, service: MemoryService, fmt: str, body: bytes
) -> None:
    """A Markdown file's memory-mcp line nested 100,000 deep was a server error (the other
    formats already refused it): every format's answer says what is wrong with the file,
    naming it as uploaded (a Markdown file's problems named the server's copy, upload.md)."""
    answer = web.post(
        "/import",
        data={"csrf": guard.csrf, "format": fmt},
        files={"file": ("deep.txt", body)},
        headers={"origin": ORIGIN},
    )
    assert answer.status_code == 400, answer.text[-600:]
    said = html.unescape(answer.text)
    assert "Something went wrong" not in said
    assert "upload." not in said and "memory-mcp-ui-" not in said  # the server's copy
    assert "deep.txt" in said or fmt in ("jsonl", "kg-jsonl")  # these name lines, not files
    assert service.count() == 0
