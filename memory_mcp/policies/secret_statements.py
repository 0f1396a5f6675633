"""Secrets set by a statement rather than a label and a separator: SQL's `IDENTIFIED BY '…'`,
`PASSWORD '…'` and MySQL's `SET PASSWORD FOR … = '…'`, fish's and Windows' `set -x NAME
value` / `setx NAME value`, a Go MySQL DSN (`user:…@tcp(host)/db`, no scheme for the URL rule
to see), password hashes in crypt's format, and commands' own secret flags (`gh secret set …
--body`, `security … -w`). No I/O; secrets.py lists them."""

import re

from memory_mcp.policies.secret_fields import field_kind
from memory_mcp.policies.secret_rule import MIN_VALUE, Pick, Rule, Span, is_value, quoted_group

# `CREATE USER app IDENTIFIED BY 'pw'` (MySQL, Oracle: unquoted too), `… WITH PASSWORD 'pw'`,
# `ALTER ROLE app PASSWORD 'pw'` (PostgreSQL): after PASSWORD only a quoted value counts
# ("password reset" is prose), and a quote doubled inside it is the quote.
# Spelt with one space, as SQL is written: the rule then runs only on a text holding one
# of its needles (`password '`), not on every text saying "password".
_IDENTIFIED = r"identified (?:with [\w-]+ )?by(?: password)?"  # MySQL 8: WITH plugin BY
_SQL = re.compile(
    rf"(?<![\w-])(?i:{_IDENTIFIED}[ \t]+(?!password\b)(?P<bare>[^\s;'\"()]+)"
    rf"|(?:{_IDENTIFIED}|password)[ \t]+"
    r"(?:'(?P<sq>(?:[^'\n]|'')+)'|\"(?P<dq>[^\"\n]+)\"))"
)

# MySQL's `SET PASSWORD FOR 'app'@'host' = 'pw'` (or `= PASSWORD('pw')`, before 5.7): the
# account between PASSWORD and `=` hides the value from the labelled rules.
_SET_PASSWORD_FOR = re.compile(
    r"(?i:\bset[ \t]+password[ \t]+for[ \t]+[^\s=;]{1,200}?[ \t]*=[ \t]*(?:password\([ \t]*)?)"
    r"(?:'(?P<sq>(?:[^'\n]|'')+)'|\"(?P<dq>[^\"\n]+)\")"
)


# The statement's verb, earlier in it (after the last ";", on its line or the lines before
# it: `CREATE USER app\n  IDENTIFIED BY …`): prose says "identified by 'Jane'" and "the
# password \"…\"" too (found masking the system's docs).
_SQL_VERB = re.compile(r"(?i:\b(?:create|alter)[ \t]+(?:user|role|login)\b|\bgrant\b)")
_SQL_BACK = 300  # how far back in the statement the verb is looked for


def _sql_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    value = match.group(group)
    long_enough = group != "bare" or len(value) >= MIN_VALUE
    text, at = match.string, match.start()
    begin = max(text.rfind(";", max(at - _SQL_BACK, 0), at) + 1, at - _SQL_BACK, 0)
    statement = _SQL_VERB.search(text, begin, at) is not None
    return match.span(group), statement and long_enough and is_value(value)


# fish's `set -x DB_PASSWORD value` (also -gx, -Ux…) and Windows' `setx API_TOKEN value`: a
# variable named for a secret (secret_fields.field_kind) and its value.
_SET = re.compile(
    r"(?<!\S)(?:set (?:-[A-Za-z]+[ \t]+)+|setx[ \t]+)(?P<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]+"
    r"(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s;|&'\"]+))"
)


def _set_value(kind: str) -> Pick:
    def pick(match: re.Match[str]) -> tuple[Span, bool]:
        group = quoted_group(match)
        value = match.group(group)
        named = field_kind(match.group("name")) == kind
        long_enough = group != "bare" or len(value) >= MIN_VALUE
        return match.span(group), named and long_enough and is_value(value)

    return pick


# Go's MySQL driver: `user:password@tcp(db:3306)/app`, `…@unix(/run/mysqld.sock)/app`.
_GO_DSN = re.compile(r"(?<![\w/:@.-])[\w.-]+:(?P<secret>[^\s:@/]+)@(?:tcp|unix|udp)\(")

# A password hash in crypt's format (`.htpasswd`, /etc/shadow, a bcrypt column): not the
# password, but one a dictionary attack finds in minutes when it is weak.
_CRYPT = re.compile(
    r"(?<![\w$])(?P<secret>\$(?:apr1|2[abxy]|[156]|y|7|argon2(?:id|i|d))\$[./A-Za-z0-9$=,+-]{20,})"
)

# Commands that take a secret as a flag of their own: `gh secret set NAME --body …` (or -b),
# macOS's `security add-generic-password … -w …`.
_COMMAND_FLAG = re.compile(
    r"(?<![\w-])(?:gh[ \t]+secret[ \t]+set[ \t][^\n|;&]*?(?:--body|-b)|security[ \t]+"
    r"add-(?:generic|internet)-password[ \t][^\n|;&]*?-w)(?:[ \t]+|=|(?=[\"']))"
    r"(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s'\"-][^\s'\"]*))"
)


def _flag_value(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    return match.span(group), is_value(match.group(group))


_SET_KINDS = ("password", "secret", "api_key", "token", "private_key", "aws_secret_key")
STATEMENTS = (
    Rule(
        "password",
        _SQL,
        _sql_password,
        needles=("identified by", "identified with", "password '", 'password "'),
    ),
    Rule("password", _SET_PASSWORD_FOR, _flag_value, needles=("password for",)),
    *(Rule(kind, _SET, _set_value(kind), needles=("set -", "setx")) for kind in _SET_KINDS),
    Rule("password", _GO_DSN, needles=("@tcp(", "@unix(", "@udp(")),
    Rule(
        "password_hash",
        _CRYPT,
        needles=(
            "$apr1$",
            "$2a$",
            "$2b$",
            "$2x$",
            "$2y$",
            "$1$",
            "$5$",
            "$6$",
            "$y$",
            "$7$",
            "$argon2",
        ),
    ),
    Rule("secret", _COMMAND_FLAG, _flag_value, needles=("secret", "-password")),
)
