"""Where a labelled value ends (secrets.py's `password=…`, `"token": "…"`). No I/O.

A secret must never be left partly in clear, so the value's end is decided so that a doubt
masks too much, never too little: the pattern takes the longest run a value could be (an
unquoted one through `,`, `;`, `&` and quotes inside it, `DB_PASSWORD=abc,def=Hunter2`),
and it is cut only where the text's own syntax says the value ends.
"""

import re

# A label that is an item of a list (the char before it) ends its value at the list's next
# separator: `?a=1&password=…&b=2` (a query: a password holding "&" is %-encoded there),
# `Server=db;Password=…;Encrypt=true` (a connection string quotes one holding ";"),
# `-o user=bob,password=…,uid=1000` (mount writes "," in a password ",,").
_LIST_SEPARATOR = {"?": "&", "&": "&", ";": ";", ",": ","}
_OPTIONS_FLAG = re.compile(r"(?<!\S)-o[ \t]*$")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_OPENER = {")": "(", "]": "[", "}": "{"}
_BEFORE = 2000  # how far back a bracket open around the label is looked for
_BRACKETS = 40  # and through how many brackets


def bare_end(text: str, label: int, start: int, end: int) -> int:
    """Where the unquoted value text[start:end], labelled at `label`, ends: at its list's
    next separator (above), before a sentence's final `.`, and before a closing bracket
    that the value does not open but the text opened before the label (`(password=…)`, or a
    dict or a call opened on an earlier line: `{\\n  "token": None}`)."""
    word = label
    while word > 0 and text[word - 1] in _LABEL_CHARS:
        word -= 1
    separator = _LIST_SEPARATOR.get(text[word - 1]) if word > 0 else None
    if separator is None and _OPTIONS_FLAG.search(text, max(word - 8, 0), word):
        separator = ","
    if separator is not None:
        cut = text.find(separator, start, end)
        while separator == "," and text.startswith(",,", cut):  # mount's "," in a value
            cut = text.find(",", cut + 2, end)
        end = end if cut < 0 else cut
    while end > start and text[end - 1] in ".)]}":
        closer = text[end - 1]
        if closer in _OPENER:
            opener = _OPENER[closer]
            inside = text.count(opener, start, end) >= text.count(closer, start, end)
            if inside or not _open_at(text, label, opener, closer):
                break  # the value's own bracket, or none open before it: a password's
        end -= 1
    return end


def _open_at(text: str, label: int, opener: str, closer: str) -> bool:
    """Whether an `opener` before `label` is still open there (its `closer` not yet met),
    looking back _BEFORE characters and _BRACKETS brackets at most (a doubt: not open)."""
    low = max(label - _BEFORE, 0)
    opened, closed = text.rfind(opener, low, label), text.rfind(closer, low, label)
    depth = 0
    for _ in range(_BRACKETS):
        if opened < 0:
            return False
        if closed > opened:  # a pair closed before the label: its opener is further back
            depth += 1
            closed = text.rfind(closer, low, closed)
        elif depth == 0:
            return True
        else:
            depth -= 1
            opened = text.rfind(opener, low, opened)
    return False


# What follows a closing quote and is still the value: the shell joins `'abc'\''def'` or
# `"abc"def` into one word. Not a JSON or XML field's end (`",`, `"}`, `"/>`), nor code
# after a string (`"abc".encode()`).
_MORE = re.compile(r"(?:\\.|[^\s,;&|<>()\[\]{}/.:`])[^\s,;&|<>()\[\]{}/`]*")


def quoted_end(text: str, quote: str, end: int) -> int:
    """Where a quoted value whose pattern ended at text[end] (its closing quote) ends: past
    quotes escaped with a backslash (`"ab\\"cd"`, `'it\\'s'` in Python or JavaScript; an
    unclosed one runs to the line's end), and past what the shell joins to it."""
    while _escaped(text, end):
        after = _next_on_line(text, quote, end + 1)
        if text[after : after + 1] != quote:
            return after  # the line's end
        end = after
    more = _MORE.match(text, end + 1)
    if more is None:
        return end
    last = more.end()
    while last > end + 1 and text[last - 1] in "\"'.":
        last -= 1
    return last if last > end + 1 else end


def escaped_end(text: str, end: int) -> int:
    """Where a value quoted with escaped quotes (`\\"…\\"`: JSON in a JSON string) ends, its
    pattern having stopped at the `\\"` at text[end]: past a quote escaped inside it, which
    reads `\\\\\\"` there (a run of 3, 7... backslashes before the quote; 1, 5... close it;
    an even run is the outer string's end)."""
    quote = end + 1
    while True:
        run = _run(text, quote)
        if run % 4 == 1:
            return quote - 1
        if run % 2 == 0:
            return quote - run
        after = _next_on_line(text, '"', quote + 1)
        if text[after : after + 1] != '"':
            return after  # the line's end
        quote = after


def _next_on_line(text: str, quote: str, at: int) -> int:
    """Where the next `quote` from `at` is, or the line's end if that comes first; each
    search stops at the quote (a line's end for each of many values cost quadratic time)."""
    after = text.find(quote, at)
    stop = len(text) if after < 0 else after
    newline = text.find("\n", at, stop)
    return stop if newline < 0 else newline


def _run(text: str, at: int) -> int:
    """How many backslashes stand just before text[at]."""
    run = at
    while run > 0 and text[run - 1] == "\\":
        run -= 1
    return at - run


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` is escaped: an odd run of backslashes before it."""
    return _run(text, at) % 2 == 1
