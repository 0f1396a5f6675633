"""Where a labelled value ends (secrets.py's `password=…`, `"token": "…"`). No I/O.

A secret must never be left partly in clear, so the value's end is decided so that a doubt
masks too much, never too little: the pattern takes the longest run a value could be (an
unquoted one through `,`, `;`, `&` and quotes inside it, `DB_PASSWORD=abc,def=Hunter2`),
and it is cut only where the text's own syntax says the value ends.
"""

import re

from memory_mcp.policies.secret_rule import Span, is_value

# A label that is an item of a list (the char before it) ends its value at the list's next
# separator: `?a=1&password=…&b=2` (a query: a password holding "&" is %-encoded there),
# `Server=db;Password=…;Encrypt=true` (a connection string quotes one holding ";"),
# `-o user=bob,password=…,uid=1000` (mount writes "," in a password ",,").
_LIST_SEPARATOR = {"?": "&", "&": "&", ";": ";", ",": ","}
_OPTIONS_FLAG = re.compile(r"(?<!\S)-o[ \t]*$")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
_OPENER = {")": "(", "]": "[", "}": "{"}
_BEFORE = 2000  # how far back a bracket open around the label is looked for
_BRACKETS = 40  # and through how many brackets


def bare_end(text: str, label: int, start: int, end: int) -> int:
    """Where the unquoted value text[start:end], labelled at `label`, ends: at its list's
    next separator (above), before a sentence's final `.`, and before a closing bracket
    that the value does not open but the text opened before the label (`(password=…)`, or a
    dict or a call opened on an earlier line: `{\\n  "token": None}`)."""
    word = label
    while word > 0 and text[word - 1] in _LABEL_CHARS:
        word -= 1
    separator = _LIST_SEPARATOR.get(text[word - 1]) if word > 0 else None
    if separator is None and _OPTIONS_FLAG.search(text, max(word - 8, 0), word):
        separator = ","
    if separator is not None:
        cut = text.find(separator, start, end)
        while separator == "," and text.startswith(",,", cut):  # mount's "," in a value
            cut = text.find(",", cut + 2, end)
        end = end if cut < 0 else cut
    while end > start and text[end - 1] in ".)]}":
        closer = text[end - 1]
        if closer in _OPENER:
            opener = _OPENER[closer]
            inside = text.count(opener, start, end) >= text.count(closer, start, end)
            if inside or not _open_at(text, label, opener, closer):
                break  # the value's own bracket, or none open before it: a password's
        end -= 1
    return end


def _open_at(text: str, label: int, opener: str, closer: str) -> bool:
    """Whether an `opener` before `label` is still open there (its `closer` not yet met),
    looking back _BEFORE characters and _BRACKETS brackets at most (a doubt: not open)."""
    low = max(label - _BEFORE, 0)
    opened, closed = text.rfind(opener, low, label), text.rfind(closer, low, label)
    depth = 0
    for _ in range(_BRACKETS):
        if opened < 0:
            return False
        if closed > opened:  # a pair closed before the label: its opener is further back
            depth += 1
            closed = text.rfind(closer, low, closed)
        elif depth == 0:
            return True
        else:
            depth -= 1
            opened = text.rfind(opener, low, opened)
    return False


# Whether a quote after a label opens its value or closes a string the label stands in.
def closes(text: str, quote: int) -> bool:
    """Whether the quote at `quote` closes a string its line opened before it (an odd
    number of the same quote stands before it on the line; an apostrophe, between two
    letters, is none). A line longer than _LINE_BACK before it is not judged (a doubt
    masks): each label's look back stays short."""
    low = max(quote - _LINE_BACK, 0)
    line = text.rfind("\n", low, quote) + 1
    if line == 0 and low > 0:
        return False
    count = text.count(text[quote], line, quote)
    if text[quote] == "'" and count:
        count -= len(_APOSTROPHE.findall(text, line, quote))
    return count % 2 == 1


_LINE_BACK = 400  # how far back on its line a quote is counted


def ends_quoted_label(text: str, label: int, quote: int) -> bool:
    """Whether the quote at `quote` closes a string that the label opens (`'passwd:'`,
    `"Password: "`): the same quote stands before the label's word, none between."""
    word = label
    while word > 0 and (text[word - 1].isalnum() or text[word - 1] in "_-"):
        word -= 1
    return word > 0 and text[word - 1] == text[quote] and text[quote] not in text[word:quote]


