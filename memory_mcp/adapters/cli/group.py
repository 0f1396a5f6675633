"""The CLI's command group: errors shown as one line, help as written, close names suggested,
and text arguments that are not UTF-8 or memory ids below 1 refused before a command runs."""

import re
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from typer._click.exceptions import NoSuchOption, UsageError
from typer.core import TyperGroup

from memory_mcp.adapters.cli.arguments import check_text
from memory_mcp.adapters.cli.pipes import ReaderGone
from memory_mcp.adapters.cli.render import err, safe
from memory_mcp.errors import MemoryMCPError, plain_wording


class Group(TyperGroup):
    """Shows a MemoryMCPError as one red line on stderr and exits 1 (anything else is a bug),
    and its commands' help as written."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:  # the root's --help and --version print here
            return super().make_context(*args, **kwargs)
        except BrokenPipeError as exc:
            raise ReaderGone from exc

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:  # type: ignore[override]
        helped = not args and self.no_args_is_help  # (parsing consumes `args`)
        try:
            return list(super().parse_args(ctx, args))
        except ReaderGone as exc:
            if not helped:
                raise
            # typer prints the help of a group given no command while it makes the usage
            # error (exit 2): a closed pipe cut that help, and the command still failed
            raise ReaderGone(failing=2) from exc

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            check_text(ctx)
            return super().invoke(ctx)
        except BrokenPipeError as exc:  # typer would make it exit code 1
            raise ReaderGone from exc
        except MemoryMCPError as exc:
            # soft_wrap: one line however long, so scripts and logs see it whole; the message
            # may quote what a client stored, so it is shown inert
            err.print(f"[red]Error:[/red] {safe(exc)}", markup=True, soft_wrap=True)
            raise typer.Exit(1) from exc
        except typer.BadParameter as exc:  # typer words a value it cannot convert as pydantic
            exc.message = _id_wording(exc) or plain_wording(exc.message)
            raise

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> Any:  # type: ignore[override]
        try:
            return super().resolve_command(ctx, args)
        except UsageError as exc:
            # typer suggests only close spellings: not `session-start` for `start`
            near = _named_by(args[0], list(self.commands)) if args else []
            if near and "Did you mean" not in exc.message:
                shown = ", ".join(repr(n) for n in near)
                exc.message = f"{exc.message.rstrip('.')}. Did you mean {shown}?"
            raise

    def get_params(self, ctx: typer.Context) -> list[Any]:  # type: ignore[override]
        return _readable_types(super().get_params(ctx), ctx)

    def get_command(self, ctx: typer.Context, cmd_name: str) -> Any:  # type: ignore[override]
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            _readable_types(command.get_params(ctx), ctx)
            _literal_help(command, ctx)
            _checks_text(command)
            _reads_dashed_ids(command)
        return command

    def get_help(self, ctx: typer.Context) -> str:  # type: ignore[override]
        _plain_if_narrow(self, ctx)
        return str(super().get_help(ctx))


ID_PARAMS = ("memory_id", "ids", "replaces")  # the arguments and options that take memory ids


def _id_wording(exc: Any) -> str | None:
    """A memory id that is not a whole number, in the words the tools use; None otherwise."""
    from pydantic import ValidationError

    cause = exc.__cause__
    if getattr(exc.param, "name", None) not in ID_PARAMS or not isinstance(cause, ValidationError):
        return None
    bad = [e["input"] for e in cause.errors() if str(e.get("type", "")).startswith("int")]
    return f"Memory ids are whole numbers such as 7, not {bad[0]!r}." if bad else None


# A client's hook event named where `memory-mcp hook` wants the command that serves it.
EVENT_COMMANDS = {"stop": "capture", "precompact": "capture", "precompress": "capture",
                  "sessionend": "capture", "userpromptsubmit": "prompt",
                  "beforeagent": "prompt"}  # fmt: skip


DASHED_NUMBER = re.compile(r"-\d[\d.,_]*")


def _reads_dashed_ids(command: Any) -> None:
    """`show -1`: click takes `-1` for an option it does not know ("No such option: -1"); in
    a command that takes memory ids it is an id below 1, and said to be one. Wrapped once per
    command object (typer keeps them)."""
    if isinstance(command, Group) or getattr(command, "_dashed_ids", False):
        return
    command._dashed_ids = True
    if all(getattr(p, "name", None) not in ID_PARAMS for p in command.params):
        return
    parse = command.parse_args

    def parse_args(ctx: typer.Context, args: list[str]) -> Any:
        typed = [a for a in args if DASHED_NUMBER.fullmatch(a)]  # (parsing consumes `args`)
        try:
            return parse(ctx, args)
        except NoSuchOption as exc:  # (`-42` is short options, `-4` the unknown one)
            if not typed or not typed[0].startswith(exc.option_name or "-"):
                raise
            said = f"Memory ids are whole numbers from 1, not {typed[0]}."
            raise UsageError(said, ctx) from exc

    command.parse_args = parse_args


def _named_by(typed: str, names: list[str]) -> list[str]:
    """The commands a name that is no command's may mean: one word of theirs (`start`), or
    theirs spelt without its hyphens or in other case (`SessionStart`, `session_start`), or
    the hook command a client's event (`Stop`, `UserPromptSubmit`) runs."""
    bare = typed.lower().replace("_", "-")
    flat = bare.replace("-", "")
    return [
        n for n in names
        if bare in n.split("-") or flat == n.replace("-", "") or EVENT_COMMANDS.get(flat) == n
    ]  # fmt: skip


