"""Gaps of masking left by session 20, each stored in clear before: a value on the line under
its label, a label with no separator in prose, codes that are passwords by another name
(PIN, door code, combination), a YAML list item's passphrase, string escapes `\\U…` and
`\\u{…}`, C#'s `$"…"` and `@"…"`, YAML's `!!binary`, and `docker secret create` fed from
stdin."""

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str = "password") -> str:
    return f"[REDACTED:{kind}]"


NEXT_LINE = [
    ("password:\n  hunter2xyz", f"password:\n  {r()}"),
    ("password:\n  swordfish\nuser: app", f"password:\n  {r()}\nuser: app"),
    ("Email\nme@example.com\nPassword\nhunter2xyz\nSign in", f"Password\n{r()}\nSign in"),
    ("-----\nAPI key\nk3y-Qm8vXz2LpA", f"-----\nAPI key\n{r('api_key')}"),
    ("Wifi password:\n\n  `Tr0ub4dor&3`", f"Wifi password:\n\n  `{r()}`"),
    ("## Admin PIN\n4921\n", f"## Admin PIN\n{r('pin')}\n"),
    ("- DB password:\r\n  hunter2xyz\r\n", f"- DB password:\r\n  {r()}\r\n"),
]


@pytest.mark.parametrize(("text", "expected"), NEXT_LINE)
def test_a_value_on_the_line_under_its_label_is_masked(text: str, expected: str) -> None:
    assert redact(text).text.endswith(expected)


NO_SEPARATOR = [
    ("passphrase correct-horse-9", f"passphrase {r()}"),
    ("# password hunter2xyz", f"# password {r()}"),
    ("the wifi password hunter2xyz is on the fridge", f"the wifi password {r()} is on the fridge"),
    ("Passwort Tr0ub4dor!", f"Passwort {r()}"),
    ("code wifi est Hk7pq9zz", f"code wifi est {r()}"),
    ("PIN 4921", f"PIN {r('pin')}"),
    ("my PIN is 4921.", f"my PIN is {r('pin')}."),
    ("pin code: 004921", f"pin code: {r('pin')}"),
    ("door code 1234#", f"door code {r('access_code')}"),
    ("the gate code is *4711", f"the gate code is {r('access_code')}"),
    ("the safe combination is 12-34-56", f"the safe combination is {r('access_code')}"),
    (
        "the locker combination is 12 34 56, then",
        f"the locker combination is {r('access_code')}, then",
    ),
    ("Türcode: 4711", f"Türcode: {r('access_code')}"),
]


@pytest.mark.parametrize(("text", "expected"), NO_SEPARATOR)
def test_a_label_with_no_separator_and_codes_by_other_names(text: str, expected: str) -> None:
    assert redact(text).text == expected


PROSE_KEPT = [
    "the password reset flow sends a link",
    "set a password for the user",
    "PIN the version in requirements.txt",
    "pin 1.2.3 until the fix lands",
    "password SHA-256 hashes are salted",
    "the password v2 endpoint and the passphrase 2FA step",
    "password 8+ characters, passcode 2024 policy",
    "the door code review is on Monday",
    "a combination of 3 flags",
    "PIN 12 times",
    "Password\nForgot your password?",
    "Password\nRequired\n",
    "Token\nexpires in 3 days",
    "password hash: bcrypt",
    "if pwd:\n    try:\n        name = pwd.getpwuid(uid)[0]",
]


@pytest.mark.parametrize("text", PROSE_KEPT)
def test_prose_about_passwords_and_codes_stays(text: str) -> None:
    assert redact(text).text == text


YAML_AND_DOTENV = [
    ("- password: abc1 def ghi", f"- password: {r()}"),
    ("  - password: hunter2xyz more words", f"  - password: {r()}"),
    ("PASS=blue ls fish", f"PASS={r()}"),
    ("PASS=a cd b c", f"PASS={r()}"),
    ("PASS=correct make battery", f"PASS={r()}"),
]


@pytest.mark.parametrize(("text", "expected"), YAML_AND_DOTENV)
def test_a_list_items_or_dotenv_passphrase_is_masked_whole(text: str, expected: str) -> None:
    assert redact(text).text == expected


def test_a_yaml_list_item_in_prose_stays() -> None:
    assert redact("- Password: must be set").text == "- Password: must be set"


ESCAPES = [
    ('"\\U00000070assword": "hunter2xyz"', f'"\\U00000070assword": "{r()}"'),
    ('let s = "\\u{70}assword=hunter2xyz";', f'let s = "\\u{{70}}assword={r()}";'),
    ('var pw = $"hunter2xyz";', f'var pw = $"{r()}";'),
    ('string password = @"hunter2xyz";', f'string password = @"{r()}";'),
    ('password = $"{prefix}hunter2xyz";', f'password = $"{r()}";'),
    ("password: !!binary aHVudGVyMnh5eg==", f"password: !!binary {r()}"),
    ("password: !!binary |\n  aHVudGVyMnh5eg==\nuser: x", f"!!binary |\n  {r()}\nuser: x"),
    ("docker secret create db_pw - <<< hunter2xyz", f"docker secret create db_pw - <<< {r()}"),
    (
        "printf 'hunter2xyz' | docker secret create db_pw -",
        f"printf '{r()}' | docker secret create db_pw -",
    ),
    (
        "echo -n hunter2xyz | podman secret create db_pw -",
        f"echo -n {r()} | podman secret create db_pw -",
    ),
]


