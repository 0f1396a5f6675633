"""What secrets look like: one rule per shape, for redact.py to apply. No I/O.

Strict about shapes only secrets have (provider prefixes, PEM and PuTTY blocks, passwords in
URLs) and conservative about prose, so a memory that mentions "the password policy" or "the
token bucket algorithm" survives intact.
"""

import base64
import re

from memory_mcp.policies.secret_calls import CALLS
from memory_mcp.policies.secret_commands import COMMAND_LINES
from memory_mcp.policies.secret_fields import MARKUP
from memory_mcp.policies.secret_files import COOKIE, CREDENTIAL_FILES
from memory_mcp.policies.secret_labelled import labelled_value, pw_value, url_password
from memory_mcp.policies.secret_logins import LOGINS
from memory_mcp.policies.secret_prose import PROSE
from memory_mcp.policies.secret_rule import Pick, Rule, Span
from memory_mcp.policies.secret_statements import STATEMENTS

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


# A Discord bot token: the bot's id in base64 (a number, so it starts M, N or O), a dot, a
# time, a dot, an HMAC. No literal part: found by its shape, kept if the id decodes to one.
_DISCORD = r"[MNO][A-Za-z\d_-]{23,27}\.[A-Za-z\d_-]{6,7}\.[A-Za-z\d_-]{27,40}"


def _discord_token(match: re.Match[str]) -> tuple[Span, bool]:
    head = match.group("secret").partition(".")[0]
    try:
        user = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)).decode("ascii")
    except ValueError:
        return match.span("secret"), False
    return match.span("secret"), user.isdigit()


DISCORD_TOKEN = Rule(
    "discord_token",
    re.compile(rf"{_START}(?P<secret>{_DISCORD})(?![\w.-])"),
    _discord_token,
    joinable=True,
    shape=re.compile(r"\.[a-z\d_-]{6,7}\.[a-z\d_-]{27}"),  # from a dot: re skips to one
)


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
# - an unquoted value is one run without spaces, at least MIN_VALUE chars long, and never
#   left partly in clear (secret_values.py): it runs through ",", ";", "&" and quotes inside
#   it (`DB_PASSWORD=abc,def=Hunter2` is masked whole), stopping at the next separator only
#   where the label is an item of a list that separator divides (a query's "&", a
#   connection string's ";", mount's ","), and before a "," or ";" that ends a clause; a
#   final "." and a closing bracket opened before the label are punctuation;
# - a quoted value runs past escaped quotes (`"ab\"cd"`) and what the shell joins to it
#   (`'ab'\''cd'`, `"ab"cd`);
# - after ":" or "is", which prose uses too ("the token: it expires", "the password is
#   required"), an unquoted value must also hold a digit or symbol. So `PASSWORD=swordfish`
#   is caught but "my password is swordfish" is not; "my password is hunter2" is.
# - references are not secrets: $VAR, ${VAR}, %VAR%, <placeholder>, {{ var }}, ****, paths,
#   URLs, code like os.environ["X"] or getpass(), and null/none/true/false.
_ASSIGN = r":=|\?=|=>|=(?!=)"  # `?=`: a Makefile's default
# A YAML tag before the value is not the value: `password: !!binary aHVudGVy…` (base64 of
# the secret), `!!str 1234`; never read as the value itself.
_SEPARATOR = (
    _QUOTE + r"(?:[ \t]*(?P<sep>{0}){1})[ \t]*(?:(?>!!?[A-Za-z]+[ \t]+)|(?!!!?[A-Za-z]+[ \t]))"
)
# "is" in the languages of the labels: "mot de passe est", "Passwort ist", "contraseña es".
# A short complement may stand between the label and "is": "the password for the wifi is",
# "le mot de passe du wifi est", "la contraseña del wifi es" (at most four words, none a
# label's `:` or `=`), and before a ":" ("Senha do banco:", "password for staging:").
_FOR = (
    r"(?i:for|of|on|de|du|des|pour|für|vom|von|zum|zur|del|do|da|dos|das|per|di|della)"
    r"(?:[ \t]+[^\s:=]+){1,4}?"
)
_IS = (
    rf"|[ \t]+(?:{_FOR}[ \t]+)?(?i:is|was|est|était|ist|war|lautet|es|era|é|è)(?=[ \t])"
    r"|['\u2019]s(?=[ \t])"  # "the password's …"
    rf"|[ \t]+{_FOR}[ \t]*:(?![:/])"
)
# The longest run a value could be (secret_values.bare_end decides where it ends): through a
# ",", ";" or "&" that a non-space follows, mount's ",," (a "," in its value), a space the
# shell's backslash escapes (`abc\ def`) and a quote that does not close it (`abc'def`).
_BARE = (
    r"[^\s\"'`,;&](?:\\[ \t]|[^\s\"'`,;&]|,,(?=[^\s,;&])|[,;&](?=[^\s,;&])"
    r"|[\"'`](?=[^\s>/,;.)\]}\"'`]))*"
)
# A quote the line does not close opens a value running to the line's end (a dotenv value
# over lines, a text cut short): it would otherwise be left in clear whole. Looked at, not
# taken, so a label later on the line is still read.
# C#'s interpolated and verbatim strings (`$"…"`, `@"…"`, `$@"…"`) and Python's f-strings
# (`f"…"`, `rf'…'`) are strings all the same.
_VALUE = (
    rf"(?:[$@]{{1,2}}(?=\")|(?P<f>[fF][rR]?|[rR][fF])(?=[\"']))?(?:\\\"(?P<eq>[^\"\n]*?)\\\"|\"(?P<dq>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'"
    rf"|[\"'](?=(?P<open>[^\"'\n][^\n]*))|(?P<bare>{_BARE}))"
)
# A label starts a word, or a camelCase part of one (`dbPassword`, `authToken`, `apiSecret`:
# JavaScript, JSON and YAML configs), as a field name does for secret_fields.field_kind. The
# pattern tests a word's start only (one lookbehind, which fails at most positions of prose at
# once); the camelCase parts, which prose has few of, are found apart and the pattern without
# that test is matched at each (Rule.matches). A lookbehind for both cost prose 40% more.


