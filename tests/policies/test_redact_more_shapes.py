"""Shapes an attacker could store a secret in that the rules missed: XML fields named for a
secret, "is" in the labels' other languages, and look-alike characters in a token's prefix
or a label (full-width forms, Cyrillic and Greek letters drawn like Latin ones)."""

import base64

import pytest

from memory_mcp.policies.redact import redact

S = "Zq8#vR2!mW9x"

LEAKED_BEFORE = [
    f"<settings><server><username>bob</username><password>{S}</password></server></settings>",
    f"<connection><dbPassword>{S}</dbPassword></connection>",
    f"<ns:apiKey>{S}</ns:apiKey>",
    f'<appSettings><add key="DbPassword" value="{S}" /></appSettings>',
    f"<property name='client_secret' value='{S}'/>",
    f"mon mot de passe est {S}",
    f"mein Passwort ist {S}",
    f"mi contraseña es {S}",
    f"the password was {S}",
    "ghр_" + "A1b2" * 9,  # a Cyrillic "р"
    "ѕk-proj-" + "Ab12" * 12,  # a Cyrillic "ѕ"
    "ｇｈｐ＿" + "A1b2" * 9,  # full-width
    f"ｐａｓｓｗｏｒｄ＝{S} です",
    f"рassword={S}",
    # a Discord bot token: no literal part, its first part a user id in base64
    "DISCORD_BOT=MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.Ab12Ab12Ab12Ab12Ab12Ab12Ab12Ab12Ab",
    "bot.run('MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.Ab12Ab12Ab12Ab12Ab12Ab12Ab12Ab12Ab')",
    # a password piped to a login reading it from stdin
    f"echo '{S}' | docker login ghcr.io -u me --password-stdin",
    f'printf "%s" "{S}" | helm registry login r.io --username me --password-stdin',
    f"printf %s '{S}' | podman login quay.io -u me --password-stdin",
    f"docker login ghcr.io -u me --password-stdin <<< '{S}'",
    # base64 of a token or a labelled password (standard and URL-safe)
    "the blob is " + base64.b64encode(("ghp_" + "A1b2" * 9).encode()).decode(),
    "K8S_DATA=" + base64.urlsafe_b64encode(f"password={S}".encode()).decode(),
]


@pytest.mark.parametrize("text", LEAKED_BEFORE)
def test_the_secret_is_masked(text: str) -> None:
    result = redact(text)
    assert result.changed, text
    assert S not in result.text and "A1b2A1b2" not in result.text and "Ab12Ab12" not in result.text
    assert not any(len(word) > 20 and word in text for word in result.text.split()[1:])


PROSE = [
    "<title>Password reset</title><p>Use <b>token</b> auth.</p>",
    "<password>${env.DB_PW}</password>",
    '<add key="Theme" value="dark" />',
    "The password was changed yesterday; the token was rotated.",
    "Le mot de passe est obligatoire. Das Passwort ist falsch. La contraseña es larga.",
    "Привет, как дела? Пароль сменили вчера, и токен тоже.",
    "Ελληνικά: το token bucket και ο κωδικός.",
    "全角のテキスト：ＡＢＣ１２３とｐａｓｓｗｏｒｄ　ポリシー",
    "NotADiscordTokenButLongName.module.some_attribute_name_that_runs_on",
    "echo $CR_PAT | docker login ghcr.io -u me --password-stdin",
    'docker login ghcr.io -u me --password-stdin <<< "$CR_PAT"',
    "commit 5894a302d65837000b2a54fbc174366a6c7f121f, sha256 e3b0c44298fc1c149afbf4c8996fb924",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
    "base64 of prose: " + base64.b64encode(b"hello world, nothing to see here").decode(),
    "test_a_very_long_function_name_with_many_words_in_it",
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_and_markup_without_a_secret_stay(text: str) -> None:
    assert redact(text).text == text


TOKEN = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"


@pytest.mark.parametrize("width", [64, 76])
@pytest.mark.parametrize("pad", range(0, 60, 3))
def test_base64_wrapped_over_lines_is_read_joined(width: int, pad: int) -> None:
    # `base64` wraps at 76 characters (PEM at 64): a secret cut at a line's end is in
    # neither line alone, and was left in clear
    env = "#" * pad + f"\nGITHUB_TOKEN={TOKEN}\nLOG_LEVEL=info\n"
    blob = base64.b64encode(env.encode()).decode()
    lines = [blob[i : i + width] for i in range(0, len(blob), width)]
    text = "The deploy env, in base64:\n  " + "\n  ".join(lines) + "\nThat is all."
    result = redact(text)
    assert result.text == "The deploy env, in base64:\n  [REDACTED:github_token]\nThat is all."


def test_base64_of_a_file_with_tabs_and_crlf_is_read() -> None:
    blob = base64.b64encode(f"[deploy]\r\n\tGITHUB_TOKEN={TOKEN}\r\n".encode()).decode()
    assert redact(f"blob: {blob}").text == "blob: [REDACTED:github_token]"


def test_lines_of_hashes_of_one_width_stay() -> None:
    text = "\n".join(f"{n:064x}" for n in range(3, 30, 7)) + "\n" + "e3b0c442" * 8
    assert redact(text).text == text