def inside_string(match: re.Match[str]) -> bool:
    """Whether the label stands unquoted (`"IMAP password: "`), so a quote after it may close
    the string it is in; a quoted label (`"pvkPassword": "…"`) is a field of its own, whose
    line may start inside a string a wrapped line opened (its count of quotes is off)."""
    sep = match.group("sep")
    before = match.string[: match.start("sep")].rstrip(" \t") if sep is not None else ""
    return before[-1:] not in ('"', "'")


_APOSTROPHE = re.compile(r"(?<=[^\W\d_])'(?=[^\W\d_])")


# A quote its line does not close may close on one of the next lines: a YAML or dotenv value
# over lines (`password: "abc` then `  def"`), whose lines after the first were left in clear.
_OPEN_LINES = 4  # how many lines after its own a value's closing quote is looked for on
_OPEN_REACH = 400  # and within how many characters


def open_end(text: str, quote: int, end: int, limit: int) -> int:
    """Where a value opened by the quote at `quote` and not closed on its line (which ends at
    `end`) ends: before its closing quote on one of the next lines (above), else at `end`."""
    reach, last = end, min(end + _OPEN_REACH, limit)
    for _ in range(_OPEN_LINES):
        if reach >= last or text[reach] != "\n":
            break
        stop = text.find("\n", reach + 1, last)
        stop = last if stop < 0 else stop
        close = text.find(text[quote], reach + 1, stop)
        if close >= 0:  # a quote a word follows opens a string: `print("shlex: …`
            return end if text[close + 1 : close + 2].isalnum() else close
        reach = stop
    return end


# What follows a closing quote and is still the value: the shell joins `'abc'\''def'` or
# `"abc"def` into one word. Not a JSON or XML field's end (`",`, `"}`, `"/>`), nor code
# after a string (`"abc".encode()`).
_MORE = re.compile(r"(?:\\.|[^\s,;&|<>()\[\]{}/.:`])[^\s,;&|<>()\[\]{}/`]*")


def quoted_end(text: str, quote: str, end: int) -> int:
    """Where a quoted value whose pattern ended at text[end] (its closing quote) ends: past
    quotes escaped with a backslash (`"ab\\"cd"`, `'it\\'s'` in Python or JavaScript; an
    unclosed one runs to the line's end), and past what the shell joins to it."""
    while _escaped(text, end):
        after = _next_on_line(text, quote, end + 1)
        if text[after : after + 1] != quote:
            return after  # the line's end
        end = after
    more = _MORE.match(text, end + 1)
    if more is None:
        return end
    last = more.end()
    while last > end + 1 and text[last - 1] in "\"'.":
        last -= 1
    return last if last > end + 1 else end


def escaped_end(text: str, end: int) -> int:
    """Where a value quoted with escaped quotes (`\\"…\\"`: JSON in a JSON string) ends, its
    pattern having stopped at the `\\"` at text[end]: past a quote escaped inside it, which
    reads `\\\\\\"` there (a run of 3, 7... backslashes before the quote; 1, 5... close it;
    an even run is the outer string's end)."""
    quote = end + 1
    while True:
        run = _run(text, quote)
        if run % 4 == 1:
            return quote - 1
        if run % 2 == 0:
            return quote - run
        after = _next_on_line(text, '"', quote + 1)
        if text[after : after + 1] != '"':
            return after  # the line's end
        quote = after


def _next_on_line(text: str, quote: str, at: int) -> int:
    """Where the next `quote` from `at` is, or the line's end if that comes first; each
    search stops at the quote (a line's end for each of many values cost quadratic time)."""
    after = text.find(quote, at)
    stop = len(text) if after < 0 else after
    newline = text.find("\n", at, stop)
    return stop if newline < 0 else newline


