"""What secrets look like: one rule per shape, for redact.py to apply. No I/O.

Strict about shapes only secrets have (provider prefixes, PEM and PuTTY blocks, passwords in
URLs) and conservative about prose, so a memory that mentions "the password policy" or "the
token bucket algorithm" survives intact.
"""

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass

from memory_mcp.policies.text import STOPWORDS

Span = tuple[int, int]


Pick = Callable[[re.Match[str]], tuple[Span, bool]]


def _secret(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("secret"), True


@dataclass(frozen=True)
class Rule:
    kind: str
    pattern: re.Pattern[str]
    # Where the secret is inside a match, and whether it is one on its own: a labelled value
    # that looks like prose is redacted only when it overlaps a secret found by another rule.
    pick: Pick = _secret
    # A token with a shape of its own is also looked for across a line break inside it
    # (a terminal or an editor wrapped it); see redact.py.
    joinable: bool = False
    needles: tuple[str, ...] = ()  # lowercase; every match holds one of them
    # A labelled value's label may also start a camelCase part of a word (`dbPassword`):
    # the pattern without its word-start test, matched at each such part (see matches).
    camel: re.Pattern[str] | None = None

    def may_match(self, lowered: str) -> bool:
        return any(needle in lowered for needle in self.needles)

    def matches(self, text: str, start: int, end: int, parts: list[int]) -> list[re.Match[str]]:
        """The pattern's matches in text[start:end], and the camel pattern's at `parts`
        (camel_parts of that stretch)."""
        found = list(self.pattern.finditer(text, start, end))
        if self.camel is not None and parts:
            for at in parts:
                match = self.camel.match(text, at, end)
                if match is not None:
                    found.append(match)
        return found


_UPPER = re.compile("[A-Z]")


def camel_parts(text: str, start: int, end: int) -> list[int]:
    """Where a camelCase part of a word starts in text[start:end]: an ASCII capital after a
    lowercase letter or digit. Found by the capitals, which `re` skips to (prose has few)."""
    return [
        upper.start()
        for upper in _UPPER.finditer(text, start, end)
        if upper.start() > 0 and text[upper.start() - 1] in _LOWER_OR_DIGIT
    ]


_LOWER_OR_DIGIT = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


# Every pattern is linear: no nested quantifiers over overlapping classes, and each unbounded
# run either ends at a character outside its class or is followed by nothing that can fail.
# Prefixed tokens must not start inside a word, or "risk-..." would look like an "sk-" key.
_START = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])"
_PEM = r"-----{0}[ A-Z0-9]{{0,40}}PRIVATE KEY(?: BLOCK)?-----"
# A key whose END line is missing is still a key, and nothing says where it stops.
_PRIVATE_KEY = rf"(?P<secret>{_PEM.format('BEGIN')}(?:[\s\S]*?{_PEM.format('END')}|[\s\S]*))"
# A PuTTY .ppk file: its header and "Encryption:" line, to the MAC (or the end of the text).
_PUTTY_KEY = (
    r"(?P<secret>PuTTY-User-Key-File-\d+:[ \t]*[\w.@-]+[ \t]*\r?\nEncryption:"
    r"(?:[\s\S]*?Private-(?:MAC|Hash):[ \t]*[0-9A-Fa-f]*|[\s\S]*))"
)
# "aws_secret_access_key = ...", "AWS secret key is ...", '"SecretAccessKey": "..."'.
_AWS_SECRET = (
    r"(?i:aws[ _-]?secret(?:[ _-]?(?:access[ _-]?)?key)?|secret[ _-]?access[ _-]?key)"
    r"(?:\\?[\"'`])?(?:[ \t]*(?::=|=>|[:=])|[ \t]+(?i:is|was)\b[ \t]*:?|(?=[ \t]))[ \t]*"
    r"(?:\\?[\"'`])?"
    r"(?P<secret>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])"
)
_QUOTE = r"(?:\\?[\"'])?"  # a quote, maybe escaped (JSON inside a JSON string)
_HEADER = rf"(?i:authorization){_QUOTE}[ \t]*[:=][ \t]*{_QUOTE}(?i:{{0}})[ \t]+(?P<secret>{{1}})"


