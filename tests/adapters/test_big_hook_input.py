"""A hook's input over 1 MB (a user pasted a big log into the prompt) is no hook error: the
hook answers from the input's start, exits 0, and keeps none of the rest."""

import json
import os
import subprocess
import sys
from pathlib import Path

from memory_mcp.adapters.hook_input import MAX_CUT_FIELD_CHARS, MAX_INPUT_BYTES, salvage
from tests.adapters.test_hooks import documented, folder, hook  # noqa: F401 - the fixture
from tests.adapters.test_http import TOKEN, make_repo, servers, start  # noqa: F401 - the fixture

LOG = "WARN bearer token rejected: é\n" * 130_000  # ~3.8 MB


def run(command: str, payload: dict, db: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    environ = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"}
    return subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", command, *args],
        input=json.dumps(payload, ensure_ascii=False).encode(),
        capture_output=True,
        env=environ,
        timeout=120,
    )


def test_a_prompt_over_1_mb_is_answered_from_its_start(tmp_path: Path, folder: Path) -> None:  # noqa: F811
    db = tmp_path / "memory.db"
    assert hook("capture", documented("Stop", folder), db).returncode == 0
    prompt = "Where are the bearer tokens checked? Here is the log:\n" + LOG
    payload = documented("UserPromptSubmit", folder, prompt=prompt)
    assert len(json.dumps(payload).encode()) > 3 * MAX_INPUT_BYTES
    # the local path, and --url to a server that is not running (the remote reader first)
    for args in ((), ("--url", "http://127.0.0.1:9")):
        done = run("prompt", payload, db, *args)
        assert done.returncode == 0, done.stderr
        added = json.loads(done.stdout)["hookSpecificOutput"]["additionalContext"]
        assert "src/widgets/api/auth.py" in added


def test_a_capture_whose_input_ends_in_a_huge_field_still_captures(
    tmp_path: Path,
    folder: Path,  # noqa: F811
) -> None:
    db = tmp_path / "memory.db"
    payload = documented("Stop", folder, last_assistant_message=LOG)
    done = run("capture", payload, db)
    assert (done.returncode, done.stdout, done.stderr) == (0, b"", b"")
    start = hook("session-start", documented("SessionStart", folder), db)
    assert "Always use uv for anything Python here" in start.stdout


def test_salvage_keeps_whole_fields_and_the_start_of_the_one_cut() -> None:
    said = 'say "é" \\ then ' + "z" * 50
    text = json.dumps({"cwd": "/w", "n": [1, {"a": 2}], "prompt": said})
    for cut in range(text.index('"prompt"') + 11, len(text)):  # within an escape too
        found = salvage(text[:cut])
        assert found is not None and found["cwd"] == "/w" and found["n"] == [1, {"a": 2}]
        assert said.startswith(str(found["prompt"]))
    assert salvage(text[:-1]) == json.loads(text)
    huge = salvage('{"prompt": "' + "q" * (3 * MAX_CUT_FIELD_CHARS))
    assert huge == {"prompt": "q" * MAX_CUT_FIELD_CHARS}
    assert salvage("not json") is None and salvage(" [1, 2") is None


def test_a_cut_input_nested_too_deep_keeps_the_fields_before_it(
    tmp_path: Path,
    folder: Path,  # noqa: F811
) -> None:
    """json's decoder raises RecursionError (no ValueError) past its depth: salvage let it
    out, so the hook crashed with a traceback (an HTTP hook: a 500)."""
    deep = '{"cwd": "/w", "n": ' + "[" * MAX_INPUT_BYTES
    assert salvage(deep) == {"cwd": "/w"}
    whole = '{"cwd": "/w", "n": ' + "[" * 100_000 + "]" * 100_000 + ', "prompt": "q'
    assert salvage(whole) == {"cwd": "/w"}
    db = tmp_path / "memory.db"
    assert hook("capture", documented("Stop", folder), db).returncode == 0
    payload = documented("UserPromptSubmit", folder, prompt="Where are tokens checked?")
    text = json.dumps(payload)[:-1] + ', "zz": ' + "[" * (2 * MAX_INPUT_BYTES)
    environ = {**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "prompt"],
        input=text.encode(),
        capture_output=True,
        env=environ,
        timeout=120,
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr


def test_serve_http_answers_an_owners_prompt_over_1_mb_from_its_start(
    tmp_path: Path,
    servers: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    import httpx2

    repo = make_repo(tmp_path, "widgets", "https://github.com/acme/widgets")
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    base, auth = f"http://127.0.0.1:{port}/hooks", {"Authorization": f"Bearer {TOKEN}"}
    common = documented("Stop", repo)
    assert httpx2.post(f"{base}/capture", headers=auth, json=common).status_code == 200
    prompt = "Where are the bearer tokens checked? Here is the log:\n" + LOG
    body = json.dumps({**common, "hook_event_name": "UserPromptSubmit", "prompt": prompt})
    reply = httpx2.post(f"{base}/prompt", headers=auth, content=body.encode(), timeout=60)
    assert reply.status_code == 200, reply.text
    assert "src/widgets/api/auth.py" in reply.json()["hookSpecificOutput"]["additionalContext"]
