"""Logins kept in files and headers: .netrc, .pgpass, a base64 `user:password` registry
login (Docker's config.json, .npmrc) and a session cookie. No I/O; secrets.py lists them."""

import base64
import re

from memory_mcp.policies.secret_commands import after_command
from memory_mcp.policies.secret_rule import MIN_VALUE, Rule, Span, is_value

# A cookie in a `Cookie:` or `Set-Cookie:` header, named for a session or a credential
# (session, connect.sid, PHPSESSID, auth_token, remember_me): its value; `theme=dark` stays.
_COOKIE = re.compile(r"(?<![^\s;:\"'])(?P<name>[\w.$-]{1,64})=(?P<secret>[^\s;,\"']+)")
_COOKIE_NAME = re.compile(r"(?i:sess|sid|token|auth|jwt|remember|login|secret|csrf|xsrf|key)")
_COOKIE_HEADER = re.compile(r"(?i)(?<![\w-])(?:set-)?cookie[\"']?[ \t]*:")


def _cookie_value(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group("secret")
    secret = len(value) >= MIN_VALUE and is_value(value)
    secret = secret and _COOKIE_NAME.search(match.group("name")) is not None
    header = secret and after_command(_COOKIE_HEADER, ("cookie",), match.string, match.start())
    return match.span("secret"), bool(header)


# `user:password` in base64, as Docker's config.json ("auth": "...") and .npmrc (_auth=...)
# keep a registry login; a value that does not decode to a pair is left alone.
_AUTH_PAIR = re.compile(
    r"(?<![\w-])(?:\\?\"auth\\?\"[ \t]*:|auth[ \t]*:|_auth[ \t]*=)[ \t]*\\?\"?"
    r"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"
)
# A .netrc entry: machine HOST (or default), login, then the password, on one or more lines.
_NETRC = re.compile(
    r"(?<![\w-])(?:machine[ \t\r\n]+(?:[^\s.]+\.[^\s]+|localhost)|default)"
    r"[ \t\r\n]+login[ \t\r\n]+\S+[ \t\r\n]+password[ \t\r\n]+(?P<secret>\S+)"
)


def _auth_pair(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group("secret")
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return match.span("secret"), False
    return match.span("secret"), ":" in decoded and decoded.isprintable()


# A .pgpass line, host:port:database:user:password, on any port or all ("*").
_PGPASS = re.compile(
    r"(?<![^\s\"'`])(?P<host>[\w.-]++|\*):(?P<port>\d{1,5}|\*):(?P<db>[^\s:]+):[^\s:]+:"
    r"(?P<secret>(?:\\.|[^\s\"'`\\])+)"
)
_PG_PORTS = ("5432", "5433", "6432", "*")  # PostgreSQL's and pgbouncer's usual ports


def _pgpass(match: re.Match[str]) -> tuple[Span, bool]:
    """On a usual port, any five fields; on another, a host that names one (`*`, dotted, or
    a word of three or more holding a letter: not a MAC address's `aa`), a port 1-65535, a
    database that is not a number (`app.py:120:5:error:...` is a compiler's line and column)
    and a password that is not one (`web01:8080:GET:/index:200` is a log line)."""
    host, port, db, secret = match.group("host", "port", "db", "secret")
    if port in _PG_PORTS:
        return match.span("secret"), True
    named = host == "*" or "." in host or (len(host) >= 3 and any(c.isalpha() for c in host))
    number = not port.startswith("0") and int(port) <= 65535
    plausible = named and number and not db.isdigit()
    number_only = secret.rstrip(";,.").isdigit()  # `...:200;` ends a clause
    return match.span("secret"), plausible and is_value(secret) and not number_only


# In RULES' order (earlier rules win): logins kept in files, then the command line's.
CREDENTIAL_FILES = (
    Rule("basic_auth", _AUTH_PAIR, _auth_pair, needles=("auth",)),
    Rule("password", _NETRC, needles=("login",)),  # prose says "password" more often
    Rule("password", _PGPASS, _pgpass, needles=(":*:", *(f":{d}" for d in "0123456789"))),
)
COOKIE = Rule("session_cookie", _COOKIE, _cookie_value, needles=("cookie",))
