"""Secrets on a command line: `curl -u`, HTTPie's `-a`, password flags and options,
smbclient's `-U user%pass`, Windows' `net use`, `cmdkey /pass:` and `ConvertTo-SecureString`,
mount.cifs's `user=u%pass`, chpasswd's and htpasswd's input, Python's auth tuples, a
password piped to a login. No I/O; secrets.py lists them (secret_files.py the files')."""

import re

from memory_mcp.policies.secret_rule import MIN_VALUE, Rule, Span, is_value, quoted_group
from memory_mcp.policies.text import STOPWORDS

# `curl -u user:password` (or --user): a user:group such as `-u 1000:1000` is not a password.
_CURL_USER = re.compile(
    r"(?<!\S)(?:-u|--user)(?:[ \t]+|=)(?:'[^'\n:]*:(?P<sq>[^'\n]+)'|\"[^\"\n:]*:(?P<dq>[^\"\n]+)\""
    r"|[^\s:\"']+:(?P<bare>[^\s\"']+))"
)
_COMMAND_BEFORE = 1_000  # how far back on the line a command (curl, mysql...) is looked for
_CURL_WORD = re.compile(r"(?<![\w-])curl(?![\w-])")


def _curl_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    value = match.group(group)
    command = after_command(_CURL_WORD, ("curl",), match.string, match.start())
    return match.span(group), command and is_value(value) and not value.isdigit()


# HTTPie's and xh's `-a user:password` (or --auth), after the command itself (`http`
# followed by a space: the scheme of a URL is no command).
_HTTPIE_AUTH = re.compile(_CURL_USER.pattern.replace("(?:-u|--user)", "(?:-a|--auth)", 1))
_HTTPIE_WORD = re.compile(r"(?<![\w-])(?:https?|xhs?)(?=[ \t])")


def _httpie_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    value = match.group(group)
    command = after_command(_HTTPIE_WORD, ("http", "xh"), match.string, match.start())
    return match.span(group), command and is_value(value) and not value.isdigit()


# A password given as a flag: `mysql -pSECRET` (attached: `-p NAME` asks, NAME is the
# database), `sshpass -p SECRET`, `docker login -u me -p SECRET`, `--password SECRET`.
_PASSWORD_FLAG = re.compile(
    r"(?<!\S)(?:-p(?:(?P<attached>[^\s\"'=-][^\s\"']*)|'(?P<asq>[^'\n]+)'|\"(?P<adq>[^\"\n]+)\")"
    r"|(?P<flag>-p|--password)[ \t]+"
    r"(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s\"'-][^\s\"']*)))"
)
_MYSQL_WORD = re.compile(r"(?<![\w-])(?:mysql\w*|mariadb[\w-]*)(?![\w-])")
_MYSQL_NEEDLES = ("mysql", "mariadb")
_LOGIN_NEEDLES = ("sshpass", "login", "mongo", "psexec", "paexec")
# Commands taking the password attached to -p: mysql's and archivers' (`7z x a.7z -pSECRET`).
_ATTACHED_WORD = re.compile(
    r"(?<![\w-])(?:mysql\w*|mariadb[\w-]*|7z[arz]?|(?:un)?rar)(?:\.exe)?(?![\w-])"
)
_ATTACHED_NEEDLES = (*_MYSQL_NEEDLES, "7z", "rar")
_LOGIN_WORD = re.compile(
    r"(?<![\w-])(?:sshpass|psexec(?:64)?|paexec|mongo(?:sh|dump|restore|import|export|stat|top)?"
    r"|(?:docker|podman|nerdctl|buildah|skopeo|oras|crane|helm|az|oc|cf)"
    r"(?:[ \t]+[\w-]+)?[ \t]+login)(?![\w-])"
)


