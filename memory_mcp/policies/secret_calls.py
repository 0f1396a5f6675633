"""Secrets passed to code as arguments: a setter or builder named for one
(`setPassword("…")`, `.password("…")`, `withToken('…')`) and the password argument of a
database login (`DriverManager.getConnection(url, "bob", "…")`, PHP's `new PDO($dsn, 'bob',
'…')`, `mysqli_connect(host, user, '…')`). Only a string literal: a variable is a
reference. No I/O; secrets.py lists them."""

import re

from memory_mcp.policies.secret_rule import MIN_VALUE, Rule, Span, is_value, quoted_group

_LITERAL = r"(?:\"(?P<dq>[^\"\n]+)\"|'(?P<sq>[^'\n]+)')"
# A call whose name is a secret's, after `.`, `set` or `with` or on its own, with one literal.
_SETTERS = (
    ("password", r"(?:[pP]assw(?:or)?d|PASSWORD|[pP]assphrase)"),
    ("token", r"(?:[aA]ccess)?[tT]oken|(?:ACCESS_)?TOKEN"),
    ("secret", r"(?:[cC]lient)?[sS]ecret(?:[kK]ey)?"),
    ("api_key", r"[aA]pi[kK]ey|API_KEY|api_key"),
)


# Each name with its bracket, so a text that only says "password" runs none of these.
_SETTER_NEEDLES = (
    ("password(", "passwd(", "passphrase("),
    ("token(",),
    ("secret(", "secretkey("),
    ("apikey(", "api_key("),
)


def _setter(kind_name: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:(?<=\.)|(?<![\w$]))(?:set|with|Set|With)?(?:{kind_name})"
        rf"\([ \t]*{_LITERAL}[ \t]*\)"
    )


def _literal(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    value = match.group(group)
    return match.span(group), len(value) >= MIN_VALUE and is_value(value)


# A database login's third argument, a literal: JDBC's `getConnection(url, user, password)`,
# PHP's `new PDO(dsn, user, password)`, `mysqli_connect(host, user, password, …)`.
_CONNECT = re.compile(
    r"(?<![\w$])(?:getConnection|PDO|mysqli_connect|mysqli|mysql_connect|pg_pconnect)"
    r"[ \t]*\([^,()\n]*,[ \t]*[^,()\n]*,[ \t]*" + _LITERAL
)


CALLS = (
    *(
        Rule(kind, _setter(name), _literal, needles=needles)
        for (kind, name), needles in zip(_SETTERS, _SETTER_NEEDLES, strict=True)
    ),
    Rule("password", _CONNECT, _literal, needles=("connect", "pdo", "mysqli")),
)
