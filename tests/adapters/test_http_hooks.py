"""`serve --http` answers Claude Code's `http` hooks: POST the hook JSON, read the same JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx2

from tests.adapters.test_http import TOKEN, make_repo, principal_token, servers, start  # noqa: F401 - the fixture

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


def test_a_principal_cannot_make_the_server_read_its_files(
    tmp_path: Path,
    servers: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    """A capture names a transcript on the server's machine: the server reads it only for the
    owner. A principal that may write the project's scope gets 403 and nothing is stored (it
    could otherwise have the owner's own transcripts captured into a scope it can recall)."""
    folder = make_repo(tmp_path, "widgets", "https://github.com/acme/widgets")
    mallory_token = principal_token(tmp_path, "mallory", "github.com/acme/*=write")
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    base = f"http://127.0.0.1:{port}"
    mallory = {"Authorization": f"Bearer {mallory_token}"}
    hook = {"session_id": "abc", "transcript_path": str(TRANSCRIPT), "cwd": str(folder),
            "hook_event_name": "Stop"}  # fmt: skip
    refused = httpx2.post(f"{base}/hooks/capture", headers=mallory, json=hook)
    assert refused.status_code == 403, refused.text
    assert "only the owner" in refused.json()["message"]
    prompt = {**hook, "hook_event_name": "UserPromptSubmit", "prompt": "uv for Python?"}
    assert httpx2.post(f"{base}/hooks/prompt", headers=mallory, json=prompt).status_code == 200
    # `hook capture --url` says why, and captures where it runs (its own database) instead
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    command = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "capture", "--url", base],
        input=json.dumps(hook), capture_output=True, text=True, timeout=120,
        env={**env, "MEMORY_MCP_DB": str(tmp_path / "mallory.db"), "MEMORY_MCP_SEMANTIC":
             "false", "MEMORY_MCP_TOKEN": mallory_token},
    )  # fmt: skip
    assert command.returncode == 0
    assert "refused: Capture over HTTP reads the transcript file" in command.stderr
    owner = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx2.post(f"{base}/hooks/capture", headers=owner, json=hook).status_code == 200

    def written_by(name: str) -> list[object]:
        log = subprocess.run(
            [sys.executable, "-m", "memory_mcp", "--db", str(tmp_path / "http.db"), "log",
             "--by", name, "--json"],
            capture_output=True, text=True, check=True,
            env=dict(os.environ, MEMORY_MCP_SEMANTIC="false"),
        )  # fmt: skip
        return list(json.loads(log.stdout))

    assert written_by("mallory") == []
    assert written_by("owner")  # the owner's capture was stored


def test_a_web_page_cannot_post_to_the_hooks_and_bad_json_is_400(
    tmp_path: Path,
    servers: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    """An open loopback server takes hooks without a token, so a page on another site that
    posts a hook's JSON (a simple request, no preflight) is refused by its Origin, as the
    MCP endpoint refuses it; the server's own origin and clients sending none are served."""
    proc, port = start(tmp_path)
    servers.append(proc)
    base = f"http://127.0.0.1:{port}/hooks"
    hook = {"session_id": "abc", "transcript_path": str(TRANSCRIPT), "cwd": str(tmp_path),
            "hook_event_name": "UserPromptSubmit", "prompt": "hello"}  # fmt: skip
    for path in ("capture", "session-start", "prompt"):
        evil = httpx2.post(
            f"{base}/{path}",
            headers={"Origin": "https://evil.example", "Content-Type": "text/plain"},
            json=hook,
        )
        assert evil.status_code == 403, (path, evil.text)
    for body in (b"[" * 100_000 + b"]" * 100_000, b"\xff{}", b"not json"):  # 400, not a crash
        unreadable = httpx2.post(f"{base}/prompt", content=body)
        assert unreadable.status_code == 400 and "hook input" in unreadable.json()["message"]
    own = httpx2.post(f"{base}/prompt", headers={"Origin": f"http://127.0.0.1:{port}"}, json=hook)
    assert own.status_code == 200
    assert httpx2.post(f"{base}/prompt", json=hook).status_code == 200


def _post_hook(routes: Any, body: bytes, access: object | None) -> tuple[int, dict]:
    """POST /hooks/prompt to the hook routes in this process, as `access` (None: an open
    server), the body in 64 KiB chunks; the status and the JSON reply."""
    import anyio

    from memory_mcp.adapters.mcp_server.access import ACCESS_KEY

    chunks = [body[i : i + 65536] for i in range(0, len(body), 65536)] or [b""]
    sent: list[dict] = []

    async def receive() -> dict:
        chunk = chunks.pop(0)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/hooks/prompt",
             "headers": [(b"host", b"127.0.0.1:8765")]}  # fmt: skip
    if access is not None:
        scope[ACCESS_KEY] = access
    anyio.run(routes, scope, receive, send)
    return sent[0]["status"], json.loads(sent[1]["body"])


def test_hook_bodies_honour_the_body_limit_as_the_ui_does(tmp_path: Path) -> None:
    # MEMORY_MCP_HTTP_MAX_BODY_KB bounds what a principal (or anyone not the owner) may send,
    # as on the MCP endpoint and the UI; the owner, as on the UI, is bound only by the hook
    # input's own 1 MB, past which the body is read through and its start answers (what
    # `memory-mcp hook` does with stdin). It was 1 MB for everyone, then 413 for the owner.
    from memory_mcp.adapters.mcp_server.hookroute import HookRoutes
    from memory_mcp.config import Settings
    from memory_mcp.policies.access import Access
    from memory_mcp.service import MemoryService

    service = MemoryService.open(Settings(db=tmp_path / "m.db", semantic=False))
    try:
        routes = HookRoutes(None, service, ["127.0.0.1:8765"], max_body_kb=64)  # type: ignore[arg-type]
        prompt = {"hook_event_name": "UserPromptSubmit", "prompt": "where is x? " + "y" * 100_000}
        body = json.dumps(prompt).encode()
        alice = Access(principal="alice", grants=())
        status, reply = _post_hook(routes, body, alice)
        assert status == 413 and reply["error"] == "too_large"
        assert "64 KiB" in reply["message"] and "MEMORY_MCP_HTTP_MAX_BODY_KB" in reply["message"]
        assert _post_hook(routes, body[:1000] + b'"}', alice)[0] == 200  # small: answered
        for owner in (None, Access()):  # an open server's caller, the owner's token
            assert _post_hook(routes, body, owner) == (200, {})
            assert _post_hook(routes, b" " * (1 << 20) + body, owner) == (200, {})
            big = json.dumps({**prompt, "prompt": "where is x? " + "y" * (3 << 20)}).encode()
            assert _post_hook(routes, big, owner) == (200, {})
    finally:
        service.close()
