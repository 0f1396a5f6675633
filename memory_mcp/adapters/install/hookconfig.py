"""Claude Code's hook entries for automatic memory, merged into its settings file.

Claude Code reads hooks from `~/.claude/settings.json` (user), `.claude/settings.json`
(project) and `.claude/settings.local.json`, as `{"hooks": {"<Event>": [{"matcher": …,
"hooks": [{"type": "command", "command": "…", "timeout": seconds}]}]}}`; every matching hook of
every file runs. VS Code's agent hooks read the same files. We add one group per event whose
commands run `memory-mcp … hook <command>`, and recognise ours by that command: installing
again replaces them (never duplicates), removing them leaves every other hook as it was.
"""

import copy
import shlex
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from memory_mcp.adapters.install.clients import Outcome
from memory_mcp.adapters.install.configfile import ConfigError, read_config, write_config
from memory_mcp.adapters.install.launcher import DIST, MODULE, Launch

# event -> (hook command, timeout in seconds). Capture runs when a turn ends, before the
# context is compacted, and when the session ends; the briefing when a session starts (also
# after /clear and compaction); the prompt hook before each prompt.
EVENTS: dict[str, tuple[str, int]] = {
    "SessionStart": ("session-start", 15),
    "UserPromptSubmit": ("prompt", 10),
    "Stop": ("capture", 120),
    "PreCompact": ("capture", 120),
    "SessionEnd": ("capture", 120),
}
SETTINGS_FILE = ".claude/settings.json"
# Codex CLI reads the same JSON from .codex/hooks.json (project) or ~/.codex/hooks.json, and
# its SessionStart and UserPromptSubmit hooks inject hookSpecificOutput.additionalContext too.
# No capture: its transcript format is not documented (capture would find nothing), and its
# Stop hook holds the turn until it returns.
CODEX_FILE = ".codex/hooks.json"
CODEX_EVENTS = {event: EVENTS[event] for event in ("SessionStart", "UserPromptSubmit")}
# Gemini CLI reads the same groups from the `hooks` of its settings.json (.gemini/ in the project
# or the home folder, where its mcpServers are too), with timeouts in milliseconds; its
# SessionStart and BeforeAgent hooks inject hookSpecificOutput.additionalContext (the prompt
# hook answers with the event it was called for). No capture: its transcript format is not
# documented, and its hooks run synchronously.
GEMINI_FILE = ".gemini/settings.json"
GEMINI_EVENTS = {"SessionStart": EVENTS["SessionStart"], "BeforeAgent": EVENTS["UserPromptSubmit"]}
HOOK_PATH = "/hooks/"  # serve --http's hook endpoints (mcp_server/hookroute.py)


def settings_path(home: Path, project: Path | None, file: str = SETTINGS_FILE) -> Path:
    """The client's hooks file (SETTINGS_FILE, CODEX_FILE or GEMINI_FILE) in the project, or
    in the user's home folder."""
    return (project if project is not None else home) / file


def hook_command(launch: Launch, options: list[str], command: str) -> str:
    """The shell command a hook runs: the launcher, root options (--db …), `hook <command>`."""
    return shlex.join([launch.command, *launch.args, *options, "hook", command])


