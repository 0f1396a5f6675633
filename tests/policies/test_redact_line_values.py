"""A dotenv, INI or properties line's unquoted value runs to the line's end
(secret_values.line_end): a passphrase with spaces is never left two-thirds in clear, while a
command run with the variable set stays readable."""

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


WHOLE_LINE = [
    ("DB_PASSWORD=correct horse battery", f"DB_PASSWORD={r('password')}"),
    ("export DB_PASSWORD=correct horse battery", f"export DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD=abc horse battery", f"DB_PASSWORD={r('password')}"),  # a short first word
    ("  secret_key = Tr0ub4dor horse\nnext=1", f"  secret_key = {r('secret')}\nnext=1"),
    ("password: Tr0ub4dor horse staple", f"password: {r('password')}"),  # YAML, properties
    ("API_TOKEN=correct horse # rotated in May", f"API_TOKEN={r('token')} # rotated in May"),
    ("app.password=correct horse battery\r\nx", f"app.password={r('password')}\r\nx"),
    # a closing remark in brackets, another label on the line: each value its own
    ("vault_token: Tr0ub4dor horse (rotate)", f"vault_token: {r('token')} (rotate)"),
    ("DB_PASS=correct horse DB_USER=app", f"DB_PASS={r('password')} DB_USER=app"),
]

COMMAND_KEPT = [
    ("PGPASSWORD=hunter22 psql -h db.internal", f"PGPASSWORD={r('password')} psql -h db.internal"),
    ("PGPASSWORD=hunter22 psql", f"PGPASSWORD={r('password')} psql"),
    (
        "PGPASSWORD=hunter22 pg_dump app > app.sql",
        f"PGPASSWORD={r('password')} pg_dump app > app.sql",
    ),
    ("API_TOKEN=hunter22 ./deploy.sh", f"API_TOKEN={r('token')} ./deploy.sh"),
    ("API_TOKEN=hunter22 DEBUG=1 make release", f"API_TOKEN={r('token')} DEBUG=1 make release"),
    ("API_TOKEN=hunter22 mytool --env prod", f"API_TOKEN={r('token')} mytool --env prod"),
    ("API_TOKEN=hunter22 mytool | tee log", f"API_TOKEN={r('token')} mytool | tee log"),
    ("API_TOKEN=hunter22 mytool && echo ok", f"API_TOKEN={r('token')} mytool && echo ok"),
    # prose: the value is one word (a sentence goes on after it); not a line's first label
    ("my password is hunter22 for staging.", f"my password is {r('password')} for staging."),
    ("set DB_PASSWORD=hunter22 then restart", f"set DB_PASSWORD={r('password')} then restart"),
    # after ":", prose's separator, only a value that is a secret on its own carries on
    ("Password: must be set for all users", "Password: must be set for all users"),
    ("PW=1234 watts", "PW=1234 watts"),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE_LINE)
def test_a_dotenv_lines_value_runs_to_the_lines_end(text: str, expected: str) -> None:
    assert redact(text).text == expected
    assert "horse" not in redact(text).text and "battery" not in redact(text).text


@pytest.mark.parametrize(("text", "expected"), COMMAND_KEPT)
def test_a_command_run_with_the_variable_set_stays_readable(text: str, expected: str) -> None:
    assert redact(text).text == expected
    assert redact(expected).text == expected


# Found comparing old and new masking over the system's docs: an option at a line's start,
# `Name= value` (no dotenv writes a space after "=" alone), a rest that reads as a sentence.
ONE_WORD = [
    ("   --root-password= which is like", f"   --root-password= {r('password')} is like"),
    ("IPv6Token= setting in the section", f"IPv6Token= {r('token')} in the section"),
    ("JPOOL_PASS = one processing pass of a datastream, was", None),
    (
        '    secret = pattern if labelled else f"(?P<s>{p})"',  # code: brackets, quotes
        f'    secret = {r("secret")} if labelled else f"(?P<s>{{p}})"',
    ),
    ("Kennwort=Sommer2024 und hasło: x", f"Kennwort={r('password')} und hasło: x"),
]


@pytest.mark.parametrize(("text", "expected"), ONE_WORD)
def test_what_is_no_dotenv_line_keeps_a_one_word_value(text: str, expected: str | None) -> None:
    assert redact(text).text == (text if expected is None else expected)
