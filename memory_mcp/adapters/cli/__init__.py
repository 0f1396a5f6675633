"""The `memory-mcp` command: typer app over MemoryService.

A plain stdio `serve` and the session-start/prompt hooks start without importing the app
(quick.py): start-up is what an MCP client waits for; `--version` needs none of it either. A
hook given a server URL posts to it with the standard library only (remote.py), falling back
to those paths.
`app` is imported on first use.
"""

import sys

TYPE_CHECKING = False  # not typing's: importing typing costs a hook milliseconds
if TYPE_CHECKING:
    from typing import Any

    from memory_mcp.adapters.cli.main import app


def main() -> None:
    from memory_mcp.adapters.cli.pipes import ReaderGone, failing_with, reader_gone

    try:
        try:
            _run()
        finally:  # what is still buffered: its reader may have gone too
            if sys.stdout is not None and not sys.stdout.closed:
                sys.stdout.flush()
    except (BrokenPipeError, ReaderGone) as exc:
        reader_gone(failing_with(exc))


def _run() -> None:
    if sys.argv[1:] == ["--version"]:  # what scripts and installers ask: no app, no database
        from memory_mcp import __version__

        sys.stdout.write(f"memory-mcp {__version__}\n")
        return
    from memory_mcp.adapters.cli.remote import remote_hook

    if remote_hook(sys.argv[1:]):  # a hook line with a server URL: answered by the server
        return
    from memory_mcp.adapters.cli.quick import quick_hook, quick_serve

    if not quick_serve(sys.argv[1:]) and not quick_hook(sys.argv[1:]):
        from memory_mcp.adapters.cli.main import main as run

        run()


def __getattr__(name: str) -> "Any":
    if name == "app":
        from memory_mcp.adapters.cli.main import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["app", "main"]
