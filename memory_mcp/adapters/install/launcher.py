"""The command an MCP client should run to start this install of memory-mcp.

A client starts the server long after `install` ran, from its own environment: PATH and any
activated venv are gone, so the command must be absolute, and it must start offline: an
environment's own `memory-mcp` script does (a venv, `uv tool install`, `pipx install`). uvx is
no install: its environments live in uv's cache (`archive-v0/<hash>`), which `uv cache clean`
deletes, and `uvx --from SOURCE memory-mcp` asks the package index again on every start (no
index, no server). Run from uvx, `install` therefore first installs the same source as a uv
tool and writes that tool's script.
"""

import json
import re
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from memory_mcp import __version__
from memory_mcp.errors import MemoryMCPError

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
    uv: str | None = None  # uv found on PATH
    uv_tool_dir: Path | None = None  # where `uv tool install` puts tools (`uv tool dir`)


@dataclass(frozen=True)
class Launch:
    """`command` + `args` start memory-mcp (the CLI's subcommand comes next)."""

    command: str
    args: list[str]
    kind: str  # "uvx", "pipx", "uv tool", "venv" or "python"
    note: str | None = None
    setup: list[str] | None = None  # run first: the install that puts `command` in place


def current_runtime() -> Runtime:
    """The running interpreter's install (read at call time, never at import)."""
    from importlib import metadata  # (with urllib.request below: not for every CLI command)

    try:
        dist = metadata.distribution(DIST)
        text = dist.read_text("direct_url.json")
        direct = json.loads(text) if text else None
        version = dist.version
    except metadata.PackageNotFoundError:
        direct, version = None, __version__
    prefix, uv = Path(sys.prefix), shutil.which("uv")
    return Runtime(
        prefix=prefix,
        scripts=Path(sysconfig.get_path("scripts")),
        executable=Path(sys.executable),
        windows=sys.platform == "win32",
        direct_url=direct if isinstance(direct, dict) else None,
        version=version,
        uvx=shutil.which("uvx"),
        uv=uv,
        uv_tool_dir=_uv_tool_dir(uv) if uv and _in_uv_cache(prefix) else None,
    )


def _in_uv_cache(prefix: Path) -> bool:
    return any(_UV_CACHE_ENV.fullmatch(p.lower()) for p in prefix.parts)


def _uv_tool_dir(uv: str) -> Path | None:
    try:
        done = subprocess.run(
            [uv, "tool", "dir"], capture_output=True, text=True, timeout=30, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(done.stdout.strip()) if done.stdout.strip() else None


def launch_command(rt: Runtime) -> Launch:
    """An absolute command for this install that survives cache cleanups and new shells."""
    script = rt.scripts / _script_name(rt.windows)
    parts = [p.lower() for p in rt.prefix.parts]
    if _in_uv_cache(rt.prefix):
        spec = source_spec(rt.direct_url, rt.version)
        if rt.uv and rt.uv_tool_dir:
            tool = rt.uv_tool_dir / DIST / ("Scripts" if rt.windows else "bin")
            note = (
                "memory-mcp runs from uvx, whose command needs the package index at every "
                f"start, so install sets it up as a uv tool (uv tool install {spec}), whose "
                "script starts offline; `uv tool uninstall memory-mcp` removes it."
            )
            setup = [rt.uv, "tool", "install", spec]
            return Launch(str(tool / _script_name(rt.windows)), [], "uv tool", note, setup)
        if rt.uvx:
            note = (
                f"The client will run uvx --from {spec}, which needs the package index at every "
                f"start: for a command that starts offline, `uv tool install {spec}` or "
                "`pipx install` it and run install again from there."
            )
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


def _script_name(windows: bool) -> str:
    return "memory-mcp.exe" if windows else "memory-mcp"


def prepare(launch: Launch) -> None:
    """Run the launch's setup (installing the uv tool its command names), if it has one."""
    if not launch.setup:
        return
    shown = " ".join(launch.setup[1:])
    try:
        done = subprocess.run(
            launch.setup, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise MemoryMCPError(f"Could not run `{shown}`: {exc}") from exc
    if done.returncode != 0 or not Path(launch.command).is_file():
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise MemoryMCPError(
            f"`{shown}` failed ({last}); nothing was changed. Install memory-mcp with "
            "`uv tool install` or `pipx install`, then run install from there."
        )


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
        from urllib.request import url2pathname  # (it imports ssl, http and email)

        return url2pathname(parts.path)
    return url
