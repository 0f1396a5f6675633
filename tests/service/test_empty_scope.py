"""An empty or blank scope is a caller's mistake on every service entry point: refused in one
sentence naming `scope`, never read as "the default scope", nothing written (both backends)."""

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAID = "scope must not be empty or blank: name a scope such as `global`, or leave it out."


def _calls(tmp_path: Path) -> dict[str, Callable[[MemoryService, str], Any]]:
    return {
        "remember": lambda s, scope: s.remember("The deploy runs on Fridays", scope=scope),
        "recall": lambda s, scope: s.recall("deploy", scope=scope),
        "summarize": lambda s, scope: s.summarize(scope=scope),
        "profile": lambda s, scope: s.profile(scope),
        "make_filter": lambda s, scope: s.make_filter(scope=scope),
        "update": lambda s, scope: s.update(1, scope=scope),
        "move": lambda s, scope: s.move([1], scope),
        "export_count": lambda s, scope: s.export_count(scope),
        "export_jsonl": lambda s, scope: s.export_jsonl(tmp_path / "out.jsonl", scope=scope),
        "export_stream": lambda s, scope: s.export_jsonl(io.StringIO(), scope=scope),
        "export_markdown": lambda s, scope: s.export_markdown(tmp_path / "md", scope=scope),
        "import_from": lambda s, scope: s.import_from(
            "mem0", FIXTURES / "mem0" / "export.json", scope
        ),
    }


@pytest.mark.parametrize("scope", ["", "   ", "\t\n", "\u200b"])
@pytest.mark.parametrize(
    "entry",
    [
        "remember",
        "recall",
        "summarize",
        "profile",
        "make_filter",
        "update",
        "move",
        "export_count",
        "export_jsonl",
        "export_stream",
        "export_markdown",
        "import_from",
    ],
)
def test_an_empty_scope_is_refused_everywhere(
    service: MemoryService, tmp_path: Path, entry: str, scope: str
) -> None:
    kept = service.remember("The cat is called Miso", scope="home")
    with pytest.raises(InvalidInput) as refused:
        _calls(tmp_path)[entry](service, scope)
    assert str(refused.value) == SAID
    # Nothing was stored, moved or written: the one memory is where it was, no file was made.
    assert [(m.id, m.scope) for m in service.list_memories()] == [(kept.id, "home")]
    assert not (tmp_path / "out.jsonl").exists() and not (tmp_path / "md").exists()


def test_leaving_the_scope_out_still_means_the_default(service: MemoryService) -> None:
    assert service.remember("The deploy runs on Fridays").scope == "global"
    assert service.remember("The deploy runs on Mondays", scope=" team ").scope == "team"