def _flag_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = next(
        g for g in ("attached", "asq", "adq", "sq", "dq", "bare") if match.group(g) is not None
    )
    value, text, at = match.group(group), match.string, match.start()
    if group in ("attached", "asq", "adq"):  # `mysqldump -p'two words'`
        command = after_command(_ATTACHED_WORD, _ATTACHED_NEEDLES, text, at)
    else:  # `-p 2222` after a login is a port (ssh, psql); spelt out, the flag says password
        command = after_command(_LOGIN_WORD, _LOGIN_NEEDLES, text, at) or (
            match.group("flag") == "--password"
            and after_command(_MYSQL_WORD, _MYSQL_NEEDLES, text, at)
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
    "-k": re.compile(r"(?<![\w-])openssl[ \t]+(?:enc|aes-?\w*|des\w*|bf\w*|camellia\w*)(?![\w-])"),
}
_SHORT_NEEDLES = ("redis-cli", "ldap", "sqlcmd", "bcp", "zip", "ssh-keygen", "openssl")


def _option_value(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    value, flag = match.group(group), match.group("flag")
    if flag in _SHORT_OPTIONS:  # `zip -P is the flag` names the option in prose
        if not after_command(_SHORT_OPTIONS[flag], _SHORT_NEEDLES, match.string, match.start()):
            return (match.start(group), match.start(group)), False  # another command's flag
        named = group != "bare" or (value.lower() not in STOPWORDS and value[0] not in "([")
    elif flag.startswith("--") or flag in _WORD_OPTIONS:  # prose naming it, psql's database
        named = group != "bare" or (len(value) >= MIN_VALUE and not value.isalpha())
    else:  # keytool's -storepass, openssl's -passin pass:
        named = True
    return match.span(group), named and is_value(value)


_WORD_OPTIONS = {"-password", "-passwd", "-pwd", "-pw"}
_OPENSSL_PASS = re.compile(
    rf"(?<!\S)(?P<flag>-pass(?:in|out)?)[ \t]+[\"']?pass:(?P<bare>{_OPTION_BARE})"
)


def _option(kind: str, needles: str, flags: str) -> Rule:
    pattern = re.compile(rf"(?<!\S)(?P<flag>{flags}){_OPTION_VALUE}")
    return Rule(kind, pattern, _option_value, needles=tuple(needles.split("|")))


def after_command(word: re.Pattern[str], needles: tuple[str, ...], text: str, at: int) -> bool:
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


# smbclient's `-U user%password` (rpcclient, smbcacls, smbget, Samba's `net ads|rpc|...`
# too), the user perhaps `DOMAIN\user`: after the "%".
_SMB_USER = re.compile(
    r"(?<!\S)(?:-U(?:[ \t]+|=)?|--user(?:[ \t]+|=))"  # -U attached too: `-UCORP\ann%...`
    r"(?:'[^'\n%]*%(?P<sq>[^'\n]+)'|\"[^\"\n%]*%(?P<dq>[^\"\n]+)\""
    r"|[^\s%\"']+%(?P<bare>[^\s\"']*[^\s\"';,]))"  # a ";" or "," after it ends a clause
)
_SMB_WORD = re.compile(
    r"(?<![\w-])(?:smbclient|rpcclient|smbcacls|smbget"
    r"|net[ \t]+(?:ads|rpc|rap|sam|join|user|group|share|usershare|time|dom|cache|conf"
    r"|registry|status|lookup|idmap|groupmap|offlinejoin|changesecretpw))(?![\w-])"
)


def _smb_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    command = after_command(_SMB_WORD, ("smb", "rpcclient", "net"), match.string, match.start())
    return match.span(group), command and is_value(match.group(group))


# Windows' `net use [X:] \\srv\share PASSWORD /user:DOM\ann` (the password before or after
# the options): the one argument that is neither the device, the share nor an option (`*`
# asks for it), standing where an argument ends (before an option, the line's end or a
# `&`, `|`, `;`, or a backtick closing the command): on a line that names a user (/user: or
# /u:), as a command would, or holding a digit or a symbol (`net use \\srv\share daily` is
# prose).
_NET_USE = re.compile(
    r"(?<![\w-])(?i:net)[ \t]+(?i:use)(?:[ \t]+(?:[A-Za-z]:|\*))?[ \t]+\\\\[^\s\\]+\\\S*"
    r"(?:[ \t]+/\S+)*[ \t]+(?:\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s/*\"'`](?:[^\s\"'`]|`(?=\S))*))"
    r"(?=[ \t]*(?:[\r\n/&|;`)]|$))"
)
_NET_USER = re.compile(r"[ \t]/(?i:u(?:ser)?):[^\s/]")
# Where a line is a command, not prose: its start (after a prompt: `C:\>`, `PS C:\x>`, `$`,
# `>`), or after a backtick, `&&`, `&`, `|` or `||` (not `;`, which prose uses as well).
_COMMAND_START = re.compile(
    r"(?:[ \t]*(?:(?:PS[ \t]+)?[A-Za-z]:\\[^\r\n>]{0,200}>|[$#>])?|.*(?:`|&|\|))[ \t]*"
)
# How far past a `net use` password its /user: option is looked for (to the line's end, at
# most): a command is far shorter, and a line of thousands of them was read to its end for
# each, quadratic in the line's length (a 640 KB pasted line: 70 s).
NET_USE_REACH = 1_000


def _net_use_password(match: re.Match[str]) -> tuple[Span, bool]:
    group = "dq" if match.group("dq") is not None else "bare"
    value, text = match.group(group), match.string
    reach = min(len(text), match.end() + NET_USE_REACH)
    line_end = text.find("\n", match.end(), reach)
    named = _NET_USER.search(text, match.start(), reach if line_end < 0 else line_end)
    word = group == "dq" or value.lower() not in STOPWORDS  # `/user:ann then` is prose
    shaped = group == "dq" or not value.rstrip(".,").isalpha()  # "… daily." ends a sentence
    commanded = named is not None or shaped or _commanded(text, match.start())
    return match.span(group), commanded and word and is_value(value)


def _commanded(text: str, at: int) -> bool:
    """Whether what starts at `at` stands where a command does (_COMMAND_START); in a
    Markdown table's row a `|` parts cells, and prose in a cell is no command."""
    line = text.rfind("\n", max(at - _COMMAND_BEFORE, 0), at) + 1
    if line == 0 and at > _COMMAND_BEFORE:
        return False
    start = _COMMAND_START.fullmatch(text, line, at)
    if start is None:
        return False
    return not _TABLE_ROW.match(text, line) or _IN_CELL.fullmatch(text, line, at) is not None


# A Markdown table's row starts with a `|` (GitHub's tables and most others write one).
_TABLE_ROW = re.compile(r"[ \t]*\|")
# In a row, a command starts a cell only after a backtick, `&&` or a lone `&`.
_IN_CELL = re.compile(r".*(?:`|&)[ \t]*")


# mount.cifs's `-o user=DOM\ann%PASSWORD` (username= too), in a mount command or an fstab
# line of type cifs or smb3: after the "%", to the next option's "," (one in a password is
# written ",,", mount.cifs's escape) or a space. A URL's `?user=a%20b` names no mount.
_CIFS_USER = re.compile(r"(?<![^\s,\"'])user(?:name)?=[^\s,%\"']+%(?P<secret>(?:,,|[^\s,\"'])+)")
_CIFS_WORD = re.compile(r"(?<![\w-])(?:mount(?:\.cifs|\.smb3)?|cifs|smb3)(?![\w-])")


def _cifs_password(match: re.Match[str]) -> tuple[Span, bool]:
    command = after_command(_CIFS_WORD, ("mount", "cifs", "smb3"), match.string, match.start())
    return match.span("secret"), command and is_value(match.group("secret"))


# Windows' `cmdkey /add:HOST /user:U /pass:PASSWORD` (/pass alone asks for it).
_CMDKEY = re.compile(
    r"(?<![\w-])(?i:cmdkey)(?:\.exe)?[ \t][^\r\n]{0,500}?[ \t]/(?i:pass):"
    r"(?:\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s\"/][^\s\"]*))"
)
# PowerShell's `ConvertTo-SecureString 'PASSWORD' -AsPlainText`: a literal, not a $variable.
_SECURE_STRING = re.compile(
    r"(?<![\w-])(?i:ConvertTo-SecureString)[ \t]+(?:-(?i:String)[ \t]+)?"
    r"(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\")"
)


def _quoted_or_bare(match: re.Match[str]) -> tuple[Span, bool]:
    found = match.groupdict()
    group = next(g for g in ("sq", "dq", "bare", "sq2", "dq2", "bare2") if found.get(g) is not None)
    return match.span(group), is_value(match.group(group))


# Passwords as a command's positional argument: `net user NAME PASSWORD` (Windows),
# `rabbitmqctl add_user|change_password NAME PASSWORD`, `lftp -u NAME,PASSWORD`, and a token
# after `vault login`. A word of letters only counts where the line is a command (as for
# `net use`) and, but for lftp's, ends it (_COMMAND_END): "net user bob then" and a line
# "Net user growth slowed to 3%" stay. The password is a word of its own (a space before
# it: `net user bob /add` has none, not "b"), not a shell operator (`| Net user a | b |`).
_POSITIONAL = re.compile(
    r"(?<![\w-])(?:(?:(?i:net)[ \t]+(?i:user)[ \t]+(?P<u1>[^\s/*\"']+)"
    r"|rabbitmqctl[ \t]+(?:add_user|change_password)[ \t]+(?P<u2>\S+)"
    r"|vault[ \t]+login)[ \t]+"
    r"|lftp(?:[ \t]+-\w+)*[ \t]+-u[ \t]+(?P<u3>[^\s,]+),)"
    r"(?:\"(?P<dq>[^\"\n]+)\"|'(?P<sq>[^'\n]+)'|(?P<bare>[^\s/*\"'|&;<>(-][^\s\"']*))"
    r"(?=[ \t]*(?:[\r\n/&|;`)]|[ \t]+[^\s]|$))"
)
_COMMAND_END = re.compile(r"[ \t]*(?:[\r\n/&|;`)-]|$)")
_POSITIONAL_NEEDLES = ("net", "qctl", "lftp", "login")  # no new first letter: prose has r, v


def _positional(match: re.Match[str]) -> tuple[Span, bool]:
    group = quoted_group(match)
    value = match.group(group)
    if group == "bare" and (value.lower() in STOPWORDS or "=" in value):
        return (match.start(group), match.start(group)), False  # `vault login method=oidc`
    if group != "bare" or not value.rstrip(".,").isalpha():
        return match.span(group), is_value(value)
    text = match.string
    ends = match.group("u3") is not None or _COMMAND_END.match(text, match.end()) is not None
    return match.span(group), ends and _commanded(text, match.start()) and is_value(value)


# A password piped or fed to `sudo -S`: `echo 'PASSWORD' | sudo -S …`, `sudo -S <<< PASSWORD`.
_SUDO_STDIN = re.compile(
    r"(?<![\w-])(?:echo|printf)[ \t]+(?:-\w+[ \t]+)*(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\""
    r"|(?P<bare>[^\s|'\"]+))[ \t]*\|[ \t]*sudo[ \t]+(?:-\w+[ \t]+)*-S(?![\w-])"
    r"|(?<![\w-])sudo[ \t]+(?:-\w+[ \t]+)*-S[ \t]*<<<[ \t]*"
    r"(?:'(?P<sq2>[^'\n]+)'|\"(?P<dq2>[^\"\n]+)\"|(?P<bare2>\S+))"
)

# A password piped to a login that reads it from stdin: `echo 'PASSWORD' | docker login -u me
# --password-stdin`, `printf '%s' 'PASSWORD' | …` (podman, helm registry, oras, skopeo...:
# any command taking that flag), or given to it as a here-string (`… --password-stdin <<<
# 'PASSWORD'`). So is a secret piped to `docker secret create NAME -` (or podman's), which
# stores what stdin says.
_SECRET_CREATE = r"(?:docker|podman)[ \t]+secret[ \t]+create(?![\w-])"
_STDIN_LOGIN = re.compile(
    r"(?<![\w-])(?:echo|printf)[ \t]+(?:-\w+[ \t]+)*"
    r"(?:(?:'[^'\n]*%[^'\n]*'|\"[^\"\n]*%[^\"\n]*\"|%[^\s|'\"]*)[ \t]+)?"  # printf's format
    r"(?:'(?P<sq>[^'\n]+)'|\"(?P<dq>[^\"\n]+)\"|(?P<bare>[^\s|'\"]+))"
    rf"[ \t]*\|[^\n|]{{0,300}}?[ \t](?:--password-stdin(?![\w-])|{_SECRET_CREATE})"
    rf"|(?<![\w-])(?:--password-stdin|{_SECRET_CREATE}[ \t]+[^\s|<]+[ \t]+-)(?![\w-])"
    r"[^\n|<]{0,300}?<<<[ \t]*"
    r"(?:'(?P<sq2>[^'\n]+)'|\"(?P<dq2>[^\"\n]+)\"|(?P<bare2>[^\s|'\"]+))"
)


def _stdin_password(match: re.Match[str]) -> tuple[Span, bool]:
    """A password piped to a login; `echo x | …` in an example is a placeholder."""
    span, alone = _quoted_or_bare(match)
    return span, alone and span[1] - span[0] >= MIN_VALUE


# chpasswd's input, user:password: `echo 'bob:S3cret' | chpasswd`, `chpasswd <<< bob:S3cret`.
_PAIR = r"[\"']?[\w.@-]+:(?P<secret>[^\s\"':](?:[^\s\"']*[^\s\"';,])?)[\"']?"
_CHPASSWD_PIPE = re.compile(
    rf"(?<![^\s\"']){_PAIR}[ \t]*\|[ \t]*(?:sudo[ \t]+(?:-\S+[ \t]+)*)?chpasswd(?![\w-])"
)
_CHPASSWD_HERE = re.compile(rf"(?<![\w-])chpasswd[ \t]*<<<?[ \t]*{_PAIR}")
# `htpasswd -b FILE USER PASSWORD` (with -n, no FILE): the password given on the command line.
_HTPASSWD = re.compile(
    r"(?<![\w./-])htpasswd(?P<opts>(?:[ \t]+(?:-C[ \t]*\d+|-[A-Za-z]+))*)"
    r"[ \t]+(?P<a>[^\s;|&]+)[ \t]+(?P<b>[^\s;|&]+)(?:[ \t]+(?P<c>[^\s;|&]+))?"
)


def _htpasswd(match: re.Match[str]) -> tuple[Span, bool]:
    letters = "".join(o for o in match.group("opts").split() if not o.startswith("-C"))
    group = "b" if "n" in letters else "c"
    if "b" not in letters or match.group(group) is None:
        return (match.start(), match.start()), False
    return match.span(group), is_value(match.group(group).strip("'\""))


# Python's HTTP clients: `auth=('bob', 'S3cret')`, `HTTPBasicAuth("bob", "S3cret")`.
_AUTH_TUPLE = re.compile(
    r"(?:(?<![\w.])auth[ \t]*=[ \t]*[(\[]|(?<![\w])(?:HTTPBasicAuth|HTTPDigestAuth|HTTPProxyAuth"
    r"|BasicAuth)\()[ \t]*(?P<q1>['\"])[^'\"\n]*(?P=q1)[ \t]*,[ \t]*"
    r"(?P<q>['\"])(?P<secret>[^'\"\n]+)(?P=q)"
)


def _auth_tuple(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("secret"), is_value(match.group("secret"))


# A wifi network's password on a command line: `wpa_passphrase SSID PASSPHRASE` (the SSID
# maybe quoted), nmcli's `wifi connect SSID password X` and `wifi-sec.psk X`, iwd's `iwctl
# --passphrase X`, Windows' `netsh wlan … key=X` (or `keyMaterial=X`), and netsh's own
# report of a profile, `Key Content : X` (to the line's end: a key may hold spaces). The
# command says the value is the key, so a word of letters counts too where the line is a
# command and the word ends it (`wpa_passphrase prints a psk line` is prose).
_WIFI_COMMAND = re.compile(
    r"(?<![\w-])(?:wpa_passphrase[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|[^\s\"'|;&<>]++)[ \t]+"
    r"|nmcli(?:[ \t]+[^\s|;&]+){0,12}?[ \t]+(?:password|(?:wifi-sec|802-11-wireless-security)"
    r"\.psk)[ \t]+"
    r"|iwctl(?:[ \t]+[^\s|;&]+){0,12}?[ \t]+--passphrase(?:=|[ \t]+)"
    r"|netsh[ \t]+wlan(?:[ \t]+[^\s|;&]+){0,12}?[ \t]+(?i:key(?:material)?)=)"
    r"(?:\"(?P<dq>[^\"\n]+)\"|'(?P<sq>[^'\n]+)'|(?P<bare>[^\s\"'|;&<>]+))"
    r"|(?<![\w-])(?i:key[ \t]+content|schlüsselinhalt|contenu[ \t]+de[ \t]+la[ \t]+clé)[ \t]*:"
    r"[ \t]*(?P<line>[^\s](?:[^\r\n]*[^\s])?)"
)
_WIFI_NEEDLES = ("wpa_passphrase", "nmcli", "iwctl", "netsh", "key content", "schlüssel", "contenu")


def _wifi_password(match: re.Match[str]) -> tuple[Span, bool]:
    if match.group("line") is not None:
        return match.span("line"), is_value(match.group("line"))
    group = quoted_group(match)
    value = match.group(group)
    head = match.string[match.start() : match.start(group)].rstrip()
    if group == "bare":  # a positional word (not an option's value: `--passphrase X`)
        value = value.rstrip(".,")
        ends = _COMMAND_END.match(match.string, match.start(group) + len(value)) is not None
        loose = head.startswith("wpa_passphrase") or head.endswith("password")
        if loose and value.isalpha() and not (ends and _commanded(match.string, match.start())):
            return (match.start(group), match.start(group)), False
    span = (match.start(group), match.start(group) + len(value))
    return span, len(value) >= MIN_VALUE and is_value(value)


# GitHub Actions' `::add-mask::VALUE`: a workflow hides VALUE from its logs, so it is one.
_ADD_MASK = re.compile(r"::add-mask::(?P<secret>[^\s](?:[^\r\n]*[^\s])?)")


def _masked(match: re.Match[str]) -> tuple[Span, bool]:
    return match.span("secret"), is_value(match.group("secret"))


COMMAND_LINES = (
    Rule("secret", _ADD_MASK, _masked, needles=("::add-mask::",)),
    Rule("password", _WIFI_COMMAND, _wifi_password, needles=_WIFI_NEEDLES),
    Rule("password", _CURL_USER, _curl_password, needles=("-u",)),
    Rule("password", _PASSWORD_FLAG, _flag_password, needles=("-p",)),
    Rule("password", _SMB_USER, _smb_password, needles=("-u",)),
    Rule("password", _NET_USE, _net_use_password, needles=("net",)),
    Rule("password", _HTTPIE_AUTH, _httpie_password, needles=("-a",)),
    Rule("password", _CMDKEY, _quoted_or_bare, needles=("cmdkey",)),
    Rule("password", _SECURE_STRING, _quoted_or_bare, needles=("securestring",)),
    Rule("password", _CIFS_USER, _cifs_password, needles=("er=",)),  # user=, username=
    Rule("password", _CHPASSWD_PIPE, needles=("chpasswd",)),
    Rule("password", _CHPASSWD_HERE, needles=("chpasswd",)),
    Rule("password", _HTPASSWD, _htpasswd, needles=("htpasswd",)),
    Rule("password", _AUTH_TUPLE, _auth_tuple, needles=("auth=", "auth ", "auth\t", "auth(")),
    _option(
        "password",
        "--pass|-password|storepass|keypass",
        r"--(?:(?:http|ftp|proxy)-)?(?:password|passwd|pass|passphrase)"
        r"|-(?:src|dest|new)?(?:store|key)pass",
    ),
    Rule("password", _OPENSSL_PASS, _option_value, needles=("pass:",)),
    _option("password", "-a|-w|-p|-n|-k", r"-[awPNk]"),
    _option("secret", "--secret|--client-secret", r"--(?:client-)?secret"),
    _option("api_key", "--api", r"--api-?key"),
    _option("token", "-token|oauth2-bearer", r"--(?:auth-|access-|bot-)?token|--oauth2-bearer"),
    # single-dash password options: influx's -password, dsadd's -pwd, PuTTY's plink/pscp -pw
    _option("password", "-password|-passwd|-pwd|-pw", r"-(?:password|passwd|pwd|pw)"),
    Rule("password", _POSITIONAL, _positional, needles=_POSITIONAL_NEEDLES),
    Rule("password", _SUDO_STDIN, _quoted_or_bare, needles=("sudo",)),
    Rule("password", _STDIN_LOGIN, _stdin_password, needles=("password-stdin", "secret create")),
)
