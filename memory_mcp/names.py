"""Names and short texts as a memory holds them: scopes, tags, keys, context and the client
label cleaned and checked (invisible characters, controls, lengths). Validation only, no I/O."""

import re
import unicodedata

# A memory's kinds (models.Kind spells them as a type): here, where the CLI's help reads
# them without importing pydantic.
KINDS: tuple[str, ...] = ("fact", "preference", "decision", "event", "note", "summary")
WRITABLE_KINDS = KINDS[:-1]  # a summary is made by summarize (it records what it draws on)
MAX_TAGS = 32
# The tag of what users said about themselves (policies/statements.Statement.about_user):
# capture stores such memories in the default scope, and the briefing shows them first.
ABOUT_USER = "about-user"
MAX_TAG_CHARS = 64
MAX_SCOPE_CHARS = 200
MAX_KEY_CHARS = 100


def _shows_nothing(char: str) -> bool:
    """Whitespace, or a format character: zero-width space and joiners, BOM, bidi marks."""
    return char.isspace() or unicodedata.category(char) == "Cf"


def strip_invisible(text: str) -> str:
    """Text without the whitespace and invisible characters at its ends (so text made only of
    zero-width characters or a BOM is empty); those inside it are left alone."""
    text = text.strip()
    start, end = 0, len(text)
    while start < end and _shows_nothing(text[start]):
        start += 1
    while end > start and _shows_nothing(text[end - 1]):
        end -= 1
    return text[start:end]


# The control characters (category Cc) of ASCII; no ASCII character is a format one (Cf).
_ASCII_CONTROL = re.compile("[\x00-\x1f\x7f]")


def printed_name(value: str) -> str:
    """A name as it prints, as a scope, tag or key is stored: invisible format characters
    removed (`global\u200b` is `global`), ends stripped, in one Unicode form (NFC): `café`
    typed with a composed `é` and with `e` and a combining accent (as macOS names folders,
    Korean ones in separate jamo) is one scope or tag, not two that print alike."""
    if value.isascii():  # most names: no character can be a format one
        return value.strip()
    kept = "".join(char for char in value if unicodedata.category(char) != "Cf")
    return unicodedata.normalize("NFC", kept).strip()


def invisible_note(value: str, what: str = "scope") -> str | None:
    """What printed_name removes from `value` besides spaces at its ends, in words (None if
    nothing): `te<U+202E>am` is read as `team`, and the person who typed it is told, never
    left to wonder why it matched (every CLI command taking a scope, the web UI's filter)."""
    if value.isascii():
        return None
    found = list(dict.fromkeys(c for c in value if unicodedata.category(c) == "Cf"))
    if not found:
        return None
    shown = "".join(f"\\u{ord(c):04x}" if c in found else c for c in value.strip())
    chars = ", ".join(f"U+{ord(c):04X} ({unicodedata.name(c, 'unnamed')})" for c in found)
    plural = "s" if len(found) > 1 else ""
    return (
        f"{what} '{shown}' holds the invisible character{plural} {chars}, which names never "
        f"keep: read as '{printed_name(value)}'"
    )


def names_note(**named: str | list[str] | None) -> str | None:
    """invisible_note of every name an MCP tool or an HTTP call was given (`scope=`, `key=`,
    `tags=`), in one sentence for the reply's `note` (None if none held any): a model that
    wrote `te<U+202E>am` is told it was read as `team`, as the CLI and the web UI tell."""
    said = []
    for what, value in named.items():
        for one in [value] if isinstance(value, str) else value or []:
            if isinstance(one, str) and (note := invisible_note(one, what.rstrip("s"))):
                said.append(note)
    return "; ".join(said) + "." if said else None


def name_form(value: str) -> str:
    """A stored scope or tag in the form printed_name gives it now (settle_names)."""
    return value if value.isascii() else unicodedata.normalize("NFC", value)


def clean_name(value: str, what: str) -> str:
    """A scope, tag or key as it prints (printed_name); control characters refused."""
    value = printed_name(value)
    if value.isascii():  # most names: one search, not a category looked up a character
        found = _ASCII_CONTROL.search(value)
        bad = None if found is None else found.group()
    else:
        bad = next((char for char in value if unicodedata.category(char) == "Cc"), None)
    if bad is not None:
        raise ValueError(f"{what} {value[:20]!r} contains the control character U+{ord(bad):04X}")
    return value


