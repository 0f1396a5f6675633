"""policies/secret_seams.py: a secret cut by the seam between two texts of a session."""

from memory_mcp.policies.secret_seams import SEAM, across_seams

TOKEN = "ghp_" + "a1B2" * 9


def texts(pair: list[str]) -> list[str]:
    return [seamed.text for seamed in across_seams(pair)]


def test_a_token_cut_between_two_texts_is_masked_on_both_sides() -> None:
    first, second = texts(["my token is " + TOKEN[:15], TOKEN[15:] + " thanks"])
    assert first == "my token is [REDACTED:github_token]"
    assert second == "[REDACTED:github_token] thanks"


def test_a_label_ending_one_text_masks_the_value_starting_the_next() -> None:
    seamed = across_seams(["", "here it is, my password is", "", "Tr0ub4dor&3 ok"])
    assert [s.text for s in seamed] == [
        "",
        "here it is, my password is",
        "",
        "[REDACTED:password] ok",
    ]
    assert seamed[3].found == ["Tr0ub4dor&3"] and seamed[3].kinds == ["password"]


def test_the_seam_is_read_within_a_window_cut_at_words() -> None:
    long_a = "x" * (3 * SEAM) + " risk-" + "a" * 20 + " the token is " + TOKEN[:10]
    first, second = texts([long_a, TOKEN[10:] + " " + "y" * (3 * SEAM)])
    assert first.endswith("the token is [REDACTED:github_token]") and "risk-" in first
    assert second.startswith("[REDACTED:github_token] yyy")


def test_texts_that_hold_no_secret_together_stay() -> None:
    pairs = [
        ["We talked about the password policy.", "Use 12 characters"],
        ["the end.", "Next one"],
        ["Which token?", "The one in the vault."],
        ["[REDACTED:password]", "is rotated"],
    ]
    for pair in pairs:
        assert texts(pair) == pair


def test_line_ends_and_spaces_around_a_seam_are_left_out() -> None:
    assert texts(["my token is " + TOKEN[:15] + "\r\n", "\n" + TOKEN[15:]]) == [
        "my token is [REDACTED:github_token]\r\n",
        "\n[REDACTED:github_token]",
    ]
    assert texts(["the password is\r\n", "Tr0ub4dor&3 ok"]) == [
        "the password is\r\n",
        "[REDACTED:password] ok",
    ]


def test_a_token_cut_in_three_or_four_texts_is_masked_in_each() -> None:
    cut = ["my token is " + TOKEN[:12], TOKEN[12:24], TOKEN[24:] + " thanks"]
    assert texts(cut) == [
        "my token is [REDACTED:github_token]",
        "[REDACTED:github_token]",
        "[REDACTED:github_token] thanks",
    ]
    four = texts(["token: " + TOKEN[:10], TOKEN[10:20], "", TOKEN[20:30], TOKEN[30:]])
    assert all(TOKEN[n : n + 10] not in " ".join(four) for n in range(0, 40, 10))
