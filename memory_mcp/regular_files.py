"""Files read only if they are regular files: what a project, a home folder or a hook names.

A path there may be a device, read without end (a cloned repository's `.memoryignore ->
/dev/zero`), or a FIFO, whose open waits for a writer for ever. Standard library only: the
server reads a project's `.git/config` before its first reply, and the remote hook its
token file, when nothing else is loaded.
"""

import os
import stat

TYPE_CHECKING = False  # not typing's: the remote hook imports this, where typing costs
if TYPE_CHECKING:
    from typing import BinaryIO

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # not on Windows, which has no such links to follow
NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO's open returns at once, writer or not


class NotRegular(OSError):
    """A path that names a FIFO, a device or a socket, not a file."""


def open_regular(path: "str | os.PathLike[str]", follow: bool = True) -> "BinaryIO":
    """`path` opened to read, if it is a regular file; else NotRegular, at once, saying what
    it is. `follow=False`: a link at its end is refused too (OSError)."""
    fd = os.open(path, os.O_RDONLY | NONBLOCK | (0 if follow else NOFOLLOW))
    fh = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        fh.close()
        raise NotRegular(f"{path} is {_kind(mode)}, not a file; nothing was read from it")
    return fh


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (a named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"
