"""Forms a user pastes that no rule read before session 22 (found attacking the rules):
a password passed to code (a setter, a builder, a database login's argument), chat's "pw is
…", "the password's …", a wifi network and its password as a pair, WireGuard's
PresharedKey, GitHub Actions' `::add-mask::`, a wallet's seed phrase, two-factor backup
codes."""

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str = "password") -> str:
    return f"[REDACTED:{kind}]"


MASKED = [
    (
        'Connection c = DriverManager.getConnection(url, "bob", "hunter2xyz");',
        f'Connection c = DriverManager.getConnection(url, "bob", "{r()}");',
    ),
    ("$pdo = new PDO($dsn, 'bob', 'hunter2xyz');", f"$pdo = new PDO($dsn, 'bob', '{r()}');"),
    (
        'let o = PgConnectOptions::new().username("bob").password("hunter2xyz");',
        f'let o = PgConnectOptions::new().username("bob").password("{r()}");',
    ),
    ('ds.setPassword("hunter2xyz");', f'ds.setPassword("{r()}");'),
    ("client.withToken('abc123def456')", f"client.withToken('{r('token')}')"),
    ("login is bob, pw is hunter2xyz", f"login is bob, pw is {r()}"),
    ("10:42 <bob> root pw on the nas is hunter2xyz", f"10:42 <bob> root pw on the nas is {r()}"),
    ("the pass is hunter2xyz", f"the pass is {r()}"),
    ("the password's hunter2xyz", f"the password's {r()}"),
    ("here's the wifi: HomeNet / hunter2xyz", f"here's the wifi: HomeNet / {r()}"),
    (
        "[Peer]\nPresharedKey = 6YjOnW3o2k7c9Zp3nqHcKXbqTN0o3rY1sY3RyeQ1bWw=",
        f"[Peer]\nPresharedKey = {r()}",
    ),
    ("::add-mask::hunter2xyz", f"::add-mask::{r('secret')}"),
    (
        "seed phrase: abandon ability able about above absent absorb abstract absurd abuse "
        "access accident",
        f"seed phrase: {r('secret')}",
    ),
    (
        "My recovery phrase is: witch collapse practice feed shame open despair creek road "
        "again ice least. Keep it offline.",
        f"My recovery phrase is: {r('secret')}. Keep it offline.",
    ),
    ("2FA backup codes: 8721-0923 1123-8876 0091-2234", f"2FA backup codes: {r('access_code')}"),
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_a_pasted_form_is_masked(text: str, expected: str) -> None:
    assert redact(text).text == expected


KEPT = [
    "setPassword(pw)",
    'reset_password("hunter2xyz")',
    "getConnection(url, user, password)",
    "wifi: 2.4/5GHz",
    "WiFi: on/off",
    "the pass is valid until Friday",
    "the password's length is checked",
    "::add-mask::$TOKEN",
    "seed phrase: keep it offline and never type it anywhere",
    "backup codes: print them and keep them safe",
    "recovery phrase: twelve words",
]


@pytest.mark.parametrize("text", KEPT)
def test_code_and_prose_around_these_forms_stay(text: str) -> None:
    assert redact(text).text == text
