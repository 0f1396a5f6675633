"""Where capture reads a project's own rules: the repository root a session's folder is in
(paths are shown relative to it) and the project's .memoryignore (policies/episodes.py)."""

from pathlib import Path

from memory_mcp import regular_files

IGNORE_FILE = ".memoryignore"


def repo_root(folder: Path | None) -> Path | None:
    """The git repository holding `folder` (paths are shown relative to it), if any."""
    if folder is None:
        return None
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def ignore_text(folder: Path | None) -> str:
    """The project's .memoryignore: in the folder or the nearest one above it (up to the
    repository's root)."""
    if folder is None:
        return ""
    for candidate in (folder, *folder.parents):
        path = candidate / IGNORE_FILE
        try:  # a regular file, its start only: a cloned repository's may be /dev/zero
            with regular_files.open_regular(path) as fh:
                return fh.read(100_000).decode("utf-8", errors="replace")
        except OSError:
            pass
        if (candidate / ".git").exists():
            break
    return ""