def _labelled(
    kind: str,
    needles: str,
    labels: str,
    prose: bool = True,
    pick: Pick = labelled_value,
    first: str = "",
) -> Rule:
    """`prose`: also after ":" and "is", which ordinary sentences use as well; `first`: the
    letters a label starts with (either case), looked for first (below)."""
    separator = (
        _SEPARATOR.format(f"{_ASSIGN}|:(?!:)", _IS) if prose else _SEPARATOR.format(_ASSIGN, "")
    )
    pattern = rf"(?:{labels}){separator}{_VALUE}"
    return Rule(
        kind,
        re.compile(_first(first) + _START + pattern),
        pick,
        needles=tuple(needles.split("|")),
        camel=re.compile(pattern),
    )


def _first(letters: str) -> str:
    """A lookahead for a label's first letter, in either case: `re` then skips to the
    positions holding one (a text with a label word, `benchmarks/redact_speed.py`'s
    `labelled`, cost ~10% less than with the word-start test tried at every position).
    With the letters `(?i:)` also matches: the Kelvin sign for k, the long s for s."""
    if not letters:
        return ""
    both = "".join(dict.fromkeys(letters.lower() + letters.upper()))
    both += "\u212a" * ("k" in letters) + "\u017f" * ("s" in letters)
    return f"(?=[{both}])"


