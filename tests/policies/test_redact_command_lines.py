"""Secrets on common command lines that the rules once let through, and the prose around
such commands that must stay as written (redact.py, secret_commands.py, secrets.py)."""

import pytest

from memory_mcp.policies.redact import redact


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


MASKED = [
    # `net use` with no /user:, a letters-only password, where the line is a command: at a
    # line's start (after a prompt), in backticks, after && or |.
    ("net use \\\\srv\\share hunter", f"net use \\\\srv\\share {r('password')}"),
    ("C:\\> net use Z: \\\\srv\\share hunter", f"C:\\> net use Z: \\\\srv\\share {r('password')}"),
    (
        "PS C:\\Users\\bob> net use \\\\srv\\share hunter",
        f"PS C:\\Users\\bob> net use \\\\srv\\share {r('password')}",
    ),
    (
        "Run `net use \\\\srv\\share hunter` first.",
        f"Run `net use \\\\srv\\share {r('password')}` first.",
    ),
    ("cd x && net use \\\\srv\\share hunter", f"cd x && net use \\\\srv\\share {r('password')}"),
    (
        "net use \\\\srv\\share hunter & dir Z:",
        f"net use \\\\srv\\share {r('password')} & dir Z:",
    ),
    # mount.cifs's options after the password stay (the value stops at the next option's ",").
    (
        "mount -t cifs //srv/s /mnt -o username=bob,password=hunter2x,domain=CORP,vers=3.0",
        f"mount -t cifs //srv/s /mnt -o username=bob,password={r('password')},domain=CORP,vers=3.0",
    ),
    # …and a connection string's fields after its password.
    (
        "Server=db;Database=app;User Id=sa;Password=hunter2x;Encrypt=true",
        f"Server=db;Database=app;User Id=sa;Password={r('password')};Encrypt=true",
    ),
    # HTTPie's and xh's -a / --auth user:password.
    ("http -a bob:hunter2x api.example.com", f"http -a bob:{r('password')} api.example.com"),
    ("https --auth bob:hunter2x x.io/a", f"https --auth bob:{r('password')} x.io/a"),
    ("xh -a 'bob:two words' x.io", f"xh -a 'bob:{r('password')}' x.io"),
    # wget's --http-password, --ftp-password, --proxy-password with a space.
    ("wget --http-password hunter2x https://x", f"wget --http-password {r('password')} https://x"),
    ("wget --ftp-password 'hun ter' ftp://x", f"wget --ftp-password '{r('password')}' ftp://x"),
    # An AWS secret key of any shape in the variable named for it.
    ("AWS_SECRET_ACCESS_KEY=hunter2x aws s3 ls", f"AWS_SECRET_ACCESS_KEY={r('secret')} aws s3 ls"),
    # Windows: cmdkey /pass:, psexec -p, PowerShell's ConvertTo-SecureString with a literal.
    (
        "cmdkey /add:srv /user:bob /pass:hunter2x",
        f"cmdkey /add:srv /user:bob /pass:{r('password')}",
    ),
    (
        "psexec \\\\host -u admin -p hunter2x cmd",
        f"psexec \\\\host -u admin -p {r('password')} cmd",
    ),
    (
        "$p = ConvertTo-SecureString 'hunter2x' -AsPlainText -Force",
        f"$p = ConvertTo-SecureString '{r('password')}' -AsPlainText -Force",
    ),
    # openssl enc's -k PASSWORD.
    ("openssl enc -aes256 -k hunter2x -in a", f"openssl enc -aes256 -k {r('password')} -in a"),
    # Positional passwords: Windows' net user, rabbitmqctl, lftp -u user,password, vault login.
    ("net user bob hunter2x /add", f"net user bob {r('password')} /add"),
    ("net user bob hunter", f"net user bob {r('password')}"),
    ("C:\\> NET USER bob hunter /add", f"C:\\> NET USER bob {r('password')} /add"),
    ("rabbitmqctl add_user bob hunter2x", f"rabbitmqctl add_user bob {r('password')}"),
    ("lftp -u bob,hunter2x ftp.x.io", f"lftp -u bob,{r('password')} ftp.x.io"),
    ("vault login s.abc123def456ghi", f"vault login {r('password')}"),
    # Single-dash password options (influx, dsadd, plink), curl's --oauth2-bearer, sudo -S.
    ("influx -username bob -password hunter2x", f"influx -username bob -password {r('password')}"),
    ("plink -pw hunter2x bob@host", f"plink -pw {r('password')} bob@host"),
    ("curl --oauth2-bearer abc123xyz789 x.io", f"curl --oauth2-bearer {r('token')} x.io"),
    ('echo "hunter2x" | sudo -S apt update', f'echo "{r("password")}" | sudo -S apt update'),
    ("sudo -S <<< 'hunter2x' apt update", f"sudo -S <<< '{r('password')}' apt update"),
    # A token as a URL's user: only it goes, the host and path stay.
    (
        "git remote set-url origin https://x-access-token:hunter2x@github.com/a/b",
        f"git remote set-url origin https://x-access-token:{r('url_password')}@github.com/a/b",
    ),
    # …but a query's or a fragment's parameter right after the host is no URL user
    (
        "curl https://api.acme.io?password=hunter2x",
        f"curl https://api.acme.io?password={r('password')}",
    ),
    ("https://acme.io#access_token=abc123def456", f"https://acme.io#access_token={r('token')}"),
    (
        "mongodb://db.acme.io?authSource=admin;password=hunter2x",
        f"mongodb://db.acme.io?authSource=admin;password={r('password')}",
    ),
]


