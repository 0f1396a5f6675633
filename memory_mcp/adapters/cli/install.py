"""`install` and `uninstall`: register memory-mcp in an MCP client's config file."""

import json
import shlex
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from memory_mcp.adapters.cli.app import DbOpt, app, root_options
from memory_mcp.adapters.cli.opening import noted_scope
from memory_mcp.adapters.cli.remote import split_url
from memory_mcp.adapters.cli.render import err, out
from memory_mcp.adapters.install import clients, hookconfig
from memory_mcp.adapters.install.clients import Client, Machine, Outcome, Target
from memory_mcp.adapters.install.configfile import ConfigError, read_config
from memory_mcp.adapters.install.launcher import Launch, current_runtime, launch_command, prepare
from memory_mcp.errors import InvalidInput

PANEL = "Connect clients"
ClientArg = Annotated[
    Client,
    typer.Argument(
        help="claude-desktop, cursor, claude-code, vscode, gemini or codex (hooks only).",
        case_sensitive=False,
    ),
]
NameOpt = Annotated[str, typer.Option("--name", help="The server's name in the client.")]
LevelOpt = Annotated[
    bool | None,
    typer.Option(
        "--project-level/--global",
        help="The project's file (.cursor/mcp.json, .mcp.json, .vscode/mcp.json,"
        " .gemini/settings.json, .codex/hooks.json) or the user's. Default: project-level for"
        " claude-code, vscode, gemini and codex; global for claude-desktop and cursor.",
        show_default=False,
    ),
]
DirOpt = Annotated[
    Path | None,
    typer.Option(
        "--dir", help="Project folder for --project-level (default: the current folder).",
        exists=True, file_okay=False, show_default=False,
    ),
]  # fmt: skip
HooksOpt = Annotated[
    bool | None,
    typer.Option(
        "--hooks/--no-hooks",
        help="claude-code, gemini, codex: also add (or remove) the hooks that brief each session"
        " (and, for Claude Code, capture it), in .claude/settings.json, .gemini/settings.json or"
        " .codex/hooks.json (in your home folder with --global).",
        show_default=False,
    ),
]
HookUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--hook-url",
        help="With --hooks: the address of a running `memory-mcp serve --http` (e.g."
        " http://127.0.0.1:8765) that answers the hooks in milliseconds; the prompt hook becomes"
        " an http hook, the others post to it and answer locally when it does not.",
        show_default=False,
    ),
]
ForceOpt = Annotated[
    bool, typer.Option("--force", help="Replace or remove a same-named server that is not ours.")
]


def _target(client: Client, name: str, project_level: bool | None, folder: Path | None) -> Target:
    return clients.resolve_target(
        client, Machine.current(), name, project_level, folder or Path.cwd()
    )


@app.command(rich_help_panel=PANEL)
def install(
    ctx: typer.Context,
    client: ClientArg,
    name: NameOpt = clients.DEFAULT_NAME,
    db: DbOpt = None,
    scope: Annotated[
        str | None,
        typer.Option(
            help="Scope for memories stored outside a project (default: global).",
            callback=noted_scope,
        ),
    ] = None,
    project_level: LevelOpt = None,
    folder: DirOpt = None,
    print_: Annotated[bool, typer.Option("--print", help="Only show the entry.")] = False,
    force: ForceOpt = False,
    hooks: HooksOpt = None,
    hook_url: HookUrlOpt = None,
) -> None:
    """Add memory-mcp to a client's MCP config (or update it); keeps a dated backup."""
    target = _target(client, name, project_level, folder)
    _check_hooks(client, hooks)
    url = None if hook_url is None else _check_hook_url(hook_url, hooks)
    launch = launch_command(current_runtime())
    env = _entry_env(ctx, db, scope)
    if hooks is None and client is Client.CODEX:
        raise InvalidInput(
            "Codex CLI keeps its MCP servers in config.toml, which this does not write: run"
            f" `{_codex_line(launch, env, name)}`; `install codex --hooks` adds the hooks"
            " that brief it (and prints that line)."
        )
    ours = _our_hooks(client, launch, env, url) if hooks else None
    entry = None if client is Client.CODEX else clients.server_entry(target, launch, env)
    if print_:  # shows all a run would write (the hooks too), and writes nothing
        _print(target, launch, entry, hooks, ours, env, name)
        return
    if entry is None:
        _codex(target, launch, env, ours, name)
        return
    if hooks is not None:  # a hooks file install would refuse: refused before any write
        hookconfig.check_hooks(_hooks_path(target))
    prepare(launch)  # a uv tool install when run from uvx: its script is the command
    outcome = clients.install(target, entry, datetime.now(), force)
    _report(target, outcome)
    if hooks is not None:
        _hooks(target, ours)
    if outcome.action == "unchanged":
        return
    _say(f"Command: {launch.command} ({_KINDS[launch.kind]}).")
    if launch.note:
        _say(launch.note)
    from memory_mcp.config import DEFAULT_SCOPE  # (pydantic-settings: not for --help)

    _explain_scope(target, env.get("MEMORY_MCP_DEFAULT_SCOPE", DEFAULT_SCOPE))
    _say(target.spec.reload_hint)