def _run(text: str, at: int) -> int:
    """How many backslashes stand just before text[at]."""
    run = at
    while run > 0 and text[run - 1] == "\\":
        run -= 1
    return at - run


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` is escaped: an odd run of backslashes before it."""
    return _run(text, at) % 2 == 1


# A dotenv, INI, properties or YAML line: the label is the line's first word (after an
# optional `export`, or a YAML list item's `- `), then `=` or `:`. Its unquoted value runs
# to the line's end (or an inline ` #` comment): `DB_PASSWORD=correct horse battery` is one
# passphrase, and nothing but the line says where it ends. Not where the line is a command
# run with the variable set (`PGPASSWORD=x psql -h db`): the next word is a command we know,
# another `NAME=value`, or the rest holds a flag, a pipe, `;`, `&&`, `||` or a redirection.
_LINE_HEAD = re.compile(r"[ \t]*(?:(?:export|-)[ \t]+)?")
_COMMENT = re.compile(r"[ \t]+#")
# `name = value` (an INI or properties line: a shell's `=` has no space around it) runs no
# command, and its inline comment may start with ";" too.
_SPACED = re.compile(r"[\w.-]*[ \t]+[:?]?=")
_INI_COMMENT = re.compile(r"[ \t]+[#;]")
_ASSIGNMENT = re.compile(r"[A-Za-z_][\w.-]*=")
_PATH = re.compile(r"(?:\.{0,2}|~)/|[\w.-]+/[\w.-]")
_NEXT_LABEL = re.compile(r"(?<=[ \t])[A-Za-z_][\w.-]*[ \t]*(?:=|:(?=[ \t]))")
_REMARK = re.compile(r"[ \t]+\([^()]*\)$")
# A rest that reads as a sentence (a comma, a stop or a colon before a space) is prose
# about the setting: `JPOOL_PASS = one processing pass of a datastream, was`.
_CLAUSE = re.compile(r"[,.:!?][ \t]")
# A rest holding brackets, quotes, a comparison or an operator is code or a grammar
# (`secret = pattern if x else f"…"`, `pw = pw + c`, `token = 1*<any CHAR except CTLs>`).
_CODE = re.compile(r"[()\[\]{}<>\"'`]|[=!]=|(?<!\S)[-+*/%]=?(?!\S)")
_SHELL = re.compile(r"(?<!\S)(?:--?[A-Za-z]|\|\|?(?!\S)|&&|[0-9]?>>?|<)|;")
COMMANDS = frozenset(
    """
    psql pg_dump pg_dumpall pg_restore pg_basebackup pgbench createdb dropdb createuser
    mysql mysqldump mysqladmin mariadb redis-cli mongosh mongo mongodump mongorestore sqlcmd
    sqlplus clickhouse-client cqlsh influx docker podman kubectl helm terraform tofu packer
    ansible ansible-playbook vault consul nomad aws gcloud gsutil az doctl heroku flyctl fly
    gh git ssh scp sftp rsync curl wget http npm npx yarn pnpm node deno bun python python3
    pip pip3 uv poetry pipenv pytest ruby bundle rake rails go cargo make cmake java mvn gradle
    dotnet php composer perl bash sh zsh fish sudo env exec nohup time timeout watch xargs
    echo printf cat tee jq yq openssl gpg restic borg duplicity rclone s3cmd minio mc
    supabase firebase vercel netlify wrangler twine uvicorn gunicorn celery flask django-admin
    manage.py ./manage.py dbt airflow spark-submit prisma sequelize knex alembic flyway
    liquibase sqlx diesel goose migrate
    """.split()  # noqa: SIM905 - a word list reads better as text
)


