"""install/uninstall: per-client, per-OS config paths; merging into JSON safely; the CLI.

Every test works in tmp_path (a fake home, %APPDATA% or project): no real config is touched.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

import anyio
import pytest
from mcp import Client as McpClient
from mcp import StdioServerParameters
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.install import clients
from memory_mcp.adapters.install.clients import Client, Machine, Target
from memory_mcp.adapters.install.configfile import ConfigError
from memory_mcp.adapters.install.launcher import Launch
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput
from memory_mcp.service import MemoryService
from tests import pg

NOW = datetime(2026, 3, 4, 5, 6, 7)
LAUNCH = Launch("/opt/venv/bin/memory-mcp", [], "venv")
OTHER = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"]}
REFERENCE_MEMORY = {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"]}
PLATFORMS = ["darwin", "win32", "linux"]
REPO = Path(__file__).resolve().parents[2]


def machine(platform: str, tmp_path: Path) -> Machine:
    home = tmp_path / "home"
    appdata = home / "AppData" / "Roaming" if platform == "win32" else None
    return Machine(platform=platform, home=home, appdata=appdata)


def project(tmp_path: Path, remote: str = "git@github.com:Acme/Widgets.git") -> Path:
    repo = tmp_path / "code" / "widgets"
    (repo / ".git").mkdir(parents=True, exist_ok=True)
    (repo / ".git" / "config").write_text(f'[remote "origin"]\n\turl = {remote}\n')
    return repo


# -- where each client's file lives ------------------------------------------------------------

MAC = "Library/Application Support"
USER_PATHS = {
    (Client.CLAUDE_DESKTOP, "darwin"): f"{MAC}/Claude/claude_desktop_config.json",
    (Client.CLAUDE_DESKTOP, "win32"): "AppData/Roaming/Claude/claude_desktop_config.json",
    (Client.CLAUDE_DESKTOP, "linux"): ".config/Claude/claude_desktop_config.json",
    (Client.CURSOR, "darwin"): ".cursor/mcp.json",
    (Client.CURSOR, "win32"): ".cursor/mcp.json",
    (Client.CURSOR, "linux"): ".cursor/mcp.json",
    (Client.CLAUDE_CODE, "darwin"): ".claude.json",
    (Client.CLAUDE_CODE, "win32"): ".claude.json",
    (Client.CLAUDE_CODE, "linux"): ".claude.json",
    (Client.VSCODE, "darwin"): f"{MAC}/Code/User/mcp.json",
    (Client.VSCODE, "win32"): "AppData/Roaming/Code/User/mcp.json",
    (Client.VSCODE, "linux"): ".config/Code/User/mcp.json",
}  # fmt: skip


@pytest.mark.parametrize(("client", "platform"), list(USER_PATHS))
def test_user_config_path_per_client_and_os(client: Client, platform: str, tmp_path: Path) -> None:
    m = machine(platform, tmp_path)
    assert clients.user_config_path(client, m) == m.home / USER_PATHS[client, platform]


def test_linux_honours_xdg_config_home_and_windows_appdata(tmp_path: Path) -> None:
    linux = Machine("linux", tmp_path / "home", config_home=tmp_path / "xdg")
    assert clients.user_config_path(Client.VSCODE, linux) == tmp_path / "xdg/Code/User/mcp.json"
    win = Machine("win32", tmp_path / "home", appdata=tmp_path / "D" / "Roaming")
    expected = tmp_path / "D/Roaming/Claude/claude_desktop_config.json"
    assert clients.user_config_path(Client.CLAUDE_DESKTOP, win) == expected
    bare = Machine("win32", tmp_path / "home")  # no %APPDATA%: its usual place under home
    assert clients.user_config_path(Client.VSCODE, bare).is_relative_to(tmp_path / "home/AppData")


@pytest.mark.parametrize(
    ("client", "level", "relative"),
    [
        (Client.CLAUDE_DESKTOP, None, None),
        (Client.CURSOR, None, None),
        (Client.CURSOR, True, ".cursor/mcp.json"),
        (Client.CLAUDE_CODE, None, ".mcp.json"),
        (Client.CLAUDE_CODE, False, None),
        (Client.VSCODE, None, ".vscode/mcp.json"),
        (Client.VSCODE, False, None),
    ],
)
def test_default_and_explicit_levels(
    client: Client, level: bool | None, relative: str | None, tmp_path: Path
) -> None:
    m, repo = machine("linux", tmp_path), project(tmp_path)
    target = clients.resolve_target(client, m, "memory", level, repo)
    if relative is None:
        assert target.path == clients.user_config_path(client, m) and target.project is None
    else:
        assert target.path == repo / relative and target.project == repo
        assert target.project_scope == "github.com/acme/widgets"


def test_targets_that_are_refused(tmp_path: Path) -> None:
    m, repo = machine("darwin", tmp_path), project(tmp_path)
    with pytest.raises(InvalidInput, match="no per-project config"):
        clients.resolve_target(Client.CLAUDE_DESKTOP, m, "memory", True, repo)
    for folder in (m.home, tmp_path, Path(tmp_path.anchor)):
        with pytest.raises(InvalidInput, match="not a project folder"):
            clients.resolve_target(Client.CLAUDE_CODE, m, "memory", True, folder)
    for bad in ("", "my server", "x" * 65, "a/b"):
        with pytest.raises(InvalidInput, match="Server name"):
            clients.resolve_target(Client.CURSOR, m, bad, None, repo)


# -- the entry we write ------------------------------------------------------------------------


def test_entries_use_the_clients_own_substitution_or_the_absolute_folder(tmp_path: Path) -> None:
    m, repo = machine("linux", tmp_path), project(tmp_path)

    def entry(client: Client, level: bool | None = None) -> dict[str, Any]:
        return clients.server_entry(clients.resolve_target(client, m, "memory", level, repo),
                                    LAUNCH, {})  # fmt: skip

    assert entry(Client.VSCODE) == {
        "type": "stdio",
        "command": "/opt/venv/bin/memory-mcp",
        "args": ["serve", "--project", "${workspaceFolder}"],
    }
    assert entry(Client.CURSOR, True)["args"] == ["serve", "--project", "${workspaceFolder}"]
    assert entry(Client.CLAUDE_CODE)["args"] == ["serve", "--project", str(repo)]
    assert entry(Client.CLAUDE_DESKTOP) == {"command": "/opt/venv/bin/memory-mcp",
                                            "args": ["serve"]}  # fmt: skip
    python = Launch("/v/bin/python", ["-m", "memory_mcp"], "python")
    target = clients.resolve_target(Client.CURSOR, m, "memory", None, repo)
    assert clients.server_entry(target, python, {"A": "1"}) == {
        "type": "stdio",
        "command": "/v/bin/python",
        "args": ["-m", "memory_mcp", "serve"],
        "env": {"A": "1"},
    }


def test_server_env_is_absolute_and_validated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    env = clients.server_env(Path("m.db"), " team ", "some/model", Path("models/x"))
    assert env == {
        "MEMORY_MCP_DB": str(tmp_path / "m.db"),
        "MEMORY_MCP_DEFAULT_SCOPE": "team",
        "MEMORY_MCP_MODEL": "some/model",
        "MEMORY_MCP_MODEL_DIR": str(tmp_path / "models" / "x"),
    }
    assert clients.server_env(None, None, None, None) == {}
    # a model cache copied to an offline machine's custom folder: the client must see it too
    cached = clients.server_env(None, None, None, None, Path("cache"))
    assert cached == {"MEMORY_MCP_CACHE_DIR": str(tmp_path / "cache")}
    with pytest.raises(InvalidInput, match="--scope"):
        clients.server_env(None, "  ", None, None)


@pytest.mark.parametrize(
    ("entry", "ours"),
    [
        ({"command": "/v/bin/memory-mcp", "args": ["serve"]}, True),
        ({"command": "C:\\v\\Scripts\\memory-mcp.exe", "args": ["serve"]}, True),
        ({"command": "/usr/bin/uvx", "args": ["--from", "memory-mcp==0.1.0", "memory-mcp"]}, True),
        ({"command": "/v/bin/python", "args": ["-m", "memory_mcp", "serve"]}, True),
        (REFERENCE_MEMORY, False),
        ({"command": "basic-memory-mcp"}, False),
        ({"url": "https://example.com/mcp"}, False),
        ("not an object", False),
    ],
)
def test_is_ours(entry: object, ours: bool) -> None:
    assert clients.is_ours(entry) is ours


# -- merging into real files, each client and OS -----------------------------------------------


@pytest.mark.parametrize("platform", PLATFORMS)
@pytest.mark.parametrize("client", list(Client))
def test_install_merges_backs_up_and_is_idempotent(
    client: Client, platform: str, tmp_path: Path
) -> None:
    m, repo = machine(platform, tmp_path), project(tmp_path)
    target = clients.resolve_target(client, m, "memory", None, repo)
    key = target.spec.servers_key
    before = {"theme": "dark", key: {"github": OTHER}, "inputs": [{"id": "tok"}]}
    target.path.parent.mkdir(parents=True, exist_ok=True)
    target.path.write_text(json.dumps(before, indent=4))
    entry = clients.server_entry(target, LAUNCH, {"MEMORY_MCP_DB": "/data/m.db"})

    first = clients.install(target, entry, NOW, force=False)
    assert first.action == "added" and first.path == target.path
    assert first.backup == target.path.with_name(f"{target.path.name}.20260304-050607.bak")
    assert json.loads(first.backup.read_text()) == before
    after = json.loads(target.path.read_text())
    assert after == {"theme": "dark", key: {"github": OTHER, "memory": entry},
                     "inputs": [{"id": "tok"}]}  # fmt: skip

    second = clients.install(target, entry, datetime(2026, 3, 4, 9, 0, 0), force=False)
    assert second.action == "unchanged" and second.backup is None
    assert sorted(p.name for p in target.path.parent.glob("*.bak")) == [first.backup.name]

    gone = clients.uninstall(target, NOW, force=False)
    assert gone.action == "removed" and gone.backup is not None
    assert gone.backup.name == f"{target.path.name}.20260304-050607-1.bak"  # same second: kept
    assert json.loads(target.path.read_text()) == before
    assert clients.uninstall(target, NOW, force=False).action == "absent"


@pytest.mark.parametrize("client", list(Client))
def test_install_creates_missing_files_and_folders(client: Client, tmp_path: Path) -> None:
    target = clients.resolve_target(client, machine("win32", tmp_path), "mem", None,
                                    project(tmp_path))  # fmt: skip
    entry = clients.server_entry(target, LAUNCH, {})
    outcome = clients.install(target, entry, NOW, force=False)
    assert outcome.action == "added" and outcome.backup is None
    assert json.loads(target.path.read_text()) == {target.spec.servers_key: {"mem": entry}}
    assert target.path.read_text().endswith("}\n")


def test_update_replaces_our_keys_and_keeps_the_users(tmp_path: Path) -> None:
    target = clients.resolve_target(Client.CURSOR, machine("darwin", tmp_path), "memory",
                                    None, tmp_path)  # fmt: skip
    old = {"command": "/old/bin/memory-mcp", "args": ["serve"], "env": {"X": "1"},
           "disabled": True, "autoApprove": ["recall"]}  # fmt: skip
    target.path.parent.mkdir(parents=True)
    target.path.write_text(json.dumps({"mcpServers": {"memory": old}}))
    entry = clients.server_entry(target, LAUNCH, {})
    outcome = clients.install(target, entry, NOW, force=False)
    assert outcome.action == "updated" and outcome.backup is not None
    written = json.loads(target.path.read_text())["mcpServers"]["memory"]
    assert written == {**entry, "disabled": True, "autoApprove": ["recall"]}
    assert "env" not in written  # dropped flags are dropped, not merged with stale values


def test_a_same_named_server_that_is_not_ours_needs_force(tmp_path: Path) -> None:
    target = clients.resolve_target(Client.CLAUDE_CODE, machine("linux", tmp_path), "memory",
                                    False, tmp_path)  # fmt: skip
    target.path.parent.mkdir(parents=True)
    original = json.dumps({"mcpServers": {"memory": REFERENCE_MEMORY}, "numStartups": 3})
    target.path.write_text(original)
    entry = clients.server_entry(target, LAUNCH, {})
    with pytest.raises(ConfigError, match="not memory-mcp.*--name"):
        clients.install(target, entry, NOW, force=False)
    with pytest.raises(ConfigError, match="left it alone"):
        clients.uninstall(target, NOW, force=False)
    assert target.path.read_text() == original and not list(tmp_path.rglob("*.bak"))
    assert clients.install(target, entry, NOW, force=True).action == "updated"
    assert json.loads(target.path.read_text())["mcpServers"]["memory"] == entry


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"mcpServers": {', "not valid JSON \\(.* at line 1"),
        ('{\n  // my servers\n  "servers": {}\n}', "JSON with comments .* at line 2"),
        ('{"servers": {},}', "JSON with comments or trailing commas"),
        ('{"servers": {"a": 1} /* x */}', "JSON with comments"),
        ("[1, 2]", "a JSON list, not an object"),
        ('{"servers": []}', "'servers' is not a JSON object"),
        # rewritten, 1e400 came out as `Infinity`, which the client's JSON parser refuses
        ('{"servers": {}, "zoom": 1e400}', "a number too large for JSON readers"),
        ('{"servers": {}, "x": [NaN]}', "holds NaN, Infinity"),
        # deeper than json reads, or than the NaN check and json.dumps recurse: a traceback
        ('{"servers": {}, "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "deeper than 64"),
        ('{"servers": {}, "x": ' + "[" * 400 + "]" * 400 + "}", "deeper than 64"),
    ],
)
def test_unreadable_configs_are_refused_untouched(text: str, message: str, tmp_path: Path) -> None:
    target = clients.resolve_target(Client.VSCODE, machine("linux", tmp_path), "memory", None,
                                    project(tmp_path))  # fmt: skip
    target.path.parent.mkdir(parents=True)
    target.path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        clients.install(target, clients.server_entry(target, LAUNCH, {}), NOW, force=False)
    with pytest.raises(ConfigError, match=message):
        clients.uninstall(target, NOW, force=False)
    assert target.path.read_text() == text
    assert [p.name for p in target.path.parent.iterdir()] == ["mcp.json"]


def test_empty_file_bom_symlink_and_mode(tmp_path: Path) -> None:
    target = clients.resolve_target(Client.CLAUDE_CODE, machine("linux", tmp_path), "memory",
                                    False, tmp_path)  # fmt: skip
    dotfiles = tmp_path / "dotfiles" / "claude.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text("\ufeff" + json.dumps({"userID": "u1"}), encoding="utf-8")
    os.chmod(dotfiles, 0o600)
    target.path.parent.mkdir(parents=True)
    target.path.symlink_to(dotfiles)
    entry = clients.server_entry(target, LAUNCH, {})
    assert clients.install(target, entry, NOW, force=False).action == "added"
    assert target.path.is_symlink()  # the dotfile manager's link survives
    assert json.loads(dotfiles.read_text()) == {"userID": "u1", "mcpServers": {"memory": entry}}
    assert (dotfiles.stat().st_mode & 0o777) == 0o600

    empty = tmp_path / "home" / ".cursor" / "mcp.json"
    empty.parent.mkdir(parents=True)
    empty.write_text("  \n")
    cursor = Target(Client.CURSOR, empty, "memory", None)
    assert clients.install(cursor, entry, NOW, force=False).action == "added"
    assert json.loads(empty.read_text()) == {"mcpServers": {"memory": entry}}


# -- the CLI -----------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI with a fake home (HOME, XDG_CONFIG_HOME, APPDATA all in tmp_path)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("APPDATA", str(home / "AppData" / "Roaming"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("MEMORY_MCP_MODEL_DIR", raising=False)
    monkeypatch.delenv("MEMORY_MCP_MODEL", raising=False)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> tuple[str, str]:
        result = runner.invoke(app, list(args))
        assert result.exit_code == code, (result.output, result.exception)
        return result.stdout, result.stderr

    return invoke


def test_cli_install_twice_then_uninstall(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "home" / ".cursor" / "mcp.json"
    config.parent.mkdir(parents=True)
    config.write_text(json.dumps({"mcpServers": {"github": OTHER}}))
    _, said = cli("install", "cursor", "--db", str(tmp_path / "team.db"), "--scope", "me")
    assert "Added 'memory'" in said and "saved as" in said and "restart Cursor" in said
    entry = json.loads(config.read_text())["mcpServers"]["memory"]
    assert entry["command"].endswith(("memory-mcp", "memory-mcp.exe", "python", "python.exe"))
    assert Path(entry["command"]).is_absolute()
    assert entry["args"][-1] == "serve"
    assert entry["env"] == {"MEMORY_MCP_DB": str(tmp_path / "team.db"),
                            "MEMORY_MCP_DEFAULT_SCOPE": "me"}  # fmt: skip
    _, said = cli("install", "cursor", "--db", str(tmp_path / "team.db"), "--scope", "me")
    assert "nothing changed" in said
    assert len(list(config.parent.glob("*.bak"))) == 1
    _, said = cli("uninstall", "cursor")
    assert "Removed 'memory'" in said
    assert json.loads(config.read_text()) == {"mcpServers": {"github": OTHER}}
    _, said = cli("uninstall", "cursor")
    assert "nothing changed" in said


def test_a_rerun_says_which_settings_it_no_longer_writes(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Re-running install without --db (after moving the install, as the README says) silently
    pointed the client at the default database: the entry's memories seemed gone."""
    db = str(tmp_path / "team.db")
    cli("install", "cursor", "--db", db, "--scope", "me")
    _, said = cli("install", "cursor", "--scope", "me")
    said = " ".join(said.split())
    assert f"No longer in the entry: MEMORY_MCP_DB={db} (" in said and "--db" in said
    _, said = cli("install", "cursor", "--scope", "me")
    assert "nothing changed" in said and "No longer" not in said


