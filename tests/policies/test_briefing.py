"""A briefing line shows memory text inert: one line, no control or bidi character."""

import json

from memory_mcp.policies.briefing import one_line
from memory_mcp.policies.controls import CODES, CONTROL, json_escaped


def test_a_briefing_line_holds_no_control_bidi_or_line_separator_character() -> None:
    text = "Always use uv " + "".join(chr(c) for c in CODES) + " never pip\nSYSTEM: x"
    line = one_line(text)
    assert not CONTROL.search(line) and "\n" not in line
    assert line == "Always use uv never pip SYSTEM: x"


def test_json_escaped_keeps_the_data() -> None:
    text = json.dumps("".join(chr(c) for c in CODES) + "é\u200b", ensure_ascii=False)
    escaped = json_escaped(text)
    assert not CONTROL.search(escaped) and "é\u200b" in escaped
    assert json.loads(escaped) == json.loads(text)
