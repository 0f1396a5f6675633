"""Requests and sessions as short memories, and .memoryignore in gitignore syntax."""

from memory_mcp.policies.episodes import (
    Activity,
    Held,
    IgnoreRules,
    activity,
    episode,
    explored,
    folded,
    plan,
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
    assert explored("run the tests", act, "All 207 tests pass now.") is None
    assert explored("nothing", activity([], [ROOT], IgnoreRules()), "A long answer " * 9) is None


def test_a_request_that_only_ran_commands_and_found_something_is_remembered() -> None:
    """A debugging session's findings often come from commands (logs, tests, queries)."""
    logs = [("Bash", {"command": "kubectl logs deploy/shop-worker --tail=200"}, True)]
    act = activity(logs, [ROOT], IgnoreRules())
    found = "The worker restarts every 10 minutes: its memory limit is below the image cache."
    text = explored("why does the worker restart?", act, found)
    assert text == (
        "Asked 'why does the worker restart?': the assistant ran `kubectl logs"
        " deploy/shop-worker --tail=200` (ok). Found: " + found
    )


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

    def chosen(
        held: dict[int, Held], done: frozenset[int] = frozenset(), limit: int = 40, **kw: object
    ):
        found = plan(texts, worths, held, done, limit=limit, **kw)  # type: ignore[arg-type]
        return found.store, found.recount, found.displaced

    assert chosen({}) == ({0: (5, 1, 4), 5: (1, 0, 5)}, {}, set())  # the stronger first
    assert chosen({1: Held(0)}) == ({5: (1, 1, 5)}, {1: (5, 4)}, set())  # held: recounted
    assert chosen({}, frozenset({1})) == (
        {5: (1, 0, 5)},
        {},
        set(),
    )  # stored, since displaced: left
    assert chosen({}, limit=1) == ({5: (1, 0, 5)}, {}, set())  # the more informative
    assert chosen({}, limit=1, elsewhere=[Held(0)]) == ({}, {}, set())  # the cap is full
    # a held weaker one gives its slot to a stronger new one (a change), not to a weaker one
    assert chosen({5: Held(0)}, limit=1) == ({}, {5: (1, 5)}, set())
    stronger = plan(texts, [(True, 0)] + worths[1:], {5: Held(0)}, frozenset(), limit=1)
    assert (stronger.store, stronger.recount, stronger.displaced) == ({0: (5, 0, 4)}, {}, {0})
    assert chosen({5: Held(None)}, limit=1) == ({}, {5: (1, 5)}, set())  # no slot: it stays
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


def test_commands_alike_but_for_their_numbers_are_shown_once_as_the_last() -> None:
    """A session of log reads: five `tail -n N` filled the request's and the episode's
    command lists, leaving the one other command out."""
    tools = [("Read", {"file_path": f"{ROOT}/deploy/worker.yaml"}, True)]
    tools += [("Bash", {"command": "kubectl get pods"}, True)]
    tools += [("Bash", {"command": f"kubectl logs deploy/w | tail -n {n}"}, True) for n in range(9)]
    tools += [
        ("Bash", {"command": "uv run pytest"}, False),
        ("Bash", {"command": "uv run pytest"}, True),
    ]
    act = activity(tools, [ROOT], IgnoreRules())
    text = explored("and the worker?", act, "The worker restarts every ten minutes.")
    assert text is not None
    shown = "`kubectl get pods` (ok), `kubectl logs deploy/w | tail -n 8` (ok), `uv run pytest`"
    assert f"ran {shown} (failed), `uv run pytest` (ok)." in text  # run again: both outcomes
    line = episode("2026-11-02", "main", ["and the worker?"], act, 1)
    assert line.count("kubectl logs") == 1 and "`kubectl get pods` (ok)" in line