# What a key guards, in its name (below): each a needle with the key (`app_key`), so a text
# saying "app" or "session" alone does not run the rule.
_GUARDS = "private encryption signing master app session cookie jwt hmac license decryption cipher"


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
    DISCORD_TOKEN,
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
    *CREDENTIAL_FILES,
    *MARKUP,
    # Only the password goes: scheme, user and host say which service, which is worth keeping;
    # a template's hole in its place (`{pw}`, `${PGPASSWORD}`, `<password>`) is no password.
    # The password runs to the last "@" of the authority, since people paste unescaped ones.
    Rule(
        "url_password",
        re.compile(r"(?<=[A-Za-z0-9]://)[^\s:/@]*:(?P<secret>[^\s/@]+(?:@[^\s/@]+)*)@"),
        url_password,
        needles=("://",),
    ),
    *COMMAND_LINES,
    *STATEMENTS,
    *CALLS,
    *PROSE,
    *LOGINS,
    _labelled("password", "pass|pwd", r"(?i:passw(?:or)?d|pwd|passphrase|passcode)", first="p"),
    # "pw: X", "pw=X"; not "pw:api" (a debug namespace) or f"pw:{name}".
    _labelled("password", "pw", r"(?i:pw)(?=[ \t]*(?:=|:[ \t]))", pick=pw_value, first="p"),
    # Names of settings: DB_PASS, smtp-pass, PGPASSWORD, MYSQL_PWD.
    _labelled("password", "_pass|-pass", r"(?i:[a-z0-9]+[_-]pass)"),
    _labelled("password", "pass|pwd", r"[A-Z0-9]+(?:PASSWORD|PASSWD|PASS|PWD)"),
    # Not "first pass: 2024"; its needles are what may follow the word (a quote, a space, a
    # separator), so a text saying "password" alone does not run it.
    _labelled(
        "password",
        "pass=|pass:|pass?|pass |pass\t|pass\"|pass'|pass\\",
        r"(?i:pass)",
        prose=False,
        first="p",
    ),
    # A security question's answer, a memorable word: what a bank's login asks for.
    _labelled(
        "password",
        # a label's first word: a needle starting with a common letter cost all prose
        "security|secret answer|secret_answer|secret-answer|secret question|secret_question"
        "|secret-question|memorable",
        r"(?i:(?:security|secret)(?:[ _-]question)?[ _-]answer"
        r"|memorable[ _-](?:word|information|phrase))",
        first="sm",
    ),
    # The word in other languages notes are written in: "Passwort:", "mot de passe :".
    _labelled(
        "password",
        "de passe|de_passe|a passe|a_passe|a-passe|wort|contrase|senha|woord|hasło|пароль|mdp"
        "|clave|parola",
        r"(?i:passwort|kennwort|mot[ _]de[ _]passe|contrase[ñn]a|senha"
        r"|wachtwoord|hasło|пароль|mdp|clave|palavra[ _-]passe|parola[ _]d'ordine)",
        first="pkmcswhп",
    ),
    # German compounds end with the word ("Zugangspasswort", "Datenbankkennwort"): a rule of
    # their own, run only on a text holding the German word (its prefix costs each word).
    _labelled("password", "passwort|kennwort", r"(?i:[a-zäöüß]+(?:passwort|kennwort))"),
    # A WPA pre-shared key: wpa_supplicant's `psk="…"`, NetworkManager's `psk=…`; not after
    # ":", as OpenSSL's cipher lists say `PSK:!RC4`.
    _labelled(
        "password",
        "psk|pre-shared|pre_shared|preshared",
        r"(?i:(?:wpa[_-]?)?psk|pre[_-]?shared[_-]?key)",
        prose=False,
        first="wp",
    ),
    COOKIE,
    _labelled(
        "secret",
        "secret",
        r"(?i:(?:client[_-]?)?secret(?:[_-]?access)?(?:[_-]?key(?:[_-]?base)?)?)",
        first="cs",
    ),
    _labelled(
        "private_key", "key-data|key_data", r"(?i:client[_-]key[_-]data)", first="c"
    ),  # kubeconfig
    # Keys named for what they guard (.env: APP_KEY, ENCRYPTION_KEY, JWT_SIGNING_KEY); not
    # primary_key, sort_key, cache_key, which name no secret.
    _labelled(
        "secret",
        "|".join(f"{word}{joint}key" for word in _GUARDS.split() for joint in ("", "_", "-")),
        rf"(?i:(?:{_GUARDS.replace(' ', '|')})[_-]?key)",
        first="pesmacjhld",
    ),
    _labelled("api_key", "api", r"(?i:api[ _-]?key)", first="a"),
    # Not .NET's publicKeyToken="b77a5c561934e089", a public assembly's name.
    _labelled(
        "token",
        "token",
        r"(?<!(?i:publickey))(?<!(?i:public[_-]key)[_-])(?i:(?:access[_-]?)?token)",
        first="at",
    ),
)
KINDS = ("private", *dict.fromkeys(rule.kind for rule in RULES))
