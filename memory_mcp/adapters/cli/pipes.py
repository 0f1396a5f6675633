"""A command whose reader went away (`memory-mcp list --json | head -1`) ends as Unix tools
do: quietly, killed by SIGPIPE, so a shell sees 141 (not 1, the exit code of an error) and
prints nothing. A command that was failing when its reader went (`memory-mcp | head -0`: the
help of a missing command, exit 2) keeps its own exit code: 141 would hide the failure.
Standard library only: the quick paths use it too."""

import os
import signal
import sys

TYPE_CHECKING = False  # not typing's: every CLI run, hooks too, imports this module
if TYPE_CHECKING:
    from typing import NoReturn


class ReaderGone(Exception):  # noqa: N818 - what happened, not an error of ours
    """Stdout's reader closed it: raised instead of BrokenPipeError, which typer would turn
    into exit code 1, and handled once, where the command line is run (cli/__init__.py).
    `failing`: the exit code of the failure whose output (a usage error's help) it cut."""

    def __init__(self, failing: int | None = None) -> None:
        super().__init__()
        self.failing = failing


def rich_says_reader_gone() -> None:
    """rich ends a print whose reader went away with SystemExit(1) (`Console.on_broken_pipe`,
    meant to be replaced), every console of the process, typer's help included: make it
    ReaderGone. Called by the full CLI before it runs a command."""
    from rich.console import Console

    def on_broken_pipe(self: Console) -> None:
        self.quiet = True
        raise ReaderGone

    Console.on_broken_pipe = on_broken_pipe  # type: ignore[method-assign]


def failing_with(gone: BaseException) -> int | None:
    """The exit code of the failure being reported when the reader went away (the pipe broke
    while an error, a usage error or a nonzero exit was on its way out: Python chains it as
    the new exception's context), or None: the command had not failed."""
    if isinstance(gone, ReaderGone) and gone.failing is not None:
        return gone.failing
    seen: set[int] = set()
    cause = gone.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        # SystemExit's `code`; click's exceptions (a usage error: 2) and typer.Exit: `exit_code`
        code = cause.code if isinstance(cause, SystemExit) else getattr(cause, "exit_code", 0)
        if code not in (0, None):
            return code if isinstance(code, int) else 1  # (a message as the code is 1)
        cause = cause.__context__
    return None


def reader_gone(failed: int | None = None) -> "NoReturn":
    """End the process as SIGPIPE's default action does, the command's own clean-up (its
    `finally` blocks, the database closed) having run on the way here; a command that had
    `failed` exits with that code instead."""
    try:  # what is still buffered for stdout must not be flushed into the pipe at exit
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # stdout closed, replaced or not a file
        pass
    if failed is not None:
        sys.stderr.flush()
        raise SystemExit(failed)
    sigpipe = getattr(signal, "SIGPIPE", None)  # (Windows has none)
    if sigpipe is not None:
        sys.stderr.flush()
        signal.signal(sigpipe, signal.SIG_DFL)
        os.kill(os.getpid(), sigpipe)
    raise SystemExit(1)
