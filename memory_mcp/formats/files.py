"""Files memory-mcp writes for people (exports) and folders it reads them back from.

An export holds private memories: it is created owner-only (600, in a 700 folder when it makes
the folder), written whole to a temporary file in the same folder and renamed into place (a
crash never leaves half a file, and a rename replaces a symbolic link rather than writing
where it points), and never replaces an existing file unless asked. Reading a folder back
only reads regular files inside it.
"""

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from memory_mcp.errors import InvalidInput
from memory_mcp.policies.inputs import UTF8_HINT, not_utf8
from memory_mcp.regular_files import NotRegular, open_regular
from memory_mcp.storage.sqlite.companions import SQLITE_FILES, beside


def make_folder(folder: Path) -> None:
    """Create `folder` (owner-only) if it is missing; refuse a file in its place."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"{folder} is a file; give a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise InvalidInput(f"Cannot create the folder {folder}: {exc.strerror}.") from exc


def check_target(path: Path, overwrite: bool) -> None:
    """Refuse, before anything is written, a target that is a link, a folder, or (unless
    `overwrite`) a file that exists."""
    if path.is_symlink():
        raise InvalidInput(
            f"{path} is a symbolic link; nothing was written (an export never writes through "
            "a link). Remove it, or export to another folder."
        )
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; nothing was written.")
    if path.exists() and not overwrite:
        raise InvalidInput(
            f"{path} already exists; nothing was written. Pass --force to replace it, or "
            "export somewhere else."
        )
    if not path.parent.is_dir():
        raise InvalidInput(f"No folder {path.parent}; nothing was written.")


def read_regular(path: Path, limit: int | None = None, follow: bool = True) -> bytes:
    """A regular file's bytes (its first `limit`), else InvalidInput saying why not."""
    try:
        with open_regular(path, follow) as fh:
            return fh.read() if limit is None else fh.read(limit)
    except NotRegular as exc:
        raise InvalidInput(f"{exc}.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from exc


class LineBound:
    """Lines held to `longest` bytes, checked a chunk at a time as a file or a pipe is read:
    a longer one is refused as soon as it is seen, before the rest is read. `name` is what
    is read, `what` the kind of file expected."""

    def __init__(self, longest: int, name: str, what: str) -> None:
        self.longest, self.name, self.what = longest, name, what
        self.run = self.lines = 0  # bytes of the line under way; lines ended

    def check(self, chunk: bytes) -> None:
        pieces = chunk.split(b"\n")
        sizes = [self.run + len(pieces[0]), *map(len, pieces[1:])]  # each line's so far
        too_long = next((i for i, size in enumerate(sizes) if size > self.longest), None)
        if too_long is not None:
            raise InvalidInput(
                f"Line {self.lines + too_long + 1:,} of {self.name} is longer than any "
                f"memory's line can be (is this {self.what}?); nothing was imported."
            )
        self.lines, self.run = self.lines + len(pieces) - 1, sizes[-1]


def read_bounded(path: Path, longest: int | None, what: str) -> bytes:
    """read_regular, refused at a line longer than `longest` bytes as soon as it is seen (a
    copy of stdin is held to the same: adapters/cli/exchange.py), never read whole first:
    a file with no newline is no file of memories. `what` names the kind of file expected."""
    if longest is None:
        return read_regular(path)
    bound, chunks = LineBound(longest, str(path), what), []
    try:
        with open_regular(path) as fh:
            while chunk := fh.read(1 << 20):
                bound.check(chunk)
                chunks.append(chunk)
    except NotRegular as exc:
        raise InvalidInput(f"{exc}.") from None
    except OSError as exc:
        raise InvalidInput(f"Cannot read {path}: {exc.strerror or exc}.") from exc
    return b"".join(chunks)


def refuse_device(path: Path) -> None:
    """Refuse a source that is a device or a socket (`/dev/zero`, `/dev/urandom`, a terminal):
    read as a file it never ends. A FIFO stays readable: `import <(command)` is one."""
    try:
        mode = path.expanduser().stat().st_mode
    except OSError:
        return  # what reading it says is the clearer message
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISSOCK(mode):
        raise InvalidInput(f"{path} is a device, not a file; nothing was read from it.")


def refuse_database(path: Path, database: Path | None, what: str) -> None:
    """Refuse a target that is the database or one of SQLite's files beside it, under any
    spelling (a link, `a/../a`, a hard link): `--force` replaced it, memories and all."""
    if database is None:
        return
    target = path.expanduser()
    real = target.resolve()
    for base in dict.fromkeys([database.expanduser(), database.expanduser().resolve()]):
        for suffix in SQLITE_FILES:  # replacing any of these loses (or corrupts) memories
            own = beside(base, suffix)
            if real == own.resolve() or _same_file(target, own):
                named = "the database itself" if not suffix else f"the database's {suffix} file"
                raise InvalidInput(f"{path} is {named}; nothing was written. {what}")


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:  # either is not there (or cannot be read): not one file
        return False


@contextlib.contextmanager
def private_file(path: Path, overwrite: bool = False) -> Iterator[TextIO]:
    """Write `path` (mode 600) through a temporary file renamed into place when the block
    ends without an error; on an error nothing changes."""
    check_target(path, overwrite)
    # The name is chosen before the file exists, and the block that removes it is entered
    # first: a Ctrl-C or SIGTERM landing just as the file is made (mkstemp returns its name
    # only after) would otherwise leave it behind. 64 random bits: no other file has it.
    partial = path.with_name(f".{path.name}.{secrets.token_hex(8)}.partial")
    try:
        try:
            flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0)
            fd = os.open(partial, flags, 0o600)
        except OSError as exc:
            raise InvalidInput(f"Cannot write in {path.parent}: {exc.strerror}.") from exc
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    except OSError as exc:
        raise InvalidInput(f"Cannot write {path}: {exc.strerror or exc}.") from exc
    finally:
        partial.unlink(missing_ok=True)