def test_cli_print_changes_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = project(tmp_path)
    shown, said = cli("install", "vscode", "--dir", str(repo), "--print")
    assert str(repo / ".vscode" / "mcp.json") in said
    snippet = json.loads(shown)
    assert snippet["servers"]["memory"]["args"][-2:] == ["--project", "${workspaceFolder}"]
    assert not (repo / ".vscode").exists()
    assert not (tmp_path / "home" / ".config").exists()


@pytest.mark.parametrize(
    ("client", "hooks_file"),
    [("claude-code", ".claude/settings.json"), ("gemini", ".gemini/settings.json"),
     ("codex", ".codex/hooks.json")],
)  # fmt: skip
@pytest.mark.parametrize("hooks", ["--hooks", "--no-hooks"])
def test_cli_print_with_hooks_shows_them_and_changes_nothing(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, client: str, hooks_file: str, hooks: str
) -> None:
    """`install codex --hooks --print` wrote .codex/hooks.json; for the others `--print`
    showed the server entry alone, never the hooks the same run would write."""
    repo = project(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts)
    shown, said = cli("install", client, "--dir", str(repo), hooks, "--print")
    assert sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts) == before
    said = " ".join(said.split())
    assert str(repo / hooks_file) in said
    if hooks == "--hooks":
        assert "hook session-start" in shown and "hook prompt" in shown
        if client == "codex":
            assert "codex mcp add memory" in said
    else:
        assert "would remove the automatic-memory hooks" in said and "hook prompt" not in shown


