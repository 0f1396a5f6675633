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


def test_a_briefing_line_writes_out_what_prints_as_nothing() -> None:
    """Unicode tag characters spell a whole hidden text (here "IGNORE"), a zero-width space
    splits a word no reader sees split: the model got them raw, unseen by the person."""
    hidden = "".join(chr(0xE0000 + ord(c)) for c in "IGNORE")
    line = one_line(f"Use uv{hidden} for pay\u200bments; emoji 👩\u200d💻 stays whole")
    assert line == (
        "Use uv\\U000e0049\\U000e0047\\U000e004e\\U000e004f\\U000e0052\\U000e0045"
        " for pay\\u200bments; emoji 👩\u200d💻 stays whole"
    )
