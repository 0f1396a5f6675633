"""Leaks found reviewing session 20's redaction rules as an attacker: a passphrase word that
is also a command's name, a value's words parted by a Unicode space, a CDATA value written
in several sections. Each was stored in clear before."""

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


WHOLE_LINE = [
    # a command's name that only words follow is the passphrase's next word
    ("DB_PASSWORD=correct make battery", f"DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD=blue go fish", f"DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD=Tr0ub4 time horse staple", f"DB_PASSWORD={r('password')}"),
    ("API_TOKEN=hunter22 watch horse", f"API_TOKEN={r('token')}"),
    # words parted by a no-break, ideographic, figure or narrow space
    ("DB_PASSWORD=correct\u00a0horse battery", f"DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD=correct\u3000horse battery", f"DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD=correct\u2007horse battery", f"DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD=correct\u202fhorse\r\nUSER=app", f"DB_PASSWORD={r('password')}\r\nUSER=app"),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE_LINE)
def test_a_passphrase_is_masked_to_the_lines_end(text: str, expected: str) -> None:
    assert redact(text).text == expected


COMMAND_KEPT = [
    ("API_TOKEN=hunter22 make", f"API_TOKEN={r('token')} make"),
    ("API_TOKEN=hunter22 go run ./cmd", f"API_TOKEN={r('token')} go run ./cmd"),
    ("API_TOKEN=hunter22 time python app.py", f"API_TOKEN={r('token')} time python app.py"),
    ("API_TOKEN=hunter22 make release-1", f"API_TOKEN={r('token')} make release-1"),
    ("PGPASSWORD=hunter22 psql mydb", f"PGPASSWORD={r('password')} psql mydb"),
]


@pytest.mark.parametrize(("text", "expected"), COMMAND_KEPT)
def test_a_command_that_is_more_than_words_stays_readable(text: str, expected: str) -> None:
    assert redact(text).text == expected


CDATA = [
    (
        "<password><![CDATA[Xk9#mP2]]><![CDATA[qL7vv]]></password>",
        f"<password><![CDATA[{r('password')}]]></password>",
    ),
    (  # how "]]>" is written inside CDATA: the section closed and another opened
        "<password><![CDATA[Hunter2]]]]><![CDATA[>horse]]></password>",
        f"<password><![CDATA[{r('password')}]]></password>",
    ),
    (
        "<db>\n <password>\n  <![CDATA[Hunter2]]><![CDATA[ horse]]>\n </password>\n</db>",
        f"<db>\n <password>\n  <![CDATA[{r('password')}]]>\n </password>\n</db>",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CDATA)
def test_a_cdata_value_in_several_sections_is_masked_whole(text: str, expected: str) -> None:
    assert redact(text).text == expected


# Found comparing the masking of bb89f9d and main over the Python stdlib: an operator or a
# grammar's <…> in a line's rest is code, not a passphrase; a quote after a label's ':' that
# closes the string the label stands in opens no value.
ONE_WORD = [
    ("pw = pw + c", None),
    ("Token = Ignore + PlainToken", f"Token = {r('token')} + PlainToken"),
    (
        "token             = 1*<any CHAR except CTLs or separators>",
        f"token             = {r('token')} CHAR except CTLs or separators>",
    ),
    ('  PASSWD = getpass("IMAP password for %s on %s: " % (USER, host or "localhost"))', None),
    ('  PASSWD = getpass("IMAP password: " % (USER, host or "localhost"))', None),
]


@pytest.mark.parametrize(("text", "expected"), ONE_WORD)
def test_code_in_a_lines_rest_is_not_masked(text: str, expected: str | None) -> None:
    assert redact(text).text == (text if expected is None else expected)


# A space that is not " " between a label and its value (French puts a no-break one before
# ":"), and SQL written over lines, with a tab or with MySQL 8's `IDENTIFIED WITH plugin BY`.
AROUND = [
    ("mot de passe\u00a0: Hunter2Hunter2", f"mot de passe\u00a0: {r('password')}"),
    ("Passwort:\u202fHunter2Hunter2", f"Passwort:\u202f{r('password')}"),
    ("password\u00a0=\u00a0Hunter2Hunter2", f"password\u00a0=\u00a0{r('password')}"),
    ("token:\u3000Xk9mP2qL7vZ4wR8t", f"token:\u3000{r('token')}"),
    (
        "CREATE USER app IDENTIFIED BY\tHunter2Hunter2;",
        f"CREATE USER app IDENTIFIED BY\t{r('password')};",
    ),
    (
        "CREATE USER app\n  IDENTIFIED BY Hunter2Hunter2;",
        f"CREATE USER app\n  IDENTIFIED BY {r('password')};",
    ),
    (
        "ALTER USER app IDENTIFIED WITH mysql_native_password BY 'Hunter2Hunter2';",
        f"ALTER USER app IDENTIFIED WITH mysql_native_password BY '{r('password')}';",
    ),
]


@pytest.mark.parametrize(("text", "expected"), AROUND)
def test_unicode_spaces_and_sql_over_lines_are_masked(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_statement_before_the_last_semicolon_is_not_the_verb() -> None:
    text = "CREATE USER app;\nThe change was identified by Hunter2Hunter2 in review."
    assert redact(text).text == text


# An INI line's inline comment may start with ";", and `name = value` spaced as no shell
# writes it runs no command; a Makefile's `NAME ?= value` is a setting too.
INI = [
    (
        "passphrase = correct horse battery staple  ; set by ops",
        f"passphrase = {r('password')}  ; set by ops",
    ),
    ("  password = Hunter2 horse -v x", f"  password = {r('password')}"),
    ("DB_PASSWORD ?= correct horse battery", f"DB_PASSWORD ?= {r('password')}"),
    ("DB_PASSWORD ?= Hunter2x9", f"DB_PASSWORD ?= {r('password')}"),
    ("PGPASSWORD=x9hunter psql ; echo ok", f"PGPASSWORD={r('password')} psql ; echo ok"),
]


@pytest.mark.parametrize(("text", "expected"), INI)
def test_ini_and_makefile_settings_are_masked_whole(text: str, expected: str) -> None:
    assert redact(text).text == expected


# Forms over lines: a quoted value closed on a later line (YAML's flow scalars, a dotenv
# value), a block scalar indented with tabs under a label indented with spaces, Python's
# string prefixes before triple quotes.
OVER_LINES = [
    (
        'password: "Hunter2\n  horse battery"\nuser: app',
        f'password: "{r("password")}"\nuser: app',
    ),
    ('PASSWORD="abc horse\r\ndef battery"\r\nUSER=app', f'PASSWORD="{r("password")}"\r\nUSER=app'),
    (
        "db:\n    password: |\n\tHunter2 horse\n\tbattery\n    user: app",
        f"db:\n    password: |\n\t{r('password')}\n    user: app",
    ),
    ('PASSWORD = r"""Hunter2 horse"""', f'PASSWORD = r"""{r("password")}"""'),
    ("PASSWORD = b'''Hunter2\nhorse'''", f"PASSWORD = b'''{r('password')}'''"),
]


@pytest.mark.parametrize(("text", "expected"), OVER_LINES)
def test_a_value_over_lines_is_masked_whole(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_quote_that_opens_a_string_on_a_later_line_closes_no_value() -> None:
    text = """    'The token: "',\n    'print("shlex: token=" + repr(raw))',"""
    assert "shlex" in redact(text).text and "print" in redact(text).text