def _token(kind: str, needles: str, pattern: str, labelled: bool = False) -> Rule:
    """A token recognised by its own shape (or its label), wherever it stands."""
    secret = pattern if labelled else f"(?P<secret>{pattern})"
    return Rule(kind, re.compile(_START + secret), joinable=True, needles=tuple(needles.split("|")))


def _simple(kind: str, needles: str, pattern: str) -> Rule:
    return Rule(kind, re.compile(pattern), needles=tuple(needles.split("|")))


# Providers' tokens with a prefix of their own: (kind, needles, pattern), each a _token rule.
_PREFIXED = (
    ("age_secret_key", "age-secret-key-1", r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),
    ("vault_token", "hvs.|hvb.|hvr.", r"hv[sbr]\.[A-Za-z0-9_-]{24,}"),
    ("shopify_token", "shpat_|shpca_|shppa_|shpss_", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}"),
    ("digitalocean_token", "dop_v1_|doo_v1_|dor_v1_", r"do[opr]_v1_[a-f0-9]{64}"),
    ("pypi_token", "pypi-ageichlwas5vcmc", r"pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}"),
    ("linear_key", "lin_api_", r"lin_api_[A-Za-z0-9]{40}"),
    ("notion_token", "secret_|ntn_", rf"(?:secret_[A-Za-z0-9]{{43}}|ntn_[A-Za-z0-9]{{40,}}){_END}"),
    ("atlassian_token", "atatt3", r"ATATT3[A-Za-z0-9_=-]{60,}"),
    ("databricks_token", "dapi", rf"dapi[a-f0-9]{{32}}(?:-\d)?{_END}"),
    (
        "grafana_token",
        "glsa_|glc_",
        r"glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,}={0,2}",
    ),
    ("docker_token", "dckr_pat_|dckr_oat_", r"dckr_(?:pat|oat)_[A-Za-z0-9_-]{27,}"),
    ("postman_key", "pmak-", r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}"),
    ("doppler_token", "dp.", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}"),
    ("supabase_key", "sbp_|sb_secret_", r"sbp_[a-f0-9]{40}|sb_secret_[A-Za-z0-9_-]{20,}"),
    ("sentry_token", "sntrys_|sntryu_", r"sntry[su]_[A-Za-z0-9+/=_-]{40,}"),
    ("planetscale_token", "pscale_", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=._-]{32,}"),
    ("pulumi_token", "pul-", rf"pul-[a-f0-9]{{40}}{_END}"),
    ("terraform_token", ".atlasv1.", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,}"),
    ("newrelic_key", "nrak-", rf"NRAK-[A-Z0-9]{{27}}{_END}"),
    ("heroku_key", "hrku-", r"HRKU-[A-Za-z0-9_-]{58,}"),
    ("flyio_token", "fo1_|fm2_", r"fo1_[A-Za-z0-9_-]{43}|fm2_[A-Za-z0-9+/=_-]{64,}"),
    ("mailgun_key", "key-", rf"key-[0-9a-f]{{32}}{_END}"),
    ("mailchimp_key", "-us", rf"[0-9a-f]{{32}}-us\d{{1,2}}{_END}"),
)


