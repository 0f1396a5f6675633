"""A stand-in for a client that sends raw lines first: `python tests/adapters/stdio_relay.py
RAW REPLIES COUNT` starts `memory-mcp serve` on pipes, writes the file RAW to it, copies the
COUNT lines it answers into the file REPLIES, then relays its own stdin and stdout to the
server's, so that an SDK client that started this script talks to the same server."""

import subprocess
import sys
import threading
from pathlib import Path
from typing import IO


def pump(source: IO[bytes], sink: IO[bytes]) -> None:
    while line := source.readline():
        sink.write(line)
        sink.flush()
    sink.close()


def main() -> None:
    raw, replies, count = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
    server = subprocess.Popen(
        [sys.executable, "-m", "memory_mcp", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    assert server.stdin is not None and server.stdout is not None
    server.stdin.write(raw.read_bytes())
    server.stdin.flush()
    replies.write_bytes(b"".join(server.stdout.readline() for _ in range(count)))
    back = threading.Thread(target=pump, args=(server.stdout, sys.stdout.buffer))
    back.start()
    pump(sys.stdin.buffer, server.stdin)
    back.join()
    sys.exit(server.wait())


if __name__ == "__main__":
    main()
