"""The command an MCP client should run to start this install of memory-mcp.

A client starts the server long after `install` ran, from its own environment: PATH and any
activated venv are gone, so the command must be absolute. uvx runs tools from uv's cache
(`archive-v0/<hash>`), which `uv cache clean` deletes; for those installs we write
`uvx --from SOURCE memory-mcp`, which rebuilds the environment whenever it has to.
"""

import json
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from memory_mcp import __version__

DIST = "memory-mcp"
MODULE = "memory_mcp"
_UV_CACHE_ENV = re.compile(r"archive-v\d+")


@dataclass(frozen=True)
class Runtime:
    """Facts about the running install that decide the command; tests pass their own."""

    prefix: Path  # sys.prefix: the environment's root folder
    scripts: Path  # where that environment's console scripts live
    executable: Path  # its Python
    windows: bool
    direct_url: dict[str, Any] | None  # PEP 610: where it was installed from, unless an index
    version: str
    uvx: str | None  # uvx found on PATH


@dataclass(frozen=True)
class Launch:
    """`command` + `args` start memory-mcp (the CLI's subcommand comes next)."""

    command: str
    args: list[str]
    kind: str  # "uvx", "pipx", "uv tool", "venv" or "python"
    note: str | None = None


def current_runtime() -> Runtime:
    """The running interpreter's install (read at call time, never at import)."""
    try:
        dist = metadata.distribution(DIST)
        text = dist.read_text("direct_url.json")
        direct = json.loads(text) if text else None
        version = dist.version
    except metadata.PackageNotFoundError:
        direct, version = None, __version__
    return Runtime(
        prefix=Path(sys.prefix),
        scripts=Path(sysconfig.get_path("scripts")),
        executable=Path(sys.executable),
        windows=sys.platform == "win32",
        direct_url=direct if isinstance(direct, dict) else None,
        version=version,
        uvx=shutil.which("uvx"),
    )


def launch_command(rt: Runtime) -> Launch:
    """An absolute command for this install that survives cache cleanups and new shells."""
    script = rt.scripts / ("memory-mcp.exe" if rt.windows else "memory-mcp")
    parts = [p.lower() for p in rt.prefix.parts]
    if any(_UV_CACHE_ENV.fullmatch(p) for p in parts):
        if rt.uvx:
            spec = source_spec(rt.direct_url, rt.version)
            note = f"Running from a uvx cache environment: the client will run uvx --from {spec}."
            return Launch(rt.uvx, ["--from", spec, DIST], "uvx", note)
        note = (
            "Running from uv's cache, which `uv cache clean` deletes, and uvx is not on PATH: "
            "install with `uv tool install` or `pipx install` for a lasting command."
        )
        return _script_or_python(script, rt, "venv", note)
    if "pipx" in parts and "venvs" in parts:
        return _script_or_python(script, rt, "pipx")
    if "uv" in parts and "tools" in parts:
        return _script_or_python(script, rt, "uv tool")
    return _script_or_python(script, rt, "venv")


def _script_or_python(script: Path, rt: Runtime, kind: str, note: str | None = None) -> Launch:
    # Not resolved: a venv's python is a symlink to the base interpreter, and following it
    # would run the server outside the venv that has our dependencies.
    if script.is_file():
        return Launch(str(script.absolute()), [], kind, note)
    return Launch(str(rt.executable.absolute()), ["-m", MODULE], "python", note)


def source_spec(direct_url: dict[str, Any] | None, version: str) -> str:
    """What `uvx --from` needs to rebuild this install: its folder, VCS URL or index version."""
    url = str((direct_url or {}).get("url", ""))
    if not url:
        return f"{DIST}=={version}"
    vcs = (direct_url or {}).get("vcs_info")
    if isinstance(vcs, dict):
        commit = vcs.get("commit_id")
        return f"{vcs.get('vcs', 'git')}+{url}" + (f"@{commit}" if commit else "")
    parts = urlsplit(url)
    if parts.scheme == "file":
        return url2pathname(parts.path)
    return url
