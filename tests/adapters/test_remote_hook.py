"""`memory-mcp hook … --url URL`: the hook's JSON POSTed to a running `serve --http` by a
process that imports the standard library only, printing exactly what the local path prints;
when the server cannot answer, the local path answers (a capture is never lost)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from memory_mcp.adapters.cli.remote import _default_token_file, remote_target, split_url
from memory_mcp.config import Settings, default_token_path
from memory_mcp.service import MemoryService
from tests.adapters.test_http import TOKEN, make_repo, servers, start  # noqa: F401 - fixture
from tests.ports import refusing_port

pytestmark = pytest.mark.slow

TRANSCRIPT = Path(__file__).resolve().parents[2] / "benchmarks/data/capture/transcripts/w1.jsonl"


def _hook(args: list[str], payload: dict[str, str], db: Path, cwd: Path, *pre: str,
          **env: str) -> subprocess.CompletedProcess[str]:  # fmt: skip
    base = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    return subprocess.run(
        [sys.executable, *pre, "-m", "memory_mcp", "hook", *args],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        env={
            **base,
            "MEMORY_MCP_DB": str(db),
            "MEMORY_MCP_SEMANTIC": "false",
            "MEMORY_MCP_TOKEN_FILE": str(cwd / "no-token"),
            **env,
        },  # fmt: skip
        cwd=cwd,
        timeout=120,
    )


def _count(db: Path) -> int:
    service = MemoryService.open(Settings(db=db, semantic=False), create=False)
    try:
        return service.count(service.make_filter(scope="*"))
    finally:
        service.close()


@pytest.mark.parametrize(
    ("argv", "env", "target"),
    [
        (["hook", "prompt", "--url", "http://h:1"], {}, ("prompt", "http://h:1")),
        (
            ["--db", "x.db", "hook", "capture"],
            {"MEMORY_MCP_HOOK_URL": "http://h:1"},
            ("capture", "http://h:1"),
        ),  # fmt: skip
        (
            ["hook", "session-start", "--url=http://h:1", "--db", "x"],
            {},
            ("session-start", "http://h:1"),
        ),
        # the model's options, which install gives capture, only matter if it answers locally
        (["--model-dir", "/m", "hook", "capture", "--url", "u"], {}, ("capture", "u")),
        (["hook", "prompt"], {}, None),  # no URL: the local path
        (["hook", "prompt", "--url", "u", "--project", "p"], {}, None),  # the server can't
        (["hook", "prompt", "--url", "u"], {"MEMORY_MCP_PROJECT": "p"}, None),
        (["hook", "prompt", "--url", "u"], {"MEMORY_MCP_AS": "alice"}, None),
        (["hook", "capture", "--url", "u"], {"MEMORY_MCP_CAPTURE": "false"}, None),
        (["hook", "prompt", "--url", "u", "-v"], {}, None),
        (["hook", "profile", "--url", "u"], {}, None),
        (["hook"], {"MEMORY_MCP_HOOK_URL": "u"}, None),
    ],
)
def test_which_lines_go_to_the_server(
    argv: list[str], env: dict[str, str], target: tuple[str, str] | None
) -> None:
    assert remote_target(argv, env) == target


@pytest.mark.parametrize(
    ("url", "parts"),
    [
        ("http://127.0.0.1:8765", ("http", "127.0.0.1", 8765, "")),
        ("HTTP://localhost:8765/", ("http", "localhost", 8765, "")),
        ("https://mem.example/base/", ("https", "mem.example", 443, "/base")),
        ("http://[::1]:9000", ("http", "::1", 9000, "")),
    ],
)
def test_server_urls(url: str, parts: tuple[str, str, int, str]) -> None:
    assert split_url(url) == parts


@pytest.mark.parametrize(
    "url",
    [
        *("127.0.0.1:8765", "ftp://h/", "http://", "http://h:0", "http://u:p@h/", "http://h:x"),
        *(
            "http://h:1/#top",
            "http://h:1/base?x=1",
            "http://h:1/a b",
            "http://h:1/a\r\nX: y",
        ),  # not a path to post to
    ],
)
def test_what_is_not_a_server_url(url: str) -> None:
    with pytest.raises(ValueError):
        split_url(url)


def test_the_token_file_is_where_the_server_keeps_it(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _default_token_file() == str(default_token_path())
    monkeypatch.setenv("XDG_DATA_HOME", "/elsewhere")
    assert _default_token_file() == str(default_token_path())


def test_hooks_through_a_running_server_say_what_the_local_path_says(
    tmp_path: Path,
    servers: list[subprocess.Popen[str]],  # noqa: F811
) -> None:
    folder = make_repo(tmp_path, "widgets", "https://github.com/acme/widgets")
    proc, port = start(tmp_path, token=TOKEN)
    servers.append(proc)
    url, served, nowhere = f"http://127.0.0.1:{port}", tmp_path / "http.db", tmp_path / "no.db"
    common = {"session_id": "abc", "transcript_path": str(TRANSCRIPT), "cwd": str(folder)}
    auth = {"MEMORY_MCP_TOKEN": TOKEN}

    # Capture goes to the server's database; this process opens none (its own is never made).
    stop = {**common, "hook_event_name": "Stop"}
    captured = _hook(["capture", "--url", url], stop, nowhere, folder, **auth)
    assert (captured.returncode, captured.stdout, captured.stderr) == (0, "", "")
    assert _count(served) > 0 and not nowhere.exists()

    prompt = {**common, "hook_event_name": "UserPromptSubmit",
              "prompt": "where are bearer tokens checked?"}  # fmt: skip
    begin = {**common, "hook_event_name": "SessionStart", "source": "startup"}
    silent = {**prompt, "prompt": "thanks"}
    for command, payload in (("prompt", prompt), ("session-start", begin), ("prompt", silent)):
        local = _hook([command], payload, served, folder)
        remote = _hook([command, "--url", url], payload, nowhere, folder, **auth)
        by_env = _hook([command], payload, nowhere, folder, MEMORY_MCP_HOOK_URL=url, **auth)
        assert (remote.returncode, remote.stdout, remote.stderr) == (0, local.stdout, "")
        assert by_env.stdout == local.stdout
        assert bool(local.stdout) == (payload is not silent)
        if payload is prompt:
            said = json.loads(remote.stdout)["hookSpecificOutput"]["additionalContext"]
            assert "src/widgets/api/auth.py" in said

    # The front end loads neither the service nor any third-party package.
    timed = _hook(["prompt", "--url", url], prompt, nowhere, folder, "-X", "importtime", **auth)
    imported = {line.split("|")[-1].strip() for line in timed.stderr.splitlines() if "|" in line}
    assert timed.stdout == _hook(["prompt"], prompt, served, folder).stdout
    heavy = {"numpy", "pydantic", "pydantic_settings", "sqlite3", "sqlean", "sqlite_vec",
             "memory_mcp.service", "memory_mcp.config", "typer", "rich", "logging",
             "platformdirs", "http.client", "typing", "json"}  # fmt: skip
    assert not imported & heavy, imported & heavy

    # A wrong token: one line on stderr, and the local path answers.
    wrong = _hook(["prompt", "--url", url], prompt, served, folder, MEMORY_MCP_TOKEN="nope")
    assert wrong.stdout == _hook(["prompt"], prompt, served, folder).stdout
    assert "refused the token (401); answered locally" in wrong.stderr


def test_with_the_server_down_the_local_path_answers_and_captures(tmp_path: Path) -> None:
    folder = tmp_path / "widgets"
    (folder / ".git").mkdir(parents=True)
    with refusing_port() as port:  # nothing listens there, nor can start to meanwhile
        _answered_locally(tmp_path, folder, f"http://127.0.0.1:{port}")


def _answered_locally(tmp_path: Path, folder: Path, down: str) -> None:
    db = tmp_path / "local.db"
    common = {"session_id": "abc", "transcript_path": str(TRANSCRIPT), "cwd": str(folder)}
    captured = _hook(["capture", "--url", down], {**common, "hook_event_name": "Stop"}, db, folder)
    assert (captured.returncode, captured.stdout, captured.stderr) == (0, "", "")
    assert _count(db) > 0  # stored locally: nothing lost
    prompt = {**common, "hook_event_name": "UserPromptSubmit",
              "prompt": "where are bearer tokens checked?"}  # fmt: skip
    begin = {**common, "hook_event_name": "SessionStart", "source": "startup"}
    for command, payload in (("prompt", prompt), ("session-start", begin)):
        local = _hook([command], payload, db, folder)
        fallback = _hook([command, "--url", down], payload, db, folder)
        assert local.stdout
        assert (fallback.returncode, fallback.stdout, fallback.stderr) == (
            local.returncode, local.stdout, local.stderr,
        )  # fmt: skip
    # Bad input still gets the local path's one-line error, whatever the server said.
    bad = subprocess.run(
        [sys.executable, "-m", "memory_mcp", "hook", "prompt", "--url", down], input="not json",
        capture_output=True, text=True, cwd=folder, timeout=60,
        env={**os.environ, "MEMORY_MCP_DB": str(db), "MEMORY_MCP_SEMANTIC": "false"},
    )  # fmt: skip
    assert bad.returncode == 1 and bad.stderr.startswith("memory-mcp hook prompt: ")
