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
    "commit 5894a302d65837000b2a54fbc174366a6c7f121f, sha256 e3b0c44298fc1c149afbf4c8996fb924",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
    "base64 of prose: " + base64.b64encode(b"hello world, nothing to see here").decode(),
    "test_a_very_long_function_name_with_many_words_in_it",
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_and_markup_without_a_secret_stay(text: str) -> None:
    assert redact(text).text == text