def _checks_text(command: Any) -> None:
    """A command refuses text arguments that are not UTF-8 before it runs (a group checks
    its own in `invoke`). Wrapped once per command object (typer keeps them)."""
    if isinstance(command, Group) or getattr(command, "_checks_text", False):
        return
    run = command.invoke

    def invoke(ctx: typer.Context) -> Any:
        check_text(ctx)
        return run(ctx)

    command.invoke = invoke
    command._checks_text = True


NARROW_COLUMNS = 60


def _plain_if_narrow(command: Any, ctx: typer.Context) -> bool:
    """Below 60 columns rich's boxed help cuts option names (`--max-tok…`) and wraps
    descriptions a word a line: click's plain help is used there instead, at the terminal's
    width (its own default never goes below 50). Commands inherit the width from `ctx`."""
    width = Console().width
    if width >= NARROW_COLUMNS:
        return False
    command.rich_markup_mode = None
    ctx.terminal_width = width
    return True


def _literal_help(command: Any, ctx: typer.Context) -> None:
    """Help is plain text: rich would take `[scrubbed]` in a docstring for a style tag and
    print nothing of it, and keeps a docstring's line breaks (`nothing is` / `written`, a
    summary cut in two in the command list): each paragraph is one line, which rich wraps at
    the terminal's width. Done once per command object (typer keeps them). In a narrow
    terminal click's plain help shows it, which reads no markup and rewraps itself."""
    if getattr(command, "_literal", False):
        return
    if _plain_if_narrow(command, ctx):
        command._literal = True
        return
    for item in [command, *command.get_params(ctx)]:
        for name in ("help", "short_help"):
            text = getattr(item, name, None)
            if text:
                paragraphs = (" ".join(p.split()) for p in text.split("\n\n"))
                setattr(item, name, escape("\n\n".join(paragraphs)))
    command._literal = True


def _readable_types(params: list[Any], ctx: typer.Context) -> list[Any]:
    """Typer's help prints a parameter's Python type: `<bool>` beside a flag, which takes no
    value, and `<list[str]>` beside a repeatable option. Show nothing for a flag and the type
    of one value for a list (the help says it repeats)."""
    for param in params:
        if getattr(param, "_readable", False) or not hasattr(param, "display_type_rich"):
            continue
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.display_type_rich = lambda ctx: None
        else:
            label = param.display_type_rich(ctx)
            if label is not None and label.startswith("<list["):
                label = "<" + label.removeprefix("<list[").replace("]>", ">", 1)
                param.display_type_rich = lambda ctx, label=label: label
        param._readable = True
    return params