@pytest.mark.parametrize(("text", "expected"), ESCAPES)
def test_escapes_string_forms_and_stdin_secrets_are_masked(text: str, expected: str) -> None:
    assert redact(text).text.endswith(expected)


CODE_KEPT = [
    'password = $"{Prefix}-{Suffix}";',
    'var conn = $@"Server=db;Password={pw};";',
    "docker secret create db_pw ./pw.txt",
    'x = "\\u{110000}"',
]


@pytest.mark.parametrize("text", CODE_KEPT)
def test_references_and_files_stay(text: str) -> None:
    assert redact(text).text == text


# An attacker's forms, found after the list above (session 21): a wifi network's key as
# wpa_supplicant, NetworkManager, a QR code and prose write it; a code in groups of four.
ATTACK = [
    ('network={\n    ssid="home"\n    psk="hunter2xyz"\n}', f'psk="{r()}"\n}}'),
    ("[wifi-security]\nkey-mgmt=wpa-psk\npsk=hunter2xyz", f"psk={r()}"),
    ("WIFI:T:WPA;S:home;P:hunter2xyz;;", f"WIFI:T:WPA;S:home;P:{r()};;"),
    ("WIFI:S:my\\;net;T:WPA;P:hunt\\;er2xyz;H:false;;", f"P:{r()};H:false;;"),
    ("the wifi key is hunter2xyz", f"the wifi key is {r()}"),
    ("WLAN-Schlüssel: 4711 0815 2222", f"WLAN-Schlüssel: {r()}"),
    ("nmcli dev wifi connect home password hunter2xyz", f"home password {r()}"),
]


@pytest.mark.parametrize(("text", "expected"), ATTACK)
def test_a_wifi_key_as_people_paste_it_is_masked(text: str, expected: str) -> None:
    assert redact(text).text.endswith(expected)


@pytest.mark.parametrize(
    "text", ["PSK mode is used", "the psk is stored in the keychain", 'say "PSK:!RC4" to enable']
)
def test_prose_naming_a_psk_stays(text: str) -> None:
    assert redact(text).text == text


TABLES = [
    (
        "name,url,username,password\nGitHub,https://github.com,me,Hunter2xyz!\nNAS,,root,Tr0ub4",
        f"GitHub,https://github.com,me,{r()}\nNAS,,root,{r()}",
    ),
    (
        "| Service | User | **Password** |\n|---|---|---|\n| wifi | admin | hunter2xyz |\r\n",
        f"|---|---|---|\n| wifi | admin | {r()} |\r\n",
    ),
    ("host\tuser\tpasswd\ndb1\tapp\ts3cr3t-pw", f"db1\tapp\t{r()}"),
]


@pytest.mark.parametrize(("text", "expected"), TABLES)
def test_a_password_columns_cells_are_masked(text: str, expected: str) -> None:
    assert redact(text).text.endswith(expected)


TABLES_KEPT = [
    "| Option | Description |\n|---|---|\n| password | the password to use |",
    "| Field | Type |\n|---|---|\n| password | string |",
    "| Password | Notes |\n|---|---|\n| - | none |",
    "| a | password |\n| b | c | d |\n| e | f |",
    "a\tpassword|b\nc\td|e",  # a cell parted by one separator, the row by another
    "// to disable it on the leading edge, pass\n// `{leading: false}`. On the other one, ditto.",
    "def connect(self, user, passwd, host):\n    return ftp(user, passwd, host)",
]


@pytest.mark.parametrize("text", TABLES_KEPT)
def test_a_table_naming_passwords_keeps_its_other_cells(text: str) -> None:
    assert redact(text).text == text


def test_a_long_table_is_read_in_linear_time() -> None:
    # each row looks back for its header at most a bounded number of rows
    text = "a,b,password\n" + "x,y,z1z1\n" * 20_000
    assert redact(text).text.count("[REDACTED:password]") == 20_000


def test_rows_that_all_look_like_headers_are_read_in_linear_time() -> None:
    text = "a,password\n" * 40_000 + "b,c1c1c1"
    assert redact(text).text.endswith(f"a,password\nb,{r()}")


@pytest.mark.parametrize(
    "text",
    [
        "Password=!!binary\tP:wifi key",  # a tag is never the value, also next to a marker
        "\tpassword\t\nis1234#1234#\t- P:passwordP:\t  #=",  # a line a marker ends
        ";password\t12-34P:!!binary\t---api key\n---!!binaryPIN",  # a line a marker starts
        "WIFI:P: api key;P:Password\t1234combination\t Password",
    ],
)
def test_masking_twice_changes_nothing(text: str) -> None:
    once = redact(text).text
    assert redact(once).text == once
