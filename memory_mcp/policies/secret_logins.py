"""Logins written with short labels, as notes and chats do: `pass: hunter2xyz`, `pw hunter2xyz`,
a user and password together (`user/pass: bob/hunter2xyz`, `login: bob / hunter2xyz`,
`creds bob:hunter2xyz`). No I/O; secrets.py lists the rules.

"pass" and "login" are ordinary words ("pass the build", "pass: the test suite", "Login: via
SSO"), so each value here is one word holding a digit (never a year, a version or a count) or
letters and symbols, as secret_prose's bare labels are.
"""

import re

from memory_mcp.policies.secret_prose import is_word
from memory_mcp.policies.secret_rule import Rule, Span

_START = r"(?<![A-Za-z0-9_./-])"
# One word after the label, trailing punctuation taken off by the pick.
_WORD = r"(?P<value>[^\s]++)"

# `pass: X` in lower case or capitalised: `PASS: test_login2` is a test runner's result line.
_PASS = re.compile(rf"(?=[pP]){_START}(?:pass|Pass)[ \t]?:[ \t]+{_WORD}")
# `pw X`, `pwd: X` (`pwd X` is the shell's command), `PW: X`, "pw is X", "the root pw on the
# nas is X" (`pw=X` is a labelled value): not `PW model`. "the pass is X" too.
_ON = r"(?:[ \t]+(?i:on|for|of|to)(?:[ \t]+[^\s:=]+){1,3}?)?[ \t]+(?i:is|was)"
_PW = re.compile(
    rf"(?=[pP]){_START}(?:(?i:pw)(?:[ \t]*:|{_ON})?|(?i:pwd)(?:[ \t]*:|{_ON}))[ \t]+{_WORD}"
)
_PASS_IS = re.compile(rf"(?=[pP]){_START}(?i:pass){_ON}[ \t]+{_WORD}")


def _one_word(match: re.Match[str]) -> tuple[Span, bool]:
    """One word holding a digit and a letter (`pass: 12/15` is a score), or letters with
    symbols (`Tr!ck$y`), not a year, a version or a count (secret_prose.is_word)."""
    span, secret = is_word(match)
    value = match.string[span[0] : span[1]]
    return span, secret and any(c.isalpha() for c in value) and "/" not in value


# A user and password together: after a label naming both (`user/pass:`, `username &
# password`), or a login's (`login:`, `credentials`, `creds`), the user, a `/` (maybe
# spaced) or a `:`, then the password: one word holding no `/` or `:` (`login:
# localhost:5432/db` and `creds: ~/.aws/credentials` are places, not logins).
# Each label its own rule, with needles of its own: a text saying "password" runs neither.
_BOTH = (
    r"(?i:(?P<both>(?:user(?:[ _-]?name)?|login|e-?mail|id)(?:[ \t]?[/&+][ \t]?|[ \t]and[ \t])"
    r"(?:pass(?:word)?|pwd?)))"
)
_BOTH_NEEDLES = tuple(
    f"{joint}{word}"
    for joint in ("/", "/ ", "&", "& ", "+", "+ ", " and ")
    for word in ("pass", "pw", "pwd")
)
_LOGIN = r"(?i:credentials?|creds|logins?|wi-?fi|wlan)"  # wifi: the network, its password
_PAIR = (
    r"(?:[ \t]*[:=][ \t]*|[ \t]+(?i:is|are)[ \t]+|[ \t]+)"
    r"[\"'`]?(?P<user>[^\s/:\"'`]++)(?:[ \t]*/[ \t]*|:)(?P<value>[^\s/:]++)(?![/:])"
)


def _pair(match: re.Match[str]) -> tuple[Span, bool]:
    """After a label naming the password (`user/pass: admin/admin`) any word is one; after
    `login:` or `creds` one holding a digit or a symbol (`Login: Google/Facebook` names two
    ways to sign in)."""
    span, secret = is_word(match, letters=match.groupdict().get("both") is not None)
    if match.end() == match.endpos < len(match.string):  # a marker: `x/y[REDACTED:…]`
        return (span[0], span[0]), False  # what stood there decided (the `/` or `:` after)
    return span, secret and match.group("user").lower() not in _NOT_A_USER


# Words a `creds` or `login` phrase has where a user would stand: "login and password:
# x/y" is the label's second half, "credentials via SSO/okta1" names a way to sign in.
_NOT_A_USER = frozenset({"and", "or", "via", "with", "for", "from", "page", "screen", "url"})

# A wallet's seed (recovery) phrase: 12 to 24 words of lower-case letters after its label,
# `seed phrase: abandon ability …`, "my recovery phrase is: witch collapse …".
_SEED = re.compile(
    rf"(?=[sSrRmMbB]){_START}(?i:(?:secret[ \t]+)?(?:seed|recovery|backup|mnemonic)"
    r"(?:[ \t]+(?:phrase|words))?|mnemonic)(?:[ \t]*:|[ \t]+(?i:is|was)[ \t]*:?)[ \t]*"
    r"(?P<value>[a-z]{3,8}(?:[ \t]+[a-z]{3,8}){11,23})(?![ \t]*[a-z])"
)


def _seed(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("value"), len(match.group("value").split()) in (12, 15, 18, 21, 24)


# Two-factor backup codes after their label: a run of codes each holding a digit
# (`backup codes: 8721-0923 1123-8876`, `recovery codes: a1b2-c3d4, e5f6-g7h8`).
_CODES = re.compile(
    rf"(?=[bBrR2]){_START}(?i:(?:2fa[ \t]+)?(?:backup|recovery)|2fa)[ \t]+(?i:codes?)[ \t]*:"
    r"[ \t]*(?P<value>[A-Za-z0-9]{4,10}(?:-[A-Za-z0-9]{4,10})?"
    r"(?:,?[ \t]+[A-Za-z0-9]{4,10}(?:-[A-Za-z0-9]{4,10})?)*)"
)


def _codes(match: re.Match[str]) -> tuple[Span, bool]:
    codes = match.group("value").replace(",", " ").split()
    return match.span("value"), all(any(c.isdigit() for c in code) for code in codes)


LOGINS = (
    Rule("password", _PASS, _one_word, needles=("pass:", "pass :", "pass\t:")),
    Rule("password", _PW, _one_word, needles=("pw",)),
    Rule(
        "password",
        re.compile(rf"(?=[uUlLeEiI]){_START}{_BOTH}{_PAIR}"),
        _pair,
        needles=_BOTH_NEEDLES,
    ),
    Rule(
        "password",
        re.compile(rf"(?=[lLcCwW]){_START}{_LOGIN}{_PAIR}"),
        _pair,
        needles=("cred", "login", "wifi", "wi-fi", "wlan"),
    ),
    Rule("password", _PASS_IS, _one_word, needles=("pass is", "pass was", "pass on", "pass for")),
    Rule("secret", _SEED, _seed, needles=("seed", "recovery phrase", "mnemonic", "backup phrase")),
    Rule("access_code", _CODES, _codes, needles=("backup code", "recovery code", "2fa code")),
)
