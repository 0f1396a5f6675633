"""Which part of a labelled value (secrets.py's `password=…`, `token: "…"`) is the value, and
whether it is a secret on its own: quoted, bare, a dotenv line's run, code or prose. No I/O."""

import re

from memory_mcp.policies.secret_rule import MIN_VALUE, Span, is_value
from memory_mcp.policies.secret_values import (
    bare_end,
    closes,
    ends_quoted_label,
    escaped_end,
    inside_string,
    line_end,
    open_end,
    quoted_end,
    special_value,
)
from memory_mcp.policies.secret_words import passphrase_end

# An unquoted value that is code, not a secret: an attribute (`key = mod.attr`,
# `settings.DB_PASSWORD`), or after a spaced `=` an identifier with a `_` or a camelCase hump
# (`token = access_token`) or a call; neither with a digit, as a password so spelt would have.
_ATTRIBUTE = re.compile(r"[A-Za-z_]+(?:\.[A-Za-z_]+)+")
_IDENTIFIER = re.compile(r"[A-Za-z]*(?:_|[a-z][A-Z])[A-Za-z_]*")
# After a spaced `=`, a call: `pwd = (self.password.encode('utf-8') if …`, `key = load(…`.
_CALL = re.compile(r"\(*[A-Za-z_][A-Za-z_.]*\(")
# A number and a unit after "PW=" is a power or a pulse width (`PW=1234 watts`, `PW=20 us`).
_QUANTITY = re.compile(
    r"[ \t]*(?:[kKMGmun\u00b5]?(?:W|Hz|s|V|A)|(?i:watts?|volts?|amps?|percent)|%)(?![A-Za-z])"
)


# A label that is the user of a URL (`https://x-access-token:PASSWORD@github.com`): the URL's
# password rule masks what follows it, up to the host, which stays. A `?`, `#`, `&`, `;` or
# `=` ends the user part: `https://api.io?password=…` is a query's parameter, no user.
_URL_USER = re.compile(r"[^\s/@:?#&;=]*")


def _url_user(text: str, at: int) -> bool:
    """Whether `at` is inside the user part of a URL (just after its `://`)."""
    scheme = text.rfind("://", max(at - 100, 0), at)
    return scheme > 0 and _URL_USER.fullmatch(text, scheme + 3, at) is not None


# An interpolated string's holes (C#'s `$"{user}:…"`): what stands around them is written out
# as it is, and is a secret when long enough to be one (`$"{Prefix}-{Suffix}"` is not).
_HOLE = re.compile(r"\{[^{}\n]*\}")
_INTERPOLATED_MIN = 6
_NOT_LITERAL = re.compile(r"[\s()\[\]<>\\|?*+^$]")
# A Python f-string's hole holding a string literal is that literal written out:
# `f"token={'abc123…'}"` (the label inside an f-string its line opened: `{"hint": None}` is
# a dict); its value is the literal.
_F_OPEN = re.compile(r"(?<![\w])(?:[fF][rR]?|[rR][fF])[\"']")
_LITERAL_HOLE = re.compile(r"\{[ \t]*(?P<q>['\"])(?P<literal>[^'\"\n]+)(?P=q)[ \t]*[!:}]")


def _interpolated(text: str, start: int, value: str, python: bool = False) -> bool:
    """Whether the quoted value at text[start:], not a value as it is, is a C# interpolated
    string (`$"…"`) or, `python`, an f-string whose literal text is one: a word, not a
    pattern's or a format's text (`rf"(?P<secret>{body})"`)."""
    if not python and "$" not in text[max(start - 3, 0) : start]:
        return False
    literal = _HOLE.sub("", value)
    if python and _NOT_LITERAL.search(literal) is not None:
        return False
    return len(literal) >= _INTERPOLATED_MIN and literal != value and is_value(literal)


def _literal_hole(match: re.Match[str], start: int) -> tuple[Span, bool] | None:
    """The string literal in an f-string's hole at text[start] (above), if one is there."""
    text = match.string
    hole = _LITERAL_HOLE.match(text, start)
    if hole is None:
        return None
    line = text.rfind("\n", max(match.start() - 400, 0), match.start()) + 1
    if _F_OPEN.search(text, line, match.start()) is None:
        return None
    literal = hole.group("literal")
    return hole.span("literal"), len(literal) >= MIN_VALUE and is_value(literal)