def _entry_env(ctx: typer.Context, db: str | None, scope: str | None) -> dict[str, str]:
    """The server entry's env: the command's --db and --scope, and the root options (or
    their variables) that decide what a server opens and loads."""
    given = root_options(ctx)
    env = clients.server_env(
        db or given.get("db"), scope, given.get("model"), given.get("model_dir"),
        given.get("cache_dir"), given.get("pg_schema"),
    )  # fmt: skip
    if given.get("pg_schema") is not None and "MEMORY_MCP_PG_SCHEMA" not in env:
        _say(  # (a schema set for another database: said, not refused)
            "--pg-schema (MEMORY_MCP_PG_SCHEMA) is not carried: the server opens a SQLite "
            "file, which has no schema (give --db postgresql://... for one)."
        )
    return env


@app.command(rich_help_panel=PANEL)
def uninstall(
    client: ClientArg,
    name: NameOpt = clients.DEFAULT_NAME,
    project_level: LevelOpt = None,
    folder: DirOpt = None,
    force: ForceOpt = False,
) -> None:
    """Remove memory-mcp from a client's MCP config; other servers stay. Memories are kept."""
    target = _target(client, name, project_level, folder)
    if client is Client.CODEX:
        _hooks(target, None)
        _say(f"Remove the server from Codex with: codex mcp remove {name}")
        return
    with_hooks = client in (Client.CLAUDE_CODE, Client.GEMINI)
    if with_hooks:  # a hooks file it would refuse: refused before the entry goes
        hookconfig.check_hooks(_hooks_path(target))
    outcome = clients.uninstall(target, datetime.now(), force)
    _report(target, outcome)
    if outcome.action == "absent" and project_level is None:
        _at_the_other_level(client, name, folder)
    if with_hooks:
        _hooks(target, None)


def _at_the_other_level(client: Client, name: str, folder: Path | None) -> None:
    """`uninstall` looked at the client's default level only: an entry `install --global`
    (or --project-level) wrote stays, and "nothing changed" left the person to find it."""
    spec = clients.SPECS[client]
    if spec.project_file is None:
        return
    try:
        other = _target(client, name, not spec.project_by_default, folder)
        servers = (read_config(other.path) or {}).get(spec.servers_key)
    except (InvalidInput, ConfigError):
        return
    if isinstance(servers, dict) and name in servers:
        flag = "--project-level" if other.project is not None else "--global"
        _say(f"{other.path} has it: `memory-mcp uninstall {client.value} {flag}` removes it.")


