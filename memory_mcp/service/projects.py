"""The scope of a project folder: its git remote as host/owner/repo, else its folder name.

Git files are parsed directly rather than by running `git`, so this works where git is not
installed and costs a few small reads. The folder must come from the client (`--project`,
MEMORY_MCP_PROJECT, MCP roots): a server's working directory is usually the home folder.
The parsing and naming rules are policies/scopes.py; this module reads the files.
"""

import io
import logging
import os
import re
from pathlib import Path

from memory_mcp import regular_files
from memory_mcp.errors import InvalidInput
from memory_mcp.policies.scopes import name_scope, normalize_remote, remote_urls, root_uri_path

# Git metadata files are tiny; a cap keeps a hostile or corrupt file from costing anything.
_MAX_READ = 1 << 20
logger = logging.getLogger(__name__)
_UNEXPANDED = re.compile(r"\$\{[^}]*\}")


def project_scope(path: str | Path) -> str:
    """The scope for a project folder (or any path inside it); refuses home and root folders."""
    home = _home()
    folder = _project_folder(path, home)
    root = _repo_root(folder, home)
    if root is None:
        return name_scope(folder)
    url = _remote_url(root)
    remote = normalize_remote(url) if url else None
    return remote or name_scope(root)


def scope_from_root_uri(uri: str) -> str | None:
    """project_scope of an MCP root's file:// URI (raising as it does); None for other schemes."""
    local = root_uri_path(uri)
    return None if local is None else project_scope(local)


def check_project(path: str | Path) -> None:
    """Raise InvalidInput, as project_scope would, for a path that is no project folder (a
    server checks its --project at start-up, before it names the scope)."""
    _project_folder(path, _home())


def _project_folder(path: str | Path, home: Path | None) -> Path:
    text = os.fspath(path)
    if not text.strip():
        raise InvalidInput(_NEED_FOLDER.format(what="an empty path"))
    if "\x00" in text:
        raise InvalidInput("A project path cannot contain a NUL character.")
    if _UNEXPANDED.search(text):
        raise InvalidInput(
            f"Project path {text!r} holds a variable the client did not substitute"
            " (is a folder open?). " + _NEED_FOLDER.format(what="no folder")
        )
    try:
        folder = _resolve(Path(text).expanduser())
    except RuntimeError:
        raise InvalidInput(f"Cannot expand {text!r}: no such home directory.") from None
    if os.path.isfile(folder):
        folder = folder.parent
    if _too_broad(folder, home):
        if folder.parent == folder:
            what = "a filesystem root"
        else:
            what = "your home folder" if folder == home else "a folder above your home folder"
        raise InvalidInput(_NEED_FOLDER.format(what=f"{folder} ({what})"))
    return folder


_NEED_FOLDER = (
    "memory-mcp needs a project folder to choose a memory scope, but got {what}; using it"
    " would pour every project's memories into one scope. Pass the workspace folder:"
    " `memory-mcp serve --project /path/to/repo` or MEMORY_MCP_PROJECT"
    " (in Cursor or VS Code: ${{workspaceFolder}})."
)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # symlink loops, unreadable components
        return Path(os.path.abspath(path))


def _home() -> Path | None:
    try:
        home = Path.home()
    except (RuntimeError, KeyError, OSError):
        return None
    return _resolve(home) if home.is_absolute() else None


def _too_broad(folder: Path, home: Path | None) -> bool:
    """Filesystem roots, the home folder and its ancestors (/home, /Users) are no project."""
    if folder.parent == folder:
        return True
    return home is not None and (folder == home or home.is_relative_to(folder))


def _repo_root(folder: Path, home: Path | None) -> Path | None:
    # Stop below home: a dotfiles repo in ~ must not claim every folder beneath it.
    for candidate in (folder, *folder.parents):
        if _too_broad(candidate, home):
            return None
        if os.path.exists(candidate / ".git"):
            return candidate
    return None


def _remote_url(root: Path) -> str | None:
    """origin's url, else the first remote's, from the repository's config."""
    config = _config_path(root / ".git")
    text = _read(config) if config else None
    if text is None:
        return None
    urls = remote_urls(text)
    return urls.get("origin") or next(iter(urls.values()), None)


def _config_path(dotgit: Path) -> Path | None:
    gitdir = dotgit
    if os.path.isfile(dotgit):
        # Worktrees and submodules: `.git` is a file saying `gitdir: <path>`.
        text = _read(dotgit) or ""
        first = text.splitlines()[0] if text.strip() else ""
        if not first.startswith("gitdir:"):
            return None
        gitdir = dotgit.parent / first.removeprefix("gitdir:").strip()
    # A worktree's gitdir names, in `commondir`, the main gitdir that holds the shared config.
    common = (_read(gitdir / "commondir") or "").strip()
    return (gitdir / common if common else gitdir) / "config"


def _read(path: Path) -> str | None:
    """A git file's text, its start only; None if it is not a regular file that can be read
    (a cloned repository's `.git/config` may be a FIFO, whose open would wait for a writer
    for ever, or a link to /dev/zero: said on stderr, at once)."""
    try:
        with io.TextIOWrapper(
            regular_files.open_regular(path), encoding="utf-8", errors="replace"
        ) as fh:
            return fh.read(_MAX_READ)
    except regular_files.NotRegular as exc:
        logger.warning("%s: the project's scope does not use it.", exc)
        return None
    except (OSError, ValueError):
        return None
