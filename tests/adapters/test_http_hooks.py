"""`serve --http` answers Claude Code's `http` hooks: POST the hook JSON, read the same JSON."""

import subprocess
from pathlib import Path

import httpx2

from tests.adapters.test_http import TOKEN, make_repo, servers, start  # noqa: F401 - the fixture

TRANSCRIPT = Path(__file__).resolve().parents[2] / "benchmarks/data/capture/transcripts/w1.jsonl"


def test_hook_endpoints_capture_brief_and_answer_prompts(
    tmp_path: Path,
    servers: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    folder = make_repo(tmp_path, "widgets", "https://github.com/acme/widgets")
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    base = f"http://127.0.0.1:{port}/hooks"
    auth = {"Authorization": f"Bearer {TOKEN}"}
    common = {"session_id": "abc", "transcript_path": str(TRANSCRIPT), "cwd": str(folder)}
    assert httpx2.post(f"{base}/capture", json=common).status_code == 401  # token applies
    stop = httpx2.post(f"{base}/capture", headers=auth, json={**common, "hook_event_name": "Stop"})
    assert (stop.status_code, stop.json()) == (200, {})
    start_ = httpx2.post(
        f"{base}/session-start",
        headers=auth,
        json={**common, "hook_event_name": "SessionStart", "source": "startup"},
    )
    out = start_.json()["hookSpecificOutput"]
    assert out["hookEventName"] == "SessionStart"
    assert "Always use uv for anything Python here" in out["additionalContext"]
    prompt = httpx2.post(
        f"{base}/prompt",
        headers=auth,
        json={
            **common,
            "hook_event_name": "UserPromptSubmit",
            "prompt": "where are bearer tokens checked?",
        },
    )
    assert "src/widgets/api/auth.py" in prompt.json()["hookSpecificOutput"]["additionalContext"]
    assert httpx2.post(f"{base}/nope", headers=auth, json={}).status_code == 404
    assert httpx2.get(f"{base}/prompt", headers=auth).status_code == 405
    bad = httpx2.post(f"{base}/prompt", headers=auth, content=b"not json")
    assert bad.status_code == 400
    evil = httpx2.post(f"{base}/prompt", headers={**auth, "Host": "evil.example:80"}, json={})
    assert evil.status_code == 421