def codex_entries(
    launch: Launch, options: list[str], url: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Our Codex CLI hook groups: the briefing and the prompt hook, as commands (Codex runs
    command hooks); with `url`, they post to that server and answer locally when it does not."""
    return _command_groups(CODEX_EVENTS, launch, options, url, 1)


def gemini_entries(
    launch: Launch, options: list[str], url: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Our Gemini CLI hook groups: as Codex's, on SessionStart and BeforeAgent, timeouts in
    milliseconds, each named (Gemini lists hooks by name)."""
    groups = _command_groups(GEMINI_EVENTS, launch, options, url, 1000)
    for event, (cmd, _) in GEMINI_EVENTS.items():
        groups[event][0]["hooks"][0]["name"] = f"memory-mcp-{cmd}"
    return groups


def _command_groups(
    events: dict[str, tuple[str, int]],
    launch: Launch,
    options: list[str],
    url: str | None,
    timeout_unit: int,
) -> dict[str, list[dict[str, Any]]]:
    extra = "".join(" " + shlex.quote(w) for w in (["--url", url] if url else []))
    return {
        event: [{"hooks": [{"type": "command", "timeout": timeout * timeout_unit,
                            "command": hook_command(launch, options, cmd) + extra}]}]
        for event, (cmd, timeout) in events.items()
    }  # fmt: skip


def entries(
    launch: Launch, options: list[str], url: str | None = None, model: Sequence[str] = ()
) -> dict[str, list[dict[str, Any]]]:
    """Our hook groups, one per event. With the `url` of a running `serve --http`, the prompt
    hook is Claude Code's `http` hook (no process at all: milliseconds) and the commands post
    to that server (`--url`), answering locally when it does not. `model`: the root options
    naming the embedding model (--model-dir …), for capture, the one hook that loads it."""
    groups = {}
    for event, (cmd, timeout) in EVENTS.items():
        hook: dict[str, Any]
        if url and cmd == "prompt":
            hook = http_hook(url, cmd, timeout)
        else:
            extra = ["--url", url] if url else []
            root = [*options, *model] if cmd == "capture" else options
            hook = {"type": "command", "command": hook_command(launch, root, cmd) + "".join(
                " " + shlex.quote(w) for w in extra), "timeout": timeout}  # fmt: skip
        if cmd == "capture":
            hook["async"] = True  # the client does not wait for it
        groups[event] = [{"hooks": [hook]}]
    return groups


def http_hook(url: str, command: str, timeout: int) -> dict[str, Any]:
    """Claude Code's `http` hook: POSTs the hook JSON to `url`/hooks/<command>. The token is
    read from MEMORY_MCP_TOKEN in Claude Code's environment when it sends (header values
    interpolate only the variables allowedEnvVars lists); an open loopback server ignores it."""
    return {
        "type": "http",
        "url": url.rstrip("/") + HOOK_PATH + command,
        "headers": {"Authorization": "Bearer ${MEMORY_MCP_TOKEN}"},
        "allowedEnvVars": ["MEMORY_MCP_TOKEN"],
        "timeout": timeout,
    }


def is_our_hook(hook: object) -> bool:
    """A hook whose command runs memory-mcp's `hook` subcommand, or an http hook posting to
    a memory-mcp server's hook endpoint."""
    if isinstance(hook, dict) and hook.get("type") == "http" and isinstance(hook.get("url"), str):
        path = urlsplit(hook["url"]).path
        return any(path.endswith(HOOK_PATH + c) for c, _ in EVENTS.values())
    if not isinstance(hook, dict) or not isinstance(hook.get("command"), str):
        return False
    try:
        words = shlex.split(hook["command"])
    except ValueError:
        return False
    names = [w.replace("\\", "/").rsplit("/", 1)[-1].lower().removesuffix(".exe") for w in words]
    ours = DIST in names or any(
        a == "-m" and b == MODULE for a, b in zip(words, words[1:], strict=False)
    )
    return ours and "hook" in words


def check_hooks(path: Path) -> None:
    """Raise ConfigError, changing nothing, if install_hooks would refuse the file: checked
    before the server entry is written, so a refusal leaves neither half done."""
    _hooks(path, read_config(path) or {})


def install_hooks(
    path: Path, ours: dict[str, list[dict[str, Any]]] | None, now: datetime
) -> Outcome:
    """Put our groups in (or, with None, take them out), keeping every other hook and key."""
    doc = read_config(path)
    old = _hooks(path, doc or {})
    new = _without_ours(old)
    for event, groups in (ours or {}).items():
        new.setdefault(event, []).extend(copy.deepcopy(groups))
    if new == old:
        return Outcome("unchanged" if ours else "absent", path)
    updated = copy.deepcopy(doc or {})
    if new:
        updated["hooks"] = new
    else:
        updated.pop("hooks", None)
    backup = write_config(path, updated, now)
    had = any(is_our_hook(h) for groups in old.values() for g in groups for h in _list(g))
    action = ("updated" if had else "added") if ours else "removed"
    return Outcome(action, path, backup)


def _hooks(path: Path, doc: dict[str, Any]) -> dict[str, list[Any]]:
    hooks = doc.get("hooks", {})
    if not isinstance(hooks, dict) or not all(isinstance(v, list) for v in hooks.values()):
        raise ConfigError(
            f"{path}: 'hooks' is not an object of event lists. Nothing was changed; fix the"
            " file or add the hooks by hand (README, Automatic memory)."
        )
    return copy.deepcopy(hooks)


def _list(group: object) -> list[Any]:
    hooks = group.get("hooks") if isinstance(group, dict) else None
    return hooks if isinstance(hooks, list) else []


def _without_ours(hooks: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Every event's groups minus our hooks; a group we emptied goes, an event left empty too."""
    kept: dict[str, list[Any]] = {}
    for event, groups in hooks.items():
        left = []
        for group in groups:
            inner = _list(group)
            if not any(is_our_hook(h) for h in inner):
                left.append(group)
                continue
            rest = [h for h in inner if not is_our_hook(h)]
            if rest:
                left.append({**group, "hooks": rest})
        if left or not groups:
            kept[event] = left
    return kept