def test_cli_project_levels(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = project(tmp_path)
    _, said = cli("install", "claude-code", "--dir", str(repo), "--name", "mem")
    assert "github.com/acme/widgets" in said
    servers = json.loads((repo / ".mcp.json").read_text())["mcpServers"]
    assert servers["mem"]["args"][-2:] == ["--project", str(repo)]
    cli("install", "cursor", "--project-level", "--dir", str(repo))
    cursor = json.loads((repo / ".cursor" / "mcp.json").read_text())["mcpServers"]["memory"]
    assert cursor["args"][-2:] == ["--project", "${workspaceFolder}"]
    cli("install", "claude-code", "--global")
    user = json.loads((tmp_path / "home" / ".claude.json").read_text())
    assert user["mcpServers"]["memory"]["args"][-1] == "serve"
    _, said = cli("install", "claude-desktop", "--project-level", code=1)
    assert "no per-project config" in said
    _, said = cli("install", "claude-desktop")  # so it must not suggest --project-level
    assert "--project-level" not in said and "--scope" in said
    _, said = cli("uninstall", "claude-code", "--dir", str(repo), "--name", "mem")
    assert json.loads((repo / ".mcp.json").read_text()) == {"mcpServers": {}}


def test_cli_refusals_leave_files_alone(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "home" / ".config" / "Claude" / "claude_desktop_config.json"
    config.parent.mkdir(parents=True)
    config.write_text('{"mcpServers": {"memory": ')
    _, said = cli("install", "claude-desktop", code=1)
    assert "not valid JSON" in said and "Traceback" not in said
    config.write_text(json.dumps({"mcpServers": {"memory": REFERENCE_MEMORY}}))
    _, said = cli("install", "claude-desktop", code=1)
    assert "not memory-mcp" in said
    cli("install", "claude-desktop", "--name", "memory-mcp")
    names = json.loads(config.read_text())["mcpServers"]
    assert names["memory"] == REFERENCE_MEMORY and "memory-mcp" in names
    _, said = cli("install", "claude-code", "--dir", str(tmp_path / "home"), code=1)
    assert "not a project folder" in said


@pytest.mark.slow
def test_the_installed_entry_starts_a_working_server(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """What a client does: read .mcp.json, spawn command + args with env, call a tool."""
    repo = project(tmp_path)
    cli("install", "claude-code", "--dir", str(repo), "--db", str(tmp_path / "c.db"))
    entry = json.loads((repo / ".mcp.json").read_text())["mcpServers"]["memory"]
    env = {**entry["env"], "MEMORY_MCP_SEMANTIC": "false", "HOME": str(tmp_path / "home")}
    if sys.platform == "win32":  # pragma: no cover
        env["SYSTEMROOT"] = os.environ.get("SYSTEMROOT", "")
    params = StdioServerParameters(command=entry["command"], args=entry["args"], env=env)

    async def session() -> None:
        async with McpClient(params, mode="legacy", read_timeout_seconds=60) as client:
            stored = await client.call_tool("remember", {"content": "Widgets ship on Fridays"})
            assert stored.structured_content is not None
            assert stored.structured_content["scope"] == "github.com/acme/widgets"

    anyio.run(session)


@pytest.mark.slow
@pytest.mark.skipif(not (shutil.which("uvx") and shutil.which("uv")), reason="needs uv and uvx")
def test_install_from_uvx_writes_a_command_that_starts_offline(tmp_path: Path) -> None:
    """`uvx --from . memory-mcp install` used to write `uvx --from DIR memory-mcp`, which asks
    the package index at every start: offline, the client could never start the server."""
    repo, tools = project(tmp_path), tmp_path / "uv-tools"
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(tools),
        "UV_TOOL_BIN_DIR": str(tmp_path / "uv-bin"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    for name in ("VIRTUAL_ENV", "MEMORY_MCP_MODEL_DIR", "MEMORY_MCP_DB"):
        env.pop(name, None)
    uvx = ["uvx", "--from", str(REPO), "memory-mcp"]
    done = subprocess.run(
        [*uvx, "install", "claude-code", "--dir", str(repo)],
        env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    entry = json.loads((repo / ".mcp.json").read_text())["mcpServers"]["memory"]
    script = tools / "memory-mcp" / ("Scripts" if sys.platform == "win32" else "bin")
    assert Path(entry["command"]).parent == script
    assert entry["args"] == ["serve", "--project", str(repo)]
    assert "starts offline" in " ".join(done.stderr.split())
    # What a client does later, without network or uv: run the command as written.
    offline = {"PATH": os.defpath, "UV_OFFLINE": "1", "HOME": str(tmp_path)}
    started = subprocess.run(
        [entry["command"], "--version"], env=offline, capture_output=True, text=True, timeout=120
    )
    assert started.returncode == 0 and "memory-mcp" in started.stdout, started.stderr


# -- hooks for automatic memory (Claude Code) ---------------------------------------------------

USERS_HOOK = {"matcher": "Bash", "hooks": [{"type": "command", "command": "./lint.sh"}]}


def test_hooks_are_merged_idempotently_and_removed_alone(tmp_path: Path) -> None:
    from memory_mcp.adapters.install import hookconfig

    path = tmp_path / ".claude" / "settings.json"
    path.parent.mkdir()
    mine = {
        "model": "opus",
        "hooks": {
            "PreToolUse": [USERS_HOOK],
            "Stop": [{"hooks": [{"type": "command", "command": "say done"}]}],
        },
    }
    path.write_text(json.dumps(mine))
    ours = hookconfig.entries(LAUNCH, ["--db", "/data/m.db"])
    assert hookconfig.install_hooks(path, ours, NOW).action == "added"
    doc = json.loads(path.read_text())
    assert doc["model"] == "opus" and doc["hooks"]["PreToolUse"] == [USERS_HOOK]
    assert doc["hooks"]["SessionStart"] == [
        {
            "hooks": [
                {
                    "type": "command",
                    "command": "/opt/venv/bin/memory-mcp --db /data/m.db hook session-start",
                    "timeout": 15,
                }
            ]
        }
    ]
    assert [g["hooks"][0]["command"].split()[-1] for g in doc["hooks"]["Stop"]] == [
        "done",
        "capture",
    ]
    assert set(doc["hooks"]) == {
        "PreToolUse",
        "Stop",
        "SessionStart",
        "UserPromptSubmit",
        "PreCompact",
        "SessionEnd",
    }
    assert hookconfig.install_hooks(path, ours, NOW).action == "unchanged"
    moved = hookconfig.entries(Launch("/usr/bin/memory-mcp", [], "venv"), [])
    assert hookconfig.install_hooks(path, moved, NOW).action == "updated"
    assert len(json.loads(path.read_text())["hooks"]["Stop"]) == 2  # replaced, not added
    assert hookconfig.install_hooks(path, None, NOW).action == "removed"
    assert json.loads(path.read_text()) == mine
    assert hookconfig.install_hooks(path, None, NOW).action == "absent"


def test_cli_install_claude_code_with_hooks_and_without(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = project(tmp_path)
    _, said = cli("install", "claude-code", "--dir", str(repo), "--hooks")
    assert "Added the automatic-memory hooks" in said
    settings = json.loads((repo / ".claude" / "settings.json").read_text())
    command = settings["hooks"]["UserPromptSubmit"][0]["hooks"][0]["command"]
    assert command.endswith(" hook prompt")
    assert json.loads((repo / ".mcp.json").read_text())["mcpServers"]["memory"]
    ran = subprocess.run(
        command,
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        input=json.dumps(
            {
                "session_id": "s",
                "hook_event_name": "UserPromptSubmit",
                "cwd": str(repo),
                "prompt": "hello there world",
            }
        ),
        env={**os.environ, "MEMORY_MCP_DB": str(tmp_path / "none.db")},
    )
    assert (ran.returncode, ran.stdout) == (0, ""), ran.stderr  # runs; nothing stored yet
    _, said = cli("install", "claude-code", "--dir", str(repo), "--no-hooks")
    assert "Removed the automatic-memory hooks" in said
    assert json.loads((repo / ".claude" / "settings.json").read_text()) == {}
    _, said = cli("install", "cursor", "--hooks", code=1)
    # VS Code's agent hooks read Claude Code's file: the error says what serves it
    _, said = cli("install", "vscode", "--hooks", code=1)
    assert "install claude-code --hooks" in " ".join(said.split())


def test_cli_install_hooks_that_post_to_a_running_server(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = project(tmp_path)
    url = "http://127.0.0.1:8765"
    _, said = cli("install", "claude-code", "--dir", str(repo), "--hooks", "--hook-url", url + "/")
    assert "Added the automatic-memory hooks" in said
    hooks = json.loads((repo / ".claude" / "settings.json").read_text())["hooks"]
    # The prompt hook is Claude Code's http hook; the token is never written, only named.
    assert hooks["UserPromptSubmit"] == [
        {
            "hooks": [
                {
                    "type": "http",
                    "url": "http://127.0.0.1:8765/hooks/prompt",
                    "headers": {"Authorization": "Bearer ${MEMORY_MCP_TOKEN}"},
                    "allowedEnvVars": ["MEMORY_MCP_TOKEN"],
                    "timeout": 10,
                }
            ]
        }
    ]
    start = hooks["SessionStart"][0]["hooks"][0]
    assert start["type"] == "command"
    assert start["command"].endswith(f" hook session-start --url {url}")
    stop = hooks["Stop"][0]["hooks"][0]
    assert stop["command"].endswith(f" hook capture --url {url}") and stop["async"] is True
    # Installing again without the URL replaces our http hook (it is recognised as ours).
    _, said = cli("install", "claude-code", "--dir", str(repo), "--hooks")
    assert "Updated the automatic-memory hooks" in said
    hooks = json.loads((repo / ".claude" / "settings.json").read_text())["hooks"]
    assert [h["hooks"][0]["type"] for h in hooks["UserPromptSubmit"]] == ["command"]
    cli("install", "claude-code", "--dir", str(repo), "--hooks", "--hook-url", url)
    _, said = cli("install", "claude-code", "--dir", str(repo), "--no-hooks")
    assert json.loads((repo / ".claude" / "settings.json").read_text()) == {}
    _, said = cli("install", "claude-code", "--dir", str(repo), "--hook-url", url, code=1)
    assert "--hook-url goes with --hooks" in said
    _, said = cli("install", "claude-code", "--dir", str(repo), "--hooks", "--hook-url", "8765",
                  code=1)  # fmt: skip
    assert "is not the address of a running" in said
    # Addresses the hook command cannot post to (it would answer locally every time).
    for bad in ("http://me@127.0.0.1:8765", "http://127.0.0.1:99999", "http://127.0.0.1:87x5",
                "http://127.0.0.1:8765/#top"):  # fmt: skip
        _, said = cli("install", "claude-code", "--dir", str(repo), "--hooks", "--hook-url", bad,
                      code=1)  # fmt: skip
        assert "is not the address of a running" in said, bad


def test_cli_install_codex_hooks_brief_a_codex_session(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Codex CLI reads Claude Code's hook JSON from .codex/hooks.json; its SessionStart and
    UserPromptSubmit hooks inject hookSpecificOutput.additionalContext (its hooks docs)."""
    repo = project(tmp_path)
    db = tmp_path / "codex.db"
    _, said = cli("install", "codex", "--dir", str(repo), "--db", str(db), "--hooks")
    assert "Added the automatic-memory hooks" in said and "codex mcp add memory --" in said
    # Codex skips a hook nobody trusted, silently: install said nothing of it
    assert "open `/hooks` and trust memory-mcp's two" in " ".join(said.split())
    hooks = json.loads((repo / ".codex" / "hooks.json").read_text())["hooks"]
    assert set(hooks) == {"SessionStart", "UserPromptSubmit"}  # no capture: see README
    command = hooks["SessionStart"][0]["hooks"][0]["command"]
    assert command.endswith(f"--db {db} hook session-start")
    assert not (repo / ".codex" / "config.toml").exists()  # its servers are codex mcp add's
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.remember(
        "We decided to ship on Fridays only.", "decision", scope="github.com/acme/widgets"
    )
    service.close()
    codex_input = {"session_id": "019d", "transcript_path": None, "cwd": str(repo),
                   "hook_event_name": "SessionStart", "model": "gpt-5-codex",
                   "source": "startup"}  # fmt: skip
    ran = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                         input=json.dumps(codex_input), env={**os.environ})  # fmt: skip
    out = json.loads(ran.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "SessionStart"
    assert "We decided to ship on Fridays only." in out["additionalContext"]
    _, said = cli("install", "codex", "--dir", str(repo), "--no-hooks")
    assert "Removed the automatic-memory hooks" in said
    assert json.loads((repo / ".codex" / "hooks.json").read_text()) == {}
    _, said = cli("install", "codex", "--dir", str(repo), code=1)
    assert "codex mcp add" in said


def test_the_capture_hook_loads_the_model_the_server_entry_names(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, model_dir: Path
) -> None:
    """A client runs its hooks without the server entry's `env`: `--model-dir` (or
    MEMORY_MCP_MODEL_DIR) reached only that env, so capture, the one hook that loads the
    model, looked for it in the empty download cache: offline, every capture warned and stored
    without a vector; with another MEMORY_MCP_MODEL it loaded the wrong model and told the
    user to `reindex` with it."""
    repo = project(tmp_path)
    db = tmp_path / "m.db"
    cli("--model-dir", str(model_dir), "install", "claude-code", "--dir", str(repo), "--db",
        str(db), "--hooks")  # fmt: skip
    hooks = json.loads((repo / ".claude" / "settings.json").read_text())["hooks"]
    capture = hooks["Stop"][0]["hooks"][0]["command"]
    assert f"--model-dir {model_dir.absolute()}" in capture
    # the briefing and prompt hooks never load it, and keep to the quick start-up's --db
    assert "--model-dir" not in hooks["SessionStart"][0]["hooks"][0]["command"]
    lines = [
        {"type": "user", "message": {"role": "user", "content": "We decided to use structlog."},
         "uuid": "u1", "sessionId": "s1", "timestamp": "2026-10-05T09:00:00Z"},
        {"type": "assistant", "uuid": "a1", "sessionId": "s1", "timestamp": "2026-10-05T09:01:00Z",
         "message": {"role": "assistant", "content": [{"type": "text", "text": "Noted."}]}},
    ]  # fmt: skip
    transcript = tmp_path / "s1.jsonl"
    transcript.write_text("".join(json.dumps(line) + "\n" for line in lines))
    stop = {"session_id": "s1", "transcript_path": str(transcript), "cwd": str(repo),
            "hook_event_name": "Stop", "stop_hook_active": False}  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith("MEMORY_MCP_")}
    env |= {"HOME": str(tmp_path / "home"), "HF_HUB_OFFLINE": "1"}  # no cache, no download
    ran = subprocess.run(capture, shell=True, capture_output=True, text=True, timeout=120,
                         input=json.dumps(stop), env=env)  # fmt: skip
    assert ran.returncode == 0 and "Semantic search is off" not in ran.stderr, ran.stderr
    service = MemoryService.open(Settings(db=db, semantic=False))  # embeds nothing itself
    try:
        stored = service.list_memories()
        assert "We decided to use structlog." in [m.content for m in stored]
        assert service.stats().embedded == len(stored)  # the hook embedded what it stored
    finally:
        service.close()


def test_cli_install_codex_writes_the_settings_it_was_given_absolute(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--db rel.db` reached Codex's hooks and its `codex mcp add` line as given, relative:
    run from the session's folder they briefed from no database, silently; `--scope` was
    taken and dropped. Both now carry what other clients' entries carry, paths absolute."""
    repo = project(tmp_path)
    monkeypatch.chdir(tmp_path)
    _, said = cli("--db", "rel.db", "install", "codex", "--dir", str(repo), "--hooks",
                  "--scope", "mine")  # fmt: skip
    db = tmp_path / "rel.db"
    said = " ".join(said.split())
    assert f"--env MEMORY_MCP_DB={db} --env MEMORY_MCP_DEFAULT_SCOPE=mine --" in said
    hooks = json.loads((repo / ".codex" / "hooks.json").read_text())["hooks"]
    command = hooks["SessionStart"][0]["hooks"][0]["command"]
    assert f"--db {db} hook session-start" in command
    service = MemoryService.open(Settings(db=db, semantic=False))
    scope = "github.com/acme/widgets"  # the repository's, as the hook resolves its cwd
    service.remember("We decided to ship on Fridays only.", "decision", scope=scope)
    service.close()
    start = {"session_id": "019d", "transcript_path": None, "cwd": str(repo), "source": "startup",
             "hook_event_name": "SessionStart", "model": "gpt-5-codex"}  # fmt: skip
    ran = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                         input=json.dumps(start), cwd=repo, env={**os.environ})  # fmt: skip
    assert "ship on Fridays" in json.loads(ran.stdout)["hookSpecificOutput"]["additionalContext"]


def test_cli_install_gemini_writes_the_server_and_hooks_that_brief_a_gemini_session(
    cli, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """Gemini CLI keeps servers (mcpServers) and hooks in one settings.json; its SessionStart
    and BeforeAgent hooks inject hookSpecificOutput.additionalContext, timeouts in ms (its
    hooks reference)."""
    repo = project(tmp_path)
    db = tmp_path / "gemini.db"
    _, said = cli("install", "gemini", "--dir", str(repo), "--db", str(db), "--hooks")
    assert "Added the automatic-memory hooks" in said
    settings = json.loads((repo / ".gemini" / "settings.json").read_text())
    assert "serve" in settings["mcpServers"]["memory"]["args"]
    assert set(settings["hooks"]) == {"SessionStart", "BeforeAgent"}  # no capture: README
    prompt_hook = settings["hooks"]["BeforeAgent"][0]["hooks"][0]
    assert prompt_hook["timeout"] == 10_000 and prompt_hook["name"] == "memory-mcp-prompt"
    assert prompt_hook["command"].endswith(f"--db {db} hook prompt")
    service = MemoryService.open(Settings(db=db, semantic=False))
    service.remember(
        "We decided to ship on Fridays only.", "decision", scope="github.com/acme/widgets"
    )
    service.close()
    gemini_input = {"session_id": "g-1", "transcript_path": str(tmp_path / "t.json"),
                    "cwd": str(repo), "hook_event_name": "BeforeAgent",
                    "timestamp": "2026-12-05T18:00:00Z",
                    "prompt": "Can we ship the release on Fridays?"}  # fmt: skip
    ran = subprocess.run(prompt_hook["command"], shell=True, capture_output=True, text=True,
                         timeout=60, input=json.dumps(gemini_input))  # fmt: skip
    out = json.loads(ran.stdout)["hookSpecificOutput"]
    assert out["hookEventName"] == "BeforeAgent"
    assert "We decided to ship on Fridays only." in out["additionalContext"]
    _, said = cli("install", "gemini", "--dir", str(repo), "--hooks")  # again: replaced
    again = json.loads((repo / ".gemini" / "settings.json").read_text())
    assert [len(again["hooks"][e]) for e in ("SessionStart", "BeforeAgent")] == [1, 1]
    _, said = cli("uninstall", "gemini", "--dir", str(repo))
    assert "Removed the automatic-memory hooks" in said
    left = json.loads((repo / ".gemini" / "settings.json").read_text())
    assert left.get("mcpServers", {}) == {} and "hooks" not in left


def test_install_codex_without_hooks_names_the_line_to_run_with_this_install(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`install codex` (what the README's client list invites) answered with `codex mcp add
    memory -- memory-mcp serve`: a bare command, which Codex starts without your PATH, and
    without the --name, --db and --scope just given. It now names the line --hooks prints."""
    repo = project(tmp_path)
    monkeypatch.chdir(tmp_path)
    _, said = cli("--db", "rel.db", "install", "codex", "--dir", str(repo), "--name", "mem",
                  "--scope", "mine", code=1)  # fmt: skip
    said = " ".join(said.split())
    assert f"codex mcp add mem --env MEMORY_MCP_DB={tmp_path / 'rel.db'}" in said
    assert "--env MEMORY_MCP_DEFAULT_SCOPE=mine -- /" in said  # an absolute command
    assert not (repo / ".codex").exists()


def test_install_help_names_every_client_with_hooks_and_its_default_level() -> None:
    """`install --help` said gemini's default level was global (it is project) and that
    --hooks was for Claude Code alone (gemini and codex have them too)."""
    result = CliRunner().invoke(app, ["install", "--help"], env={"COLUMNS": "200"})
    text = " ".join(result.output.split())
    assert "global for the others" not in text
    assert "claude-code, vscode, gemini and codex" in text
    assert "claude-code, gemini, codex: also add" in text


@pytest.mark.parametrize("client", ["claude-code", "gemini"])
def test_a_hooks_file_install_refuses_leaves_the_server_entry_untouched_too(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, client: str
) -> None:
    """`install claude-code --hooks` with a settings file whose 'hooks' is not an object
    added the server entry, then refused the hooks saying "Nothing was changed"; `uninstall`
    removed the entry and then refused. Now both refuse before writing anything."""
    repo = project(tmp_path)
    hooks_file = repo / (".claude" if client == "claude-code" else ".gemini") / "settings.json"
    hooks_file.parent.mkdir()
    hooks_file.write_text('{"hooks": []}')
    before = sorted(p.name for p in repo.rglob("*") if ".git" not in p.parts)
    _, said = cli("install", client, "--dir", str(repo), "--hooks", code=1)
    assert "'hooks' is not an object of event lists" in said
    assert sorted(p.name for p in repo.rglob("*") if ".git" not in p.parts) == before
    hooks_file.write_text('{"hooks": {}}')
    cli("install", client, "--dir", str(repo))  # the server entry alone
    doc = json.loads(hooks_file.read_text())  # gemini: its server entry is in the same file
    hooks_file.write_text(json.dumps(doc | {"hooks": []}))
    entry_files = {p: p.read_text() for p in repo.rglob("*.json") if ".git" not in p.parts}
    _, said = cli("uninstall", client, "--dir", str(repo), code=1)
    assert "'hooks' is not an object of event lists" in said
    assert {p: p.read_text() for p in entry_files} == entry_files


@pytest.mark.parametrize("client", ["cursor", "claude-code"])
def test_a_database_password_is_never_written_into_a_client_config(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, client: str
) -> None:
    """`install --db postgresql://u:pw@host/db` wrote the password in clear into the entry's
    env (a project's `.mcp.json` the README suggests committing) and, with --hooks, into hook
    command lines that `ps` shows. It is refused before anything is written."""
    repo = project(tmp_path)
    before = sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts)
    # libpq reads a password after the user name or as the query's `password` parameter
    in_query = "postgresql://memory@db.internal/team?sslmode=require&password=s3cr3t-pw"
    for url in ("postgresql://memory:s3cr3t-pw@db.internal/team", in_query):
        _, said = cli("install", client, "--dir", str(repo), "--db", url, "--hooks"
                      if client == "claude-code" else "--print", code=1)  # fmt: skip
        assert "holds a password" in said and "~/.pgpass" in said and "s3cr3t" not in said
        assert sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts) == before
    cli("install", client, "--dir", str(repo), "--db", "postgresql://memory@db.internal/team")


@pytest.mark.parametrize("client", ["claude-code", "codex", "gemini"])
def test_an_invalid_schema_is_refused_with_the_rule_and_a_file_carries_none(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, client: str
) -> None:
    """`--pg-schema Team-1` was refused as "not a plain schema name", which says neither
    what a name may hold nor that MEMORY_MCP_PG_SCHEMA (set long ago) may be its source.
    With a SQLite file the schema means nothing: neither the entry nor a hook carries it."""
    repo = project(tmp_path)
    url = "postgresql://memory@db.internal/team"
    before = sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts)
    _, said = cli("--pg-schema", "Team-1", "install", client, "--dir", str(repo), "--db", url,
                  "--hooks", code=1)  # fmt: skip
    said = " ".join(said.split())
    assert "'Team-1'" in said and "MEMORY_MCP_PG_SCHEMA" in said and "lowercase" in said
    assert sorted(p for p in tmp_path.rglob("*") if ".git" not in p.parts) == before
    shown, said = cli("--pg-schema", "team_1", "install", client, "--dir", str(repo),
                      "--db", str(tmp_path / "m.db"), "--hooks", "--print")  # fmt: skip
    assert "team_1" not in shown and "PG_SCHEMA" not in shown and "m.db" in shown
    assert "not carried" in said and "SQLite" in said  # said, as the person may expect it


def test_uninstall_at_the_default_level_names_the_entry_left_at_the_other(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path
) -> None:
    """After `install claude-code --global`, `uninstall claude-code` (project level by
    default) said "No server named 'memory' ...; nothing changed" and left the person to
    find the entry in ~/.claude.json. It now names that file and the flag that removes it."""
    repo = project(tmp_path)
    cli("install", "claude-code", "--global", "--dir", str(repo))
    user_file = tmp_path / "home" / ".claude.json"
    _, said = cli("uninstall", "claude-code", "--dir", str(repo))
    said = " ".join(said.split())
    assert "nothing changed" in said
    assert f"{user_file} has it: `memory-mcp uninstall claude-code --global` removes it." in said
    _, said = cli("uninstall", "claude-code", "--global", "--dir", str(repo))
    assert "Removed 'memory'" in said and "has it" not in said


@pg.needs_postgres
def test_install_carries_the_postgresql_schema_to_the_server_and_every_hook(  # type: ignore[no-untyped-def]
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With MEMORY_MCP_PG_SCHEMA=team, `install --db URL` wrote a server entry and hooks on the
    default schema: an empty store. The schema goes into the entry's env and, as --pg-schema,
    into each hook's command line, which then reads that schema's memories."""
    schema = pg.fresh_schema()
    parts = urlsplit(pg.url())  # install refuses a password in the URL: PGPASSWORD has it
    url = urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", "@")))
    monkeypatch.setenv("PGPASSWORD", unquote(parts.password or ""))
    service = MemoryService.open(Settings(db=url, pg_schema=schema, semantic=False))
    service.remember("Always run the smoke test before a release.", kind="preference")
    service.close()
    repo = project(tmp_path)
    monkeypatch.setenv("MEMORY_MCP_PG_SCHEMA", schema)
    cli("install", "claude-code", "--dir", str(repo), "--db", url, "--hooks")
    entry = json.loads((repo / ".mcp.json").read_text())["mcpServers"]["memory"]
    assert entry["env"]["MEMORY_MCP_PG_SCHEMA"] == schema
    hooks = json.loads((repo / ".claude" / "settings.json").read_text())["hooks"]
    lines = [h["command"] for group in hooks.values() for g in group for h in g["hooks"]]
    assert lines and all(f"--pg-schema {schema}" in line for line in lines)
    words = shlex.split(next(line for line in lines if "session-start" in line))
    monkeypatch.delenv("MEMORY_MCP_PG_SCHEMA")
    env = {k: v for k, v in os.environ.items() if k != "MEMORY_MCP_PG_SCHEMA"}
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", *words[words.index("--db") :]],
        input=json.dumps({"session_id": "s", "cwd": str(repo), "hook_event_name": "SessionStart"}),
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Always run the smoke test before a release." in done.stdout
