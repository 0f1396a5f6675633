"""The command written into client configs, for each kind of install (fake environments)."""

import sys
from pathlib import Path
from typing import Any

import pytest

from memory_mcp.adapters.install.launcher import (
    Launch,
    Runtime,
    current_runtime,
    launch_command,
    prepare,
    source_spec,
)
from memory_mcp.errors import MemoryMCPError


def runtime(prefix: Path, *, windows: bool = False, script: bool = True, **kw: Any) -> Runtime:
    scripts = prefix / ("Scripts" if windows else "bin")
    scripts.mkdir(parents=True, exist_ok=True)
    if script:
        (scripts / ("memory-mcp.exe" if windows else "memory-mcp")).write_text("")
    python = scripts / ("python.exe" if windows else "python")
    defaults: dict[str, Any] = {"direct_url": None, "version": "0.1.0", "uvx": None}
    return Runtime(prefix, scripts, python, windows, **(defaults | kw))


def test_a_venv_runs_its_own_script(tmp_path: Path) -> None:
    launch = launch_command(runtime(tmp_path / "proj" / ".venv"))
    assert launch == launch_command(runtime(tmp_path / "proj" / ".venv"))
    assert (launch.command, launch.args, launch.kind, launch.note) == (
        str(tmp_path / "proj/.venv/bin/memory-mcp"), [], "venv", None,
    )  # fmt: skip


def test_windows_scripts_have_exe(tmp_path: Path) -> None:
    launch = launch_command(runtime(tmp_path / "venv", windows=True))
    assert launch.command == str(tmp_path / "venv" / "Scripts" / "memory-mcp.exe")


def test_without_a_script_python_runs_the_module(tmp_path: Path) -> None:
    launch = launch_command(runtime(tmp_path / "env", script=False))
    assert (launch.command, launch.args, launch.kind) == (
        str(tmp_path / "env/bin/python"), ["-m", "memory_mcp"], "python",
    )  # fmt: skip


def test_pipx_and_uv_tool_installs_keep_their_venv_script(tmp_path: Path) -> None:
    pipx = launch_command(runtime(tmp_path / ".local/share/pipx/venvs/memory-mcp"))
    assert pipx.kind == "pipx" and pipx.command.endswith("pipx/venvs/memory-mcp/bin/memory-mcp")
    tool = launch_command(runtime(tmp_path / ".local/share/uv/tools/memory-mcp"))
    assert tool.kind == "uv tool" and tool.command.endswith("uv/tools/memory-mcp/bin/memory-mcp")


def test_uvx_cache_environments_become_a_uv_tool_that_starts_offline(tmp_path: Path) -> None:
    """`uvx --from DIR memory-mcp` asks the package index at every start: offline, the client
    could not start the server. From uvx, install sets up a uv tool and writes its script."""
    cache = tmp_path / ".cache" / "uv" / "archive-v0" / "urWbDoxNw_mMmp8D"
    local = {"url": "file:///work/memory-mcp", "dir_info": {}}
    tools = tmp_path / ".local" / "share" / "uv" / "tools"
    launch = launch_command(
        runtime(cache, direct_url=local, uvx="/usr/bin/uvx", uv="/usr/bin/uv", uv_tool_dir=tools)
    )
    assert (launch.command, launch.args, launch.kind) == (
        str(tools / "memory-mcp" / "bin" / "memory-mcp"), [], "uv tool",
    )  # fmt: skip
    assert launch.setup == ["/usr/bin/uv", "tool", "install", "/work/memory-mcp"]
    assert launch.note is not None and "starts offline" in launch.note
    windows = launch_command(
        runtime(cache, windows=True, uv="C:/uv.exe", uv_tool_dir=tools, uvx="C:/uvx.exe")
    )
    assert windows.command == str(tools / "memory-mcp" / "Scripts" / "memory-mcp.exe")


def test_uvx_without_uv_keeps_uvx_and_says_what_it_costs(tmp_path: Path) -> None:
    cache = tmp_path / ".cache" / "uv" / "archive-v0" / "urWbDoxNw_mMmp8D"
    local = {"url": "file:///work/memory-mcp", "dir_info": {}}
    launch = launch_command(runtime(cache, direct_url=local, uvx="/usr/local/bin/uvx"))
    assert (launch.command, launch.args, launch.kind, launch.setup) == (
        "/usr/local/bin/uvx", ["--from", "/work/memory-mcp", "memory-mcp"], "uvx", None,
    )  # fmt: skip
    assert launch.note is not None and "package index" in launch.note
    # Without uvx on PATH the cache script is all there is: used, with a warning.
    stuck = launch_command(runtime(cache, uvx=None))
    assert stuck.command == str(cache / "bin" / "memory-mcp")
    assert stuck.note is not None and "uv cache clean" in stuck.note


def test_prepare_runs_the_setup_and_refuses_when_it_fails(tmp_path: Path) -> None:
    script = tmp_path / "tools" / "memory-mcp" / "bin" / "memory-mcp"
    make = f"import pathlib; p = pathlib.Path({str(script)!r}); p.parent.mkdir(parents=True)"
    make += "; p.touch()"
    prepare(Launch(str(script), [], "uv tool", None, [sys.executable, "-c", make]))
    assert script.is_file()
    prepare(Launch("/anything", [], "venv"))  # nothing to set up
    failing = [sys.executable, "-c", "import sys; sys.exit('no network')"]
    with pytest.raises(MemoryMCPError, match="no network"):
        prepare(Launch(str(tmp_path / "absent"), [], "uv tool", None, failing))


@pytest.mark.parametrize(
    ("direct_url", "spec"),
    [
        (None, "memory-mcp==0.1.0"),
        ({"url": "file:///home/me/src/memory%20mcp", "dir_info": {"editable": True}},
         "/home/me/src/memory mcp"),
        ({"url": "https://github.com/acme/memory-mcp",
          "vcs_info": {"vcs": "git", "commit_id": "abc123", "requested_revision": "main"}},
         "git+https://github.com/acme/memory-mcp@abc123"),
        ({"url": "https://example.com/memory_mcp-0.1.0-py3-none-any.whl", "archive_info": {}},
         "https://example.com/memory_mcp-0.1.0-py3-none-any.whl"),
    ],
)  # fmt: skip
def test_source_spec(direct_url: dict[str, Any] | None, spec: str) -> None:
    if sys.platform == "win32" and spec.startswith("/"):  # pragma: no cover
        pytest.skip("file URLs become drive paths on Windows")
    assert source_spec(direct_url, "0.1.0") == spec


def test_current_runtime_describes_this_interpreter() -> None:
    rt = current_runtime()
    assert rt.executable == Path(sys.executable) and rt.prefix == Path(sys.prefix)
    assert launch_command(rt).command  # something absolute to run, whatever the install
    assert Path(launch_command(rt).command).is_absolute()
