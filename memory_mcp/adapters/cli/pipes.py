"""A command whose reader went away (`memory-mcp list --json | head -1`) ends as Unix tools
do: quietly, killed by SIGPIPE, so a shell sees 141 (not 1, the exit code of an error) and
prints nothing. Standard library only: the quick paths use it too."""

import os
import signal
import sys

TYPE_CHECKING = False  # not typing's: every CLI run, hooks too, imports this module
if TYPE_CHECKING:
    from typing import NoReturn


class ReaderGone(Exception):  # noqa: N818 - what happened, not an error of ours
    """Stdout's reader closed it: raised instead of BrokenPipeError, which typer would turn
    into exit code 1, and handled once, where the command line is run (cli/__init__.py)."""


def rich_says_reader_gone() -> None:
    """rich ends a print whose reader went away with SystemExit(1) (`Console.on_broken_pipe`,
    meant to be replaced), every console of the process, typer's help included: make it
    ReaderGone. Called by the full CLI before it runs a command."""
    from rich.console import Console

    def on_broken_pipe(self: Console) -> None:
        self.quiet = True
        raise ReaderGone

    Console.on_broken_pipe = on_broken_pipe  # type: ignore[method-assign]


def reader_gone() -> "NoReturn":
    """End the process as SIGPIPE's default action does, the command's own clean-up (its
    `finally` blocks, the database closed) having run on the way here."""
    try:  # what is still buffered for stdout must not be flushed into the pipe at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout closed, replaced or not a file
        pass
    sigpipe = getattr(signal, "SIGPIPE", None)  # (Windows has none)
    if sigpipe is not None:
        sys.stderr.flush()
        signal.signal(sigpipe, signal.SIG_DFL)
        os.kill(os.getpid(), sigpipe)
    raise SystemExit(1)