def _check_hooks(client: Client, hooks: bool | None) -> None:
    if hooks is not None and client is Client.VSCODE:
        raise InvalidInput(
            "--hooks is for claude-code, codex and gemini. VS Code's agent hooks read Claude"
            " Code's .claude/settings.json: run `memory-mcp install claude-code --hooks` in the"
            " workspace (README, Automatic memory)."
        )
    if hooks is not None and client not in (Client.CLAUDE_CODE, Client.CODEX, Client.GEMINI):
        raise InvalidInput(
            f"--hooks is for claude-code, codex and gemini; {client.value} has no hook that can"
            " brief a session or hand over its transcript that memory-mcp installs (README,"
            " Automatic memory)."
        )


# The settings a server entry's `env` carries that also decide what a hook command opens and
# loads, with the root option that gives each on a hook's command line (a client runs its
# hooks without that env). The briefing and prompt hooks never load the model, and their
# quick start-up (cli/quick.py) reads --db and --pg-schema only: the model's settings go to
# capture alone.
_ROOT_FLAGS = {
    "MEMORY_MCP_DB": "--db",
    "MEMORY_MCP_PG_SCHEMA": "--pg-schema",
    "MEMORY_MCP_MODEL": "--model",
    "MEMORY_MCP_MODEL_DIR": "--model-dir",
    "MEMORY_MCP_CACHE_DIR": "--cache-dir",
}
_MODEL_SETTINGS = ("MEMORY_MCP_MODEL", "MEMORY_MCP_MODEL_DIR", "MEMORY_MCP_CACHE_DIR")


def _root_flags(env: dict[str, str], names: tuple[str, ...]) -> list[str]:
    return [word for name in names if name in env for word in (_ROOT_FLAGS[name], env[name])]


def _our_hooks(
    client: Client, launch: Launch, env: dict[str, str], url: str | None
) -> dict[str, Any]:
    """The hook groups `install --hooks` writes for `client`."""
    options = _root_flags(env, ("MEMORY_MCP_DB", "MEMORY_MCP_PG_SCHEMA"))
    if client is Client.CODEX:
        return hookconfig.codex_entries(launch, options, url)
    if client is Client.GEMINI:
        return hookconfig.gemini_entries(launch, options, url)
    return hookconfig.entries(launch, options, url, _root_flags(env, _MODEL_SETTINGS))


def _codex_line(launch: Launch, env: dict[str, str], name: str) -> str:
    """Codex CLI's servers are TOML, which `codex mcp add` writes: the line to run carries
    the entry's settings as `--env` (Codex passes a server only a few of the shell's
    variables)."""
    words = [w for k, v in env.items() for w in ("--env", f"{k}={v}")]
    words += ["--", launch.command, *launch.args, "serve"]
    return f"codex mcp add {shlex.quote(name)} {shlex.join(words)}"


def _codex(
    target: Target, launch: Launch, env: dict[str, str], ours: dict[str, Any] | None, name: str
) -> None:
    """Codex CLI: its hooks in .codex/hooks.json (or ~/.codex/hooks.json with --global)."""
    if ours:
        prepare(launch)  # a uv tool install when run from uvx: its script is the command
    _hooks(target, ours)
    if ours:
        line = _codex_line(launch, env, name)
        _say(f"Add the server to Codex too, if it is not there yet: {line}")
        _say(target.spec.reload_hint)  # untrusted, Codex skips the hooks without a word


def _print(
    target: Target,
    launch: Launch,
    entry: dict[str, Any] | None,
    hooks: bool | None,
    ours: dict[str, Any] | None,
    env: dict[str, str],
    name: str,
) -> None:
    """What install would write, and where: the server entry, and with `hooks` (True:
    --hooks, False: --no-hooks, None: neither) our hook groups (`ours`)."""
    if launch.note:
        _say(launch.note)
    if entry is not None:
        _say(f"{target.spec.title} reads this from {target.path}:")
        _show(clients.snippet(target, entry))
    if hooks is False:
        _say(f"--no-hooks would remove the automatic-memory hooks from {_hooks_path(target)}.")
    elif hooks and ours:
        _say(f'The hooks go in {_hooks_path(target)} (beside any others), under "hooks":')
        _show({"hooks": ours})
    if entry is None and ours:
        _say(f"Codex's server entry is added with: {_codex_line(launch, env, name)}")


