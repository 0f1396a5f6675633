"""Secrets written as people write them down rather than as a config does: the value on the
line under its label (`Password` then `hunter2xyz`, as a form is pasted), after a label with
no separator (`the wifi password hunter2xyz`, `# passphrase correct-horse-9`), and the codes
that are passwords by another name (`PIN 4921`, `door code 1234#`, `the safe combination is
12-34-56`, `code wifi est …`). No I/O; secrets.py lists the rules.

Prose says "password reset flow" and "PIN the version" too, so a value here is one word
(a combination's numbers may be spaced) that holds a digit, and never a word that names an
algorithm, a version or a year.
"""

import re

from memory_mcp.policies.secret_rule import MIN_VALUE, Pick, Rule, Span, is_value
from memory_mcp.policies.secret_words import not_a_count, passphrase_end
from memory_mcp.policies.text import STOPWORDS

_START = r"(?<![A-Za-z0-9_])"
_PASSWORD = (
    r"passw(?:or)?d|passphrase|passcode|passwort|kennwort|mot de passe|contrase[ñn]a|senha"
    r"|wachtwoord|hasło|пароль"
)
_PASSWORD_NEEDLES = ("pass", "wort", "contrase", "senha", "woord", "hasło", "пароль")

# Not a value: an option (`-x`), a remark or an issue in brackets (`update-passwd (#13765)`),
# markup (`Password &#x3C;xxxxxxxx></span>`), a `name=value` or a template's hole.
_NOT_A_WORD = re.compile(r"^[-(#]|[<>={}]")
_TRAILING = ".,;)]}\"'`"  # punctuation after a value; a `!` or `?` may be its last character


def _word(value: str, digits_only: bool = True) -> bool:
    """Whether one word after a label is a secret: long enough, a value, holding a digit and
    not all letters; `digits_only`: a number alone counts (a PIN)."""
    core = value.rstrip(_TRAILING).lstrip("(\"'`")
    if len(core) < MIN_VALUE or not is_value(core) or _NOT_A_WORD.search(value):
        return False
    if not any(c.isdigit() for c in core) or not not_a_count(core):
        return False
    return digits_only or not core.isdigit() or len(core) >= 6


def is_word(match: re.Match[str], letters: bool = False) -> tuple[Span, bool]:
    """The span of a match's one-word `value` (its trailing punctuation off) and whether it
    is a secret: holding a digit (_word), or letters and symbols (_strong); `letters`: or
    any word of letters long enough, where the label says a password follows."""
    value = match.group("value")
    span = _span(match)
    core = match.string[span[0] : span[1]]
    if _NOT_A_WORD.search(value) or not is_value(core) or core.endswith(":"):  # a label
        return span, False
    worded = letters and len(core) >= MIN_VALUE and core.lower() not in STOPWORDS
    return span, worded or _word(value, digits_only=False) or (not core.isalnum() and _strong(core))


def _span(match: re.Match[str], group: str = "value") -> Span:
    start, end = match.span(group)
    value = match.group(group)
    core = value.rstrip(_TRAILING)
    end = start + len(core)
    skip = len(core) - len(core.lstrip("(\"'`"))
    return start + skip, end


# A label alone on its line, the value alone on the next (maybe after a blank line, maybe
# indented, quoted or in backticks): `Password` / `hunter2xyz` from a form, `password:` /
# `  hunter2xyz` in YAML, `API key` / `sk-…` from a dashboard. Up to three words and a list
# or heading mark may stand before the label (`Wifi password`, `# Admin PIN`, `- DB password:`).
# Found from each line break (a literal, which `re` skips to; a label tested at every
# position cost a text with a label word ~25% more), the line before it then read whole;
# the value is looked at, not taken, so the next match may start on its line. A value of
# several words on its line is a passphrase when secret_words.passphrase_end takes it whole
# (`Master password` / `correct horse battery staple 9`; not `Password` / `Sent by email`).
_NEXT_LINE = re.compile(
    r"\n(?=(?:[ \t]*+\r?\n)?(?P<indent>[ \t]*+)(?P<value>[^\s]++(?:[ \t]++[^\s]++){0,7}+)"
    r"[ \t]*+(?:\r?\n|\Z))"
)
_LINE_MAX = 80  # how long a label's line may be
# The labels, by the kind of secret each names: `API key` then a key is an api_key.
_NEXT_LINE_LABELS = (
    ("password", rf"{_PASSWORD}|pwd", (*_PASSWORD_NEEDLES, "pwd")),
    ("api_key", r"api[ _-]?key", ("api",)),
    ("token", r"(?:access |auth |api |bearer |secret )?token", ("token",)),
    ("secret", r"secret|secret key|client secret", ("secret",)),
    ("pin", r"pin(?: code)?", ("pin\n", "pin:", "pin\r", "pin code")),
    (
        "access_code",
        r"security code|recovery code|access code",
        ("security code", "recovery code", "access code"),
    ),
)


