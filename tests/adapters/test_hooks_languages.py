"""`memory-mcp hook capture` on a Claude Code session held in French, German, Spanish,
Portuguese and Italian: the user's rules and decisions are kept, in their words and kinds;
their questions, hypotheticals, requests for now and complaints are not."""

import json
import os
import subprocess
import sys
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

# Each request: what the user typed (several sentences, as people write), then the
# assistant's tool call, its result and its answer, as Claude Code writes them.
REQUESTS = [
    "Salut ! On utilise toujours pnpm dans ce dépôt. Est-ce qu'on peut lancer les tests ? "
    "Si on passait à Bun, ce serait plus rapide.",
    "Ich bevorzuge Tabs. Ça plante toujours au deuxième lancement, kannst du nachsehen?",
    "Preferimos usar pytest. Por ahora usa siempre la rama de pruebas. "
    "Siempre olvido cómo funciona esto.",
    "Usiamo sempre Postgres 16 in questo progetto. Perché usiamo sempre pytest",
    "Não mexa nos arquivos gerados. Talvez devêssemos usar sempre pnpm. Obrigado!",
    "Wir haben uns für GitHub Actions entschieden. Verwenden wir immer pnpm?",
]
KEPT = {
    "On utilise toujours pnpm dans ce dépôt.": "preference",
    "Ich bevorzuge Tabs.": "preference",
    "Preferimos usar pytest.": "preference",
    "Usiamo sempre Postgres 16 in questo progetto.": "preference",
    "Não mexa nos arquivos gerados.": "preference",
    "Wir haben uns für GitHub Actions entschieden.": "decision",
}


def _entry(kind: str, n: int, message: dict, parent: str | None) -> dict:
    return {
        "parentUuid": parent, "isSidechain": False, "userType": "external",
        "cwd": "/home/dev/code/widgets", "sessionId": "9c1f0a52-intl", "version": "2.0.31",
        "gitBranch": "main", "type": kind, "message": message, "uuid": f"{kind[0]}{n:03d}",
        "timestamp": f"2026-12-07T10:{n:02d}:00.000Z",
    }  # fmt: skip


def _transcript(path: Path) -> Path:
    lines, parent = [], None
    for i, prompt in enumerate(REQUESTS):
        n = 4 * i
        steps = [
            ("user", {"role": "user", "content": prompt}),
            ("assistant", {"role": "assistant", "content": [
                {"type": "tool_use", "id": f"toolu_{i}", "name": "Read",
                 "input": {"file_path": "/home/dev/code/widgets/package.json"}},
            ]}),
            ("user", {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": f"toolu_{i}", "content": "{}",
                 "is_error": False},
            ]}),
            ("assistant", {"role": "assistant", "content": [{"type": "text", "text": "OK."}]}),
        ]  # fmt: skip
        for k, (kind, message) in enumerate(steps):
            entry = _entry(kind, n + k, message, parent)
            lines.append(json.dumps(entry, ensure_ascii=False))
            parent = entry["uuid"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_session_in_five_languages_keeps_the_users_rules_and_nothing_else(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "widgets"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "config").write_text(
        '[remote "origin"]\n\turl = git@github.com:acme/w.git\n'
    )
    db = tmp_path / "memory.db"
    payload = {
        "session_id": "9c1f0a52-intl", "transcript_path": str(_transcript(tmp_path / "s.jsonl")),
        "cwd": str(folder), "hook_event_name": "Stop", "stop_hook_active": False,
    }  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "capture"],
        input=json.dumps(payload), capture_output=True, text=True, timeout=120,
        env={**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"},
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (0, ""), done.stderr
    service = MemoryService.open(Settings(db=db, semantic=False))
    try:
        memories = service.list_memories(service.make_filter(scope="*"), limit=None)
    finally:
        service.close()
    said = {m.content: m.kind for m in memories if "said-by-user" in m.tags}
    assert said == KEPT
