"""policies/secret_values.py: a labelled value is never left partly in clear. Where its end
is in doubt, the mask takes the text up to the next space (a following ordinary
`name=value` may go with it); it stops early only where the text's syntax ends the value."""

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


WHOLE = [
    # a separator inside the value: nothing says the value ends there
    ("DB_PASSWORD=abc,def=Hunter2", f"DB_PASSWORD={r('password')}"),
    ("in CI DB_PASSWORD=abc;def=Hunter2 done", f"in CI DB_PASSWORD={r('password')} done"),
    ("DB_PASSWORD=abc&def=Hunter2", f"DB_PASSWORD={r('password')}"),
    ("export API_TOKEN=x1,y=Hunter2zz", f"export API_TOKEN={r('token')}"),
    ('{"cmd": "PGPASSWORD=ab;c=Hunter2 psql"}', f'{{"cmd": "PGPASSWORD={r("password")} psql"}}'),
    # quotes inside or around the value, as a shell joins them
    ("DB_PASSWORD=abcd'Hunter2", f"DB_PASSWORD={r('password')}"),
    ("DB_PASSWORD='ab'\\''Hunter2'", f"DB_PASSWORD='{r('password')}'"),
    ('DB_PASSWORD="ab"Hunter2', f'DB_PASSWORD="{r("password")}'),
    ('{"password": "ab\\"Hunter2"}', f'{{"password": "{r("password")}"}}'),
    ('password="ab\\"Hunter2 and the rest', f'password="{r("password")}'),
    # a closing bracket nothing opened is the password's
    ("so password=Hunter2)x) end", f"so password={r('password')} end"),
    # JSON in a JSON string (a tool's input): an inner escaped quote reads \\\" there
    (
        '{"input": "{\\"password\\": \\"ab\\\\\\"Hunter2\\"}"}',
        f'{{"input": "{{\\"password\\": \\"{r("password")}\\"}}"}}',
    ),
    (
        '{"input": "{\\"token\\": \\"x1\\\\\\"a\\\\\\"Hunter2\\", \\"n\\": 1}"}',
        f'{{"input": "{{\\"token\\": \\"{r("token")}\\", \\"n\\": 1}}"}}',
    ),
    # a quote escaped in a single-quoted string (Python, JavaScript)
    ("const password = 'it\\'s Hunter2';", f"const password = '{r('password')}';"),
    # mount's ",," is a "," inside the value, not the list's separator
    (
        "mount -o user=bob,password=abcd,,Hunter2,uid=1000 /m",
        f"mount -o user=bob,password={r('password')},uid=1000 /m",
    ),
    # a space the shell's backslash escapes is inside the word
    ("PGPASSWORD=abcd\\ Hunter2 psql", f"PGPASSWORD={r('password')} psql"),
    # a quote the line does not close: a dotenv value over lines (to its closing quote on a
    # later line: "more" was left in clear), a text cut short
    ('PASSWORD="abc Hunter2\nmore"\nLOG=1', f'PASSWORD="{r("password")}"\nLOG=1'),
    ("DB_PASSWORD='Hunter2 x", f"DB_PASSWORD='{r('password')}"),
    ('{"password": "ab,Hunter2', f'{{"password": "{r("password")}'),
    # a line starting inside a string a wrapped line opened: the count of quotes is off
    (
        '1", "pvkPassword": "Hunter2 x" } }',
        f'1", "pvkPassword": "{r("password")}" }} }}',
    ),
    # an apostrophe before the label opens no string
    ("Bob's password='Hunter2 x'", f"Bob's password='{r('password')}'"),
]

KEPT = [
    # the label is an item of a list its separator divides: the next item is not the value
    (
        "https://x.io/cb?password=Hunter22&next=%2F",
        f"https://x.io/cb?password={r('password')}&next=%2F",
    ),
    (
        "Server=db;Password=Hunter22;Encrypt=true",
        f"Server=db;Password={r('password')};Encrypt=true",
    ),
    (
        "mount -o user=bob,password=Hunter22,uid=1000 /m",
        f"mount -o user=bob,password={r('password')},uid=1000 /m",
    ),
    ("mount -o password=Hunter22,uid=1000 /m", f"mount -o password={r('password')},uid=1000 /m"),
    # a clause's end, a sentence's end, a bracket opened before the label, a field's end
    ("set DB_PASSWORD=Hunter22, then restart", f"set DB_PASSWORD={r('password')}, then restart"),
    ("It reads DB_PASSWORD=Hunter22.", f"It reads DB_PASSWORD={r('password')}."),
    ("(it holds password=Hunter22) and more", f"(it holds password={r('password')}) and more"),
    (
        '{"password": "Hunter22", "user": "bob"}',
        f'{{"password": "{r("password")}", "user": "bob"}}',
    ),
    ('<a href="/x?token=Hunter22abc">', f'<a href="/x?token={r("token")}">'),
    ('echo "PASSWORD=Hunter22" >> .env', f'echo "PASSWORD={r("password")}" >> .env'),
    ('p = "password=Hunter22".encode()', f'p = "password={r("password")}".encode()'),
    ("""'"SecretKey": "Hunter22"'.""", f"""'"SecretKey": "{r("secret")}"'."""),
]


@pytest.mark.parametrize(("text", "expected"), WHOLE)
def test_a_value_holding_a_separator_or_a_quote_is_masked_whole(text: str, expected: str) -> None:
    assert redact(text).text == expected
    assert "Hunter2" not in redact(text).text


@pytest.mark.parametrize(("text", "expected"), KEPT)
def test_the_value_ends_where_the_texts_syntax_ends_it(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_prose_with_a_possessive_after_is_stays() -> None:
    text = "The -pwd option is dsadd's; the password is required."
    assert redact(text).text == text


CODE = [
    # what the longer run could have swallowed, which is code, not a secret
    'login = web.post("/login", data={"csrf": found.group(1), "token": token})',
    'url = f"{base}?token={key}&next={page}"',
    "GH_TOKEN={GITHUB} and PASSWORD={r('password')}",
    '_PRIVATE_KEY = rf"(?P<secret>{_PEM.format(1)})"',
    'config = {"secret": {"hint": None, "rotated": True}}',
    # a bracket opened on an earlier line closes after the value (found comparing old and
    # new masking over the Python standard library and the system's docs)
    'TYPES = {\n    "NAME": None,\n    "TOKEN": None}',
    "Handle the repeat case (i.e.,\nwhen pinentry->repeat_passphrase is set).",
    "pwd = (self.password.encode('utf-8') if isinstance(self.password, str)",
    # an unclosed quote before words of prose, or a quote closing a string the line opened
    'The token: "see the vault for it',
    'print("shlex: token=" + repr(raw))',
    "def getpass(prompt='Password: ', stream=None):",
    'Prefix the messages with "passwd: ", only indicate a password',
    "removed from the 'passwd:' and 'group:' lines in /etc/nsswitch.conf",
    'the "passwd:" and "group:" lines',
    # a bracket around a placeholder or a word, with its opener out of sight
    '             "TOKEN": None}',
    "secret: (required) The name of the secret in Secret Manager.",
    # brackets closed before the label, further back than its line
    'print(")")\n  with serving(oauth_service, token=None) as url:',
]


@pytest.mark.parametrize("text", CODE)
def test_code_around_a_label_stays(text: str) -> None:
    assert redact(text).text == text
