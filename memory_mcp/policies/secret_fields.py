"""Which field names say their value is a secret (a metadata key such as `dbPassword` or
`x-api-key`), whatever the value looks like. No I/O; redact.py applies it."""

import re

# Names of fields (metadata keys) whose value is a secret whatever it looks like, matched
# against the whole name after camelCase and separators become "_": "dbPassword", "x-api-key".
_FIELD_LABELS = (
    ("aws_secret_key", r"aws_?secret(?:_?access)?_?key|secret_?access_?key"),
    ("private_key", r"private_?key|client_?key_?data"),
    ("password", r"\w*passw(?:or)?d|pwd?|passphrase|passcode|pass"),
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