def files_in(folder: Path, suffix: str) -> tuple[list[tuple[Path, Path]], list[str]]:
    """The regular files named `*suffix` inside `folder`, as (name in the folder, real path),
    and why any others were left unread: links that lead out of the folder (or to a file
    already listed), and things that are not regular files."""
    root = folder.resolve()
    found: list[tuple[Path, Path]] = []
    skipped: list[str] = []
    seen: set[Path] = set()
    # Files before links, so a link to a file in the folder is the one left out.
    for entry in sorted(folder.glob(f"*{suffix}"), key=lambda p: (p.is_symlink(), p.name)):
        real = entry.resolve()
        if not real.is_relative_to(root):
            skipped.append(f"{entry.name}: a link to {real}, outside {folder}; not read")
        elif not real.is_file():
            skipped.append(f"{entry.name}: not a regular file; not read")
        elif real in seen:
            skipped.append(f"{entry.name}: a link to a file already read; not read again")
        else:
            seen.add(real)
            found.append((entry, real))
    return found, sorted(skipped)


def read_text(path: Path, follow: bool = False) -> str:
    """A regular file's text (UTF-8, BOM dropped, line ends kept), by default never through
    a link at its end; InvalidInput for anything else (a FIFO, a device: read_regular)."""
    try:
        return read_regular(path, follow=follow).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_utf8_file(path) from None


def not_utf8_file(path: Path) -> InvalidInput:
    """The error for a file a decoder stopped in: which line and byte are not UTF-8, found
    a line at a time (a decoder's own position counts from the chunk it was reading)."""
    with path.open("rb") as fh:
        for number, line in enumerate(fh, start=1):
            problem = not_utf8(f"Cannot read {path}: line {number}", line)
            if problem is not None:
                return InvalidInput(problem)
    return InvalidInput(f"Cannot read {path}: it is not valid UTF-8. {UTF8_HINT}")


def bounded_lines(fh: TextIO, limit: int, what: str) -> Iterator[str]:
    """The lines of `fh`, none held past `limit` characters: a longer one (a file that is not
    JSON lines, a single-line dump, /dev/zero) is refused as soon as it is seen, rather than
    read whole into memory first. `what` says why no line of the file may be that long."""
    number = 0
    while line := fh.readline(limit + 1):
        number += 1
        if len(line) > limit and not line.endswith("\n"):
            raise InvalidInput(f"Line {number} is longer than {limit:,} characters: {what}.")
        yield line
