"""The HTTP bearer token's file: written fresh and private, refused when others can read it."""

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from memory_mcp.adapters.cli import app
from memory_mcp.adapters.mcp_server.http import resolve_token, rotate_token
from memory_mcp.config import Settings
from memory_mcp.errors import InvalidInput

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX file modes")


def test_rotate_writes_a_fresh_private_file_never_through_a_leftover(tmp_path: Path) -> None:
    """A leftover `token.tmp` (mode 644) or a symlink planted at that name used to be
    written through: the new token kept the leftover's mode or landed in the link's target."""
    folder = tmp_path / "data"
    folder.mkdir(mode=0o700)
    path = folder / "token"
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    victim.chmod(0o644)
    (folder / "token.tmp").symlink_to(victim)
    token = rotate_token(path)
    assert victim.read_text() == "precious\n"
    assert path.read_text().strip() == token and not path.is_symlink()
    assert path.stat().st_mode & 0o777 == 0o600

    (folder / "token.tmp").unlink()
    (folder / "token.tmp").write_text("old\n")
    (folder / "token.tmp").chmod(0o644)
    again = rotate_token(path)
    assert again != token and path.stat().st_mode & 0o777 == 0o600
    # No temporary file is left behind.
    assert sorted(p.name for p in folder.iterdir()) == ["token", "token.tmp"]


def test_rotate_replaces_a_symlinked_token_file_not_its_target(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    path = tmp_path / "token"
    path.symlink_to(victim)
    rotate_token(path)
    assert victim.read_text() == "precious\n"
    assert not path.is_symlink() and path.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o620], ids=oct)
def test_a_token_file_others_can_use_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "token"
    path.write_text("s3cret-token-value\n")
    path.chmod(mode)
    settings = Settings(token_file=path)
    with pytest.raises(InvalidInput, match="token --rotate"):
        resolve_token(settings, "127.0.0.1")  # what `serve --http` uses
    env = {"MEMORY_MCP_TOKEN_FILE": str(path)}
    shown = CliRunner().invoke(app, ["token"], env=env)
    assert shown.exit_code == 1
    assert f"mode {mode:o}" in shown.stderr and "s3cret" not in shown.stdout
    # Rotating is the way out: a new private file.
    rotated = CliRunner().invoke(app, ["token", "--rotate"], env=env)
    assert rotated.exit_code == 0 and path.stat().st_mode & 0o777 == 0o600
    assert CliRunner().invoke(app, ["token"], env=env).stdout == rotated.stdout


def test_a_private_token_file_is_used(tmp_path: Path) -> None:
    path = tmp_path / "token"
    path.write_text("s3cret-token-value\n")
    path.chmod(0o600)
    assert resolve_token(Settings(token_file=path), "127.0.0.1") == "s3cret-token-value"
    assert resolve_token(Settings(token_file=tmp_path / "none"), "127.0.0.1") is None
