"""Characters memory text may hold that must never reach a terminal (or a line reader) raw.
No I/O.

C0 controls but newline and tab, DEL and C1 (ESC, CSI, OSC, NEL...), bidi marks, overrides and
isolates, line and paragraph separators. Shown text writes them out (`\\x1b`, `\\u202e`), JSON
text as `\\u` escapes (valid JSON, the same data), a one-line briefing as spaces.

Shown text also writes out the characters that print as nothing (UNSEEN): a zero-width space
in `pay\\u200bpal` reads as "paypal" on a screen, while search, keys and links see another
word; Unicode tag characters (U+E0020-E007F) carry a whole hidden text. Joiners between two
letters or symbols of a script that needs them (an emoji sequence, Persian) are left alone.
"""

import re
from typing import Any

CODES = (
    *(c for c in range(0x20) if chr(c) not in "\n\t"),
    *range(0x7F, 0xA0),
    0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029,
)  # fmt: skip
CONTROL = re.compile("[" + "".join(f"\\u{c:04x}" for c in CODES) + "]")
_UNICODE_ESCAPES = {c: f"\\u{c:04x}" for c in CODES}
_VISIBLE = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}" for c in CODES}
# Invisible format characters (Unicode's Cf, but those that print, as the Arabic number
# signs), fillers and invisible vowels, variation selectors of Mongolian; and a zero-width
# joiner or non-joiner unless both its neighbours are non-ASCII letters or symbols.
_NOT_ASCII = r"[^\x00-\x7f\s]"
_UNSEEN_CHARS = (
    "\u00ad\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b\u2060-\u2064\u206a-\u206f"
    "\u3164\ufeff\uffa0\ufff9-\ufffb\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
UNSEEN = re.compile(
    f"[{_UNSEEN_CHARS}]|(?<!{_NOT_ASCII})[\u200c\u200d]|[\u200c\u200d](?!{_NOT_ASCII})"
)
UNSHOWN = re.compile(f"{CONTROL.pattern}|{UNSEEN.pattern}")  # what written_out writes out
# One character class holding every character UNSHOWN may match: a text it finds nothing in
# is left as it is, at the cost of one fast scan (UNSHOWN's lookarounds make its scan slow).
MAYBE_UNSHOWN = re.compile(f"{CONTROL.pattern[:-1]}{_UNSEEN_CHARS}\u200c\u200d]")


_RUNS_OF_SPACE = re.compile(r"[ \t\n]+")


def one_line(text: str) -> str:
    """`text` on one line (a preview): each run of spaces, tabs and newlines one space. Not
    str.split()'s whitespace, which holds controls (a carriage return, a form feed, U+001C-
    U+001F, NEL, U+2028): a preview turned them into spaces, where shown() writes them out."""
    return _RUNS_OF_SPACE.sub(" ", text).strip(" ")


def written_out(char: str) -> str:
    """One such character as a person can read it: `\\x1b`, `\\u200b`, `\\U000e0041`."""
    code = ord(char)
    return _VISIBLE.get(code) or (f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")


def shown(text: str) -> str:
    """`text` with every control and unseen character written out (written_out)."""
    if text.isascii() and text.isprintable():  # (checks in C: UNSHOWN's scan takes ~10 us)
        return text  # no ASCII character it writes out prints (all are controls or DEL)
    return UNSHOWN.sub(lambda m: written_out(m.group()), text)


def shown_values(value: Any) -> Any:
    """A JSON value (a tool reply, a resource) with shown() applied to every string in it,
    keys included: what a model reads of memory text is what a person would see."""
    if isinstance(value, str):
        return shown(value) if MAYBE_UNSHOWN.search(value) else value
    if isinstance(value, dict):
        return {shown_values(k): shown_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shown_values(item) for item in value]
    return value


def json_escaped(text: str) -> str:
    """JSON text with every such character as a `\\u` escape: a JSON string may hold them
    raw (only C0 must be escaped), so a JSON line printed to a terminal could drive it, and
    U+2028 or NEL would split it for readers that break lines there."""
    return text.translate(_UNICODE_ESCAPES)
