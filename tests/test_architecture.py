"""The layers the README's Architecture section promises, checked from the source itself.

Imports point down the layers only, the service and the semantic leg see storage through its
contract alone, nothing below the adapters knows about MCP or the terminal, there is no
import cycle, and modules, classes and functions stay small enough to read.
"""

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "memory_mcp"

# Lower layers never import higher ones; folders on the same layer don't import each other.
LAYERS = {
    "core": 0,  # config, errors, models, names, timestamps: the shared vocabulary, and one reader
    "policies": 1,
    "storage": 2,
    "search": 3,
    "formats": 3,
    "service": 4,
    "adapters": 5,
}
CORE = {"config", "errors", "models", "names", "timestamps", "regular_files", "remembered"}
# The one core module that reads files: how a path from a project is opened (never a FIFO or a
# device), needed from every layer and before the server's first reply, so below them all.
READERS = {"memory_mcp.regular_files"}
FRAMEWORKS = {"mcp", "typer", "rich", "starlette", "uvicorn"}  # adapters only
# Reading another program's SQLite file needs the driver, which only storage/sqlite/db.py loads.
ALLOWED = {
    ("memory_mcp.formats.mcp_memory_service", "memory_mcp.storage.sqlite.db"),
    # the models' validators apply the name rules; names.py imports nothing of ours
    ("memory_mcp.models", "memory_mcp.names"),
    ("memory_mcp.config", "memory_mcp.names"),  # the default scope obeys the same rules
    ("memory_mcp.remembered", "memory_mcp.models"),  # remember's answer is a Memory and more
}

MAX_MODULE_LINES = 450
MAX_CLASS_LINES = 350
MAX_FUNCTION_LINES = 60


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, tuple[Path, ast.Module]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        found[module_name(path)] = (path, ast.parse(path.read_text(encoding="utf-8")))
    return found


MODULES = modules()


def imports(name: str, tree: ast.Module) -> Iterator[str]:
    """Every module `name` imports, at any depth (function-level imports count too)."""
    package = name if MODULES[name][0].name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield full if full in MODULES else base


def internal_imports(name: str) -> set[str]:
    return {i for i in imports(name, MODULES[name][1]) if i in MODULES and i != name}


def layer(name: str) -> str | None:
    parts = name.split(".")
    if len(parts) == 1:
        return None  # the package's face re-exports the public API from above
    if len(parts) == 2 and parts[1] in CORE:
        return "core"
    return parts[1] if parts[1] in LAYERS else None


def folder(name: str) -> str:
    return ".".join(name.split(".")[:2])


def test_every_module_belongs_to_a_layer() -> None:
    loose = [
        n for n in MODULES if layer(n) is None and n not in ("memory_mcp", "memory_mcp.__main__")
    ]
    assert loose == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_the_layers(name: str) -> None:
    mine = layer(name)
    if mine is None:
        return
    wrong = []
    for target in internal_imports(name):
        theirs = layer(target)
        if theirs is None or (name, target) in ALLOWED or folder(target) == folder(name):
            continue
        if LAYERS[theirs] >= LAYERS[mine]:
            wrong.append(target)
    assert wrong == [], f"{name} ({mine}) imports upward or sideways: {wrong}"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) in ("service", "search")))
def test_service_and_search_see_storage_only_through_its_contract(name: str) -> None:
    reached = {t for t in internal_imports(name) if layer(t) == "storage"}
    assert reached <= {"memory_mcp.storage", "memory_mcp.storage.contract"}, name


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer(n) not in (None, "adapters")))
def test_only_adapters_import_protocol_and_terminal_frameworks(name: str) -> None:
    used = {i.split(".")[0] for i in imports(name, MODULES[name][1])}
    assert used & FRAMEWORKS == set(), name


# Calls that touch the file system, the environment or other processes.
IO_CALLS = {
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "exists", "is_file",
    "is_dir", "isfile", "isdir", "resolve", "stat", "home", "getenv", "run", "Popen", "connect",
}  # fmt: skip


@pytest.mark.parametrize(
    "name", sorted(n for n in MODULES if layer(n) in ("core", "policies") and n not in READERS)
)
def test_policies_and_the_vocabulary_do_no_io(name: str) -> None:
    called = {
        node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        for node in ast.walk(MODULES[name][1])
        if isinstance(node, ast.Call)
    }
    assert called & IO_CALLS == set(), name


def test_there_is_no_import_cycle() -> None:
    graph = {name: internal_imports(name) for name in MODULES}
    # A package's face importing its own submodules is how Python packages work, not a cycle.
    graph = {n: {t for t in ts if not t.startswith(n + ".")} for n, ts in graph.items()}
    cycles = [c for c in strongly_connected(graph) if len(c) > 1]
    assert cycles == []


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative enough for a package this size."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_check_finds_a_cycle() -> None:
    assert strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}})[0] == ["b", "a"]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_modules_classes_and_functions_stay_readable(name: str) -> None:
    path, tree = MODULES[name]
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name}: {lines} lines"
    for node in ast.walk(tree):
        size = (node.end_lineno or node.lineno) - node.lineno + 1 if hasattr(node, "lineno") else 0
        if isinstance(node, ast.ClassDef):
            assert size <= MAX_CLASS_LINES, f"class {node.name}: {size} lines"
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            assert size <= MAX_FUNCTION_LINES, f"{name}.{node.name}: {size} lines"