# Labelled assignments: a label, then `=`, `:`, `:=`, `=>` or the word "is", then a value.
# The tradeoff between leaking a password and shredding an ordinary memory:
# - a quoted value always counts (quotes are deliberate), unless empty or a placeholder;
# - an unquoted value is one run without spaces or quotes, at least _MIN_VALUE chars long.
#   It stops before "&name=" (the next query parameter) and before a "," or ";" that ends a
#   clause; trailing ".)]}" are punctuation. A password ending in those keeps them visible.
# - after ":" or "is", which prose uses too ("the token: it expires", "the password is
#   required"), an unquoted value must also hold a digit or symbol. So `PASSWORD=swordfish`
#   is caught but "my password is swordfish" is not; "my password is hunter2" is.
# - references are not secrets: $VAR, ${VAR}, %VAR%, <placeholder>, {{ var }}, ****, paths,
#   URLs, code like os.environ["X"] or getpass(), and null/none/true/false.
_MIN_VALUE = 4
_ASSIGN = r":=|=>|=(?!=)"
_SEPARATOR = _QUOTE + r"(?:[ \t]*(?P<sep>{0}){1})[ \t]*"
_IS = r"|[ \t]+(?i:is)(?=[ \t])"
_BARE = r"(?:[^\s\"'`,;&]|[,;](?=[^\s\"'`,;&])|&(?![\w.-]*=))*[^\s\"'`,;&.)\]}]"
_VALUE = rf"(?:\\\"(?P<eq>[^\"\n]*?)\\\"|\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|(?P<bare>{_BARE}))"
_PLACEHOLDERS = frozenset({"null", "none", "nil", "true", "false", "undefined"})
# A label starts a word, or a camelCase part of one (`dbPassword`, `authToken`, `apiSecret`:
# JavaScript, JSON and YAML configs), as a field name does for secret_fields.field_kind. The
# pattern tests a word's start only (one lookbehind, which fails at most positions of prose at
# once); the camelCase parts, which prose has few of, are found apart and the pattern without
# that test is matched at each (Rule.matches). A lookbehind for both cost prose 40% more.
# "[scrubbed]" is what `memory-mcp scrub` left where a secret was (a bare value stops at "]").
_REFERENCE = re.compile(
    r"[$%<]|\{\{|\*+$|\[scrubbed\]?$|[~.]{0,2}/|[A-Za-z_][\w.]*[(\[]|[\w+.-]+://"
)


# An unquoted value that is code, not a secret: an attribute (`key = mod.attr`,
# `settings.DB_PASSWORD`), or after a spaced `=` an identifier with a `_` or a camelCase hump
# (`token = access_token`); neither with a digit, as a password so spelt would have.
_ATTRIBUTE = re.compile(r"[A-Za-z_]+(?:\.[A-Za-z_]+)+")
_IDENTIFIER = re.compile(r"[A-Za-z]*(?:_|[a-z][A-Z])[A-Za-z_]*")
# A number and a unit after "PW=" is a power or a pulse width (`PW=1234 watts`, `PW=20 us`).
_QUANTITY = re.compile(
    r"[ \t]*(?:[kKMGmun\u00b5]?(?:W|Hz|s|V|A)|(?i:watts?|volts?|amps?|percent)|%)(?![A-Za-z])"
)


def _labelled_value(match: re.Match[str]) -> tuple[Span, bool]:
    for group in ("eq", "dq", "sq"):
        value = match.group(group)
        if value is not None:
            return match.span(group), is_value(value)
    value, sep = match.group("bare"), match.group("sep")
    prose = sep in (None, ":")
    worded = len(value) >= _MIN_VALUE and not (prose and value.isalpha())
    spaced = sep == "=" and match.string[match.start("sep") - 1 : match.start("sep")] in " \t"
    code = _ATTRIBUTE.fullmatch(value) or (spaced and _IDENTIFIER.fullmatch(value))
    return match.span("bare"), worded and not code and is_value(value)


def _pw_value(match: re.Match[str]) -> tuple[Span, bool]:
    span, alone = _labelled_value(match)
    value = match.group("bare")
    quantity = value is not None and value.replace(".", "", 1).isdigit()
    return span, alone and not (quantity and _QUANTITY.match(match.string, span[1]))


def is_value(value: str) -> bool:
    """Whether a labelled value is a value, not a placeholder or a reference to one."""
    return bool(value) and value.lower() not in _PLACEHOLDERS and not _REFERENCE.match(value)


def _labelled(
    kind: str, needles: str, labels: str, prose: bool = True, pick: Pick = _labelled_value
) -> Rule:
    """`prose`: also after ":" and "is", which ordinary sentences use as well."""
    separator = (
        _SEPARATOR.format(f"{_ASSIGN}|:(?!:)", _IS) if prose else _SEPARATOR.format(_ASSIGN, "")
    )
    pattern = rf"(?:{labels}){separator}{_VALUE}"
    return Rule(
        kind,
        re.compile(_START + pattern),
        pick,
        needles=tuple(needles.split("|")),
        camel=re.compile(pattern),
    )