# The value's groups in _VALUE, and how many quote characters stand before each.
_VALUE_GROUPS = {"eq": 2, "dq": 1, "sq": 1, "open": 1, "bare": 0}


def labelled_value(match: re.Match[str]) -> tuple[Span, bool]:
    if _url_user(match.string, match.start()):
        return (match.start(), match.start()), False  # `https://x-access-token:…@host`
    text = match.string
    group = next(g for g in _VALUE_GROUPS if match.group(g) is not None)
    at = match.start(group) - _VALUE_GROUPS[group]  # where the value starts, quotes included
    special = special_value(text, match.start(), at, match.endpos)  # `"""…"""`, `|` …
    if special is not None:
        return special
    for group in ("eq", "dq", "sq"):
        value = match.group(group)
        if value is not None:
            start, end = match.span(group)
            if group != "eq" and (
                ends_quoted_label(text, match.start(), start - 1)
                or (inside_string(match) and closes(text, start - 1))
            ):  # `'passwd:' and 'group:'`, `("IMAP password: " % (user, "x"))`: no value
                return (start, start), False
            end = escaped_end(text, end) if group == "eq" else quoted_end(text, text[end], end)
            if match.group("f") is not None and _HOLE.search(value):  # `f"{a}…"`: its words
                return (start, end), _interpolated(text, start, value, python=True)
            return (start, end), is_value(value) or _interpolated(text, start, value)
    if match.group("open") is not None:
        start, end = match.span("open")
        if closes(text, start - 1):
            return (start, start), False  # `"Token: " + repr(t)`, `prompt='Password: ', …`
        end = open_end(text, start - 1, end, match.endpos)
    else:
        start, end = match.span("bare")
        literal = _literal_hole(match, start)
        if literal is not None:
            return literal
        end = bare_end(text, match.start(), start, end)
    value, sep = text[start:end].rstrip(), match.group("sep")
    prose = sep in (None, ":")
    core = value.strip("()[]{}")  # a bracket nothing in the text opened: `(required)`, `None}`
    alpha = core.replace("'", "").replace(" ", "").isalpha()
    # in a sentence, a word ending in ":" labels what follows ("the token's file: written")
    worded = len(value) >= MIN_VALUE and not (prose and (alpha or value.endswith(":")))
    spaced = sep == "=" and match.string[match.start("sep") - 1 : match.start("sep")] in " \t"
    code = _ATTRIBUTE.fullmatch(value) or (
        spaced and (_IDENTIFIER.fullmatch(value) or _CALL.match(value))
    )
    valued = not code and is_value(value) and is_value(core)
    alone, end = bool(worded and valued), start + len(value)
    # A dotenv line's value runs to the line's end (secret_values.line_end): after "=" a
    # short first word is judged with the rest (`DB_PASSWORD=abc horse battery`); after ":",
    # which prose uses, only a first word that is a secret on its own is carried on.
    after = text[end : end + 1]  # a space, a tab or a Unicode one (no-break, ideographic)
    spaced_on = match.group("bare") is not None and after.isspace() and after not in _BREAK
    even = sep != "=" or spaced == (text[match.end("sep") : match.end("sep") + 1] in " \t")
    if spaced_on and even and ((sep in ("=", "?=") and valued) or (sep == ":" and alone)):
        whole = line_end(text, match.start(), end, match.endpos)
        if whole > end and whole - start >= MIN_VALUE:
            alone, end = True, whole
    elif spaced_on and prose and valued and not alone:
        phrase = passphrase_end(text, start, match.endpos)
        if phrase > end:
            alone, end = True, phrase
    return (start, end), alone


_BREAK = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")  # what ends a line


def pw_value(match: re.Match[str]) -> tuple[Span, bool]:
    span, alone = labelled_value(match)
    words = match.string[span[0] : span[1]].split() if match.group("bare") is not None else []
    first = words[0] if words else ""  # a dotenv line's value: its first word is the number
    quantity = first.replace(".", "", 1).isdigit()
    return span, alone and not (quantity and _QUANTITY.match(match.string, span[0] + len(first)))


# What stands for a URL's password in a template: `{pw}`, `{{ pw }}`, `${PW}`, `$PW`,
# `%(pw)s`, `<password>`.
_URL_HOLE = re.compile(r"\{\{?[^{}\s]*\}\}?|\$\{?\w+\}?|%\(\w+\)s|<[^<>\s]*>")


def url_password(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("secret"), _URL_HOLE.fullmatch(match.group("secret")) is None
