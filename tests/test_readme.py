"""The README stays true: its settings table is config.py's settings with their defaults, every
`memory-mcp ...` line it shows uses commands and options that exist, and every module path and
benchmark script it names is there."""

import re
import shlex
from pathlib import Path
from typing import Any

import platformdirs
import pytest
import typer.main

from memory_mcp.adapters.cli import app
from memory_mcp.config import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `MEMORY_MCP_([A-Z_]+)` \| (.+?) \| (.+) \|$", re.MULTILINE)
# Read by the CLI itself (an option's envvar), not settings of the server.
CLI_VARIABLES = {"hook_url": "--url", "as": "--as"}
# Worked out when the server starts (from the host, port or issuer): no fixed default.
DERIVED = {"oauth_resource", "oauth_audience", "oauth_jwks_url"}


def section(title: str) -> str:
    return README.split(f"\n{title}\n", 1)[1].split("\n## ", 1)[0]


TABLE = {m[1].lower(): (m[2], m[3]) for m in ROW.finditer(section("## Settings"))}


def test_the_settings_table_lists_every_setting_and_nothing_else() -> None:
    assert set(TABLE) - set(CLI_VARIABLES) == set(Settings.model_fields)
    assert set(CLI_VARIABLES) <= set(TABLE)


def test_every_variable_the_readme_names_is_in_the_settings_table() -> None:
    """Outside Development (whose variables point the tests at their tools), a
    `MEMORY_MCP_...` the README names is one the Settings table documents."""
    user_part = README.split("\n## Development\n", 1)[0]
    named = {name.lower() for name in re.findall(r"MEMORY_MCP_([A-Z0-9_]*[A-Z0-9])", user_part)}
    assert named <= set(TABLE), named - set(TABLE)


def shown(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_each_setting_has_its_documented_default(name: str) -> None:
    documented = TABLE[name][0]
    field = Settings.model_fields[name]
    if field.default_factory is not None:  # a path under the platform's folders
        path = documented.strip("`")
        path = path.replace("<platform data dir>", platformdirs.user_data_dir())
        path = path.replace("<platform cache dir>", platformdirs.user_cache_dir())
        assert Path(path) == field.default_factory(), documented  # type: ignore[call-arg]
    elif name in DERIVED or documented in {"unset", "none"}:
        assert field.default is None, documented
    else:
        assert documented == f"`{shown(field.default)}`"


def command_tree() -> Any:
    """The click command tree typer builds (typer vendors click: duck-typed here)."""
    return typer.main.get_command(app)


def subcommands(command: Any) -> dict[str, Any]:
    return dict(getattr(command, "commands", {}))


def options_of(command: Any) -> set[str]:
    return {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}


def test_each_settings_flag_exists() -> None:
    """A flag the table names (`--model-dir`, `serve --project`) is an option of the CLI."""
    group = command_tree()
    every = options_of(group)
    for sub in group.commands.values():
        every |= options_of(sub)
        every |= {o for c in subcommands(sub).values() for o in options_of(c)}
    for name, (_, meaning) in TABLE.items():
        for flag in re.findall(r"`(?:serve )?(--[a-z-]+)`", meaning):
            assert flag in every, (name, flag)


def readme_command_lines() -> list[str]:
    """Every `memory-mcp ...` command in the README's bash blocks (one per pipe stage)."""
    lines = []
    for block in re.findall(r"```bash\n(.*?)```", README, re.DOTALL):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            for stage in re.split(r"\s*(?:\||&&|;)\s*", line):
                if "memory-mcp " in stage and not stage.startswith("#"):
                    lines.append(stage[stage.index("memory-mcp ") :])
    return lines


LINES = readme_command_lines()


def test_the_readme_shows_many_commands() -> None:
    assert len(LINES) > 60


@pytest.mark.parametrize("line", LINES)
def test_each_readme_command_line_uses_options_that_exist(line: str) -> None:
    """`memory-mcp list --scope x --limit 20`: `list` is a command and both are its options."""
    words = shlex.split(re.sub(r"<\(.*?\)", "PIPE", line).replace("$(", "(").replace("\\", ""))
    command, context, value = command_tree(), ["memory-mcp"], False
    for word in words[1:]:
        if word.startswith("-") and word != "-":
            flag = word.split("=", 1)[0]
            assert flag in options_of(command) | {"--help", "-h"}, (context, flag)
            value = "=" not in word and any(
                flag in p.opts and not p.is_flag for p in command.params
            )
        elif value:  # the value of the option before it
            value = False
        elif subcommands(command):
            assert word in subcommands(command), f"{word!r} is no command of {' '.join(context)}"
            command, context = subcommands(command)[word], [*context, word]


def architecture_chunks() -> dict[str, str]:
    """The Architecture section's module list, as the text under each folder it names
    (`adapters/cli`, `storage/sqlite`, ...; `` for the package's own modules)."""
    block = section("## Architecture").split("```text\n", 1)[1].split("```", 1)[0]
    chunks: dict[str, str] = {}
    top = sub = ""
    for line in block.splitlines()[1:]:
        if entry := re.match(r"^  (\S+)", line):
            top, sub = entry[1].rstrip("/") if entry[1].endswith("/") else "", ""
        elif entry := re.match(r"^    (\S+)", line):
            sub = entry[1].rstrip("/") if entry[1].endswith("/") else ""
        folder = "/".join(part for part in (top, sub) if part)
        chunks[folder] = chunks.get(folder, "") + line + "\n"
    return chunks


MODULES = sorted(
    p.relative_to(ROOT / "memory_mcp")
    for p in (ROOT / "memory_mcp").rglob("*.py")
    if p.name not in {"__init__.py", "__main__.py"}
)


@pytest.mark.parametrize("module", MODULES, ids=str)
def test_the_architecture_section_names_every_module_in_its_folder(module: Path) -> None:
    """A module added without a word in the README's module list (or listed under another
    folder than the one it is in) fails here."""
    chunks = architecture_chunks()
    folder = module.parent
    while str(folder) not in chunks and str(folder) != ".":  # migrations/: under their store
        folder = folder.parent
    text = chunks[""] if str(folder) == "." else chunks[str(folder)]
    if str(folder) == "storage/postgres":  # "PgStore: the same parts" as SqliteStore's
        text += chunks["storage/sqlite"]
    assert re.search(rf"(?<![\w/]){re.escape(module.stem)}(\.py)?\b", text), (module, folder)


NAMED_PATHS = sorted(
    set(re.findall(r"\b((?:memory_mcp|benchmarks|tests|examples|docs)/[\w./-]*\w)", README))
    - {"tests/api/test_auth.py"}  # a path in an example project's transcript, not ours
)


@pytest.mark.parametrize("path", NAMED_PATHS)
def test_each_path_the_readme_names_exists(path: str) -> None:
    assert (ROOT / path).exists(), path


SHORT_PATHS = sorted(
    set(
        re.findall(
            r"(?<![\w/.])((?:adapters|service|search|formats|storage|policies)/[\w/]+\.py)", README
        )
    )
)


@pytest.mark.parametrize("path", SHORT_PATHS)
def test_each_module_the_readme_names_by_its_folder_exists(path: str) -> None:
    """`search/moved.py`, `policies/secrets.py`: paths inside the package, named short."""
    assert (ROOT / "memory_mcp" / path).is_file(), path
