"""Which words after a label make a secret: a word that holds a digit and is no count, and
where a passphrase of several words ends in a sentence. No I/O; secret_prose.py and
secret_labelled.py apply them."""

import re

from memory_mcp.policies.text import STOPWORDS

# What a value here is not: an algorithm or encoding (`password SHA-256 hash`, `bcrypt`), a
# version (`v2`, `1.2.3`), a year, a count (`8+`), or a word that ends a clause or labels
# the next one (`password hash:`).
_NOT_A_SECRET = re.compile(
    r"(?i:(?:sha|md|aes|rsa|des|ec|ed|hmac|pbkdf|argon|blake|crc|utf|ucs|base|x|p|bcrypt"
    r"|scrypt|yescrypt|ntlm|rc|tls|ssl)-?\d*(?:id|i|d)?(?:-\d+)?|v?\d+(?:\.\d+)+|v\d+|(?:19|20)\d\d"
    r"|\d+\+|\d+(?:st|nd|rd|th)|[^:=]*[:=]|\d+[a-z]?(?:fa|mb|kb|gb|ms|s|h|d|x|px|%|w|v|hz))"
)


def not_a_count(word: str) -> bool:
    """Whether a word holding a digit is not an algorithm, a version, a year or a count."""
    return _NOT_A_SECRET.fullmatch(word) is None


# A passphrase after `:` or "is" in a sentence (`master password: correct horse battery
# staple 9`, "my passphrase is blue fish sky 42"): the words from the value on, to the
# line's end, a clause's end (a word ending in `,` `;` `.` `!` `?`), a bracket or dash, a
# next label (`2FA:`) or the first glue word ("… sky 42 and then I logged in": a stopword),
# when they are 2 to 8 words, none code, a unit or a month, one of them holding a digit that
# is no year, version or count (secret_prose.is_word). Prose after a label has glue words,
# units or dates: "Password: rotated every 90 days", "Password: changed in March 2024".
_PHRASE_WORDS = 8
_WORD_ON_LINE = re.compile(r"[ \t\u00a0]*([^\s]+)")
_PHRASE_CODE = re.compile(r"[=(){}\[\]<>\"'`$%@/\\|]|://")
_NOT_PHRASE = frozenset(
    """
    char chars characters letters digits symbols words day days week weeks month months year
    years hour hours minute minutes min mins second seconds sec secs times attempts tries bits
    bytes users january february march april june july august september october november
    december jan feb mar apr jun jul aug sep sept oct nov dec least min max minimum maximum
    zeichen stellen tage monate jahre mindestens höchstens caractères caracteres caratteri
    jours mois días dias meses giorni mesi mínimo minimo máximo massimo
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _cut(text: str, at: int, limit: int) -> bool:
    """Whether the stretch scanned ends at `limit` inside a word or just before one reached
    from `at` (a marker there: the secret a first pass masked was a word of its own, which
    would have been judged; the phrase is left to that judgment, so a second pass finds
    what the first did)."""
    while at < limit and text[at] in " \t\u00a0":
        at += 1
    return at == limit < len(text) and not text[limit].isspace()


def passphrase_end(text: str, start: int, limit: int) -> int:
    """Where a passphrase of several words starting at text[start] ends (above), or `start`
    where what follows the label is no passphrase."""
    at, end, words, digit, number = start, start, 0, False, False
    while words <= _PHRASE_WORDS:
        found = _WORD_ON_LINE.match(text, at, limit)
        if _cut(text, at if found is None else found.end(), limit):
            return start
        if found is None:
            break
        word = found.group(1)
        core = word.rstrip(".,;:!?")
        lowered = core.lower()
        if lowered in STOPWORDS or word[0] in "(-\u2013\u2014" or word.endswith(":"):
            break
        if not core or _PHRASE_CODE.search(word) or lowered in _NOT_PHRASE:
            return start
        words += 1
        # a number alone counts where it ends the phrase: "3 pages" is a count
        if core.isdigit():
            number = not_a_count(core)
        elif any(c.isdigit() for c in core) and not_a_count(core):
            digit = True
        else:
            number = False
        end, at = found.start(1) + len(core), found.end()
        if core != word:
            break  # a clause's end
    if words < 2 or words > _PHRASE_WORDS or not (digit or number):
        return start
    return end
