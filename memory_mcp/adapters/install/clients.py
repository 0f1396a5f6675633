"""Where each MCP client keeps its server list, and adding or removing our entry there.

Facts per client (checked against their docs): Claude Desktop, Cursor and Claude Code list
stdio servers under `mcpServers`; VS Code under `servers`, where `type` is required. Cursor
and VS Code substitute `${workspaceFolder}` in a project file; Claude Code's `.mcp.json` only
expands environment variables, so there we write the project folder itself. Claude Code's
user-level servers are the top-level `mcpServers` of `~/.claude.json`.
"""

import copy
import os
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from memory_mcp.adapters.install.configfile import ConfigError, read_config, write_config
from memory_mcp.adapters.install.launcher import DIST, MODULE, Launch
from memory_mcp.errors import InvalidInput
from memory_mcp.names import new_scope
from memory_mcp.service.projects import project_scope

DEFAULT_NAME = "memory"
_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
# The keys we write; others a user added to our entry (disabled, autoApprove…) are kept.
_MANAGED = ("type", "command", "args", "env")


class Client(StrEnum):
    CLAUDE_DESKTOP = "claude-desktop"
    CURSOR = "cursor"
    CLAUDE_CODE = "claude-code"
    VSCODE = "vscode"
    CODEX = "codex"  # hooks only (install --hooks): its servers live in TOML (codex mcp add)
    GEMINI = "gemini"  # Gemini CLI: servers and hooks in one settings.json


@dataclass(frozen=True)
class Spec:
    title: str
    servers_key: str
    project_file: str | None  # relative to the project folder; None: no project-level file
    workspace_var: str | None  # the client's own name for the open folder, if it has one
    stdio_type: bool  # write "type": "stdio"
    project_by_default: bool
    reload_hint: str


SPECS = {
    Client.CLAUDE_DESKTOP: Spec(
        "Claude Desktop", "mcpServers", None, None, False, False,
        "Quit Claude Desktop completely and start it again.",
    ),
    Client.CURSOR: Spec(
        "Cursor", "mcpServers", ".cursor/mcp.json", "${workspaceFolder}", True, False,
        "Cursor picks it up in Settings > MCP (toggle the server or restart Cursor).",
    ),
    Client.CLAUDE_CODE: Spec(
        "Claude Code", "mcpServers", ".mcp.json", None, True, True,
        "Start `claude` again; `/mcp` shows the server (project servers ask for approval once).",
    ),
    Client.VSCODE: Spec(
        "VS Code", "servers", ".vscode/mcp.json", "${workspaceFolder}", True, True,
        "VS Code lists it under MCP: List Servers; start it there or from Copilot Chat.",
    ),
    Client.CODEX: Spec(
        "Codex CLI", "mcp_servers", ".codex/config.toml", None, False, True,
        "Codex runs a new or changed hook only once you trust it: start `codex`, open `/hooks`"
        " and trust memory-mcp's two (a project's .codex/hooks.json is read only in a project"
        " Codex trusts); `/mcp` lists the server.",
    ),
    Client.GEMINI: Spec(
        "Gemini CLI", "mcpServers", ".gemini/settings.json", None, False, True,
        "Start `gemini` again; `/mcp` lists the server (and `/hooks` the hooks).",
    ),
}  # fmt: skip


@dataclass(frozen=True)
class Machine:
    """Where per-user config lives: tests pass a temp home and any platform."""

    platform: str  # a sys.platform value: "darwin", "win32", "linux"
    home: Path
    appdata: Path | None = None  # %APPDATA% (Windows)
    config_home: Path | None = None  # $XDG_CONFIG_HOME (Linux)

    @classmethod
    def current(cls) -> "Machine":
        env = os.environ
        return cls(
            platform=sys.platform,
            home=Path.home(),
            appdata=Path(env["APPDATA"]) if env.get("APPDATA") else None,
            config_home=Path(env["XDG_CONFIG_HOME"]) if env.get("XDG_CONFIG_HOME") else None,
        )

    def app_config_dir(self) -> Path:
        """Where desktop apps keep per-user settings (the Electron userData parent)."""
        if self.platform == "darwin":
            return self.home / "Library" / "Application Support"
        if self.platform == "win32":
            return self.appdata or self.home / "AppData" / "Roaming"
        return self.config_home or self.home / ".config"


