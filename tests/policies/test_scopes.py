"""Scope rules alone: git remote URLs as host/owner/repo (no files read)."""

from pathlib import Path

import pytest

from memory_mcp.names import MAX_SCOPE_CHARS, clean_scope
from memory_mcp.policies.scopes import name_scope, normalize_remote

WIDGETS = "github.com/acme/widgets"
SAME_REPO_URLS = [
    "git@github.com:acme/widgets.git",
    "git@github.com:acme/widgets",
    "github.com:acme/widgets.git",
    "ssh://git@github.com/acme/widgets.git",
    "ssh://git@github.com:22/acme/widgets.git",
    "ssh://git@ssh.github.com:443/acme/widgets.git",
    "git+ssh://git@github.com/acme/widgets",
    "git://github.com/acme/widgets.git",
    "https://github.com/acme/widgets",
    "https://github.com/acme/widgets.git",
    "https://github.com/acme/widgets.git/",
    "https://github.com//acme/widgets/",
    "http://github.com:80/acme/widgets",
    "https://alice:ghp_SECRET@github.com/acme/widgets.git",
    "https://x-access-token:SECRET@GitHub.com/Acme/Widgets.git",
    "https://github.com/acme/widgets?ref=main#readme",
    "  https://github.com/acme/widgets\n",
]


# --- normalize_remote ---------------------------------------------------------------------


@pytest.mark.parametrize("url", SAME_REPO_URLS)
def test_every_spelling_of_a_remote_gives_one_scope(url: str) -> None:
    assert normalize_remote(url) == WIDGETS


def test_credentials_never_reach_the_scope() -> None:
    for url in SAME_REPO_URLS:
        assert "secret" not in (normalize_remote(url) or "").lower()


@pytest.mark.parametrize(
    "url",
    [
        "https://gitlab.com/group/sub/proj.git",
        "git@gitlab.com:group/sub/proj.git",
        "ssh://git@altssh.gitlab.com:443/group/sub/proj.git",
    ],
)
def test_gitlab_subgroups_are_kept(url: str) -> None:
    assert normalize_remote(url) == "gitlab.com/group/sub/proj"


@pytest.mark.parametrize(
    "url",
    [
        "https://dev.azure.com/org/project/_git/repo",
        "https://org@dev.azure.com/org/project/_git/repo",
        "git@ssh.dev.azure.com:v3/org/project/repo",
        "https://org.visualstudio.com/project/_git/repo",
        "https://org.visualstudio.com/DefaultCollection/project/_git/repo",
        "org@vs-ssh.visualstudio.com:v3/org/project/repo",
    ],
)
def test_azure_devops_forms_agree(url: str) -> None:
    assert normalize_remote(url) == "dev.azure.com/org/project/repo"


def test_azure_project_less_url_names_the_same_named_project() -> None:
    assert normalize_remote("https://dev.azure.com/org/_git/repo") == "dev.azure.com/org/repo/repo"


@pytest.mark.parametrize(
    ("url", "scope"),
    [
        ("ssh://git@git.example.com:2222/team/tool.git", "git.example.com/team/tool"),
        ("git@git.example.com:/srv/git/tool.git", "git.example.com/srv/git/tool"),
        ("ssh://git@git.example.com/srv/git/tool.git", "git.example.com/srv/git/tool"),
        ("https://git.example.com/team/my%20tool.git", "git.example.com/team/my tool"),
        ("git@[::1]:team/tool.git", "::1/team/tool"),
        ("hg::https://hg.example.com/acme/widgets", "hg.example.com/acme/widgets"),
    ],
)
def test_self_hosted_remotes(url: str, scope: str) -> None:
    assert normalize_remote(url) == scope


@pytest.mark.parametrize(
    "url",
    [
        "",
        "   ",
        "widgets",
        "/srv/git/widgets.git",
        "../widgets.git",
        "./widgets",
        "file:///srv/git/widgets.git",
        "C:\\repos\\widgets",
        "C:/repos/widgets",
        "https://github.com",
        "https://github.com/",
        "https://github.com/.git",
        "git@github.com:",
        "https://[broken/acme/widgets",
        "not a url: really",
    ],
)
def test_local_paths_and_junk_are_not_remotes(url: str) -> None:
    assert normalize_remote(url) is None


def test_long_remotes_are_cut_to_a_valid_distinct_scope() -> None:
    base = "https://git.example.com/" + "/".join(["segment"] * 40)
    one, two = normalize_remote(base + "/one.git"), normalize_remote(base + "/two.git")
    assert one is not None and two is not None
    assert one != two
    assert len(one) <= MAX_SCOPE_CHARS
    assert clean_scope(one) == one
    assert one.startswith("git.example.com/segment/")


@pytest.mark.parametrize(
    "url", ["git@github.com:acme/we*ird.git", "https://github.com/acme/we%2Aird"]
)
def test_a_wildcard_in_a_remote_is_written_out(url: str) -> None:
    """`*` is the grants' wildcard: a repo named with it gets a scope a grant can name."""
    assert normalize_remote(url) == "github.com/acme/we%2Aird"


def test_a_wildcard_in_a_folder_name_is_written_out(tmp_path: Path) -> None:
    assert name_scope(tmp_path / "my*proj") == "my%2Aproj"
