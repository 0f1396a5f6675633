"""Command-line text that is not UTF-8, refused naming the argument, the byte and where it is.

Python hands a command line's undecodable bytes over as lone surrogates (U+DC80-U+DCFF); left
to the service, they read as "an unpaired surrogate", which no person typed. File paths may
hold any bytes and keep them (typer gives them as `Path`), as do the options taking a
database path or URL as text.
"""

from typing import Any

from memory_mcp.errors import InvalidInput

_PATHS = {"--db"}  # a text option naming a file, where any bytes are allowed
_PATH_COMMANDS = {("migrate", "to")}  # a postgresql:// URL or an SQLite file
_HINT = "Type it in a UTF-8 terminal, or convert it first (e.g. with `iconv -t UTF-8`)."
_ESCAPED = range(0xDC80, 0xDD00)  # what the surrogateescape error handler makes of a byte


def check_text(ctx: Any) -> None:
    """Raise InvalidInput for the first text parameter of `ctx` holding a byte that is not
    UTF-8 (taken from the command line or the environment)."""
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        for text in value if isinstance(value, list | tuple) else [value]:
            if isinstance(text, str) and _escaped(text) and not _is_path(ctx, param):
                from memory_mcp.policies.inputs import not_utf8  # (it loads the redaction rules)

                data = text.encode("utf-8", "surrogateescape")
                shown = data.decode("utf-8", "backslashreplace")[:60]
                problem = not_utf8(f"{_label(ctx, param)} ({shown})", data, _HINT)
                raise InvalidInput(problem or f"{_label(ctx, param)} is not valid UTF-8.")


def _escaped(text: str) -> bool:
    return not text.isascii() and any(ord(char) in _ESCAPED for char in text)


def _is_path(ctx: Any, param: Any) -> bool:
    return bool(_PATHS & set(getattr(param, "opts", ()))) or (
        (ctx.command.name, param.name) in _PATH_COMMANDS
    )


def _label(ctx: Any, param: Any) -> str:
    if getattr(param, "param_type_name", "") == "argument":
        label = f"Argument {param.name.upper()}"
    else:
        label = max(param.opts, key=len)
    source = ctx.get_parameter_source(param.name)
    envvar = getattr(param, "envvar", None)
    if source is not None and source.name == "ENVIRONMENT" and isinstance(envvar, str):
        label += f" from {envvar}"
    return label