def user_config_path(client: Client, machine: Machine) -> Path:
    """The client's per-user (global) MCP config file on that machine."""
    if client is Client.CLAUDE_DESKTOP:
        return machine.app_config_dir() / "Claude" / "claude_desktop_config.json"
    if client is Client.VSCODE:
        return machine.app_config_dir() / "Code" / "User" / "mcp.json"
    if client is Client.CURSOR:
        return machine.home / ".cursor" / "mcp.json"
    if client is Client.CODEX:
        return machine.home / ".codex" / "config.toml"
    if client is Client.GEMINI:
        return machine.home / ".gemini" / "settings.json"
    return machine.home / ".claude.json"


@dataclass(frozen=True)
class Target:
    """One server entry in one config file."""

    client: Client
    path: Path
    name: str
    project: Path | None  # the project folder, for project-level files
    project_scope: str | None = None  # the memory scope that folder gets

    @property
    def spec(self) -> Spec:
        return SPECS[self.client]


def resolve_target(
    client: Client, machine: Machine, name: str, project_level: bool | None, folder: Path
) -> Target:
    """The file to edit: the client's default level unless `project_level` says otherwise."""
    if not _NAME.fullmatch(name):
        raise InvalidInput(f"Server name {name!r}: use 1-64 letters, digits, '.', '_' or '-'.")
    spec = SPECS[client]
    level = spec.project_by_default if project_level is None else project_level
    if not level:
        return Target(client, user_config_path(client, machine), name, None)
    if spec.project_file is None:
        raise InvalidInput(f"{spec.title} has no per-project config file; use --global.")
    folder = folder.absolute()
    home = machine.home.absolute()
    if folder.parent == folder or folder == home or home.is_relative_to(folder):
        raise InvalidInput(
            f"{folder} is not a project folder (it holds every project): run install inside"
            " the project, or pass --dir PATH."
        )
    scope = project_scope(folder)
    return Target(client, folder / spec.project_file, name, folder, scope)


def server_env(
    db: Path | str | None,
    scope: str | None,
    model: str | None,
    model_dir: Path | None,
    cache_dir: Path | None = None,
    pg_schema: str | None = None,
) -> dict[str, str]:
    """Settings for the server's `env`, paths made absolute: clients start it elsewhere."""
    env: dict[str, str] = {}
    url = False  # a PostgreSQL URL (not a file)
    if db is not None:
        from memory_mcp.config import is_database_url  # (pydantic-settings: not for --help)

        url = is_database_url(str(db))
        if url and _has_password(str(db)):
            raise InvalidInput(
                "The database URL holds a password, which install would write in clear into the"
                " client's config (a project's may be committed) and hooks' command lines (which"
                " `ps` shows). Give the URL without it and keep the password in ~/.pgpass"
                " (README, Running on PostgreSQL)."
            )
        env["MEMORY_MCP_DB"] = str(db) if url else str(Path(db).expanduser().absolute())
    if scope is not None:
        try:
            env["MEMORY_MCP_DEFAULT_SCOPE"] = new_scope(scope)
        except ValueError as exc:
            raise InvalidInput(f"--scope: {exc}") from exc
    if model is not None:
        env["MEMORY_MCP_MODEL"] = model
    if model_dir is not None:
        env["MEMORY_MCP_MODEL_DIR"] = str(model_dir.expanduser().absolute())
    if cache_dir is not None:
        env["MEMORY_MCP_CACHE_DIR"] = str(cache_dir.expanduser().absolute())
    if pg_schema is not None and url:  # a file has no schema to carry
        env["MEMORY_MCP_PG_SCHEMA"] = _schema(pg_schema)
    return env


def _schema(name: str) -> str:
    """A PostgreSQL schema's name as the server reads it (config.PG_SCHEMA_PATTERN), or the
    rule it breaks: the server would refuse it at every start, and every hook with it."""
    from memory_mcp.config import PG_SCHEMA_PATTERN

    if not re.fullmatch(PG_SCHEMA_PATTERN, name):
        raise InvalidInput(
            f"--pg-schema (or MEMORY_MCP_PG_SCHEMA) {name!r}: use 1-63 lowercase letters,"
            " digits or '_', not starting with a digit (e.g. team_notes)."
        )
    return name


