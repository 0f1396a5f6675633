"""policies/reused_secrets.py: which secrets a session's texts give, and masking them again."""

import random
import re

from memory_mcp.policies.redact import masked_texts, redact, redact_fields
from memory_mcp.policies.reused_secrets import MASK, Masker, mask_again, secrets_in, secrets_of


def test_a_common_word_used_as_a_password_is_not_masked_everywhere() -> None:
    known = secrets_in([
        "psql postgres://postgres:postgres@localhost:5432/app",
        "mysql -u root -ppassword", "docker run -e POSTGRES_PASSWORD=example db",
        "net user bob welcome /add", "export DB_PASSWORD=München", "DB_PASSWORD=sécurité",
    ])  # fmt: skip
    prose = "Use the postgres image; the password reset example shows the welcome page."
    prose += " La sécurité d'abord, à München comme ailleurs."
    assert mask_again(prose, known) == prose


def test_a_distinctive_password_is_still_masked_where_it_is_said_again() -> None:
    known = secrets_in(["export PGPASSWORD=admin123", "curl -u bob:Tr0ub4dor&3 https://x.io"])
    said = "the password admin123 is hard-coded, and Tr0ub4dor&3 too"
    assert mask_again(said, known) == f"the password {MASK} is hard-coded, and {MASK} too"


def test_a_long_letters_only_token_is_masked_again() -> None:
    token = "QwErTyUiOpAsDfGhJkLzXcVbNm"
    known = secrets_in([f"export GITHUB_TOKEN={token}"])
    assert mask_again(f"the token {token} leaked", known) == f"the token {MASK} leaked"


def test_a_bearer_token_of_thousands_of_characters_is_masked_again() -> None:
    token = "eyJ" + "aB3dE5gH7j" * 500  # an OAuth access token's length: 5,003 characters
    known = secrets_in([f"curl -H 'Authorization: Bearer {token}' https://api.acme.io"])
    assert known == {token}
    assert mask_again(f"it sent {token} twice", known) == f"it sent {MASK} twice"


def test_secrets_sharing_their_starts_are_each_masked_whole() -> None:
    known = frozenset({"abc123xyz", "abc123xy", "abc123q9", "zz9-zz9"})
    text = "abc123xyz abc123xy abc123q9 abc123x zz9-zz9 abc123xyzw"
    assert mask_again(text, known) == f"{MASK} {MASK} {MASK} abc123x {MASK} abc123xyzw"


def test_a_masker_masks_each_text_it_is_given_with_the_pattern_it_compiled_once() -> None:
    masker = Masker(frozenset(f"Xy{i}z9Q!" for i in range(5_000)))
    texts = [f"the password Xy{i}z9Q! again, not Xy{i}z9Q" for i in range(0, 5_000, 7)]
    assert [masker(t) for t in texts] == [f"the password {MASK} again, not Xy{i}z9Q"
                                         for i in range(0, 5_000, 7)]  # fmt: skip
    assert Masker(frozenset())("Xy1z9Q!") == "Xy1z9Q!"


def test_hundreds_of_secrets_each_beginning_the_next_are_masked_without_recursion() -> None:
    # Each secret a prefix of the next: as a pattern, a group nested in the one before it
    # (600 deep raised RecursionError, and the capture was lost).
    secrets = frozenset("Xy9!" + "a7" * n for n in range(3, 3_003))
    masker = Masker(secrets)
    longest = "Xy9!" + "a7" * 3_002
    text = f"one Xy9!a7a7a7 two {longest} three {longest}a7 four Xy9!a7a7a7x"
    assert masker(text) == f"one {MASK} two {MASK} three {longest}a7 four Xy9!a7a7a7x"


def test_the_masker_masks_what_a_pattern_of_the_secrets_longest_first_masks() -> None:
    # The reference: a flat alternation, longest first (backtracking to a shorter secret
    # where a longer one runs into a letter or digit), as a word of its own.
    rng = random.Random(19)
    alphabet = "ab1-_!. \n"
    for _ in range(300):
        secrets = frozenset(
            "".join(rng.choice(alphabet[:6]) for _ in range(rng.randint(1, 9)))
            for _ in range(rng.randint(1, 8))
        )
        ordered = sorted(secrets, key=len, reverse=True)
        words = "|".join(map(re.escape, ordered))
        reference = re.compile(rf"(?<![A-Za-z0-9])(?:{words})(?![A-Za-z0-9])")
        text = "".join(rng.choice([*alphabet, *ordered]) for _ in range(40))
        assert Masker(secrets)(text) == reference.sub(MASK, text), (secrets, text)


def test_a_redaction_carries_what_it_removed_so_a_text_is_redacted_once() -> None:
    text = "keep <private>my notes</private> export PGPASSWORD=admin123 and ghp_" + "x7" * 18
    result = redact(text)
    assert result.found == ("<private>my notes</private>", "admin123", "ghp_" + "x7" * 18)
    assert result.found == tuple(masked_texts(text))
    fields = redact_fields(content=text, metadata={"dbPassword": "hunter2", "pin": [1234]})
    assert fields.found == (*result.found, "hunter2")
    assert secrets_of(fields.found) == {"admin123", "ghp_" + "x7" * 18, "hunter2"}


def test_a_known_secret_said_again_with_a_character_that_prints_as_nothing_is_masked() -> None:
    # A zero-width space or a soft hyphen inside it (a chat app, a web page) hid it.
    masker = Masker(frozenset({"admin123x", "Tr0ub\u200b4dor"}))
    text = "say admin\u200b123x, adm\u00adin123x, Tr0ub4dor and Tr0ub\u200b4dor; admin123xy stays"
    assert masker(text) == f"say {MASK}, {MASK}, {MASK} and {MASK}; admin123xy stays"


def test_a_known_secret_repeated_with_look_alike_letters_is_masked_again() -> None:
    # The rules read look-alikes as ASCII (secret_variants.as_ascii); so does the session's
    # matcher: a known password said again with a Cyrillic "о" or full-width digits, or one
    # first shown with look-alikes and then said in ASCII, is masked where it stands.
    known = secrets_in(["curl -u bob:Tr0ub4dor&3 https://x.io", "export PGPASSWORD=аdmin12345"])
    said = "it was Tr0ub4dоr&3 (Cyrillic о), then Ｔｒ０ｕｂ４ｄｏｒ&3, and admin12345 in ASCII"
    assert (
        mask_again(said, known) == f"it was {MASK} (Cyrillic о), then {MASK}, and {MASK} in ASCII"
    )
