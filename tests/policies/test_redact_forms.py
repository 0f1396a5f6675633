"""Values written in a form of their own (secret_values.special_value, secret_fields'
elements, secret_variants' base64): XML in CDATA or over lines, YAML block scalars, Python
triple-quoted strings, a shell's `$'…'`, and base64 of base64."""

import base64

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


def b64(text: str, times: int) -> str:
    for _ in range(times):
        text = base64.b64encode(text.encode()).decode()
    return text


MASKED = [
    (
        "<password><![CDATA[Hunter2 x<y]]></password>",
        f"<password><![CDATA[{r('password')}]]></password>",
    ),
    (
        "<db>\n  <password>\n    <![CDATA[Hunter2]]x]]>\n  </password>\n</db>",
        f"<db>\n  <password>\n    <![CDATA[{r('password')}]]>\n  </password>\n</db>",
    ),
    (
        "<password>\n    Hunter2 horse\n  </password>",
        f"<password>\n    {r('password')}\n  </password>",
    ),
    (
        "db:\n  password: |\n    Hunter2 horse\n    battery\n  user: bob",
        f"db:\n  password: |\n    {r('password')}\n  user: bob",
    ),
    (
        "api_token: >-\n  Hunter2\n\n  horse battery\nnext: 1",
        f"api_token: >-\n  {r('token')}\nnext: 1",
    ),
    # a block whose lines lost their indent (a Markdown paragraph flattened by an importer)
    ("password: |\nHunter2 horse\nuser: app", f"password: |\n{r('password')}\nuser: app"),
    ('PASSWORD = """Hunter2 horse"""', f'PASSWORD = """{r("password")}"""'),
    (
        "DB_PASSWORD = '''Hunter2\nhorse battery'''\nDEBUG = True",
        f"DB_PASSWORD = '''{r('password')}'''\nDEBUG = True",
    ),
    ("PASSWORD=$'Hunter2\\'s horse' psql", f"PASSWORD=$'{r('password')}' psql"),
    (f"data: {b64('ghp_' + 'a1B2' * 9, 2)}", f"data: {r('github_token')}"),
    (f"data: {b64('password=Hunter2 horse', 3)}", f"data: {r('password')}"),
    # an element over lines that is no secret is no candidate: only the secret inside goes
    (
        '<pre class="x">\nlogin("bob")\npassword = "Hunter2 horse"\n</pre>',
        f'<pre class="x">\nlogin("bob")\npassword = "{r("password")}"\n</pre>',
    ),
]

KEPT = [
    "<p>the password</p>",
    "<password>${db.password}</password>",
    "<password><![CDATA[]]></password>",
    "password: |\nuser: bob",  # an empty block
    "description: |\n  Hunter2 horse",  # a block not named for a secret
    'PASSWORD = """{password}"""',
    'token = ""',
    f"checksum {b64('a plain sentence with no secret at all in it', 2)}",
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_a_value_in_a_form_of_its_own_is_masked(text: str, expected: str) -> None:
    assert redact(text).text == expected
    assert "Hunter2" not in redact(text).text and "horse" not in redact(text).text
    assert redact(expected).text == expected


@pytest.mark.parametrize("text", KEPT)
def test_what_holds_no_secret_in_those_forms_stays(text: str) -> None:
    assert redact(text).text == text