def caseless(text: str) -> str:
    """NFKC, case-folded, NFKC again (Unicode's NFKC_Casefold for caseless identifiers; case
    folding can leave a text no longer normalised: "ǰ" folds to "j" plus a combining caron)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())


def tag_form(tag: str) -> str:
    """A tag's one spelling, folded as keys are (policies.keys) and as the keyword index
    folds words: `Deploy`, full-width `ｄｅｐｌｏｙ` and `deploy` are one tag, so are `ﬁx` and
    `fix`, `Straße` and `strasse`."""
    return tag.lower() if tag.isascii() else caseless(tag).strip()


def settled_tags(tags: list[str]) -> list[str]:
    """Stored tags in their one spelling (tag_form), each once, in their order; one that
    folding made longer than a tag may be (`ﷺ` is 18 characters) is cut to the limit, in
    its form again, as a new write would refuse it and an export must import again."""
    settled: dict[str, None] = {}
    for tag in tags:
        form = tag_form(tag)
        cut = MAX_TAG_CHARS
        while len(form) > MAX_TAG_CHARS:
            form, cut = tag_form(tag_form(tag)[:cut]), cut - 1
        if form:
            settled[form] = None
    return list(settled)


def clean_tags(tags: list[str] | None, held: str = "per memory") -> list[str]:
    """Strip, fold (tag_form) and de-duplicate tags, keeping their first-seen order; `held`:
    where the limit on their number applies (a memory's, a filter's)."""
    seen: dict[str, None] = {}
    for tag in tags or []:
        tag = tag_form(clean_name(tag, "tag"))
        if not tag:
            continue
        if len(tag) > MAX_TAG_CHARS:
            raise ValueError(f"tag {tag[:20]!r}... is longer than {MAX_TAG_CHARS} characters")
        seen[tag] = None
        # Refused at the first tag too many, not after cleaning them all: 100,000 tags (1 MB
        # of JSON) took seconds of the server's CPU a request.
        if len(seen) > MAX_TAGS:
            raise ValueError(f"at most {MAX_TAGS} tags {held}")
    return list(seen)


def clean_context(context: str | None) -> str | None:
    """Stripped context, or None when there is none."""
    return strip_invisible(context or "") or None


# An empty or blank scope is a caller's mistake, never a way to ask for the default scope
# (leaving the argument out is): every entry point refuses it in these words.
EMPTY_SCOPE = "scope must not be empty or blank: name a scope such as `global`, or leave it out"


def clean_scope(scope: str) -> str:
    """A scope as a filter names it: stored names an older version accepted are still found."""
    scope = clean_name(scope, "scope")
    if not scope:
        raise ValueError(EMPTY_SCOPE)
    if len(scope) > MAX_SCOPE_CHARS:
        raise ValueError(f"scope is longer than {MAX_SCOPE_CHARS} characters")
    return scope


# The one character grant patterns treat specially (policies/access.py): `team/*` grants every
# scope starting with `team/`, so a scope named `team/*` could never be granted on its own.
WILDCARD = "*"


def new_scope(scope: str) -> str:
    """clean_scope, for a scope a memory is written to: no wildcard in its name."""
    scope = clean_scope(scope)
    if WILDCARD in scope:
        raise ValueError(wildcard_scope(scope))
    return scope


def wildcard_scope(scope: str) -> str:
    return (
        f"scope {scope[:80]!r} contains `{WILDCARD}`, which grants read as a wildcard "
        f"(`team/{WILDCARD}` is every scope starting with `team/`), so no grant could name "
        f"it alone: name it without `{WILDCARD}`"
    )


_SPACES = re.compile(r"\s+")


def clean_label(text: object, limit: int) -> str:
    """`text` (a client's self-declared name or version, stored with what it writes) as
    one short printable line: control and format characters (NUL, newlines,
    bidi overrides), unpaired surrogates and private-use characters dropped, runs of
    white space made one space, cut to `limit` characters."""
    if not isinstance(text, str):
        return ""
    kept = "".join(
        " " if ch.isspace() else ch
        for ch in text[: limit * 4]
        if ch.isspace() or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co", "Cn")
    )
    return _SPACES.sub(" ", kept).strip()[:limit].rstrip()


def no_such_scope(scope: str, known: list[str]) -> str | None:
    """None if `scope` (clean) is among `known`, the scopes the caller may read memories in;
    else the sentence saying it is not, with the nearest of them (a guessed or mistyped
    name), so the caller can retry: recall's note and the CLI's empty answers alike."""
    if scope in known:
        return None
    import difflib  # only for an empty answer

    close = difflib.get_close_matches(scope, known, n=1)
    guess = f" (did you mean {close[0]!r}?)" if close else ""
    return f"No memory you can read is in scope {scope!r}{guess}"
