"""Scope rules, pure: a git remote as `host/owner/repo`, the remotes in git-config text, a
folder's name as a scope, and the local path of an MCP root's file:// URI.

Reading a project folder and its git files to apply these is service/projects.py's job.
"""

import hashlib
import os
import re
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlsplit

from memory_mcp.errors import InvalidInput

_HASH_CHARS = 12

# Alternate ssh endpoints (port 443, for firewalls) of hosts that clone the same repos.
_HOST_ALIASES = {
    "ssh.github.com": "github.com",
    "altssh.gitlab.com": "gitlab.com",
    "altssh.bitbucket.org": "bitbucket.org",
}

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_HELPER = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*::(.+)", re.S)  # git's `transport::address`
_SCP = re.compile(r"(?:([^@/]*)@)?(\[[0-9A-Fa-f:.%]+\]|[\w.-]+):(.*)", re.S)
_HOST = re.compile(r"[\w.:%-]+")
_SECTION = re.compile(r'\[\s*([A-Za-z0-9.-]+)(?:\s+"((?:[^"\\\n]|\\.)*)")?\s*\](.*)', re.S)
# A backslash-newline continues a config line unless that backslash is itself escaped.
_CONTINUATION = re.compile(r"(?<!\\)((?:\\\\)*)\\\r?\n")
_ESCAPES = {"n": "\n", "t": "\t", "b": "\b"}


def root_uri_path(uri: str) -> str | None:
    """The local absolute path of an MCP root's file:// URI; None for other schemes.

    On POSIX the decoded path is used byte for byte, so a Windows form such as
    `file:///C:/Users/me/proj` becomes the absolute path `/C:/Users/me/proj` and scopes by its
    folder name (`proj`); on Windows it is the drive path `C:\\Users\\me\\proj`.
    """
    try:
        parts = urlsplit(uri.strip())
    except ValueError:
        return None
    if parts.scheme.lower() != "file":
        return None
    path = parts.path
    if parts.netloc and parts.netloc.lower() != "localhost":
        path = f"//{parts.netloc}{path}"  # a UNC share: //server/share/...
    try:
        if os.name == "nt":  # (urllib.request imports ssl, http and email: only where needed)
            from urllib.request import url2pathname

            local = url2pathname(path)
        else:
            local = os.fsdecode(unquote_to_bytes(path))
    except OSError:
        local = ""
    if not os.path.isabs(local):
        raise InvalidInput(f"Root {uri!r} is not a file URI with an absolute path.")
    return local


def normalize_remote(url: str) -> str | None:
    """A git remote URL as `host/owner/repo`; None when it names no host (a local path)."""
    text = url.strip()
    helper = _HELPER.fullmatch(text)
    if helper:
        text = helper.group(1)
    host, path = _split_url(text) if _SCHEME.match(text) else _split_scp(text)
    host = host.rstrip(".").lower()
    if not host or not _HOST.fullmatch(host):
        return None
    # Lowercased whole: forges treat owner/repo case-insensitively (github.com/Microsoft/vscode
    # and microsoft/vscode are one repo), and a scope must not split on how it was typed.
    segments = [s for s in path.lower().replace("\\", "/").split("/") if s not in ("", ".")]
    host, segments = _azure(_HOST_ALIASES.get(host, host), segments)
    if segments:
        segments[-1] = segments[-1].removesuffix(".git")
    segments = [s for s in segments if s]
    if not segments:
        return None
    return _finish("/".join([host, *segments]))


def _split_url(text: str) -> tuple[str, str]:
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""  # drops user, password/token and port
    except ValueError:
        return "", ""
    if parts.scheme.lower() == "file":
        return "", ""
    return host, unquote(parts.path)


def _split_scp(text: str) -> tuple[str, str]:
    """`[user@]host:path`, the form git uses when a colon comes before any slash."""
    match = _SCP.fullmatch(text)
    if not match:
        return "", ""
    user, host, path = match.groups()
    if len(host) == 1 and user is None:
        return "", ""  # a Windows drive, C:\repo, not a host called C
    return host.strip("[]"), path


