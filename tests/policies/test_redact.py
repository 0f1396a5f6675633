"""Pure tests of redact.py: private blocks, secret formats, false positives, idempotence."""

import string
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory_mcp.policies.redact import KINDS, Redaction, redact

# Obviously fake values in the shape of each format (AWS's are its documented examples).
GITHUB = "ghp_" + "x" * 36
GITHUB_PAT = "github_pat_" + "x" * 22 + "_" + "x" * 59
GITLAB = "glpat-" + "x" * 20
SLACK = "xoxb-000000000000-000000000000-" + "x" * 24
OPENAI = "sk-proj-" + "x" * 40
OPENAI_LEGACY = "sk-" + "x" * 48
ANTHROPIC = "sk-ant-api03-" + "x" * 40
GOOGLE = "AIza" + "x" * 35
STRIPE = "sk_live_" + "x" * 24
AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZXNpZ25hdHVyZQ"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nFAKEFAKEFAKE\nFAKEFAKE==\n-----END RSA PRIVATE KEY-----"


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


# (input, expected output, expected kinds): the secret is gone, everything around it stays.
POSITIVE = [
    (f"key:\n{PEM}\nrotate it", f"key:\n{r('private_key')}\nrotate it", ("private_key",)),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE\n-----END OPENSSH PRIVATE KEY----- done",
        f"{r('private_key')} done",
        ("private_key",),
    ),
    ("pasted -----BEGIN PRIVATE KEY-----\nFAKE", f"pasted {r('private_key')}", ("private_key",)),
    (f"id {AWS_ID} for ci", f"id {r('aws_access_key')} for ci", ("aws_access_key",)),
    ("temp ASIA" + "X" * 16 + ".", f"temp {r('aws_access_key')}.", ("aws_access_key",)),
    (
        f"aws_secret_access_key = {AWS_SECRET}\nregion = eu-west-1",
        f"aws_secret_access_key = {r('aws_secret_key')}\nregion = eu-west-1",
        ("aws_secret_key",),
    ),
    (
        f'{{"SecretAccessKey": "{AWS_SECRET}"}}',
        f'{{"SecretAccessKey": "{r("aws_secret_key")}"}}',
        ("aws_secret_key",),
    ),
    (f"use {GITHUB} for the bot", f"use {r('github_token')} for the bot", ("github_token",)),
    (f"pat={GITHUB_PAT}", f"pat={r('github_token')}", ("github_token",)),
    (f"gitlab {GITLAB} here", f"gitlab {r('gitlab_token')} here", ("gitlab_token",)),
    (f"slack bot {SLACK}.", f"slack bot {r('slack_token')}.", ("slack_token",)),
    (f"openai {OPENAI} ok", f"openai {r('openai_key')} ok", ("openai_key",)),
    (f"old openai {OPENAI_LEGACY}", f"old openai {r('openai_key')}", ("openai_key",)),
    (f"claude {ANTHROPIC} ok", f"claude {r('anthropic_key')} ok", ("anthropic_key",)),
    (f"maps key {GOOGLE} ok", f"maps key {r('google_api_key')} ok", ("google_api_key",)),
    (f"stripe {STRIPE} live", f"stripe {r('stripe_key')} live", ("stripe_key",)),
    ("test rk_live_" + "x" * 24, f"test {r('stripe_key')}", ("stripe_key",)),
    ("test sk_test_" + "x" * 24, f"test {r('stripe_key')}", ("stripe_key",)),
    (f"session {JWT} expires", f"session {r('jwt')} expires", ("jwt",)),
    (
        "curl -H 'Authorization: Bearer fake-token-0000000000' api",
        f"curl -H 'Authorization: Bearer {r('bearer_token')}' api",
        ("bearer_token",),
    ),
    (
        "Authorization: Basic dXNlcjpwYXNzd29yZA==\nAccept: */*",
        f"Authorization: Basic {r('basic_auth')}\nAccept: */*",
        ("basic_auth",),
    ),
    (
        "db at postgres://admin:hunter2@db.example.com:5432/app today",
        f"db at postgres://admin:{r('url_password')}@db.example.com:5432/app today",
        ("url_password",),
    ),
    (
        "redis://:p@ss:word@cache.local/0",
        f"redis://:{r('url_password')}@cache.local/0",
        ("url_password",),
    ),
    ('PASSWORD="hunter2"', f'PASSWORD="{r("password")}"', ("password",)),
    (
        "DB_PASSWORD=swordfish\nDB_USER=app",
        f"DB_PASSWORD={r('password')}\nDB_USER=app",
        ("password",),
    ),
    ("my password is hunter2.", f"my password is {r('password')}.", ("password",)),
    ("Password: Tr0ub4dor&3", f"Password: {r('password')}", ("password",)),
    ("passwd: 'correct horse'", f"passwd: '{r('password')}'", ("password",)),
    ("pwd := s3cr3t!", f"pwd := {r('password')}", ("password",)),
    ('{"api_key": "abc123def456"}', f'{{"api_key": "{r("api_key")}"}}', ("api_key",)),
    ("apikey=abc123def456&page=2", f"apikey={r('api_key')}&page=2", ("api_key",)),
    ("x-api-key: abc123def456", f"x-api-key: {r('api_key')}", ("api_key",)),
    ("the API key is abc-123-def", f"the API key is {r('api_key')}", ("api_key",)),
    ("SECRET=topsecretvalue", f"SECRET={r('secret')}", ("secret",)),
    ("client_secret: 'abcdef'", f"client_secret: '{r('secret')}'", ("secret",)),
    ("token=abcd1234 sent", f"token={r('token')} sent", ("token",)),
    ("access_token => 'zzz999'", f"access_token => '{r('token')}'", ("token",)),
    ("GITHUB_TOKEN=abcd1234efgh", f"GITHUB_TOKEN={r('token')}", ("token",)),
    ("a <private>hidden</private> b", "a b", ("private",)),
]