# `curl -u user:password` (or --user): a user:group such as `-u 1000:1000` is not a password.
_CURL_USER = re.compile(
    r"(?<!\S)(?:-u|--user)(?:[ \t]+|=)(?:'[^'\n:]*:(?P<sq>[^'\n]+)'|\"[^\"\n:]*:(?P<dq>[^\"\n]+)\""
    r"|[^\s:\"']+:(?P<bare>[^\s\"']+))"
)
_COMMAND_BEFORE = 1_000  # how far back on the line a command (curl, mysql...) is looked for
_CURL_WORD = re.compile(r"(?<![\w-])curl(?![\w-])")


def _curl_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = next(g for g in ("sq", "dq", "bare") if match.group(g) is not None)
    value = match.group(group)
    command = _after(_CURL_WORD, ("curl",), match.string, match.start())
    return match.span(group), command and is_value(value) and not value.isdigit()


# A password given as a flag: `mysql -pSECRET` (attached: `-p NAME` asks, NAME is the
# database), `sshpass -p SECRET`, `docker login -u me -p SECRET`, `--password SECRET`.
_PASSWORD_FLAG = re.compile(
    r"(?<!\S)(?:-p(?:(?P<attached>[^\s\"'=-][^\s\"']*)|'(?P<asq>[^'\n]+)'|\"(?P<adq>[^\"\n]+)\")"
    r"|(?P<flag>-p|--password)[ \t]+"
    r"(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s\"'-][^\s\"']*)))"
)
_MYSQL_WORD = re.compile(r"(?<![\w-])(?:mysql\w*|mariadb[\w-]*)(?![\w-])")
_MYSQL_NEEDLES, _LOGIN_NEEDLES = ("mysql", "mariadb"), ("sshpass", "login", "mongo")
_LOGIN_WORD = re.compile(
    r"(?<![\w-])(?:sshpass|mongo(?:sh|dump|restore|import|export|stat|top)?"
    r"|(?:docker|podman|nerdctl|buildah|skopeo|oras|crane|helm|az|oc|cf)"
    r"(?:[ \t]+[\w-]+)?[ \t]+login)(?![\w-])"
)


def _flag_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = next(
        g for g in ("attached", "asq", "adq", "sq", "dq", "bare") if match.group(g) is not None
    )
    value, text, at = match.group(group), match.string, match.start()
    if group in ("attached", "asq", "adq"):  # `mysqldump -p'two words'`
        command = _after(_MYSQL_WORD, _MYSQL_NEEDLES, text, at)
    else:  # `-p 2222` after a login is a port (ssh, psql); spelt out, the flag says password
        command = _after(_LOGIN_WORD, _LOGIN_NEEDLES, text, at) or (
            match.group("flag") == "--password" and _after(_MYSQL_WORD, _MYSQL_NEEDLES, text, at)
        )
        command = command and not (match.group("flag") == "-p" and value.isdigit())
    return match.span(group), bool(command) and is_value(value)


# A secret as an option's value, spelt with a space (`=` is a labelled value): options named
# for one (`--token X`, `--client-secret X`, gpg's `--passphrase X`, helm's `--password X`)
# when the value holds a digit or symbol (psql's `--password` takes none: `--password mydb`);
# keytool's `-storepass X` always; openssl's `-passin pass:X`; and short options that mean a
# password to their command only (redis-cli -a, ldapsearch -w, sqlcmd/zip -P, ssh-keygen -N).
_OPTION_BARE = r"[^\s\"'-](?:[^\s\"']*[^\s\"';,.)\]}])?"  # a ";" or "," after it ends a clause
_OPTION_VALUE = rf"[ \t]+(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\"|(?P<bare>{_OPTION_BARE}))"
_SHORT_OPTIONS = {
    "-a": re.compile(r"(?<![\w-])redis-cli(?![\w-])"),
    "-w": re.compile(r"(?<![\w-])ldap(?:search|modify|add|delete|whoami|passwd|compare)(?![\w-])"),
    "-P": re.compile(r"(?<![\w-])(?:sqlcmd|bcp|zip|unzip|ssh-keygen)(?![\w-])"),
    "-N": re.compile(r"(?<![\w-])ssh-keygen(?![\w-])"),
}
_SHORT_NEEDLES = ("redis-cli", "ldap", "sqlcmd", "bcp", "zip", "ssh-keygen")


