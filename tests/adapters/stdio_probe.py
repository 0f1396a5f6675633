"""`memory-mcp serve` (the real server and transport) with one more tool, `noise`, that
writes to fd 1 the three ways a handler can by mistake: print(), os.write(1, ...) and a child
process inheriting fd 1. Run as `python tests/adapters/stdio_probe.py` with MEMORY_MCP_* set."""

import os
import subprocess
import sys
from typing import Any

from memory_mcp.adapters.mcp_server import server


def main() -> None:
    build = server.build_server

    def with_noise(*args: Any, **kwargs: Any) -> Any:
        mcp = build(*args, **kwargs)

        @mcp.tool()
        def noise() -> str:
            """Write stray output to fd 1."""
            print("STRAY print")  # noqa: T201 - the stray output under test
            sys.stdout.flush()
            os.write(1, b"STRAY os.write\n")
            subprocess.run([sys.executable, "-c", "print('STRAY child')"], check=True)
            return "noisy"

        return mcp

    server.build_server = with_noise
    server.serve()


if __name__ == "__main__":
    main()
