"""Requests and sessions as short memories, and .memoryignore in gitignore syntax."""

from memory_mcp.policies.episodes import (
    Activity,
    IgnoreRules,
    activity,
    episode,
    explored,
    folded,
    kept,
)

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


def test_reads_that_concluded_nothing_leave_no_memory_a_change_does() -> None:
    read = activity([("Read", {"file_path": f"{ROOT}/a.py"}, True)], [ROOT], IgnoreRules())
    assert explored("check item 7", read, "") is None
    assert explored("check item 7", read, "ok") is None
    assert explored("check item 7", read, "Item 7 totals match.") is not None
    edit = activity([("Edit", {"file_path": f"{ROOT}/a.py"}, True)], [ROOT], IgnoreRules())
    assert explored("fix item 7", edit, "") is not None


def test_alike_events_fold_into_their_first_and_a_session_keeps_its_cap() -> None:
    texts = [f"Asked 'check item {n}': read a.py. Found: item {n} is fine." for n in range(5)]
    texts += ["Asked 'why is export slow': read export.py. Found: rows are recomputed."]
    worths = [(False, 3)] * 5 + [(False, 4)]
    assert kept(texts, [False] * 6, worths) == {0: 5, 5: 1}
    assert kept(texts, [False, True, False, False, False, False], worths) == {5: 1}  # stored
    assert kept(texts, [False] * 6, worths, limit=1) == {5: 1}  # the more informative
    assert kept(texts, [False] * 6, [(True, 0)] + worths[1:], limit=1) == {0: 5}  # a change
    assert kept(texts, [False] * 5 + [True], worths, limit=1) == {}  # the cap is full
    assert folded("Asked x.", 1) == "Asked x."
    assert folded("Asked x.", 3) == "Asked x. (2 more requests like it in this session.)"


def test_a_sessions_total_holds_each_path_once_in_order() -> None:
    total = Activity()
    for n in (1, 2, 1, 3, 2):
        total.add(
            activity([("Read", {"file_path": f"{ROOT}/f{n}.py"}, True)], [ROOT], IgnoreRules())
        )
    total.read = [*total.read, "extra.py"]  # set anew: still read once
    total.add(activity([("Read", {"file_path": f"{ROOT}/extra.py"}, True)], [ROOT], IgnoreRules()))
    assert total.read == ["f1.py", "f2.py", "f3.py", "extra.py"]


def test_a_sessions_episode_names_requests_not_alike_to_one_before() -> None:
    prompts = [f"Please check item {n}." for n in range(3000)] + ["Why is the export slow?"]
    text = episode("2026-10-05", None, prompts, Activity(), len(prompts))
    assert text == (
        "Session of 2026-10-05: 3001 requests ('Please check item 0.'; 'Why is the export"
        " slow?' and 2999 more)."
    )
