"""The `memory-mcp` command: the app with every command module registered on it.

Each command builds the service, makes one call and renders; errors are handled once (app.py).
"""

# Importing a command module registers its commands on `app`, and --help lists them in that
# order: the tools first, then browsing, moving data, maintenance, client set-up.
from memory_mcp.adapters.cli import tools, browse, exchange, maintenance, model, install  # noqa: I001
from memory_mcp.adapters.cli import ui  # noqa: I001
from memory_mcp.adapters.cli import hooks  # noqa: I001
from memory_mcp.adapters.cli.app import app

COMMAND_MODULES = (tools, browse, exchange, maintenance, model, install, ui, hooks)


def main() -> None:
    app()


__all__ = ["COMMAND_MODULES", "app", "main"]