def _has_password(url: str) -> bool:
    """Whether the URL holds a password: after the user name, or as libpq's `password`
    parameter in its query (`?password=...`, which libpq reads just the same)."""
    try:
        parts = urlsplit(url)
        given = parse_qs(parts.query, keep_blank_values=True).get("password", [])
        return bool(parts.password) or any(given)
    except ValueError:  # a malformed URL: opening it says what is wrong
        return False


def server_entry(target: Target, launch: Launch, env: dict[str, str]) -> dict[str, Any]:
    """Our entry for that file: the launch command, `serve`, the project, the env."""
    args = [*launch.args, "serve"]
    if target.project is not None:
        args += ["--project", target.spec.workspace_var or str(target.project)]
    entry: dict[str, Any] = {"type": "stdio"} if target.spec.stdio_type else {}
    entry |= {"command": launch.command, "args": args}
    if env:
        entry["env"] = dict(env)
    return entry


def snippet(target: Target, entry: dict[str, Any]) -> dict[str, Any]:
    return {target.spec.servers_key: {target.name: entry}}


def is_ours(entry: object) -> bool:
    """Whether an existing entry starts memory-mcp (not, say, the reference `memory` server)."""
    if not isinstance(entry, dict):
        return False
    command = str(entry.get("command", ""))
    args = [str(a) for a in entry.get("args", [])] if isinstance(entry.get("args"), list) else []
    name = command.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe")
    module = any(a == "-m" and b == MODULE for a, b in zip(args, args[1:], strict=False))
    return name == DIST or DIST in args or module


@dataclass(frozen=True)
class Outcome:
    action: str  # "added", "updated", "unchanged", "removed" or "absent"
    path: Path
    backup: Path | None = None
    dropped: tuple[str, ...] = ()  # the old entry's env settings the new one no longer has


def install(target: Target, entry: dict[str, Any], now: datetime, force: bool) -> Outcome:
    """Add or update our entry, leaving every other server and key as it was."""
    doc = read_config(target.path)
    servers = _servers(target, doc or {})
    old = servers.get(target.name)
    if old is not None and not force and not is_ours(old):
        raise ConfigError(
            f"{target.path} already has a server named {target.name!r} that is not memory-mcp"
            f" (command {old.get('command') if isinstance(old, dict) else old!r}). Pick another"
            " --name, or pass --force to replace it."
        )
    kept = {k: v for k, v in old.items() if k not in _MANAGED} if isinstance(old, dict) else {}
    new = {**entry, **kept}
    if old == new:
        return Outcome("unchanged", target.path)
    updated = copy.deepcopy(doc or {})
    updated.setdefault(target.spec.servers_key, {})[target.name] = new
    backup = write_config(target.path, updated, now)
    return Outcome("added" if old is None else "updated", target.path, backup, _dropped(old, new))


def _dropped(old: object, new: dict[str, Any]) -> tuple[str, ...]:
    """`NAME=value` for each env setting of the old entry that the new one lacks or changes:
    a re-run without `--db` points the client at another database, so it is said."""
    before = old.get("env") if isinstance(old, dict) else None
    after = new.get("env") or {}
    if not isinstance(before, dict):
        return ()
    return tuple(f"{k}={v}" for k, v in before.items() if after.get(k) != v)


def uninstall(target: Target, now: datetime, force: bool) -> Outcome:
    """Remove our entry; other servers, keys and an emptied server list stay."""
    doc = read_config(target.path)
    old = _servers(target, doc or {}).get(target.name)
    if doc is None or old is None:
        return Outcome("absent", target.path)
    if not force and not is_ours(old):
        raise ConfigError(
            f"The server {target.name!r} in {target.path} is not memory-mcp; left it alone"
            " (--force removes it anyway)."
        )
    updated = copy.deepcopy(doc)
    del updated[target.spec.servers_key][target.name]
    return Outcome("removed", target.path, write_config(target.path, updated, now))


def _servers(target: Target, doc: dict[str, Any]) -> dict[str, Any]:
    servers = doc.get(target.spec.servers_key, {})
    if not isinstance(servers, dict):
        raise ConfigError(
            f"{target.path}: {target.spec.servers_key!r} is not a JSON object. Nothing was changed."
        )
    return servers