def _show(doc: dict[str, Any]) -> None:
    out.print(json.dumps(doc, indent=2, ensure_ascii=False), markup=False, highlight=False,
              soft_wrap=True)  # fmt: skip


def _check_hook_url(url: str, hooks: bool | None) -> str:
    if not hooks:
        raise InvalidInput("--hook-url goes with --hooks: it says where the hooks post to.")
    try:
        split_url(url)  # as the hook command reads it: one it rejects would never be posted to
    except ValueError:
        raise InvalidInput(
            f"--hook-url {url!r} is not the address of a running `memory-mcp serve --http`;"
            " give one like http://127.0.0.1:8765."
        ) from None
    return url.strip().rstrip("/")


def _hooks_path(target: Target) -> Path:
    file = {Client.CODEX: hookconfig.CODEX_FILE, Client.GEMINI: hookconfig.GEMINI_FILE}
    return hookconfig.settings_path(
        Machine.current().home, target.project, file.get(target.client, hookconfig.SETTINGS_FILE)
    )


def _hooks(target: Target, ours: dict[str, Any] | None) -> None:
    outcome = hookconfig.install_hooks(_hooks_path(target), ours, datetime.now())
    said = {
        "added": "Added the automatic-memory hooks to {path}.",
        "updated": "Updated the automatic-memory hooks in {path}.",
        "unchanged": "The automatic-memory hooks in {path} are already set up.",
        "removed": "Removed the automatic-memory hooks from {path}.",
        "absent": "No automatic-memory hooks in {path}; nothing changed.",
    }
    _say(said[outcome.action].format(path=outcome.path))
    if outcome.backup is not None:
        _say(f"The previous file is saved as {outcome.backup}.")
    if outcome.dropped:
        _say(
            f"No longer in the entry: {', '.join(outcome.dropped)} (options and variables are"
            " written as given on each run: give them again, e.g. --db, to keep them)."
        )


_SAID = {
    "added": "Added {name!r} to {title}'s {level} config {path}.",
    "updated": "Updated {name!r} in {title}'s {level} config {path}.",
    "unchanged": "{name!r} is already set up in {path}; nothing changed.",
    "removed": "Removed {name!r} from {title}'s {level} config {path}.",
    "absent": "No server named {name!r} in {path}; nothing changed.",
}


_KINDS = {
    "uvx": "uvx, which asks the package index at every start",
    "pipx": "your pipx install",
    "uv tool": "your uv tool install",
    "venv": "this environment",
    "python": "this Python, as python -m memory_mcp",
}


def _say(text: str) -> None:
    # Plain text (paths may hold [brackets]) that rich must not wrap: paths get copied.
    err.print(text, markup=False, soft_wrap=True)


def _report(target: Target, outcome: Outcome) -> None:
    level = "project" if target.project is not None else "user"
    _say(
        _SAID[outcome.action].format(
            name=target.name, title=target.spec.title, level=level, path=outcome.path
        )
    )
    if outcome.backup is not None:
        _say(f"The previous file is saved as {outcome.backup}.")
    if outcome.dropped:
        _say(
            f"No longer in the entry: {', '.join(outcome.dropped)} (options and variables are"
            " written as given on each run: give them again, e.g. --db, to keep them)."
        )


def _explain_scope(target: Target, default_scope: str) -> None:
    if target.project is None:
        # Only clients with a project-level file can be tied to a project (not Claude Desktop).
        tie = (
            "--project-level ties them to a project"
            if target.spec.project_file is not None
            else "install with --scope NAME to choose another"
        )
        _say(
            "Memories go to the scope of the folder the client shares as an MCP root, if any,"
            f" else {default_scope!r}; {tie}.",
        )
    elif target.spec.workspace_var:
        _say(
            f"Each workspace gets its own scope from {target.spec.workspace_var}"
            f" (this folder: {target.project_scope}).",
        )
    else:
        _say(f"Memories of this project go to scope {target.project_scope}.")
