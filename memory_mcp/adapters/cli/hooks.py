"""Automatic memory: `memory-mcp hook capture|session-start|prompt` (what a client's hooks run,
the hook's JSON on stdin) and `memory-mcp profile`.

A hook must never get in the client's way: a problem is one line on stderr and exit code 1,
which clients show and carry on from (never 2, which would block a prompt); no database yet
means nothing to say, exit 0.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from memory_mcp.adapters.cli.app import (
    DbOpt,
    Group,
    JsonOpt,
    ScopeOpt,
    app,
    open_service,
    settings_for,
)
from memory_mcp.adapters.cli.render import as_json, err, inert, out, when

PANEL = "Automatic memory"
hook_app = typer.Typer(
    cls=Group,
    help="What client hooks run: the hook's JSON on stdin, the client's answer on stdout.",
    no_args_is_help=True,
)
app.add_typer(hook_app, name="hook", rich_help_panel=PANEL)

ProjectOpt = Annotated[
    Path | None,
    typer.Option(
        "--project", envvar="MEMORY_MCP_PROJECT", show_default=False,
        help="Project folder (default: the cwd the hook passes, resolved to its git repo).",
    ),
]  # fmt: skip


UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url", envvar="MEMORY_MCP_HOOK_URL", show_default=False,
        help="A running `serve --http` (http://127.0.0.1:8765) to answer the hook; this"
        " process answers when it cannot.",
    ),
]  # fmt: skip


def _run(ctx: typer.Context, command: str, db: str | None, project: Path | None) -> None:
    from memory_mcp.adapters.hooks import answer
    from memory_mcp.adapters.hooks.command import (
        connect_timeout,
        has_work,
        read_hook,
        report_problem,
        write_reply,
    )

    try:
        hook = read_hook(sys.stdin)
        settings = settings_for(ctx, db=db)
        if not has_work(command, settings, hook, project):
            return
        # Capture loads the model itself, only when it has something to store (service/capture.py)
        capture = command == "capture"
        opened = open_service(ctx, db, create=capture, connect_timeout_s=connect_timeout(command))
        with opened as service:
            reply = answer(service, command, hook, _scope_of(project))
    except Exception as exc:  # noqa: BLE001 - a hook never fails the client's session
        report_problem(command, exc)
        raise typer.Exit(1) from None
    write_reply(sys.stdout, reply)


@hook_app.command("capture")
def hook_capture(
    ctx: typer.Context, db: DbOpt = None, project: ProjectOpt = None, url: UrlOpt = None
) -> None:
    """Store what the session said and explored (Stop, PreCompact, SessionEnd hooks)."""
    _run(ctx, "capture", db, project)


@hook_app.command("session-start")
def hook_session_start(
    ctx: typer.Context, db: DbOpt = None, project: ProjectOpt = None, url: UrlOpt = None
) -> None:
    """Print the project briefing as the client's additionalContext (SessionStart hook)."""
    _run(ctx, "session-start", db, project)


@hook_app.command("prompt")
def hook_prompt(
    ctx: typer.Context, db: DbOpt = None, project: ProjectOpt = None, url: UrlOpt = None
) -> None:
    """Print the memories that clearly bear on the prompt, if any (UserPromptSubmit hook)."""
    _run(ctx, "prompt", db, project)


@app.command(rich_help_panel=PANEL)
def profile(
    ctx: typer.Context,
    scope: ScopeOpt = None,
    project: ProjectOpt = None,
    superseded: Annotated[
        bool, typer.Option("--superseded", help="Show earlier values too.")
    ] = False,
    db: DbOpt = None,
    json_: JsonOpt = False,
) -> None:
    """Every current keyed fact (user.*, project.*, …) grouped by prefix: what memory believes."""
    with open_service(ctx, db) as service:
        found = service.profile(scope, _scope_of(project), superseded)
    if json_:
        as_json(found)
        return
    if not found.size:
        err.print("No keyed facts yet (remember one with --key, e.g. user.editor).")
        return
    for prefix, entries in found.groups.items():
        out.print(inert(f"{prefix}.*", "bold"))
        for entry in entries:
            changed = f", changed {entry.changes}x" if entry.changes else ""
            line = (
                f"  {entry.key} = {entry.value}  (#{entry.id}, set {when(entry.set_at)}{changed})"
            )
            out.print(inert(line))
            for old in entry.previous:
                out.print(inert(f"      was: {old}", "dim"))


def _scope_of(project: Path | None) -> str | None:
    from memory_mcp.service.projects import project_scope

    return None if project is None else project_scope(project)
