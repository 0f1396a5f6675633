"""`memory-mcp serve` over stdio without the CLI: what an MCP client launches, and waits for.

typer, rich and the command modules cost a tenth of a second or more of start-up (measured
with `python -X importtime`), and serving needs none of them. The common invocations
(`serve`, with `--db` and `--project`) start here; anything else (--http, -v, --help, an
unknown option) goes through the full CLI, which behaves the same.
"""

import logging
import sys
from pathlib import Path
from typing import Any, NoReturn

LOG_FORMAT = "%(asctime)s %(levelname)-7s %(message)s"


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
    logging.basicConfig(
        level=logging.INFO, format=LOG_FORMAT, datefmt="%H:%M:%S", stream=sys.stderr, force=True
    )
    from pydantic import ValidationError

    from memory_mcp.adapters.mcp_server.server import serve
    from memory_mcp.config import Settings
    from memory_mcp.errors import MemoryMCPError

    try:
        settings = Settings(**options)
    except ValidationError as exc:
        _fail(f"Invalid setting: {exc.errors()[0]['msg']}")
    try:
        serve(settings)
    except MemoryMCPError as exc:
        _fail(str(exc))
    return True


def _fail(message: str) -> NoReturn:
    """One line on stderr and exit 1, as the CLI shows a MemoryMCPError."""
    sys.stderr.write(f"Error: {' '.join(message.split())}\n")
    sys.stderr.flush()
    raise SystemExit(1)
