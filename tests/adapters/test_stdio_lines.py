"""stdio.LineReader on a real pipe and the running asyncio loop: lines read as they come,
whether the reader waits for them or they arrive while nobody reads, and the loop watching
the pipe only while someone may read it."""

import asyncio
import os
from collections.abc import Iterator

import pytest

from memory_mcp.adapters.mcp_server.stdio import LineReader


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    yield read_end, write_end
    os.close(read_end)
    os.close(write_end)


async def _passes(count: int = 5) -> None:
    for _ in range(count):
        await asyncio.sleep(0)


@pytest.mark.anyio
async def test_lines_are_read_as_they_come_and_while_nobody_reads(pipe: tuple[int, int]) -> None:
    read_end, write_end = pipe
    loop = asyncio.get_running_loop()
    reader = LineReader(read_end)
    os.write(write_end, b"one\ntwo\n")
    assert [await anext(reader), await anext(reader)] == ["one\n", "two\n"]

    waiting = asyncio.create_task(anext(reader))  # waits: the loop watches the pipe
    await _passes()
    os.write(write_end, b"thr")
    await _passes()
    os.write(write_end, b"ee\n")
    assert await waiting == "three\n"

    os.write(write_end, b"four\n")  # nobody reads: the loop must stop watching, or it spins
    await _passes()
    assert not loop.remove_reader(read_end)
    assert await anext(reader) == "four\n"  # read when asked

    waiting = asyncio.create_task(anext(reader))
    await _passes()
    os.write(write_end, "five ✓\n".encode())
    assert await waiting == "five ✓\n"
    reader.close()  # before the fd closes: the loop no longer watches it
    assert not loop.remove_reader(read_end)


@pytest.mark.anyio
async def test_end_of_input_ends_the_lines_with_the_last_one_unended() -> None:
    read_end, write_end = os.pipe()
    os.set_blocking(read_end, False)
    reader = LineReader(read_end)
    try:
        waiting = asyncio.create_task(anext(reader))
        await _passes()
        os.write(write_end, b"last")
        await _passes()
        os.close(write_end)
        assert await waiting == "last"
        with pytest.raises(StopAsyncIteration):
            await anext(reader)
    finally:
        reader.close()
        os.close(read_end)
