"""The `memory-mcp` command: the app with every command module registered on it.

Each command builds the service, makes one call and renders; errors are handled once (app.py).
"""

# Importing a command module registers its commands on `app`, and --help lists them in that
# order: the tools first, then browsing, moving data, maintenance, client set-up.
from memory_mcp.adapters.cli import tools, browse, replacing, exchange, maintenance, model  # noqa: I001
from memory_mcp.adapters.cli import install  # noqa: I001
from memory_mcp.adapters.cli import team, ui  # noqa: I001
from memory_mcp.adapters.cli import hooks  # noqa: I001
from memory_mcp.adapters.cli.app import app
from memory_mcp.adapters.cli.pipes import rich_says_reader_gone
import signal
import sys
from types import FrameType

COMMAND_MODULES = (tools, browse, replacing, exchange, maintenance, model, install, ui, hooks, team)

# The package's `app` is this Typer app (imported lazily, cli/__init__.py), not the module
# app.py, which importing it bound to that name.
sys.modules[__package__].app = app  # type: ignore[attr-defined]


def main() -> None:
    _stop_like_ctrl_c()
    rich_says_reader_gone()
    app()


def _stop_like_ctrl_c() -> None:
    """SIGTERM (and SIGHUP: the terminal closed) end a command as Ctrl-C does, by an
    exception, so every `finally` and rollback runs: no hidden `.partial` file of an export
    or backup, nor an editor's copy of a memory, is left behind, as Python's default (the
    process ends at once) left them. `serve` and `ui` put in their own handlers."""

    def stop(received: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + received)

    for name in ("SIGTERM", "SIGHUP"):  # (Windows has no SIGHUP)
        if (signum := getattr(signal, name, None)) is not None:
            signal.signal(signum, stop)


__all__ = ["COMMAND_MODULES", "app", "main"]
