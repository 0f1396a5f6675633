"""`memory-mcp serve` over stdio and `memory-mcp hook session-start|prompt` without the CLI:
what an MCP client launches and waits for, and what a client's hooks run before every prompt.

typer, rich and the command modules cost a tenth of a second or more of start-up (measured
with `python -X importtime`), and neither needs them. The common invocations (`serve` with
`--db` and `--project`; `hook session-start|prompt` with `--db` and `--project`, as `install
--hooks` writes them) start here; anything else (--http, -v, --help, --as, an unknown option,
`hook capture`, which loads the model anyway) goes through the full CLI, which behaves the same.
"""

import logging
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

from memory_mcp.adapters.cli.remote import option_pairs
from memory_mcp.adapters.logs import PlainLines, masked


def plain_logging(level: int) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(PlainLines())
    logging.basicConfig(level=level, handlers=[masked(handler)], force=True)


def serve_options(argv: list[str]) -> dict[str, Any] | None:
    """The settings of a plain stdio `serve` command line, or None for anything else."""
    options: dict[str, Any] = {}
    seen_serve = False
    args = iter(argv)
    for arg in args:
        if arg == "serve" and not seen_serve:
            seen_serve = True
            continue
        name, eq, value = arg.partition("=")
        if name not in ("--db", "--project") or (name == "--project" and not seen_serve):
            return None
        if not eq:
            value = next(args, "")
        if not value or value.startswith("-") or name.lstrip("-") in options:
            return None
        options[name.lstrip("-")] = Path(value)
    return options if seen_serve else None


def quick_serve(argv: list[str]) -> bool:
    """Serve if `argv` is a plain stdio serve command line (never returns then); else False."""
    options = serve_options(argv)
    if options is None:
        return False
    plain_logging(logging.INFO)
    from pydantic import ValidationError

    from memory_mcp.adapters.mcp_server.server import serve
    from memory_mcp.config import Settings
    from memory_mcp.errors import MemoryMCPError

    try:
        settings = Settings(**options)
    except ValidationError as exc:
        _fail(setting_errors(exc))  # which variable, as the CLI's commands say it
    try:
        serve(settings)
    except MemoryMCPError as exc:
        _fail(str(exc))
    return True


HOOK_COMMANDS = ("session-start", "prompt")


def hook_options(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, settings) of a plain `[--db X] [--pg-schema S] hook session-start|prompt [--db
    X] [--project P] [--url U]` line, or None for anything else. The hook's own --db wins over
    the root's."""
    try:
        at = argv.index("hook")
    except ValueError:
        return None
    names = ("--db", "--project", "--url")  # --url: the server's, used by remote.py
    root = option_pairs(argv[:at], ("--db", "--pg-schema"))
    rest = option_pairs(argv[at + 2 :], names)
    if root is None or rest is None or argv[at + 1 : at + 2] not in ([c] for c in HOOK_COMMANDS):
        return None
    rest.pop("url", None)
    if "pg-schema" in root:
        root["pg_schema"] = root.pop("pg-schema")
    return argv[at + 1], root | rest


def quick_hook(argv: list[str]) -> bool:
    """Run the hook if `argv` is a plain session-start/prompt line (exits then); else False."""
    parsed = hook_options(argv)
    if parsed is None or os.environ.get("MEMORY_MCP_AS"):  # a principal: the CLI's --as
        return False
    command, options = parsed
    project = options.pop("project", None) or os.environ.get("MEMORY_MCP_PROJECT") or None
    logging.basicConfig(level=logging.WARNING, handlers=[_LazyRichHandler()], force=True)
    raise SystemExit(run_hook(command, options, None if project is None else Path(project)))


def run_hook(command: str, options: dict[str, Any], project: Path | None) -> int:
    """What the CLI's hook command does for session-start and prompt (cli/hooks.py), with the
    same output and exit code; the model is not loaded (keyword-only recall)."""
    from pydantic import ValidationError

    from memory_mcp.adapters.hooks import answer
    from memory_mcp.adapters.hooks.command import (
        connect_timeout,
        has_work,
        read_hook,
        report_problem,
        write_reply,
    )
    from memory_mcp.config import Settings
    from memory_mcp.errors import MemoryMCPError
    from memory_mcp.service import MemoryService
    from memory_mcp.service.projects import project_scope

    try:
        hook = read_hook(sys.stdin)
        try:
            settings = Settings(**options)
        except ValidationError as exc:
            raise MemoryMCPError(setting_errors(exc)) from exc
        if not has_work(command, settings):
            return 0
        service = MemoryService.open(
            settings, create=False, connect_timeout_s=connect_timeout(command)
        )
        try:
            scope = None if project is None else project_scope(project)
            reply = answer(service, command, hook, scope)
        finally:
            service.close()
    except Exception as exc:  # noqa: BLE001 - a hook never fails the client's session
        report_problem(command, exc)
        return 1
    write_reply(sys.stdout, reply)
    return 0


class _LazyRichHandler(logging.Handler):
    """The CLI's log handler (rich, on stderr), built only if something is logged."""

    def __init__(self) -> None:
        super().__init__()
        self._handler: logging.Handler | None = None

    def emit(self, record: logging.LogRecord) -> None:
        if self._handler is None:
            from rich.logging import RichHandler

            from memory_mcp.adapters.cli.render import err

            self._handler = RichHandler(console=err, show_path=False, rich_tracebacks=True)
            self._handler.setFormatter(logging.Formatter("%(message)s"))
        self._handler.handle(record)


def setting_errors(exc: Any) -> str:
    """One line per bad setting (a pydantic ValidationError), named as the environment
    variable (or the option of the same name) that set it, with the value it was given."""
    from memory_mcp.errors import plain_wording

    lines = []
    for error in exc.errors():
        name = f"MEMORY_MCP_{str(error['loc'][0]).upper()}" if error["loc"] else "a setting"
        said = plain_wording(str(error["msg"]))
        lines.append(f"Invalid setting {name}: {said}; got {error.get('input')!r}.")
    return "\n".join(lines)


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit 1, as the CLI shows a MemoryMCPError."""
    sys.stderr.write(f"Error: {' '.join(message.split())}\n")
    sys.stderr.flush()
    raise SystemExit(1)