@pytest.mark.parametrize(("text", "expected"), MASKED)
def test_command_line_secrets_are_masked_and_nothing_else(text: str, expected: str) -> None:
    assert redact(text).text == expected


# ...but a command in a table's cell, in backticks, or one with a password's shape, is one
IN_TABLES = [
    ("| map | `net use \\\\srv\\share S3cr3t` |", "| map | `net use \\\\srv\\share {}` |"),
    ("| map | net use \\\\srv\\share S3cret! |", "| map | net use \\\\srv\\share {} |"),
    (
        "| map | net use \\\\srv\\share daily /user:ann |",
        "| map | net use \\\\srv\\share {} /user:ann |",
    ),
    ("dir | net use \\\\srv\\share daily", "dir | net use \\\\srv\\share {}"),
]


@pytest.mark.parametrize(("text", "expected"), IN_TABLES)
def test_commands_in_table_cells_still_lose_their_passwords(text: str, expected: str) -> None:
    assert redact(text).text == expected.format(r("password"))


PROSE = [
    "Then run net use \\\\srv\\share daily.",
    "I map it with net use \\\\srv\\share daily",
    "Run net use \\\\srv\\share /user:CORP\\ann and type the password; net use \\\\srv\\s daily",
    "net use \\\\srv\\share",
    "net use \\\\srv\\share again",
    "net use \\\\srv\\share /persistent:no",
    "net use Z: \\\\srv\\share * /user:bob",
    "We use net use \\\\srv\\share again",
    "Use http -a to pass credentials; https -a is the same flag with TLS",
    "curl -k https://x.example; openssl enc -k (it asks); cmdkey /list",
    "ConvertTo-SecureString $plain -AsPlainText -Force",
    "psexec \\\\host -u admin cmd (it asks for the password)",
    "mount -o uid=1000,gid=1000,vers=3.0 //srv/s /mnt",
    "Run net user bob to see the account, then net user bob /active:no",
    "I checked it with net user bob and it was fine; the net user command lists accounts.",
    "Use vault login to sign in; vault login -method=oidc; vault login method=userpass",
    # a command naming no password: the user's name is no password, nor its last letters
    "net user bob /add",
    "C:\\> net user administrator /active:yes",
    "net user bob * /add",
    "rabbitmqctl add_user bob",
    # prose starting a line, or in a table: more words follow, or the "password" is a `|`
    "Net user growth slowed to 3% in Q3",
    "vault login failed yesterday after the upgrade",
    "| Net user retention | improved |",
    # a Markdown table's `|` parts cells: a cell of prose is no command after a pipe
    "| Step | How |\n|---|---|\n| map the drive | net use \\\\srv\\share daily |",
    "| Accounts | net user bob welcome |",
    "Revenue & net user counts doubled this year",
    "The -pw flag of plink takes the password; -pwd is dsadd's; echo hi | sudo tee f",
    "The AWS secret access key is required; set AWS_SECRET_ACCESS_KEY=$AWS_KEY in CI.",
]


@pytest.mark.parametrize("text", PROSE)
def test_prose_about_those_commands_is_unchanged(text: str) -> None:
    assert redact(text).text == text