def _label_line(labels: str) -> re.Pattern[str]:
    return re.compile(
        r"[ \t]*(?:[#>*+-]+[ \t]*|\d+[.)][ \t]+)?(?:\*\*)?(?:[^\s:=]+[ \t]+){0,3}"
        rf"(?i:{labels})[ \t]*(?:\*\*[ \t]*)?(?P<sep>[:=]?)[ \t]*(?:\*\*[ \t]*)?\r?"
    )


def _next_line(label_line: re.Pattern[str]) -> Pick:
    """The pick of a value under a label `label_line` matches (its line, whole)."""

    def pick(match: re.Match[str]) -> tuple[Span, bool]:
        return _under(label_line, match)

    return pick


def _under(label_line: re.Pattern[str], match: re.Match[str]) -> tuple[Span, bool]:
    text, start, end = match.string, match.start("value"), match.start()
    after = match.end("value")
    while after < match.endpos and text[after] in " \t":
        after += 1
    if after == match.endpos < len(text):  # the stretch scanned ends there, not the line
        return (start, start), False  # (at a marker: `hunter2 [REDACTED:…]`)
    line = text.rfind("\n", max(end - _LINE_MAX - 1, match.pos), end) + 1
    if line == 0 and (end - match.pos > _LINE_MAX or text[match.pos - 1 : match.pos] not in "\n"):
        return (start, start), False  # too long, or it starts before the stretch scanned
    label = label_line.fullmatch(text, max(line, match.pos), end)
    if label is None:
        return (start, start), False
    if " " in match.group("value") or "\t" in match.group("value"):  # a passphrase, whole
        last = match.end("value")
        words, heading = match.group("value").split(), text[max(line, match.pos) : end].split()
        table = "\t" in text[max(line, match.pos) : last] or len(words) == len(heading)
        if table or passphrase_end(text, start, last) != last:
            return (start, start), False  # no candidate: its words would join a secret's
        return (start, last), True
    value = match.group("value").strip("`\"'")
    # in YAML (`password:` then an indented line) a value of letters is one too
    yaml = label.group("sep") != "" and match.group("indent") != ""
    # (not a key or a block's opener: `if pwd:` then `    try:` is Python)
    letters = yaml and len(value) >= MIN_VALUE and is_value(value) and not value.startswith("-")
    letters = letters and not value.endswith(":")
    start += len(match.group("value")) - len(match.group("value").lstrip("`\"'"))
    secret = letters or _word(value) or (not value.isalnum() and _strong(value))
    return (start, start + len(value)), secret


def _strong(value: str) -> bool:
    """A value of letters and symbols with no digit (`correct-horse-battery`, `Tr!ck$y`)."""
    return len(value) >= 8 and is_value(value) and any(c.isalpha() for c in value)


# A password word, a space, and one word holding a digit: `passphrase correct-horse-9`,
# `# password hunter2xyz`, `the wifi password hunter2xyz`.
# Written from each word's first letter, which `re` skips to (the letters the words start
# with, then the rest of the word that letter starts): a label at every position, tested
# as `_START` then the words, cost a text holding "password" twice as much.
_FIRST = {"p": "assw(?:or)?d|assphrase|asscode|asswort", "k": "ennwort", "m": "ot de passe"}
_FIRST |= {"c": "ontrase[ñn]a", "s": "enha", "w": "achtwoord", "h": "asło", "п": "ароль"}
_BARE_LABEL = re.compile(
    rf"[{''.join(_FIRST)}{''.join(_FIRST).upper()}](?<![A-Za-z0-9_].)"
    rf"(?:{'|'.join(f'(?<=[{c}{c.upper()}])(?i:{rest})' for c, rest in _FIRST.items())})"
    r"[ \t]+(?P<value>[^\s]+)"
)