@pytest.mark.parametrize(("text", "expected", "kinds"), POSITIVE)
def test_secret_is_replaced_and_context_kept(
    text: str, expected: str, kinds: tuple[str, ...]
) -> None:
    result = redact(text)
    assert result == Redaction(expected, kinds)
    assert result.changed


def test_every_kind_has_a_positive_case() -> None:
    covered = {kind for _, _, kinds in POSITIVE for kind in kinds}
    assert covered == set(KINDS)


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
def test_every_github_prefix(prefix: str) -> None:
    assert redact(f"t {prefix}{'x' * 36} t").text == f"t {r('github_token')} t"


def test_specific_kind_wins_over_its_label() -> None:
    assert redact(f"GH_TOKEN={GITHUB}").text == f"GH_TOKEN={r('github_token')}"
    assert redact(f"Authorization: Bearer {JWT}").redacted == ("jwt",)
    assert redact(f"https://bot:{GITHUB}@github.com").redacted == ("github_token",)


def test_a_value_holding_a_secret_goes_whole() -> None:
    # On its own "/tmp/..." is a path, not a password; with a token inside, all of it goes.
    assert redact(f"pwd: /tmp/{GITHUB}/x").text == f"pwd: {r('github_token')}"


def test_nothing_found_is_unchanged() -> None:
    assert not Redaction("plain").changed
    assert redact("plain") == Redaction("plain", ())


def test_kinds_are_listed_once_in_text_order() -> None:
    text = f"{GITHUB} <private>x</private> {AWS_ID} {GITHUB} password=hunter22"
    result = redact(text)
    assert result.redacted == ("github_token", "private", "aws_access_key", "password")
    assert result.text.count(r("github_token")) == 2


