"""Project scopes from folders, git metadata and MCP root URIs; git itself is never run."""

import os
import subprocess
from pathlib import Path

import pytest

from memory_mcp.errors import InvalidInput
from memory_mcp.names import MAX_SCOPE_CHARS, clean_scope
from memory_mcp.service.projects import project_scope, scope_from_root_uri
from tests.policies.test_scopes import SAME_REPO_URLS, WIDGETS


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home beside the test folders, so no test depends on the real one."""
    fake = tmp_path / "home" / "me"
    fake.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(fake))
    return fake


@pytest.fixture(autouse=True)
def _no_subprocesses(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scopes must come from reading files: git may not be installed."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("projects.py must not start processes")

    monkeypatch.setattr(subprocess, "Popen", refuse)


def make_repo(folder: Path, config: str | bytes = "") -> Path:
    dotgit = folder / ".git"
    dotgit.mkdir(parents=True)
    data = config.encode() if isinstance(config, str) else config
    (dotgit / "config").write_bytes(data)
    return folder


def origin(url: str) -> str:
    return f'[core]\n\tbare = false\n[remote "origin"]\n\turl = {url}\n'


# --- project_scope ------------------------------------------------------------------------


def test_clones_by_any_url_share_the_scope(tmp_path: Path) -> None:
    scopes = {
        project_scope(make_repo(tmp_path / "work" / f"clone-{i}", origin(url)))
        for i, url in enumerate(SAME_REPO_URLS)
    }
    assert scopes == {WIDGETS}


def test_subfolders_and_files_take_the_repository_scope(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "work" / "widgets", origin("git@github.com:acme/widgets.git"))
    (repo / "src" / "pkg").mkdir(parents=True)
    (repo / "src" / "pkg" / "mod.py").write_text("")
    assert project_scope(repo / "src" / "pkg") == WIDGETS
    assert project_scope(repo / "src" / "pkg" / "mod.py") == WIDGETS
    assert project_scope(str(repo / "not" / "created" / "yet")) == WIDGETS


def test_repository_without_remote_is_its_folder_name(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "work" / "widgets", "[core]\n\tbare = false\n")
    assert project_scope(repo) == "widgets"
    (repo / "src").mkdir()
    assert project_scope(repo / "src") == "widgets"


def test_folder_outside_any_repository_is_its_name(tmp_path: Path) -> None:
    folder = tmp_path / "work" / "notes"
    folder.mkdir(parents=True)
    assert project_scope(folder) == "notes"
    assert project_scope(tmp_path / "work" / "never-created") == "never-created"


def test_origin_wins_over_earlier_remotes_and_first_remote_is_the_fallback(tmp_path: Path) -> None:
    both = '[remote "upstream"]\n\turl = git@github.com:up/widgets.git\n' + origin(
        "git@github.com:acme/widgets.git"
    )
    assert project_scope(make_repo(tmp_path / "a" / "widgets", both)) == WIDGETS
    others = (
        '[remote "fork"]\n\tfetch = +refs/heads/*:refs/remotes/fork/*\n'
        '[remote "upstream"]\n\turl = https://github.com/up/widgets\n'
        '[remote "mine"]\n\turl = https://github.com/me/widgets\n'
    )
    assert project_scope(make_repo(tmp_path / "b" / "widgets", others)) == "github.com/up/widgets"


def test_real_world_config_syntax(tmp_path: Path) -> None:
    config = (
        "# written by hand\n"
        "[core]\n\trepositoryformatversion = 0\n"
        '[branch "main"]\n\tremote = origin\n\turl = https://wrong.example.com/x\n'
        '[remote "Origin"]\n\turl = https://wrong.example.com/case-sensitive\n'
        '[remote "origin"]  ; comment\n'
        "\tfetch = +refs/heads/*:refs/remotes/origin/*\n"
        '\tURL = "git@github.com:acme/widgets.git" # trailing comment\n'
        "\turl = https://wrong.example.com/second-url\n"
    )
    assert project_scope(make_repo(tmp_path / "work" / "w", config)) == WIDGETS


@pytest.mark.parametrize(
    "config",
    [
        "[remote.origin]\nurl = git@github.com:acme/widgets.git\n",
        '[remote "origin"] url = git@github.com:acme/widgets.git\n',
        '[remote "origin"]\nurl = git@github.com:acme/\\\nwidgets.git\n',
        '[remote "ori\\gin"]\nurl = git@github.com:acme/widgets.git\n',
    ],
    ids=["old-dotted-section", "key-on-header-line", "continued-line", "escaped-subsection"],
)
def test_less_common_config_syntax(tmp_path: Path, config: str) -> None:
    assert project_scope(make_repo(tmp_path / "work" / "w", config)) == WIDGETS


def test_worktree_reads_the_shared_config_through_commondir(tmp_path: Path) -> None:
    main = make_repo(tmp_path / "work" / "widgets", origin("https://github.com/acme/widgets"))
    admin = main / ".git" / "worktrees" / "feature"
    admin.mkdir(parents=True)
    (admin / "commondir").write_text("../..\n")
    (admin / "config").write_text("[core]\n")  # not a real git file; must not be read
    tree = tmp_path / "work" / "widgets-feature"
    tree.mkdir()
    (tree / ".git").write_text(f"gitdir: {admin}\n")
    assert project_scope(tree) == WIDGETS


def test_submodule_has_its_own_scope(tmp_path: Path) -> None:
    outer = make_repo(tmp_path / "work" / "app", origin("https://github.com/acme/app.git"))
    modules = outer / ".git" / "modules" / "lib"
    modules.mkdir(parents=True)
    (modules / "config").write_text(origin("git@github.com:acme/lib.git"))
    (outer / "lib").mkdir()
    (outer / "lib" / ".git").write_text("gitdir: ../.git/modules/lib\n")
    assert project_scope(outer / "lib") == "github.com/acme/lib"
    assert project_scope(outer) == "github.com/acme/app"


@pytest.mark.parametrize(
    "config",
    [
        b"\x00\xff\xfe binary \x80 garbage",
        b'[remote "origin"\n\turl = git@github.com:acme/widgets.git\n',
        b'[remote "origin"]\n\turl\n\turl =\n\turl = ""\n',
        b'[remote "origin"]\n\turl = /srv/git/widgets.git\n',
        b'[remote "origin"]\n\turl = \xff\xfe:\xff/\n',
        b"",
    ],
    ids=["binary", "unclosed-header", "empty-urls", "local-remote", "undecodable", "empty"],
)
def test_broken_config_falls_back_to_the_folder_name(tmp_path: Path, config: bytes) -> None:
    assert project_scope(make_repo(tmp_path / "work" / "widgets", config)) == "widgets"


def test_unreadable_git_metadata_falls_back_to_the_folder_name(tmp_path: Path) -> None:
    config_dir = tmp_path / "work" / "a"
    (config_dir / ".git" / "config").mkdir(parents=True)  # a directory where a file belongs
    assert project_scope(config_dir) == "a"
    for name, pointer in [("b", "gitdir: ../nowhere\n"), ("c", "nonsense\n"), ("d", "")]:
        folder = tmp_path / "work" / name
        folder.mkdir()
        (folder / ".git").write_text(pointer)
        assert project_scope(folder) == name


def test_symlinked_folder_scopes_like_its_target(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "work" / "widgets", origin("git@github.com:acme/widgets.git"))
    link = tmp_path / "link"
    link.symlink_to(repo, target_is_directory=True)
    assert project_scope(link) == WIDGETS


def test_tilde_is_expanded(home: Path) -> None:
    make_repo(home / "code" / "widgets", origin("git@github.com:acme/widgets.git"))
    assert project_scope("~/code/widgets") == WIDGETS


def test_a_dotfiles_repo_in_home_does_not_claim_every_folder(home: Path) -> None:
    make_repo(home, origin("git@github.com:me/dotfiles.git"))
    (home / "notes").mkdir()
    assert project_scope(home / "notes") == "notes"


def test_home_folder_is_refused_with_a_helpful_message(home: Path, tmp_path: Path) -> None:
    for path in (home, "~", str(home) + "/", home / "code" / ".."):
        with pytest.raises(InvalidInput, match="needs a project folder") as caught:
            project_scope(path)
        assert "your home folder" in str(caught.value)
        assert "--project" in str(caught.value)
    with pytest.raises(InvalidInput, match="above your home folder"):
        project_scope(home.parent)  # like /home or /Users
    link = tmp_path / "home-link"
    link.symlink_to(home, target_is_directory=True)
    with pytest.raises(InvalidInput, match="home folder"):
        project_scope(link)


def test_filesystem_root_is_refused() -> None:
    with pytest.raises(InvalidInput, match="filesystem root"):
        project_scope(Path(os.path.abspath(os.sep)))


@pytest.mark.parametrize("path", ["", "  ", "${workspaceFolder}", "/x/${workspaceFolder}/y"])
def test_missing_or_unsubstituted_paths_are_refused(path: str) -> None:
    with pytest.raises(InvalidInput, match="project folder"):
        project_scope(path)


def test_nul_in_path_is_refused() -> None:
    with pytest.raises(InvalidInput, match="NUL"):
        project_scope("/tmp/a\x00b")


def test_odd_folder_names_become_clean_scopes(tmp_path: Path) -> None:
    tabbed = tmp_path / "work" / "  my\tproject\n "
    tabbed.mkdir(parents=True)
    assert project_scope(tabbed) == "my project"
    long_name = "x" * 230
    scope = project_scope(tmp_path / "work" / long_name)
    assert len(scope) <= MAX_SCOPE_CHARS
    assert clean_scope(scope) == scope
    assert scope == project_scope(tmp_path / "other" / long_name)


# --- scope_from_root_uri -----------------------------------------------------------------


def test_file_uri_is_decoded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "my project", origin("git@github.com:acme/widgets.git"))
    uri = repo.as_uri()
    assert "%20" in uri
    assert scope_from_root_uri(uri) == WIDGETS
    assert scope_from_root_uri(uri.replace("file://", "file://localhost")) == WIDGETS
    assert scope_from_root_uri((tmp_path / "plain folder").as_uri()) == "plain folder"


def test_undecodable_bytes_in_a_uri_do_not_break_the_scope(tmp_path: Path) -> None:
    scope = scope_from_root_uri(tmp_path.as_uri() + "/caf%FF")
    assert scope == "caf\ufffd"
    assert scope.encode("utf-8")  # storable in SQLite


@pytest.mark.parametrize(
    ("uri", "scope"),
    [
        ("file:///C:/Users/me/My%20Project", "My Project"),
        ("file:///c%3A/Users/me/proj", "proj"),  # VS Code percent-encodes the drive colon
        ("file://server/share/team/proj", "proj"),  # UNC share
    ],
)
def test_windows_style_uris_scope_by_folder_name(uri: str, scope: str) -> None:
    # On POSIX these are absolute paths that do not exist; on Windows, drive or UNC paths.
    assert scope_from_root_uri(uri) == scope


@pytest.mark.parametrize(
    "uri",
    [
        "",
        "https://github.com/acme/widgets",
        "untitled:Untitled-1",
        "vscode-remote://ssh-remote+box/home/me/proj",
        "not a uri",
        "http://[broken/x",
    ],
)
def test_non_file_uris_give_none(uri: str) -> None:
    assert scope_from_root_uri(uri) is None


def test_file_uri_of_root_or_home_is_refused(home: Path) -> None:
    with pytest.raises(InvalidInput, match="filesystem root"):
        scope_from_root_uri("file:///")
    with pytest.raises(InvalidInput, match="home folder"):
        scope_from_root_uri(home.as_uri())


def test_relative_file_uri_is_refused() -> None:
    with pytest.raises(InvalidInput, match="absolute path"):
        scope_from_root_uri("file:relative/proj")