# "is" glued to a value that does not go on in lower case: two texts read joined at a seam
# with nothing between (secret_seams: `my password is` + `Tr0ub4dor&3`), where the labelled
# rules find the value after "is" and "is" stays.
_GLUED_IS = re.compile(r"(?i:is|was|est|ist|es|era)(?![a-z])")


def _bare_label(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group("value")
    return _span(match), _word(value, digits_only=False) and not _GLUED_IS.match(value)


# Passwords by another name. A PIN: `PIN 4921`, `my PIN is 4921`, `pin code: 0000` (in
# capitals, or with "code" or "number": "pin the version" is a verb). A code or a
# combination that opens something: `door code 1234#`, `the safe combination is 12-34-56`,
# `code wifi est …`, `Türcode: 4711`.
_IS = r"(?:[ \t]*[:=]|[ \t]+(?i:is|was|est|ist|lautet|es|é|è))?[ \t]+"
_PIN = r"(?:PINs?|Pin|(?i:pin)(?=[ -]?(?i:code|number)))(?:[ -]?(?i:code|number))?"
# Each a needle too: a text saying "code" or "lock" alone runs none of these rules.
_WIFI: tuple[str, ...] = (
    "wifi code",
    "wi-fi code",
    "wlan code",
    "wifi pin",
    "code wifi",
    "code wi-fi",
)
_WIFI += ("code wlan", "wlan-schlüssel", "wifi key", "wi-fi key", "wlan key", "network key")
_THINGS = "door gate garage alarm entry entrance lock keypad building safe locker padlock"
_THINGS += " unlock lockbox keysafe key-safe access"
_OPENERS = tuple(f"{thing} {what}" for thing in _THINGS.split() for what in ("code", "pin"))
_OPENERS += ("combination", "combo", "code de la porte", "code porte", "code d'entrée")
_OPENERS += ("code portail", "code alarme", "code d'accès", "digicode", "türcode", "torcode")
_OPENERS += ("zugangscode",)
_WIFI_LABEL = rf"(?i:(?P<wifi>{'|'.join(map(re.escape, _WIFI))}))"
_OPENS = (
    rf"(?i:(?:{'|'.join(_THINGS.split())}) combination"
    rf"|{'|'.join(map(re.escape, _OPENERS))})"
)
# What opens a door, a safe or an alarm is a number, maybe with `#` or `*` keys and dashes.
_KEYPAD = re.compile(r"[#*]?\d[\d#*-]*")
# A combination's numbers may be spaced: `12 34 56`.
_CODE_VALUE = r"(?P<value>\d{1,4}(?:[ \t-]\d{1,4}){2,4}(?![\w-])|[^\s]+)"
# Each its own rule, named for what it is: a PIN, a wifi network's password, a code that
# opens a door.
_PINS = re.compile(rf"{_START}(?P<pin>{_PIN}){_IS}{_CODE_VALUE}")
_WIFI_CODES = re.compile(rf"{_START}{_WIFI_LABEL}{_IS}{_CODE_VALUE}")
_CODES = re.compile(rf"{_START}{_OPENS}{_IS}{_CODE_VALUE}")


def _code(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group("value")
    if match.groupdict().get("pin") is not None:
        core = value.rstrip(_TRAILING)
        digits = core.rstrip("#*")
        return _span(match), digits.isdigit() and 4 <= len(digits) <= 12
    if " " in value or "\t" in value:
        return _span(match), True  # spaced numbers: only the pattern's first form
    if match.groupdict().get("wifi") is not None:  # a wifi network's code is its password
        return _span(match), _word(value) or _strong(value)
    core = value.rstrip(_TRAILING)
    keys = _KEYPAD.fullmatch(core) is not None and sum(c.isdigit() for c in core) >= 3
    return _span(match), keys


# A wifi network in a QR code's text: `WIFI:T:WPA;S:home;P:…;;` (`\;` escapes a `;`).
_WIFI_QR = re.compile(r"WIFI:(?:[^\n]{0,200}?;)?P:(?P<secret>(?:\\.|[^;\\\s])(?:\\.|[^;\\\n])*)")

# A table with a password column: a Markdown table (`| Service | User | Password |`) or a
# password manager's CSV export (`name,url,username,password`): each row's cell under the
# header's, for as long as the rows have as many cells as the header. Found from the header
# (a line holding a cell that names the column), so a table is read once, in linear time.
# A column's name, from its first letter (which `re` skips to: a pattern reading each line
# for a header cost a text with a label word ~15% more); its line is then read as a header.
_HEADER = re.compile(
    r"(?=[pPkKmMcCsSwWhHпПaA])(?<![^\s|,*])"
    rf"(?i:{_PASSWORD}|pwd|pass|secret|api[ _-]?key)(?![^\s|,*])"
)
_COLUMN = re.compile(rf"[ \t]*\**(?i:{_PASSWORD}|pwd|pass|secret|api[ _-]?key)\**[ \t]*")
# A column's name: three words at most, no brackets or `=` (`def f(user, passwd, host):`
# over `return g(user, passwd, host)` is code, not a table).
_NAME = re.compile(r"[ \t]*(?:[^\s|,()\[\]{}=]+(?:[ \t][^\s|,()\[\]{}=]+){0,2})?[ \t]*")
_CELL = re.compile(r"(?P<secret>[^\n]+)")


def _rows(text: str, first: int, last: int, end: int) -> tuple[list[re.Match[str]], int]:
    """The cells under the password column of the table whose header is text[first:last]
    (a match of _CELL each, over the cell's value), and where the table ends."""
    line = text[first:last].rstrip("\r")
    # the separator that parts the column's name from the rest (`a\tpassword|b` has two)
    split = [(c, line.split(c)) for c in "|\t," if c in line]
    named = [
        (sep, names, i) for sep, names in split for i, n in enumerate(names) if _COLUMN.fullmatch(n)
    ]
    if not named or not all(_NAME.fullmatch(name) for name in named[0][1]):
        return [], last  # a header's cells are names, not a sentence's clauses
    sep, names, column = named[0]
    cells, row = [], last + 1
    while row < end:
        stop = text.find("\n", row, end)
        stop = end if stop < 0 else stop
        values = text[row:stop].rstrip("\r").split(sep)
        if len(values) != len(names):
            break
        start = row + sum(len(value) + 1 for value in values[:column])
        value = values[column].strip()
        start += len(values[column]) - len(values[column].lstrip())
        found = _CELL.fullmatch(text, start, start + len(value)) if value else None
        if found is not None:
            cells.append(found)
        row = stop + 1
    return cells, row


def _table_cell(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group()
    secret = len(value) >= MIN_VALUE and is_value(value) and bool(set(value) - set("-: "))
    return match.span(), secret and _COLUMN.fullmatch(value) is None


class _Lines(Rule):
    """A rule found from a line break: a text of one line (most memories) runs none."""

    def matches(self, text: str, start: int, end: int, parts: list[int]) -> list[re.Match[str]]:
        if text.find("\n", start, end) < 0:
            return []
        return super().matches(text, start, end, parts)


class _Table(Rule):
    """The table rule: its matches are the cells under a password column (_rows)."""

    def matches(self, text: str, start: int, end: int, parts: list[int]) -> list[re.Match[str]]:
        found: list[re.Match[str]] = []
        reach = start
        for name in self.pattern.finditer(text, start, end):
            if name.start() < reach:
                continue  # on a header read already, or a row of its table
            first = text.rfind("\n", start, name.start()) + 1 or start
            if first == start and text[start - 1 : start] not in ("", "\n"):
                continue  # its line starts before the stretch scanned (after a marker)
            last = text.find("\n", name.end(), end)
            if last < 0:
                break  # no row under it
            cells, reach = _rows(text, first, last, end)
            found += cells
            reach = max(reach, last)
        return found


PROSE = (
    *(
        _Lines(kind, _NEXT_LINE, _next_line(_label_line(labels)), needles=needles)
        for kind, labels, needles in _NEXT_LINE_LABELS
    ),
    Rule("password", _BARE_LABEL, _bare_label, needles=_PASSWORD_NEEDLES),
    Rule("password", _WIFI_QR, needles=("wifi:",)),
    _Table("password", _HEADER, _table_cell, needles=(*_PASSWORD_NEEDLES, "pwd", "secret", "api")),
    Rule("pin", _PINS, _code, needles=("pin ", "pin:", "pin-", "pins ")),
    Rule("password", _WIFI_CODES, _code, needles=_WIFI),
    Rule("access_code", _CODES, _code, needles=_OPENERS),
)