FALSE_POSITIVES = [
    "Deploy Kestrel-00042 to staging after lunch.",
    "Request id 123e4567-e89b-12d3-a456-426614174000 failed.",
    "Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8.",
    "Upgrade to v2.13.0-rc.1 (python 3.11.7).",
    "Config lives in /home/alice/.config/memory-mcp/settings.toml and C:\\Users\\alice\\app.",
    "Docs at https://example.com/docs?page=2#install and postgres://localhost:5432/app.",
    "Clone git@github.com:org/repo.git or ssh://git@github.com/org/repo; http://[::1]:8080/x",
    "Rotate the API token monthly.",
    "The password policy requires 12 characters.",
    "Reset your password via the portal.",
    "The password is required; the token is valid for 1h.",
    "The secret to good soup is patience. The secret is patience.",
    "Problem with the token: expires too soon.",
    "max_tokens=4096, token_count: 512, password_hash=bcrypt",
    'if password == "": return',
    "password = os.environ['DB_PASSWORD']; token = getenv('TOKEN')",
    'PASSWORD=${DB_PASSWORD} TOKEN=$GH_TOKEN api_key: <your key> secret: "{{ vault }}"',
    '{"password": null, "token": "", "secret": true, "api_key": "****"}',
    "pwd: /home/alice/project",
    "Authorization: Bearer $TOKEN",
    "risk-assessment-framework-2024 and task-management-dashboard-v2",
    "ASIA PACIFIC revenue; AKIA is a prefix; eyJ starts a JWT.",
    "email alice@example.com, mailto:bob@example.org",
    "",
    "   ",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_ordinary_memories_are_unchanged(text: str) -> None:
    result = redact(text)
    assert result == Redaction(text, ())
    assert not result.changed


PRIVATE = [
    ("Call <private>Alice 555-0100</private> tomorrow.", "Call tomorrow."),
    ("a <PRIVATE>x</Private> b <private>y</private> c", "a b c"),
    ("start\n<private>\nline one\nline two\n</private>\nend", "start\nend"),
    ("para one\n\n<private>x</private>\n\npara two", "para one\n\npara two"),
    ("keep this <private>and drop\nall of the rest", "keep this"),
    ("<private>all</private>", ""),
    ("<private>lead</private>  text", "text"),
    ("  indented <private>x</private>", "  indented"),
    ("a<private>x</private>b", "ab"),
    ("a <private>x <private>y</private> still private</private> b", "a b"),
    ("a <private>x</private> b </private> c", "a b c"),
    ("<private>x</private><private>y</private> z", "z"),
    ("<priv<private>x</private>ate>kept", "<priv ate>kept"),
    (f"gh<private>x</private>p_{'x' * 36}", r("github_token")),
    ("password: <private>hunter2</private>", "password:"),
]


@pytest.mark.parametrize(("text", "expected"), PRIVATE)
def test_private_blocks_are_removed(text: str, expected: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert "private" in result.redacted
    assert "private>" not in result.text.lower()


def test_private_order_relative_to_secrets() -> None:
    text = f"<private>x</private> {GITHUB} and {AWS_ID} <private>y</private>"
    assert redact(text).redacted == ("private", "github_token", "aws_access_key")


@pytest.mark.parametrize("text", [t for t, _, _ in POSITIVE] + [t for t, _ in PRIVATE])
def test_redacting_twice_changes_nothing(text: str) -> None:
    once = redact(text)
    assert redact(once.text) == Redaction(once.text, ())


@pytest.mark.parametrize("text", ["\ud800 \udfff", "a\x00b password=\x00x", "\x00" * 50])
def test_odd_characters_do_not_raise(text: str) -> None:
    assert redact(text).text == text


ADVERSARIAL = [
    "a" * 1_000_000,
    "password=" * 100_000,
    "password is " * 100_000,
    "password" + " " * 500_000,
    "-----BEGIN PRIVATE KEY-----" * 30_000,
    "a://u:" * 100_000,
    "a://u:" + "p@" * 200_000,
    "<private>" * 100_000,
    "</private>x" * 100_000,
    "<priv<private>x</private>ate>" * 30_000,
    "eyJaaaaaaaaaaaa." * 100_000,
    'token: "' * 100_000,
    "password=" + "." * 500_000,
    "Authorization: Bearer " * 100_000,
    "[REDACTED:x]" * 100_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_huge_adversarial_input_is_linear(text: str) -> None:
    # Each takes well under a second; quadratic backtracking would take minutes.
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 10


# Pieces that stress the seams between rules when glued together with nothing in between.
FRAGMENTS = [
    GITHUB, GITLAB, SLACK, OPENAI, ANTHROPIC, GOOGLE, STRIPE, AWS_ID, AWS_SECRET, JWT, PEM,
    "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "<private>", "</private>",
    "<priv", "ate>", "password", "token", "api_key", "secret", "aws_secret_access_key",
    "Authorization: Bearer ", "Basic ", "https://", "user:", "@host", "@", ":", "=", " is ",
    '"', "'", " ", "\n", ".", ",", "-", "_", "/", "hunter2", "abcd", "x", "[REDACTED:token]",
    "$VAR", "null", "eyJ", "sk-", "ghp_",
]  # fmt: skip
glued = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=12).map("".join)
any_text = st.text(st.characters(exclude_categories=()), max_size=200)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(glued | any_text)
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert isinstance(once.text, str)
    assert redact(once.text) == Redaction(once.text, ())
    assert once.changed == (once.text != text)


ALNUM = string.ascii_letters + string.digits
body = st.text(ALNUM, min_size=36, max_size=40)
secrets = st.one_of(
    body.map(lambda b: "ghp_" + b),
    body.map(lambda b: "glpat-" + b),
    body.map(lambda b: "sk-proj-" + b),
    body.map(lambda b: "sk-ant-api03-" + b),
    body.map(lambda b: "sk_live_" + b),
    body.map(lambda b: "xoxp-" + b),
    st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16).map(
        lambda b: "AKIA" + b
    ),
    st.text(ALNUM + "_-", min_size=35, max_size=35).map(lambda b: "AIza" + b),
    st.tuples(body, body).map(lambda p: f"eyJ{p[0]}.eyJ{p[1]}.{p[0]}"),
)
prose = st.text(st.characters(exclude_categories=()), max_size=60)


@settings(max_examples=300)
@given(prose, secrets, prose)
def test_a_found_secret_never_survives(before: str, secret: str, after: str) -> None:
    result = redact(f"{before} {secret} {after}")
    assert secret not in result.text
    assert result.changed
