"""Requests and sessions as short memories, and .memoryignore in gitignore syntax."""

from memory_mcp.policies.episodes import IgnoreRules, activity, episode, explored

ROOT = "/home/dev/widgets"


def test_a_request_names_the_files_searches_commands_and_what_was_found() -> None:
    tools = [
        ("Grep", {"pattern": "Bearer", "path": f"{ROOT}/src"}, True),
        ("Read", {"file_path": f"{ROOT}/src/auth.py"}, True),
        ("Edit", {"file_path": f"{ROOT}/tests/test_auth.py"}, True),
        ("Bash", {"command": "uv run  pytest -q"}, False),
        ("Bash", {"command": "uv run pytest -q"}, True),
    ]
    act = activity(tools, [ROOT], IgnoreRules())
    text = explored("Where are tokens checked?", act, "In src/auth.py (BearerAuth).")
    assert text == (
        "Asked 'Where are tokens checked?': the assistant read src/auth.py; changed"
        " tests/test_auth.py; searched for 'Bearer'; ran `uv run pytest -q` (failed),"
        " `uv run pytest -q` (ok). Found: In src/auth.py (BearerAuth)."
    )
    session = episode("2026-10-05", "main", ["Where are tokens checked?"], act, 1)
    assert session == (
        "Session of 2026-10-05 on branch main: 1 request ('Where are tokens checked?')."
        " Changed tests/test_auth.py. Ran `uv run pytest -q` (ok)."
    )


def test_a_request_that_touched_no_file_leaves_no_memory() -> None:
    act = activity([("Bash", {"command": "ls"}, True)], [ROOT], IgnoreRules())
    assert explored("list the folder", act, "Done.") is None


def test_ignored_paths_are_left_out() -> None:
    rules = IgnoreRules("# secrets\nsecrets/\n*.env\n/build\n!public.env\ndocs/**/private.md\n")
    assert rules("secrets/key.txt") and rules("a/secrets/b") and rules("src/x.env")
    assert not rules("public.env") and rules("build/out") and not rules("src/build/out")
    assert rules("docs/a/b/private.md") and not rules("src/main.py")
    tools = [("Read", {"file_path": f"{ROOT}/secrets/key.txt"}, True)]
    assert activity(tools, [ROOT], rules).files == []
