"""Which field names say their value is a secret (a metadata key such as `dbPassword` or
`x-api-key`), whatever the value looks like. No I/O; redact.py applies it."""

import re

from memory_mcp.policies.secret_rule import Pick, Rule, Span, is_value

# Names of fields (metadata keys) whose value is a secret whatever it looks like, matched
# against the whole name after camelCase and separators become "_": "dbPassword", "x-api-key".
_FIELD_LABELS = (
    ("aws_secret_key", r"aws_?secret(?:_?access)?_?key|secret_?access_?key"),
    ("private_key", r"private_?key|client_?key_?data"),
    ("password", r"\w*passw(?:or)?d|pwd?|passphrase|passcode|pass|psk|key_?material"),
    ("password", r"passwort|kennwort|mot_de_passe|contrase[ñn]a|senha|wachtwoord|hasło|пароль"),
    ("secret", r"(?:client_?)?secret(?:_?key(?:_?base)?)?"),
    ("secret", r"(?:encryption|signing|master|app|session|cookie|jwt|hmac|license|cipher)_?key"),
    ("api_key", r"api_?key"),
    (
        "token",
        r"(?<!public_key_)(?<!publickey_)(?<!publickey)(?:access_?|refresh_?|auth_?|bearer_?|id_?)?token",
    ),
    ("bearer_token", r"(?:proxy_)?authorization"),
)
_FIELD = re.compile(
    "|".join(rf"(?:\w*_)?(?P<{kind}{i}>{label})" for i, (kind, label) in enumerate(_FIELD_LABELS))
)


def field_kind(name: str) -> str | None:
    """The kind of secret a field with this name holds, if its name says it holds one."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
    match = _FIELD.fullmatch(re.sub(r"[\s.-]+", "_", words.strip()))
    if match is None or match.lastgroup is None:
        return None
    return match.lastgroup.rstrip("0123456789")


# The same fields in XML (web.config, Maven's settings.xml, Spring and Ant files): an element
# named for a secret, `<password>…</password>`, `<dbPassword>…</dbPassword>`, and an entry
# `<add key="DbPassword" value="…"/>` (or name=…), whose name says its value is one.
# The value may stand over lines (indented between its tags) or in CDATA sections: one, or
# several in a row (`<![CDATA[ab]]><![CDATA[cd]]>` is `abcd`; it is how `]]>` is written in one).
_CDATA = r"[^\]]{0,2000}(?:\](?!\]>)[^\]]{0,200}){0,20}"
_CDATA_SEAM = "]]><![CDATA["
_ELEMENT = re.compile(
    r"<(?P<name>[A-Za-z_][\w.:-]{0,60})(?:[ \t][^<>]*)?>"
    rf"(?:\s*<!\[CDATA\[(?P<cdata>{_CDATA}(?:\]\]><!\[CDATA\[{_CDATA}){{0,8}})\]\]>\s*"
    r"|(?P<secret>[^<>]{1,2000}))</(?P=name)>"
)
_ENTRY = re.compile(
    r"(?<![\w-])(?:key|name)[ \t]*=[ \t]*(?P<q>[\"'])(?P<name>[^\"'<>\n]{1,60})(?P=q)"
    r"[ \t]+value[ \t]*=[ \t]*(?P<q2>[\"'])(?P<secret>[^\"'\n]*)(?P=q2)"
)


def _named(kind: str) -> Pick:
    """A pick keeping a value whose element or entry is named for a secret of `kind`."""

    def pick(match: re.Match[str]) -> tuple[Span, bool]:
        group = "cdata" if match.groupdict().get("cdata") is not None else "secret"
        name, value = match.group("name"), match.group(group).replace(_CDATA_SEAM, "")
        named = field_kind(name.rpartition(":")[2]) == kind  # after a namespace's prefix
        start, end = match.span(group)
        if not (named and is_value(value.strip())):
            # no candidate: an element over lines that is no secret (`<pre>…</pre>`) would
            # take a secret found inside it whole
            return (start, start), False
        whole = match.group(group)  # with its sections' seams
        first = start + len(whole) - len(whole.lstrip())  # the indent over lines stays
        return (first, max(first, start + len(whole.rstrip()))), True

    return pick


_KINDS = tuple(dict.fromkeys(kind for kind, _ in _FIELD_LABELS))
MARKUP = tuple(
    Rule(kind, pattern, _named(kind), needles=(needle,))
    for pattern, needle in ((_ELEMENT, "</"), (_ENTRY, "value"))
    for kind in _KINDS
)
