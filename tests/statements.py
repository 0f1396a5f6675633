"""What a service call sends to SQLite, read with the connection's trace callback: tests count
statements, never time them (speed figures are in benchmarks/speed.py)."""

from collections.abc import Callable
from typing import Any

from memory_mcp.service import MemoryService


def sent(service: MemoryService, action: Callable[[], Any]) -> list[str]:
    """The statements `action` sent on the store's connection (statements run by triggers,
    which the callback reports as comments or as their statement again, left out)."""
    seen: list[str] = []
    conn = service.store.conn  # type: ignore[attr-defined]
    conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        conn.set_trace_callback(None)
    ours = [" ".join(s.split()) for s in seen if not s.lstrip().startswith("--")]
    return [s for i, s in enumerate(ours) if i == 0 or s != ours[i - 1]]