def _option_value(match: re.Match[str]) -> tuple[Span, bool]:
    found = match.groupdict()
    group = next(g for g in ("sq", "dq", "bare") if found.get(g) is not None)
    value, flag = match.group(group), match.group("flag")
    if flag in _SHORT_OPTIONS:  # `zip -P is the flag` names the option in prose
        named = group != "bare" or value.lower() not in STOPWORDS
        named = named and _after(_SHORT_OPTIONS[flag], _SHORT_NEEDLES, match.string, match.start())
    elif flag.startswith("--"):  # a bare word is prose naming the option, or psql's database
        named = group != "bare" or (len(value) >= _MIN_VALUE and not value.isalpha())
    else:  # keytool's -storepass, openssl's -passin pass:
        named = True
    return match.span(group), named and is_value(value)


_OPENSSL_PASS = re.compile(
    rf"(?<!\S)(?P<flag>-pass(?:in|out)?)[ \t]+[\"']?pass:(?P<bare>{_OPTION_BARE})"
)


def _option(kind: str, needles: str, flags: str) -> Rule:
    pattern = re.compile(rf"(?<!\S)(?P<flag>{flags}){_OPTION_VALUE}")
    return Rule(kind, pattern, _option_value, needles=tuple(needles.split("|")))


# A cookie in a `Cookie:` or `Set-Cookie:` header, named for a session or a credential
# (session, connect.sid, PHPSESSID, auth_token, remember_me): its value; `theme=dark` stays.
_COOKIE = re.compile(r"(?<![^\s;:\"'])(?P<name>[\w.$-]{1,64})=(?P<secret>[^\s;,\"']+)")
_COOKIE_NAME = re.compile(r"(?i:sess|sid|token|auth|jwt|remember|login|secret|csrf|xsrf|key)")
_COOKIE_HEADER = re.compile(r"(?i)(?<![\w-])(?:set-)?cookie[\"']?[ \t]*:")