def _azure(host: str, segments: list[str]) -> tuple[str, list[str]]:
    """Azure DevOps' ssh, https and visualstudio.com forms -> dev.azure.com/org/project/repo."""
    if host in ("ssh.dev.azure.com", "vs-ssh.visualstudio.com") and segments[:1] == ["v3"]:
        return "dev.azure.com", segments[1:]
    if host.endswith(".visualstudio.com"):
        org = host.removesuffix(".visualstudio.com")
        rest = segments[1:] if segments[:1] == ["defaultcollection"] else segments
        host, segments = "dev.azure.com", [org, *rest]
    if host == "dev.azure.com" and "_git" in segments[1:3]:
        at = segments.index("_git", 1)
        if at == 1 and len(segments) > 2:
            # org/_git/repo is the repo of the project with the same name.
            return host, [segments[0], segments[2], *segments[2:]]
        return host, segments[:at] + segments[at + 1 :]
    return host, segments


def remote_urls(text: str) -> dict[str, str]:
    """Each remote's first url, in file order, from git-config text; tolerant of junk."""
    urls: dict[str, str] = {}
    remote: str | None = None
    for raw in _CONTINUATION.sub(r"\1", text).splitlines():
        line = raw.strip()
        if line.startswith("["):
            match = _SECTION.match(line)
            remote = _remote_name(match.group(1), match.group(2)) if match else None
            line = match.group(3).strip() if match else ""  # git allows `[x] key = v`
        key, _, value = line.partition("=")
        if remote is not None and key.strip().lower() == "url" and remote not in urls:
            url = _value(value)
            if url:
                urls[remote] = url
    return urls


def _remote_name(section: str, subsection: str | None) -> str | None:
    section = section.lower()
    if subsection is not None:
        return re.sub(r"\\(.)", r"\1", subsection) if section == "remote" else None
    # The deprecated `[remote.origin]` spelling.
    return section.removeprefix("remote.") if section.startswith("remote.") else None


def _value(raw: str) -> str:
    """A git-config value: quotes removed, escapes applied, trailing # or ; comment dropped."""
    out: list[str] = []
    quoted = False
    chars = iter(raw.strip())
    for char in chars:
        if char == '"':
            quoted = not quoted
        elif char == "\\":
            escaped = next(chars, "")
            out.append(_ESCAPES.get(escaped, escaped))
        elif char in "#;" and not quoted:
            break
        else:
            out.append(char)
    return "".join(out).strip()


def name_scope(folder: Path) -> str:
    name = _readable(folder.name)
    if not name:
        name = "project-" + _digest(os.fsencode(folder))
    return _finish(name)


def _readable(text: str) -> str:
    """Control characters and odd whitespace become single spaces; undecodable bytes become �."""
    chars = (
        c if c.isprintable() else ("\ufffd" if "\ud800" <= c <= "\udfff" else " ") for c in text
    )
    return " ".join("".join(chars).split())


def _finish(text: str) -> str:
    # memory_mcp.models (~30 ms of pydantic classes) is not needed to check --project at start-up
    from memory_mcp.names import MAX_SCOPE_CHARS, WILDCARD, new_scope

    # A folder or repo named `a*b` (git and file systems allow it) gets a scope a grant can
    # name: `*` is the grants' wildcard. Written as a URL would (`%2A`), it stays distinct
    # from `a-b` and says what it was.
    text = _readable(text).replace(WILDCARD, "%2A")
    if len(text) > MAX_SCOPE_CHARS:
        # Keep a readable prefix and a hash of the whole, so long names stay distinct.
        head = text[: MAX_SCOPE_CHARS - _HASH_CHARS - 1].rstrip()
        text = f"{head}~{_digest(text.encode())}"
    return new_scope(text)


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:_HASH_CHARS]
