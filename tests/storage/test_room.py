"""How a size cap is shared out, and the reserve file (SQLite backend)."""

from pathlib import Path

import pytest

from memory_mcp.storage.sqlite import room

PAGE = 4096
MB = 1024 * 1024


@pytest.mark.parametrize("cap_mb", [1, 3, 64, 1024])
def test_the_shares_of_a_cap_add_up_to_it(cap_mb: int) -> None:
    plan = room.plan(cap_mb * MB, PAGE)
    assert plan.max_pages is not None
    file_pages = plan.max_pages + plan.spare_pages
    assert (file_pages + plan.log_pages) * PAGE + plan.reserve_bytes <= cap_mb * MB
    assert plan.log_pages <= room.MAX_LOG_PAGES and plan.spare_pages >= room.MIN_SPARE_PAGES
    assert plan.reserve_bytes == plan.log_pages // 2 * PAGE  # room for a checkpoint at half


def test_without_a_cap_only_the_log_is_bounded() -> None:
    plan = room.plan(None, PAGE)
    assert (plan.max_pages, plan.spare_pages) == (None, 0)
    assert (plan.log_pages, plan.reserve_bytes) == (room.MAX_LOG_PAGES, 2 * MB)


def test_the_reserve_is_kept_given_back_and_kept_again(tmp_path: Path) -> None:
    db = tmp_path / "memory.db"
    assert room.keep_reserve(db, 64 * 1024)
    reserve = room.reserve_path(db)
    assert reserve.stat().st_size == 64 * 1024 and reserve.stat().st_mode & 0o777 == 0o600
    assert room.release_reserve(db) and not reserve.exists()
    assert not room.release_reserve(db)  # nothing left to give
    assert room.keep_reserve(db, 64 * 1024) and reserve.exists()
    assert not list(tmp_path.glob(".*partial"))


def test_no_reserve_when_the_disk_is_nearly_full(tmp_path: Path) -> None:
    huge = room.shutil.disk_usage(tmp_path).free  # a reserve this big leaves too little
    assert not room.keep_reserve(tmp_path / "memory.db", huge)
    assert not room.reserve_path(tmp_path / "memory.db").exists()