def _cookie_value(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group("secret")
    secret = len(value) >= _MIN_VALUE and is_value(value)
    secret = secret and _COOKIE_NAME.search(match.group("name")) is not None
    header = secret and _after(_COOKIE_HEADER, ("cookie",), match.string, match.start())
    return match.span("secret"), bool(header)


# `user:password` in base64, as Docker's config.json ("auth": "...") and .npmrc (_auth=...)
# keep a registry login; a value that does not decode to a pair is left alone.
_AUTH_PAIR = re.compile(
    r"(?<![\w-])(?:\\?\"auth\\?\"[ \t]*:|auth[ \t]*:|_auth[ \t]*=)[ \t]*\\?\"?"
    r"(?P<secret>[A-Za-z0-9+/]{8,}={0,2})(?![A-Za-z0-9+/=])"
)
# A .netrc entry: machine HOST (or default), login, then the password, on one or more lines.
_NETRC = re.compile(
    r"(?<![\w-])(?:machine[ \t\r\n]+(?:[^\s.]+\.[^\s]+|localhost)|default)"
    r"[ \t\r\n]+login[ \t\r\n]+\S+[ \t\r\n]+password[ \t\r\n]+(?P<secret>\S+)"
)


def _auth_pair(match: re.Match[str]) -> tuple[Span, bool]:
    value = match.group("secret")
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return match.span("secret"), False
    return match.span("secret"), ":" in decoded and decoded.isprintable()


def _after(word: re.Pattern[str], needles: tuple[str, ...], text: str, at: int) -> bool:
    """Whether `word` (holding one of `needles`, lowercase) comes earlier in the same command:
    on the same line, or on lines continued with a backslash (at most _COMMAND_BEFORE characters
    back). The needles are looked for first, so a flood of flags stays cheap."""
    since = max(at - _COMMAND_BEFORE, 0)
    newline = text.rfind("\n", since, at)
    while newline > since:
        before = newline - 1 - (text[newline - 1] == "\r")
        if before < 0 or text[before] != "\\":
            break
        newline = text.rfind("\n", since, newline)
    since = max(newline + 1, since)
    window = text[since:at].lower()
    return any(n in window for n in needles) and word.search(text, since, at) is not None


# Earlier rules win when two find the same span, so specific kinds come before generic ones.
# The needles (before each pattern) are what every match holds, lowercased: a rule whose
# needles are all absent from a text is not run on it, which keeps ordinary prose cheap.
# A case-sensitive pattern's needles spell its literal start in full ("glpat-", not "gl",
# which "global", the default scope, holds); a case-insensitive one's stay as they were,
# since `re` matches "ı" and "ſ" for "i" and "s" where lower() keeps them apart.
RULES = (
    _simple("private_key", "private key", _PRIVATE_KEY),
    _simple("private_key", "putty-user-key-file-", _PUTTY_KEY),
    _token("aws_access_key", "akia|asia", rf"(?:AKIA|ASIA)[A-Z0-9]{{16}}{_END}"),
    _token("aws_secret_key", "secret", _AWS_SECRET, labelled=True),
    _token(
        "github_token",
        "ghp_|gho_|ghu_|ghs_|ghr_|github_pat_",
        r"gh[pousr]_[A-Za-z0-9]{36,}|github_pat_\w{22,}",
    ),
    _token("gitlab_token", "glpat-|gldt-|glrt-|glptt-", r"gl(?:pat|dt|rt|ptt)-[A-Za-z0-9_-]{20,}"),
    _token("slack_token", "xox|xapp", r"(?:xox[abcdeoprs]|xoxe\.xox[bp]|xapp)-[A-Za-z0-9-]{10,}"),
    _simple(
        "webhook_url",
        "hooks.slack.com",
        r"(?i:https?://hooks\.slack\.com/(?:services|workflows|triggers)/)"
        r"(?P<secret>[A-Za-z0-9_/-]{20,})",
    ),
    _simple(
        "webhook_url",
        "/api/webhooks/",
        r"(?i:https?://(?:ptb\.|canary\.)?discord(?:app)?\.com/api/webhooks/)"
        r"(?P<secret>\d+/[A-Za-z0-9_-]{30,})",
    ),
    _token("anthropic_key", "sk-ant-", r"sk-ant-[A-Za-z0-9_-]{20,}"),
    _token(
        "openai_key",
        "sk-",
        r"sk-(?!ant-)(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,}|[A-Za-z0-9]{20,})",
    ),
    _token("google_api_key", "aiza", rf"AIza[A-Za-z0-9_-]{{35}}{_END}"),
    _token(
        "google_oauth",
        "gocspx-|ya29.|1//0",
        r"GOCSPX-[A-Za-z0-9_-]{24,}|ya29\.[A-Za-z0-9_-]{20,}|(?<![/:])1//0[A-Za-z0-9_-]{30,}",
    ),
    _token(
        "stripe_key",
        "_live_|_test_|whsec_",
        r"(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|whsec_[A-Za-z0-9+/]{24,}",
    ),
    _token("huggingface_token", "hf_", rf"hf_[A-Za-z0-9]{{30,}}{_END}"),
    _token("npm_token", "npm_", rf"npm_[A-Za-z0-9]{{36}}{_END}"),
    _token("sendgrid_key", "sg.", r"SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}"),
    _token("telegram_token", ":aa", r"(?<![\d:])\d{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])"),
    *(_token(kind, needles, pattern) for kind, needles, pattern in _PREFIXED),
    _simple(
        "azure_key",
        "accountkey=|sharedaccesskey=",
        r"(?i:(?<![A-Za-z0-9])(?:Account|SharedAccess)Key=)(?P<secret>[A-Za-z0-9+/]{30,}={0,2})",
    ),
    _simple("azure_key", "sig=", r"[?&]sig=(?P<secret>[A-Za-z0-9%+/=]{30,})"),
    _simple("azure_key", "q~", r"(?<![\w~.-])(?P<secret>[\w.-]{3}\dQ~[\w~.-]{31,34})(?![\w~.-])"),
    _token("jwt", "eyj", r"eyJ[\w-]{10,}\.[\w-]{10,}\.[\w-]*(?:\.[\w-]+){0,2}"),
    _simple(
        "bearer_token",
        "authorization",
        _START + _HEADER.format("bearer|token", r"[A-Za-z0-9._~+/=-]{8,}"),
    ),
    _simple("basic_auth", "authorization", _START + _HEADER.format("basic", r"[A-Za-z0-9+/=]{8,}")),
    Rule("basic_auth", _AUTH_PAIR, _auth_pair, needles=("auth",)),
    Rule("password", _NETRC, needles=("login",)),  # prose says "password" more often
    # Only the password goes: scheme, user and host say which service, which is worth keeping.
    # The password runs to the last "@" of the authority, since people paste unescaped ones.
    _simple(
        "url_password", "://", r"(?<=[A-Za-z0-9]://)[^\s:/@]*:(?P<secret>[^\s/@]+(?:@[^\s/@]+)*)@"
    ),
    Rule("password", _CURL_USER, _curl_password, needles=("-u",)),
    Rule("password", _PASSWORD_FLAG, _flag_password, needles=("-p",)),
    _option(
        "password",
        "--pass|storepass|keypass",
        r"--(?:password|passwd|pass|passphrase)|-(?:src|dest|new)?(?:store|key)pass",
    ),
    Rule("password", _OPENSSL_PASS, _option_value, needles=("pass:",)),
    _option("password", "-a|-w|-p|-n", r"-[awPN]"),
    _option("secret", "--secret|--client-secret", r"--(?:client-)?secret"),
    _option("api_key", "--api", r"--api-?key"),
    _option("token", "-token", r"--(?:auth-|access-|bot-)?token"),
    _labelled("password", "pass|pwd", r"(?i:passw(?:or)?d|pwd|passphrase|passcode)"),
    # "pw: X", "pw=X"; not "pw:api" (a debug namespace) or f"pw:{name}".
    _labelled("password", "pw", r"(?i:pw)(?=[ \t]*(?:=|:[ \t]))", pick=_pw_value),
    # Names of settings: DB_PASS, smtp-pass, PGPASSWORD, MYSQL_PWD.
    _labelled("password", "_pass|-pass", r"(?i:[a-z0-9]+[_-]pass)"),
    _labelled("password", "pass|pwd", r"[A-Z0-9]+(?:PASSWORD|PASSWD|PASS|PWD)"),
    _labelled("password", "pass", r"(?i:pass)", prose=False),  # not "first pass: 2024"
    # The word in other languages notes are written in: "Passwort:", "mot de passe :".
    _labelled(
        "password",
        "pass|wort|contrase|senha|woord|hasło|пароль",
        r"(?i:passwort|kennwort|mot[ _]de[ _]passe|contrase[ñn]a|senha|wachtwoord|hasło|пароль)",
    ),
    Rule("session_cookie", _COOKIE, _cookie_value, needles=("cookie",)),
    _labelled("secret", "secret", r"(?i:(?:client[_-]?)?secret(?:[_-]?key(?:[_-]?base)?)?)"),
    _labelled("private_key", "key-data|key_data", r"(?i:client[_-]key[_-]data)"),  # kubeconfig
    # Keys named for what they guard (.env: APP_KEY, ENCRYPTION_KEY, JWT_SIGNING_KEY); not
    # primary_key, sort_key, cache_key, which name no secret.
    _labelled(
        "secret",
        "private|encryption|signing|master|app|session|cookie|jwt|hmac|license|decryption|cipher",
        r"(?i:(?:private|encryption|signing|master|app|session|cookie|jwt|hmac|license"
        r"|decryption|cipher)[_-]?key)",
    ),
    _labelled("api_key", "api", r"(?i:api[ _-]?key)"),
    # Not .NET's publicKeyToken="b77a5c561934e089", a public assembly's name.
    _labelled(
        "token",
        "token",
        r"(?<!(?i:publickey))(?<!(?i:public[_-]key)[_-])(?i:(?:access[_-]?)?token)",
    ),
)
KINDS = ("private", *dict.fromkeys(rule.kind for rule in RULES))