# Commands that are also words a passphrase is made of (`DB_PASSWORD=correct make battery`):
# one is a command run with the variable set only when alone or followed by more than words
# (`make`, `time python app.py`); a doubt masks the line (`PGPASSWORD=x make deploy`).
_WORDLIKE = frozenset(
    """
    make time watch go fly env exec bundle rake cat tee echo node fish migrate goose diesel
    vault consul nomad packer helm bun flask celery prisma mc http mongo borg
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def _command(words: list[str]) -> bool:
    """Whether `words`, after a line's first value, run a command we know."""
    if words[0] not in COMMANDS:
        return False
    rest = words[1:]
    return words[0] not in _WORDLIKE or not rest or not all(w.isalpha() for w in rest)


def line_end(text: str, label: int, end: int, limit: int) -> int:
    """Where a labelled unquoted value that ends at `end` (before a space) ends when its
    label starts a dotenv, INI or properties line (above): the line's end (or `limit`, the
    end of the stretch scanned), before a ` #` comment, another label, a closing remark in
    brackets and trailing spaces; `end` itself on any other line, or a command's."""
    word = label
    while word > 0 and text[word - 1] in _LABEL_CHARS:
        word -= 1
    line = text.rfind("\n", max(word - 80, 0), word) + 1
    if (line == 0 and word > 80) or _LINE_HEAD.fullmatch(text, line, word) is None:
        return end
    if not (text[word].isalpha() or text[word] == "_"):
        return end  # an option (`--root-password= …`), not a setting
    stop = text.find("\n", end, limit)
    stop = limit if stop < 0 else stop
    ini = _SPACED.match(text, word, end) is not None  # no shell line spaces its "="
    comment = (_INI_COMMENT if ini else _COMMENT).search(text, end, stop)
    rest = text[end : stop if comment is None else comment.start()].rstrip()
    remark = _REMARK.search(rest)  # a remark in brackets closing the line: `… (rotate)`
    rest = rest if remark is None else rest[: remark.start()]
    if (not ini and _SHELL.search(rest)) or _CLAUSE.search(rest) or _CODE.search(rest):
        return end
    other = _NEXT_LABEL.search(rest)  # another label's value is its own: `DB_USER=app`
    rest = rest if other is None else rest[: other.start()].rstrip()
    words = rest.split()
    if not words:
        return end
    after = words[0]
    if _command(words) or _ASSIGNMENT.match(after) or _PATH.match(after):
        return end
    return end + len(rest)


# Values written in a form of their own, whose end the quotes or bare runs above miss: a
# Python triple-quoted string (`PASSWORD = """…"""`, over lines too), a shell's `$'…'`
# (backslash escapes inside) and a YAML block scalar (`password: |` or `>-`, then the lines
# indented more than the label's).
_TRIPLE = re.compile(r"[rRbBuUfF]{0,2}(\"\"\"|''')")  # r"""…""", b'''…''' too
_BLOCK = re.compile(r"[|>][+-]?[1-9]?[+-]?[ \t]*(?:#[^\n]*)?(?=\r?\n)")


def special_value(text: str, label: int, at: int, limit: int) -> tuple[Span, bool] | None:
    """The span of a value in one of the forms above starting at text[at] (its label at
    `label`, the stretch scanned ending at `limit`), and whether it is a secret; None for a
    value in no such form."""
    triple = _TRIPLE.match(text, at, limit)
    if triple:
        close = text.find(triple.group(1), triple.end(), limit)
        end = limit if close < 0 else close
        return _kept((triple.end(), end), text[triple.end() : end])
    if text.startswith("$'", at):
        end = at + 2
        while end < limit and text[end] not in "'\n":
            end += 2 if text[end] == "\\" else 1
        return _kept((at + 2, min(end, limit)), text[at + 2 : min(end, limit)])
    block = _BLOCK.match(text, at, limit)
    if block is None:
        return None
    line = text.rfind("\n", 0, label) + 1
    indent = _indent(text, line, label)
    start = end = text.find("\n", block.end(), limit) + 1
    while end < limit:
        stop = text.find("\n", end, limit)
        stop = limit if stop < 0 else stop
        if text[end:stop].strip() and _indent(text, end, stop) <= indent:
            break
        end = stop + 1 if stop < limit else limit
    if not text[start:end].strip():  # no line indented under it: its indent was lost
        end = _unindented_value(text, start, limit)
    content = text[start:end].rstrip()
    first = start + len(content) - len(content.lstrip())
    return _kept((first, start + len(content)), content)


# A line that starts a YAML entry or list item of its own (`user: app`, `- name`).
_YAML_ENTRY = re.compile(r"[ \t]*(?:[\w.\"'-]+[ \t]*:(?:[ \t]|$)|-[ \t]|#|$)", re.MULTILINE)


def _unindented_value(text: str, start: int, limit: int) -> int:
    """Where the value of a block scalar whose lines lost their indent (a Markdown paragraph
    flattened, a note pasted) ends: its next line, unless that line starts an entry of its
    own (`password: |` then `user: app` is an empty block)."""
    if start <= 0 or start >= limit or _YAML_ENTRY.match(text, start, limit):
        return start
    stop = text.find("\n", start, limit)
    return limit if stop < 0 else stop


def _kept(span: Span, value: str) -> tuple[Span, bool]:
    """The span of a value in a form of its own, and whether it is a secret; an empty span
    for none, so a block of lines holding a secret found otherwise is not masked whole."""
    return (span, True) if is_value(value.strip()) else ((span[0], span[0]), False)


def _indent(text: str, at: int, stop: int) -> int:
    """How many columns of spaces and tabs text[at:stop] starts with, a tab to the next of
    every 8 (a value pasted tab-indented under a label indented with spaces is under it)."""
    end, column = at, 0
    while end < stop and text[end] in " \t":
        column = column + 1 if text[end] == " " else (column // 8 + 1) * 8
        end += 1
    return column
