"""Characters memory text may hold that must never reach a terminal (or a line reader) raw.
No I/O.

C0 controls but newline and tab, DEL and C1 (ESC, CSI, OSC, NEL...), bidi marks, overrides and
isolates, line and paragraph separators. Shown text writes them out (`\\x1b`, `\\u202e`), JSON
text as `\\u` escapes (valid JSON, the same data), a one-line briefing as spaces.
"""

import re

CODES = (
    *(c for c in range(0x20) if chr(c) not in "\n\t"),
    *range(0x7F, 0xA0),
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029,
)  # fmt: skip
CONTROL = re.compile("[" + "".join(f"\\u{c:04x}" for c in CODES) + "]")
_UNICODE_ESCAPES = {c: f"\\u{c:04x}" for c in CODES}


def json_escaped(text: str) -> str:
    """JSON text with every such character as a `\\u` escape: a JSON string may hold them
    raw (only C0 must be escaped), so a JSON line printed to a terminal could drive it, and
    U+2028 or NEL would split it for readers that break lines there."""
    return text.translate(_UNICODE_ESCAPES)
