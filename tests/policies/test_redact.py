"""Pure tests of redact.py and secrets.py: private blocks, secret formats, false positives,
idempotence, and the one step that redacts every field of a memory."""

import base64
import random
import string
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from memory_mcp.policies.redact import (
    KINDS,
    RedactedFields,
    Redaction,
    measured_length,
    redact,
    redact_fields,
)
from memory_mcp.policies.secret_needles import possible_rules
from memory_mcp.policies.secret_rule import Rule
from memory_mcp.policies.secrets import RULES
from tests.secret_corpus import CORPUS

# Obviously fake values in the shape of each format (AWS's are its documented examples).
GITHUB = "ghp_" + "x" * 36
GITHUB_PAT = "github_pat_" + "x" * 22 + "_" + "x" * 59
GITLAB = "glpat-" + "x" * 20
SLACK = "xoxb-000000000000-000000000000-" + "x" * 24
OPENAI = "sk-proj-" + "x" * 40
OPENAI_LEGACY = "sk-" + "x" * 48
ANTHROPIC = "sk-ant-api03-" + "x" * 40
GOOGLE = "AIza" + "x" * 35
STRIPE = "sk_live_" + "x" * 24
AWS_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmYWtlIn0.ZmFrZXNpZ25hdHVyZQ"
PEM = "-----BEGIN RSA PRIVATE KEY-----\nFAKEFAKEFAKE\nFAKEFAKE==\n-----END RSA PRIVATE KEY-----"
PUTTY = (
    "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-20240101\n"
    "Public-Lines: 2\nAAAAC3NzaC1lZDI1NTE5AAAAIFAKE\nFAKE\nPrivate-Lines: 1\nAAAAIFAKEFAKE\n"
    "Private-MAC: 0123abcd"
)
SLACK_APP = "xapp-1-A0123456789-1234567890123-" + "ab12" * 16
SLACK_HOOK = "T01234567/B01234567/" + "x" * 24
DISCORD_HOOK = "123456789012345678/" + "x" * 68
GOOGLE_SECRET = "GOCSPX-" + "x" * 28
GOOGLE_ACCESS = "ya29.a0Af" + "x" * 100
GOOGLE_REFRESH = "1//0g" + "x" * 60
WHSEC = "whsec_" + "x" * 32
HUGGINGFACE = "hf_" + "x" * 34
NPM = "npm_" + "x" * 36
SENDGRID = "SG." + "x" * 22 + "." + "x" * 43
AZURE_ACCOUNT = "x" * 86 + "=="
AZURE_SIG = "x" * 43 + "%3D"
AZURE_ENTRA = "abc8Q~" + "x" * 34
TELEGRAM = "123456789:AA" + "x" * 33

HEX = "0123456789abcdef"
# One fake token of each provider's own prefix and shape (_PREFIXED in secrets.py).
PREFIXED = [
    ("age_secret_key", "AGE-SECRET-KEY-1" + ("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" * 2)[:58]),
    ("vault_token", "hvs.CAESI" + "Xk9mP2vL" * 11),
    ("shopify_token", "shpat_" + HEX * 2),
    ("digitalocean_token", "dop_v1_" + HEX * 4),
    ("pypi_token", "pypi-AgEIcHlwaS5vcmc" + "CJGQ4YjM0ZjBl" * 6),
    ("linear_key", "lin_api_" + "a1B2c3D4e5" * 4),
    ("notion_token", "secret_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V"),
    ("notion_token", "ntn_" + "12345678901" + "a1B2c3D4e5" * 3 + "F6g7H"),
    ("atlassian_token", "ATATT3xFfGF0" + "a1B2c3D4e5-_" * 15 + "=ABC12345"),
    ("databricks_token", "dapi" + HEX * 2),
    ("databricks_token", "dapi" + HEX * 2 + "-3"),
    ("grafana_token", "glsa_" + "a1B2c3D4" * 4 + "_" + "0a1b2c3d"),
    ("grafana_token", "glc_" + "eyJvIjoiMTIzNCIsIm4iOiJzdGFjayJ9" * 2 + "=="),
    ("docker_token", "dckr_pat_" + "AbCdEfGhIjKlMnOpQrStUvWxYz0"),
    ("postman_key", "PMAK-" + HEX + "01234567-" + HEX * 2 + "01"),
    ("doppler_token", "dp.pt." + "a1B2c3D4e5" * 4 + "F6g"),
    ("supabase_key", "sbp_" + HEX * 2 + "01234567"),
    ("supabase_key", "sb_secret_" + "a1B2c3D4e5F6g7H8i9J0k1"),
    ("sentry_token", "sntrys_eyJpYXQiOjE3MDAwMDAwMDAuMCwidXJsIjoiaHR0cHM6"),
    ("planetscale_token", "pscale_tkn_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7"),
    ("pulumi_token", "pul-" + HEX * 2 + "01234567"),
    ("terraform_token", "Abc123Def456Gh.atlasv1." + "a1B2c3D4e5_-" * 6),
    ("newrelic_key", "NRAK-" + "ABC123DEF456GHI789JKL012MNO"),
    ("heroku_key", "HRKU-AA" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V2w3X4y5Z6a7B8"),
    ("flyio_token", "fo1_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V"),
    ("flyio_token", "fm2_" + "lJPECAAAAAAAA" * 6),
    ("mailgun_key", "key-" + HEX * 2),
    ("mailchimp_key", HEX * 2 + "-us21"),
]


def r(kind: str) -> str:
    return f"[REDACTED:{kind}]"


# (input, expected output, expected kinds): the secret is gone, everything around it stays.
POSITIVE = [
    ("my PIN is 4921.", f"my PIN is {r('pin')}.", ("pin",)),
    ("door code 1234#", f"door code {r('access_code')}", ("access_code",)),
    (
        "curl -b x -H 'Cookie: theme=dark; PHPSESSID=9c1b7e4d4a6f' /",
        f"curl -b x -H 'Cookie: theme=dark; PHPSESSID={r('session_cookie')}' /",
        ("session_cookie",),
    ),
    (
        '"Set-Cookie": "remember_token=a1b2c3d4e5; Max-Age=3600"',
        f'"Set-Cookie": "remember_token={r("session_cookie")}; Max-Age=3600"',
        ("session_cookie",),
    ),
    (
        "go to https://x.io/cb?state=1&h=Authorization%3A+Bearer%20abcdefgh12345678%2Bx&r=2",
        f"go to https://x.io/cb?state=1&h=Authorization%3A+Bearer%20{r('bearer_token')}&r=2",
        ("bearer_token",),
    ),
    (
        "link ?password%3Dhunter2%21x&next=%2F",
        f"link ?password%3D{r('password')}&next=%2F",
        ("password",),
    ),
    (
        f"a+b ?q=%22{GITHUB}%22",
        f"a+b ?q=%22{r('github_token')}%22",
        ("github_token",),
    ),
    ('mysqldump -p"two words" db', f'mysqldump -p"{r("password")}" db', ("password",)),
    (
        "Kennwort=Sommer2024 und hasło: Zima2024!",
        f"Kennwort={r('password')} und hasło: {r('password')}",
        ("password",),
    ),
    (f"key:\n{PEM}\nrotate it", f"key:\n{r('private_key')}\nrotate it", ("private_key",)),
    (
        "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE\n-----END OPENSSH PRIVATE KEY----- done",
        f"{r('private_key')} done",
        ("private_key",),
    ),
    ("pasted -----BEGIN PRIVATE KEY-----\nFAKE", f"pasted {r('private_key')}", ("private_key",)),
    (f"id {AWS_ID} for ci", f"id {r('aws_access_key')} for ci", ("aws_access_key",)),
    ("temp ASIA" + "X" * 16 + ".", f"temp {r('aws_access_key')}.", ("aws_access_key",)),
    (
        f"aws_secret_access_key = {AWS_SECRET}\nregion = eu-west-1",
        f"aws_secret_access_key = {r('aws_secret_key')}\nregion = eu-west-1",
        ("aws_secret_key",),
    ),
    (
        f'{{"SecretAccessKey": "{AWS_SECRET}"}}',
        f'{{"SecretAccessKey": "{r("aws_secret_key")}"}}',
        ("aws_secret_key",),
    ),
    (f"use {GITHUB} for the bot", f"use {r('github_token')} for the bot", ("github_token",)),
    (f"pat={GITHUB_PAT}", f"pat={r('github_token')}", ("github_token",)),
    (f"gitlab {GITLAB} here", f"gitlab {r('gitlab_token')} here", ("gitlab_token",)),
    (f"slack bot {SLACK}.", f"slack bot {r('slack_token')}.", ("slack_token",)),
    (f"openai {OPENAI} ok", f"openai {r('openai_key')} ok", ("openai_key",)),
    (f"old openai {OPENAI_LEGACY}", f"old openai {r('openai_key')}", ("openai_key",)),
    (f"claude {ANTHROPIC} ok", f"claude {r('anthropic_key')} ok", ("anthropic_key",)),
    (f"maps key {GOOGLE} ok", f"maps key {r('google_api_key')} ok", ("google_api_key",)),
    (f"stripe {STRIPE} live", f"stripe {r('stripe_key')} live", ("stripe_key",)),
    ("test rk_live_" + "x" * 24, f"test {r('stripe_key')}", ("stripe_key",)),
    ("test sk_test_" + "x" * 24, f"test {r('stripe_key')}", ("stripe_key",)),
    (f"session {JWT} expires", f"session {r('jwt')} expires", ("jwt",)),
    (
        "curl -H 'Authorization: Bearer fake-token-0000000000' api",
        f"curl -H 'Authorization: Bearer {r('bearer_token')}' api",
        ("bearer_token",),
    ),
    (
        "Authorization: Basic dXNlcjpwYXNzd29yZA==\nAccept: */*",
        f"Authorization: Basic {r('basic_auth')}\nAccept: */*",
        ("basic_auth",),
    ),
    (
        "db at postgres://admin:hunter2@db.example.com:5432/app today",
        f"db at postgres://admin:{r('url_password')}@db.example.com:5432/app today",
        ("url_password",),
    ),
    (
        "redis://:p@ss:word@cache.local/0",
        f"redis://:{r('url_password')}@cache.local/0",
        ("url_password",),
    ),
    ('PASSWORD="hunter2"', f'PASSWORD="{r("password")}"', ("password",)),
    (
        "DB_PASSWORD=swordfish\nDB_USER=app",
        f"DB_PASSWORD={r('password')}\nDB_USER=app",
        ("password",),
    ),
    ("my password is hunter2.", f"my password is {r('password')}.", ("password",)),
    ("Password: Tr0ub4dor&3", f"Password: {r('password')}", ("password",)),
    ("passwd: 'correct horse'", f"passwd: '{r('password')}'", ("password",)),
    ("pwd := s3cr3t!", f"pwd := {r('password')}", ("password",)),
    ('{"api_key": "abc123def456"}', f'{{"api_key": "{r("api_key")}"}}', ("api_key",)),
    ("?apikey=abc123def456&page=2", f"?apikey={r('api_key')}&page=2", ("api_key",)),
    # not after "?" or "&": no query says where the value ends, so "&page=2" may be its end
    ("apikey=abc123def456&page=2", f"apikey={r('api_key')}", ("api_key",)),
    ("x-api-key: abc123def456", f"x-api-key: {r('api_key')}", ("api_key",)),
    ("the API key is abc-123-def", f"the API key is {r('api_key')}", ("api_key",)),
    ("SECRET=topsecretvalue", f"SECRET={r('secret')}", ("secret",)),
    ("client_secret: 'abcdef'", f"client_secret: '{r('secret')}'", ("secret",)),
    ("sent token=abcd1234 sent", f"sent token={r('token')} sent", ("token",)),
    ("access_token => 'zzz999'", f"access_token => '{r('token')}'", ("token",)),
    ("GITHUB_TOKEN=abcd1234efgh", f"GITHUB_TOKEN={r('token')}", ("token",)),
    ("a <private>hidden</private> b", "a b", ("private",)),
    # Kinds and spellings added for issue 11, one case each.
    (f"ppk:\n{PUTTY}\nbye", f"ppk:\n{r('private_key')}\nbye", ("private_key",)),
    (f"{PUTTY[:70]}", r("private_key"), ("private_key",)),  # cut short: to the end
    (f"app token {SLACK_APP} ok", f"app token {r('slack_token')} ok", ("slack_token",)),
    ("refresh xoxe.xoxp-1-" + "x" * 40, f"refresh {r('slack_token')}", ("slack_token",)),
    (
        f"post to https://hooks.slack.com/services/{SLACK_HOOK} now",
        f"post to https://hooks.slack.com/services/{r('webhook_url')} now",
        ("webhook_url",),
    ),
    (
        f"https://discord.com/api/webhooks/{DISCORD_HOOK}",
        f"https://discord.com/api/webhooks/{r('webhook_url')}",
        ("webhook_url",),
    ),
    (f"client {GOOGLE_SECRET} ok", f"client {r('google_oauth')} ok", ("google_oauth",)),
    (f"access {GOOGLE_ACCESS}", f"access {r('google_oauth')}", ("google_oauth",)),
    (f"refresh {GOOGLE_REFRESH}", f"refresh {r('google_oauth')}", ("google_oauth",)),
    (f"signing {WHSEC}.", f"signing {r('stripe_key')}.", ("stripe_key",)),
    (f"hf {HUGGINGFACE} ok", f"hf {r('huggingface_token')} ok", ("huggingface_token",)),
    (f"npm {NPM} ok", f"npm {r('npm_token')} ok", ("npm_token",)),
    (f"mail {SENDGRID} ok", f"mail {r('sendgrid_key')} ok", ("sendgrid_key",)),
    (
        f"AccountName=acme;AccountKey={AZURE_ACCOUNT};EndpointSuffix=core.windows.net",
        f"AccountName=acme;AccountKey={r('azure_key')};EndpointSuffix=core.windows.net",
        ("azure_key",),
    ),
    (
        f"https://a.blob.core.windows.net/c/f?sv=2022-11-02&sig={AZURE_SIG}",
        f"https://a.blob.core.windows.net/c/f?sv=2022-11-02&sig={r('azure_key')}",
        ("azure_key",),
    ),
    (f"entra {AZURE_ENTRA} ok", f"entra {r('azure_key')} ok", ("azure_key",)),
    (f"bot {TELEGRAM} ok", f"bot {r('telegram_token')} ok", ("telegram_token",)),
    (
        "bot MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789AB ok",
        f"bot {r('discord_token')} ok",
        ("discord_token",),
    ),
    (
        f"The AWS secret key is {AWS_SECRET}.",
        f"The AWS secret key is {r('aws_secret_key')}.",
        ("aws_secret_key",),
    ),
    (
        f"AWS secret access key: `{AWS_SECRET}`",
        f"AWS secret access key: `{r('aws_secret_key')}`",
        ("aws_secret_key",),
    ),
    ("PGPASSWORD=hunter22 psql", f"PGPASSWORD={r('password')} psql", ("password",)),
    ("DB_PASS=hunter22", f"DB_PASS={r('password')}", ("password",)),
    ("smtp-pass: s3cr3t", f"smtp-pass: {r('password')}", ("password",)),
    ("MYSQL_PWD=letmein99", f"MYSQL_PWD={r('password')}", ("password",)),
    ("user=bob pass=hunter22", f"user=bob pass={r('password')}", ("password",)),
    (
        "curl -u admin:s3cr3t https://ci.example.com",
        f"curl -u admin:{r('password')} https://ci.example.com",
        ("password",),
    ),
    (
        "curl -X POST \\\n  --user 'bob:pa ss' \\\n  https://x",
        f"curl -X POST \\\n  --user 'bob:{r('password')}' \\\n  https://x",
        ("password",),
    ),
    # A token a terminal or editor wrapped over two lines is found across the break.
    (f"t {GITHUB[:20]}\n{GITHUB[20:]} ok", f"t {r('github_token')} ok", ("github_token",)),
    (f"{AWS_ID[:10]}\n  {AWS_ID[10:]}", r("aws_access_key"), ("aws_access_key",)),
    (f"{JWT[:30]}\r\n{JWT[30:]}", r("jwt"), ("jwt",)),
    *(
        (f"{kind}: {token} (rotate)", f"{kind}: {r(kind)} (rotate)", (kind,))
        for kind, token in PREFIXED
    ),
    # Rails' SECRET_KEY_BASE; a kubeconfig's client key (a PEM key in base64).
    (
        "SECRET_KEY_BASE=9f8e7d6c5b4a3928 and client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBL",
        f"SECRET_KEY_BASE={r('secret')} and client-key-data: {r('private_key')}",
        ("secret", "private_key"),
    ),
    # A registry login as Docker's config.json and .npmrc keep it: base64 of user:password.
    (
        '{"auths": {"r.io": {"auth": "Ym9iOkh1bnRlcjIyeFNlY3JldA=="}}}; _auth=Ym9iOnB3MTIzNA',
        f'{{"auths": {{"r.io": {{"auth": "{r("basic_auth")}"}}}}}}; _auth={r("basic_auth")}',
        ("basic_auth",),
    ),
    # A .netrc entry, on one line or several (its password may be a plain word).
    (
        "machine api.heroku.com login me@x.com password swordfish\nmachine h.io\n  login b\n"
        "  password hunter2",
        f"machine api.heroku.com login me@x.com password {r('password')}\nmachine h.io\n  login b\n"
        f"  password {r('password')}",
        ("password",),
    ),
    # Short and other words for a password.
    (
        "router pw: Tr0ub4dor, door passcode=482193",
        f"router pw: {r('password')}, door passcode={r('password')}",
        ("password",),
    ),
    # A secret as an option's value, spelt with a space.
    (
        "helm repo add acme https://c.io --username bot --password Hunter22x && gpg "
        "--passphrase 'two words' -d f.gpg",
        f"helm repo add acme https://c.io --username bot --password {r('password')} && gpg "
        f"--passphrase '{r('password')}' -d f.gpg",
        ("password",),
    ),
    (
        "keytool -list -storepass changeit -keypass changeit; openssl rsa -passin pass:Hunter22x",
        f"keytool -list -storepass {r('password')} -keypass {r('password')}; "
        f"openssl rsa -passin pass:{r('password')}",
        ("password",),
    ),
    (
        "redis-cli -h cache -a Sup3rS3cret ping; ldapsearch -x -D cn=admin -w Adm1nPass -b dc=x",
        f"redis-cli -h cache -a {r('password')} ping; "
        f"ldapsearch -x -D cn=admin -w {r('password')} -b dc=x",
        ("password",),
    ),
    (
        "sqlcmd -S db -U sa -P Str0ngPass! ; ssh-keygen -N Hunter22x -f k; mongosh -u a -p Hunt3r",
        f"sqlcmd -S db -U sa -P {r('password')} ; ssh-keygen -N {r('password')} -f k; "
        f"mongosh -u a -p {r('password')}",
        ("password",),
    ),
    (
        "vault login --token s.abc123def456; app --client-secret 9f8e7d6c --api-key k3y-42x",
        f"vault login --token {r('token')}; app --client-secret {r('secret')} "
        f"--api-key {r('api_key')}",
        ("token", "secret", "api_key"),
    ),
    # A label may be a camelCase part of a name (JavaScript, JSON and YAML configs).
    (
        '{"authToken": "a1b2c3d4e5", "dbPassword": "hunter22", "apiSecret": "s3cr3tValue"}',
        f'{{"authToken": "{r("token")}", "dbPassword": "{r("password")}", '
        f'"apiSecret": "{r("secret")}"}}',
        ("token", "password", "secret"),
    ),
    # Logins in a .pgpass line, smbclient -U, 7z/unrar -p, chpasswd's and htpasswd's input,
    # Python's auth tuples.
    (
        "db.example.com:5432:appdb:alice:S3cret:Pass *:*:*:postgres:hunter2xyz",
        f"db.example.com:5432:appdb:alice:{r('password')} *:*:*:postgres:{r('password')}",
        ("password",),
    ),
    # A .pgpass line on any port; Samba's `net` and a Windows DOMAIN\\user before the "%".
    (
        "db.internal:15432:appdb:alice:S3cretPw9 10.0.0.5:5439:dev:bob:Hunter22x",
        f"db.internal:15432:appdb:alice:{r('password')} 10.0.0.5:5439:dev:bob:{r('password')}",
        ("password",),
    ),
    (
        "net rpc user -U CORP\\admin%Adm1nPass -S dc1; net ads join -U 'CORP\\ann%Two words'; "
        "smbclient //nas/s -UCORP\\bo%Hunter22x",
        f"net rpc user -U CORP\\admin%{r('password')} -S dc1; "
        f"net ads join -U 'CORP\\ann%{r('password')}'; "
        f"smbclient //nas/s -UCORP\\bo%{r('password')}",
        ("password",),
    ),
    # Windows' `net use` (the password before or after /user:, quoted, upper case); mount.cifs's
    # `user=DOM\\u%password` and `password=` options, an fstab line's.
    (
        "net use \\\\srv\\share /user:CORP\\ann S3cr3t!pw; "
        "net use Z: \\\\srv\\share Hunter2Pass /u:ann /persistent:yes\n"
        'NET USE Y: \\\\fs01\\data /USER:CORP\\bo "two words" && net use \\\\nas\\x pw123',
        f"net use \\\\srv\\share /user:CORP\\ann {r('password')}; "
        f"net use Z: \\\\srv\\share {r('password')} /u:ann /persistent:yes\n"
        f'NET USE Y: \\\\fs01\\data /USER:CORP\\bo "{r("password")}" && '
        f"net use \\\\nas\\x {r('password')}",
        ("password",),
    ),
    (
        "sudo mount -t cifs //srv/s /mnt -o user=CORP\\ann%S3cr3t!pw,uid=1000; "
        "mount.cifs //srv/s /m -o username=ann,password=Hunter22x\n"
        "//nas/media /media cifs user=bo%Tr0ub,,4dor,vers=3.0 0 0",
        f"sudo mount -t cifs //srv/s /mnt -o user=CORP\\ann%{r('password')},uid=1000; "
        f"mount.cifs //srv/s /m -o username=ann,password={r('password')}\n"
        f"//nas/media /media cifs user=bo%{r('password')},vers=3.0 0 0",
        ("password",),
    ),
    (
        "smbclient //srv/share -U alice%Hunter22x; 7z x b.7z -pS3cret! -oout; unrar x -p'a b' r",
        f"smbclient //srv/share -U alice%{r('password')}; 7z x b.7z -p{r('password')} -oout; "
        f"unrar x -p'{r('password')}' r",
        ("password",),
    ),
    (
        "echo 'bob:Hunter22x' | sudo chpasswd; chpasswd <<< ann:S3cret; htpasswd -nbB bob s3cr3t",
        f"echo 'bob:{r('password')}' | sudo chpasswd; chpasswd <<< ann:{r('password')}; "
        f"htpasswd -nbB bob {r('password')}",
        ("password",),
    ),
    (
        "htpasswd -b /etc/nginx/.htpasswd alice Hunter22x; "
        "get(u, auth=('bob', 'hunter2')); HTTPBasicAuth(\"bob\", \"hunter2\")",
        f"htpasswd -b /etc/nginx/.htpasswd alice {r('password')}; "
        f"get(u, auth=('bob', '{r('password')}')); HTTPBasicAuth(\"bob\", \"{r('password')}\")",
        ("password",),
    ),
    # Near the code and quantities left alone: a digit makes a value a secret again.
    (
        "pw=1234 for the wifi; apiKey = Tr0ub4dor_x; token = Summer2024.x",
        f"pw={r('password')} for the wifi; apiKey = {r('api_key')}; token = {r('token')}",
        ("password", "api_key", "token"),
    ),
    (
        "refreshToken: 1//abc9x webhookSecret=whk-42x userPwd=Tr0ub4dor",
        f"refreshToken: {r('token')} webhookSecret={r('secret')} userPwd={r('password')}",
        ("token", "secret", "password"),
    ),
    (
        "ops:$apr1$9Vx3kz1Q$Xw4oZ2pUu8yZk1m1Q0rGv/ in .htpasswd",
        f"ops:{r('password_hash')} in .htpasswd",
        ("password_hash",),
    ),
]


@pytest.mark.parametrize(("text", "expected", "kinds"), POSITIVE)
def test_secret_is_replaced_and_context_kept(
    text: str, expected: str, kinds: tuple[str, ...]
) -> None:
    result = redact(text)
    assert result == Redaction(expected, kinds)
    assert result.changed


def test_every_kind_has_a_positive_case() -> None:
    covered = {kind for _, _, kinds in POSITIVE for kind in kinds}
    assert covered == set(KINDS)


@pytest.mark.parametrize("prefix", ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"])
def test_every_github_prefix(prefix: str) -> None:
    assert redact(f"t {prefix}{'x' * 36} t").text == f"t {r('github_token')} t"


def test_specific_kind_wins_over_its_label() -> None:
    assert redact(f"GH_TOKEN={GITHUB}").text == f"GH_TOKEN={r('github_token')}"
    assert redact(f"Authorization: Bearer {JWT}").redacted == ("jwt",)
    assert redact(f"https://bot:{GITHUB}@github.com").redacted == ("github_token",)


def test_a_value_holding_a_secret_goes_whole() -> None:
    # On its own "/tmp/..." is a path, not a password; with a token inside, all of it goes.
    assert redact(f"pwd: /tmp/{GITHUB}/x").text == f"pwd: {r('github_token')}"


def test_nothing_found_is_unchanged() -> None:
    assert not Redaction("plain").changed
    assert redact("plain") == Redaction("plain", ())


def test_kinds_are_listed_once_in_text_order() -> None:
    text = f"{GITHUB} <private>x</private> {AWS_ID} {GITHUB} password=hunter22"
    result = redact(text)
    assert result.redacted == ("github_token", "private", "aws_access_key", "password")
    assert result.text.count(r("github_token")) == 2


FALSE_POSITIVES = [
    "Deploy Kestrel-00042 to staging after lunch.",
    "Request id 123e4567-e89b-12d3-a456-426614174000 failed.",
    "Fixed in commit 9fceb02d0ae598e95dc970b74767f19372d61af8.",
    "Upgrade to v2.13.0-rc.1 (python 3.11.7).",
    "Config lives in /home/alice/.config/memory-mcp/settings.toml and C:\\Users\\alice\\app.",
    "Docs at https://example.com/docs?page=2#install and postgres://localhost:5432/app.",
    "Clone git@github.com:org/repo.git or ssh://git@github.com/org/repo; http://[::1]:8080/x",
    "Rotate the API token monthly.",
    "The password policy requires 12 characters.",
    "Reset your password via the portal.",
    "The password is required; the token is valid for 1h.",
    "The secret to good soup is patience. The secret is patience.",
    "Problem with the token: expires too soon.",
    "max_tokens=4096, token_count: 512, password_hash=bcrypt",
    'if password == "": return',
    "password = os.environ['DB_PASSWORD']; token = getenv('TOKEN')",
    'PASSWORD=${DB_PASSWORD} TOKEN=$GH_TOKEN api_key: <your key> secret: "{{ vault }}"',
    '{"password": null, "token": "", "secret": true, "api_key": "****"}',
    "pwd: /home/alice/project",
    "Authorization: Bearer $TOKEN",
    "risk-assessment-framework-2024 and task-management-dashboard-v2",
    "ASIA PACIFIC revenue; AKIA is a prefix; eyJ starts a JWT.",
    "email alice@example.com, mailto:bob@example.org",
    "",
    "   ",
    # Near misses of the kinds added for issue 11: ordinary prose and code stay as they are.
    "The password reset flow emails a link; the token bucket algorithm limits requests.",
    "We bypass=1234 the cache; first pass: 2024 data; the build passed: 1234 tests.",
    "Use hf_hub_download(repo_id=x) and npm_config_cache=/tmp/npm; SG.1 ships Monday.",
    "docker run -u 1000:1000 img; sudo -u postgres psql; rsync -u a host:/srv/backup",
    "curl -u $USER:$TOKEN https://x and curl -u bob: https://y",
    "The AWS secret key rotation runs monthly; AccountName=devstore; ?sig=abc",
    "Meeting 12:30; chat 123456789:hello; ya29 is a prefix; 1//0 is a path",
    "PuTTY-User-Key-File-3: is the header of a .ppk file",
    "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "https://hooks.slack.com/services/ is where webhooks live",
    "line one ends here\nline two starts here\nand a hash 9fceb02d0ae5\n98e95dc970b7",
    # -p is a port, a patch, a prompt for the password, or in prose: not a password.
    "ssh -p 2222 host; psql -h db -p 5432 -U app; git log -p; tar -pxf a.tar; cp -p a b",
    "mysql -u root -p shop asks for it; mysql -p$MYSQL_PWD; the login page -p option",
    "sshpass -p $PASS ssh -p 2222 host; echo x | docker login --password-stdin",
    "primary_key=id; sort_key: created_at; cache_key=user:42; monkey=banana12; keyboard=qwerty1",
    "The private key is stored in Vault; the encryption key: rotate it yearly.",
    # Near misses of cookies, %-encoding and the labels in other languages.
    "Cookie: theme=dark; lang=en-GB; tz=Europe%2FParis",
    "The session cookie expires after 30 minutes; set-cookie: is sent on login.",
    "https://example.com/search?q=reset%20my%20password%20please&page=2",
    "https://example.com/a%20b/c%2Fd?x=100%25&id=123e4567-e89b-12d3-a456-426614174000",
    "Passwort vergessen? Das Passwort: mindestens 12 Zeichen. Kennwort ändern.",
    "mot de passe : oublié ; le mot de passe doit changer. contraseña: olvidada; senha: nova",
    "mysqldump -u root -p shop > dump.sql; mysql -p'$MYSQL_PWD' shop",
    # Near misses of the providers' prefixes: too short, in a word, another alphabet.
    "dapi is Databricks' prefix; pul-requests; key-value store; hvs.json; secret_sauce_v2",
    "shpat_ and dop_v1_ and lin_api_ prefixes; dp.pt. docs; NRAK-42; fo1_x; en-us1 locale",
    "grafana glc_short; AGE-SECRET-KEY-1 header; ATATT3 token format; pscale_tkn_ prefix",
    # Options in prose or without a value: psql's --password takes none, -a/-w/-P/-N mean
    # a password only to redis-cli, ldapsearch, sqlcmd/zip, ssh-keygen.
    "psql --password mydb; pass it with --token instead; docker login --password-stdin",
    "ls -a /tmp; grep -w word f; ssh -N -L 8080:db:5432 host; cp -P a b; --api-key $KEY",
    "keytool -storepass $STOREPASS; openssl rsa -passin env:PASS; -passout file:pw.txt",
    "pw: 3 pages; PW: pending; the pw is wrong; passcode: changes monthly",
    'DEBUG=pw:api,pw:channel node x.js; print(f"pw:{name} {message}")',  # Playwright's logs
    "client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t (a certificate is public)",
    '"auth": "required", "auth": "oauth2", auth: Ym9ib2I= and _auth=dGVzdGluZw (no pair)',
    "Our machine learning login page password reset flow; default login is the SSO password",
    # What `memory-mcp scrub` left where a secret was is no secret.
    'after scrub: dbPassword=[scrubbed], {"pw": "[scrubbed]"}, token: [scrubbed]',
    # camelCase near misses: a label that goes on, a flag, a placeholder, prose after ':'.
    "maxTokens=4096; isPassword: true; passwordMinLength=12; getToken(); resetToken: expired",
    "const hasSecret = false; showPassword=yes; apiTokenCount=3; user.authToken = null",
    # Code: an attribute or an identifier as the value is a reference, not a secret.
    "xPrivateKey = mod.attr; apiKey = self.config.api_key; password=settings.DB_PASSWORD",
    "token = access_token; const dbPassword = readPassword; secretKey = key_from_env",
    # .NET's publicKeyToken names a public assembly; PW is a power or a pulse width.
    '<assemblyIdentity name="System.Web.Mvc" publicKeyToken="31bf3856ad364e35" />',
    "System.Web, Version=4.0.0.0, Culture=neutral, PublicKeyToken=b03f5f7f11d50a3a",
    "The heater draws PW=1234 watts; PW=12.5 kW at peak; set PW=20 us for the servo",
    "With zip -P is the flag for a password, and unzip -P the one to open it",
    # -p is a port, -U a user, user:group an owner; a pair with no command reading it.
    "ssh -p 2222 host; docker run -p 5432:5432 pg; 7z x a.7z -p (it asks); rsync -p a b",
    "smbclient -U alice //srv/s; chown alice:staff f; htpasswd -c .htpasswd bob (it asks)",
    "auth=(user, password); HTTPBasicAuth(user, os.environ['PW']); at 10:30:00:12:99",
    # Colon-separated fields that are no .pgpass line; a `-U x%y` after no Samba command.
    "MAC 00:11:22:33:44:55 and aa:bb:cc:11:22:33; web01:8080:GET:/index:200; at 12:30:45:00:ab",
    "app.py:120:5:error:undefined-name; db1:99999:x:y:zzzz1; the net result -U 50%off",
    "net rpc shutdown -U CORP\\admin -S dc1 (it asks for the password)",
    "cut -d% -f2 file; tool -U50%x and -Uadmin%test with no Samba command before them",
    # `net use` asking for the password (*), deleting, in prose; a URL's user=a%20b.
    "net use Z: \\\\srv\\share * /user:CORP\\ann; net use Z: \\\\srv\\share /user:ann; "
    "net use Z: /delete",
    "Run net use \\\\srv\\share /user:CORP\\ann and type the password; net use \\\\srv\\s daily",
    "net use \\\\srv\\share %SHARE_PW% /user:ann; net use \\\\srv\\share /user:ann then",
    "mount /dev/sdb1 /mnt; see https://x.example/?user=john%20doe and ?username=a%2Fb",
    "curl 'https://x.example/login?user=ann%40corp' -o out.html; user=50%off in the cifs doc",
]


@pytest.mark.parametrize("text", FALSE_POSITIVES)
def test_ordinary_memories_are_unchanged(text: str) -> None:
    result = redact(text)
    assert result == Redaction(text, ())
    assert not result.changed


def test_base64_data_in_prose_is_unchanged() -> None:
    # An image or attachment pasted as base64, on one line or wrapped at 76 characters.
    data = random.Random(5).randbytes(6000)
    for blob in (base64.b64encode(data).decode(), base64.encodebytes(data).decode()):
        text = f"The logo is data:image/png;base64,{blob} (from the design doc)."
        assert redact(text) == Redaction(text, ())


def test_a_whole_token_at_a_line_end_keeps_the_next_line() -> None:
    text = f"{GITHUB}\nnext line\n{AWS_ID}\nAKIA is here"
    assert (
        redact(text).text == f"{r('github_token')}\nnext line\n{r('aws_access_key')}\nAKIA is here"
    )


@pytest.mark.parametrize("secret", CORPUS, ids=lambda s: s.name)
def test_every_secret_of_the_corpus_is_removed(secret: object) -> None:
    result = redact(secret.text)  # type: ignore[attr-defined]
    for piece in secret.secrets:  # type: ignore[attr-defined]
        assert piece not in result.text
    assert result.changed


PRIVATE = [
    ("Call <private>Alice 555-0100</private> tomorrow.", "Call tomorrow."),
    ("a <PRIVATE>x</Private> b <private>y</private> c", "a b c"),
    ("start\n<private>\nline one\nline two\n</private>\nend", "start\nend"),
    ("para one\n\n<private>x</private>\n\npara two", "para one\n\npara two"),
    ("keep this <private>and drop\nall of the rest", "keep this"),
    ("<private>all</private>", ""),
    ("<private>lead</private>  text", "text"),
    ("  indented <private>x</private>", "  indented"),
    ("a<private>x</private>b", "ab"),
    ("a <private>x <private>y</private> still private</private> b", "a b"),
    ("a <private>x</private> b </private> c", "a b c"),
    ("<private>x</private><private>y</private> z", "z"),
    ("<priv<private>x</private>ate>kept", "<priv ate>kept"),
    (f"gh<private>x</private>p_{'x' * 36}", r("github_token")),
    ("password: <private>hunter2</private>", "password:"),
]


@pytest.mark.parametrize(("text", "expected"), PRIVATE)
def test_private_blocks_are_removed(text: str, expected: str) -> None:
    result = redact(text)
    assert result.text == expected
    assert "private" in result.redacted
    assert "private>" not in result.text.lower()


def test_private_order_relative_to_secrets() -> None:
    text = f"<private>x</private> {GITHUB} and {AWS_ID} <private>y</private>"
    assert redact(text).redacted == ("private", "github_token", "aws_access_key")


@pytest.mark.parametrize("text", [t for t, _, _ in POSITIVE] + [t for t, _ in PRIVATE])
def test_redacting_twice_changes_nothing(text: str) -> None:
    once = redact(text)
    assert redact(once.text) == Redaction(once.text, ())


@pytest.mark.parametrize("text", ["\ud800 \udfff", "a\x00b password=\x00x", "\x00" * 50])
def test_odd_characters_do_not_raise(text: str) -> None:
    assert redact(text).text == text


ADVERSARIAL = [
    "a" * 1_000_000,
    "password=" * 100_000,
    "password is " * 100_000,
    "password" + " " * 500_000,
    "-----BEGIN PRIVATE KEY-----" * 30_000,
    "a://u:" * 100_000,
    "a://u:" + "p@" * 200_000,
    "<private>" * 100_000,
    "</private>x" * 100_000,
    "<priv<private>x</private>ate>" * 30_000,
    "eyJaaaaaaaaaaaa." * 100_000,
    'token: "' * 100_000,
    "password=" + "." * 500_000,
    "Authorization: Bearer " * 100_000,
    "[REDACTED:x]" * 100_000,
    "a\n" * 500_000,
    "ghp_a\n" * 200_000,
    "PuTTY-User-Key-File-1: a\nEncryption:" * 30_000,
    "curl -u a:b " * 100_000,
    "-u a:b " * 150_000,
    ("curl-" * 200 + " -u a:b ") * 1_000,
    "aws secret key " * 60_000,
    "a_pass" * 150_000,
    "PGPASSWORD" * 100_000,
    "aaa1Q~" * 150_000,
    "x" + " " * 500_000 + "\n",
    ("ghp_" + "a" * 36 + " ghp_" + "b" * 10 + "\n" + "c" * 30 + " ") * 12_000,
    "a[REDACTED:x]" * 80_000,
    "a_" * 250_000 + "key=x1",
    "app_" * 120_000 + "key=x1",
    "docker login " + "-p x " * 100_000,
    "mysql -pa " * 50_000,
    '\\"password\\": \\"' * 60_000,
    "\\" * 500_000,
    "%41" * 300_000,
    "%3D" * 300_000,
    "password%3D" * 80_000,
    "a+%" * 300_000,
    "Cookie: session=x1; " * 50_000,
    "session=x1; " * 80_000 + "cookie",
    "mysql -p'" * 100_000,
    "mot de passe : " * 60_000,
    "contraseña:" * 80_000,
    "net use \\\\a\\b " * 100_000,
    "net use \\\\a\\b" + " /x" * 200_000,
    "mount user=a%" * 80_000,
    "cifs user=a%" + ",," * 300_000,
]


@pytest.mark.parametrize("text", ADVERSARIAL, ids=lambda t: repr(t[:12]))
def test_huge_adversarial_input_is_linear(text: str) -> None:
    # Each takes well under a second; quadratic backtracking would take minutes. Only the
    # time tells the two apart: Python's re reports no count of the steps it took, and the
    # result is the same either way. So this bound stays, far above the linear time.
    started = time.perf_counter()
    redact(text)
    assert time.perf_counter() - started < 10


# Pieces that stress the seams between rules when glued together with nothing in between.
FRAGMENTS = [
    GITHUB, GITLAB, SLACK, OPENAI, ANTHROPIC, GOOGLE, STRIPE, AWS_ID, AWS_SECRET, JWT, PEM,
    "-----BEGIN PRIVATE KEY-----", "-----END PRIVATE KEY-----", "<private>", "</private>",
    "<priv", "ate>", "password", "token", "api_key", "secret", "aws_secret_access_key",
    "Authorization: Bearer ", "Basic ", "https://", "user:", "@host", "@", ":", "=", " is ",
    '"', "'", " ", "\n", ".", ",", "-", "_", "/", "hunter2", "abcd", "x", "[REDACTED:token]",
    "$VAR", "null", "eyJ", "sk-", "ghp_", "%3D", "%22", "%20", "+", "%", "Cookie: ", "sid=",
    "-p'", "Passwort:",
]  # fmt: skip
glued = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=5), max_size=12).map("".join)
any_text = st.text(st.characters(exclude_categories=()), max_size=200)


@settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow])
@given(glued | any_text)
def test_never_raises_and_is_idempotent(text: str) -> None:
    once = redact(text)
    assert isinstance(once.text, str)
    assert redact(once.text) == Redaction(once.text, ())
    assert once.changed == (once.text != text)


ALNUM = string.ascii_letters + string.digits
body = st.text(ALNUM, min_size=36, max_size=40)
secrets = st.one_of(
    body.map(lambda b: "ghp_" + b),
    body.map(lambda b: "glpat-" + b),
    body.map(lambda b: "sk-proj-" + b),
    body.map(lambda b: "sk-ant-api03-" + b),
    body.map(lambda b: "sk_live_" + b),
    body.map(lambda b: "xoxp-" + b),
    st.text(string.ascii_uppercase + string.digits, min_size=16, max_size=16).map(
        lambda b: "AKIA" + b
    ),
    st.text(ALNUM + "_-", min_size=35, max_size=35).map(lambda b: "AIza" + b),
    st.tuples(body, body).map(lambda p: f"eyJ{p[0]}.eyJ{p[1]}.{p[0]}"),
)
prose = st.text(st.characters(exclude_categories=()), max_size=60)


@settings(max_examples=300)
@given(prose, secrets, prose)
def test_a_found_secret_never_survives(before: str, secret: str, after: str) -> None:
    result = redact(f"{before} {secret} {after}")
    assert secret not in result.text
    assert result.changed


# -- every field of a memory -------------------------------------------------------------------


def test_redact_fields_cleans_every_text_of_a_memory() -> None:
    result = redact_fields(
        content=f"use {GITHUB}",
        context="said: password=hunter22",
        tags=["deploy", AWS_ID, "<private>x</private>"],
        key=f"bot.{SLACK_APP}",
        scope="global",
        metadata={"nested": [{"deep": {"list": [JWT, 3, None, True]}}], JWT: "as a key"},
    )
    assert result == RedactedFields(
        {
            "content": f"use {r('github_token')}",
            "context": f"said: password={r('password')}",
            "tags": ["deploy", r("aws_access_key"), ""],
            "key": f"bot.{r('slack_token')}",
            "scope": "global",
            "metadata": {
                "nested": [{"deep": {"list": [r("jwt"), 3, None, True]}}],
                r("jwt"): "as a key",
            },
        },
        ("github_token", "password", "aws_access_key", "private", "slack_token", "jwt"),
    )
    assert result.changed and not redact_fields(content="plain", tags=None).changed


def test_a_tag_holding_a_secret_becomes_its_marker_alone() -> None:
    tags = ["deploy", "password=hunter22-and-a-long-tag-name-that-nearly-fills-64-chars"]
    assert redact_fields(tags=tags).fields["tags"] == ["deploy", r("password")]


def test_tags_are_redacted_before_they_are_lowercased() -> None:
    # AKIA..., GOCSPX-... and eyJ... are case-sensitive shapes: lowercase, they would pass.
    assert redact_fields(tags=[AWS_ID, GOOGLE_SECRET]).fields["tags"] == [
        r("aws_access_key"),
        r("google_oauth"),
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("password", "password"),
        ("dbPassword", "password"),
        ("PGPASSWORD", "password"),
        ("DB_PASS", "password"),
        ("x-api-key", "api_key"),
        ("apiKey", "api_key"),
        ("client_secret", "secret"),
        ("accessToken", "token"),
        ("csrf-token", "token"),
        ("Authorization", "bearer_token"),
        ("aws_secret_access_key", "aws_secret_key"),
        ("private_key", "private_key"),
        ("encryptionKey", "secret"),
        ("JWT_SIGNING_KEY", "secret"),
        ("pw", "password"),
        ("client-key-data", "private_key"),
        ("secretKeyBase", "secret"),
        ("wifiPasscode", "password"),
    ],
)
def test_a_field_named_for_a_secret_loses_its_value(name: str, kind: str) -> None:
    result = redact_fields(metadata={name: "Zebra-Quartz-41", "ok": "Zebra-Quartz-41"})
    assert result.fields["metadata"] == {name: r(kind), "ok": "Zebra-Quartz-41"}
    assert result.redacted == (kind,)


@pytest.mark.parametrize(
    "name",
    [
        "token_count",
        "max_tokens",
        "publicKeyToken",  # .NET: a public assembly's name
        "PublicKeyToken",
        "public_key_token",
        "password_hash",
        "bypass",
        "compass",
        "secret_santa",
        "primary_key",
        "sort_key",
        "cache_key",
    ],  # fmt: skip
)
def test_fields_named_like_a_secret_but_not_one_are_kept(name: str) -> None:
    assert not redact_fields(metadata={name: "kept as is"}).changed


def test_named_fields_keep_references_placeholders_and_markers() -> None:
    metadata = {"password": "$DB_PASSWORD", "token": "", "secret": None, "api_key": r("api_key")}
    assert redact_fields(metadata=metadata) == RedactedFields({"metadata": metadata}, ())


def test_a_named_field_loses_every_text_and_number_it_holds() -> None:
    # A YAML or JSON config turned into metadata: the secret is in a list, a nested dict, or
    # a number; a dict's own entries still speak for themselves (a policy's min_length).
    metadata = {
        "password": ["Zebra-Quartz-41", {"value": "Zebra-Quartz-42", "min_length": 12}],
        "db": {"dbPassword": 41852093, "port": 5432},
        "apiKey": 123456789012,
        "credentials": {"token": {"access": "Zebra-Quartz-43", "expires_in": 3600}},
        "max_token": 512,
        "secret": {"hint": None, "rotated": True},
    }
    assert redact_fields(metadata=metadata).fields["metadata"] == {
        "password": [r("password"), {"value": r("password"), "min_length": 12}],
        "db": {"dbPassword": r("password"), "port": 5432},
        "apiKey": r("api_key"),
        "credentials": {"token": {"access": r("token"), "expires_in": 3600}},
        "max_token": 512,
        "secret": {"hint": None, "rotated": True},
    }


def test_measured_length_counts_a_marker_as_one_character() -> None:
    assert measured_length("abc") == 3
    assert measured_length(f"a{r('password')}b{r('github_token')}") == 4
    assert measured_length("[REDACTED:not_a_kind]") == len("[REDACTED:not_a_kind]")
    text = "pwd=abcd " * 2_000  # grows more than twice as long when redacted
    assert len(redact(text).text) > 2 * len(text) >= 2 * measured_length(redact(text).text)


def test_which_rules_to_run_is_decided_in_one_pass_over_the_needles(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A rule runs only on a text holding one of its needles; that was asked rule by rule
    (33 calls of Rule.may_match per text, ~30 us a sentence); one pass over the needles
    answers the same."""
    texts = [s.snippet for s in CORPUS] + [
        "We moved the payment worker from PostgreSQL to Redis because it handles our load.",
        "editor",
        "see https://example.com -u and AKIA, sk-ant, xoxb, gh, private key, pass_word",
    ]
    for text in texts:
        lowered = text.lower()
        assert possible_rules(lowered) == {
            i for i, rule in enumerate(RULES) if rule.may_match(lowered)
        }, text
    calls: list[str] = []
    original = Rule.may_match

    def counted(self: Rule, lowered: str) -> bool:
        calls.append(lowered)
        return original(self, lowered)

    monkeypatch.setattr(Rule, "may_match", counted)
    assert redact("the password policy is strict; my password is hunter2").changed
    assert not calls


def test_a_line_of_many_net_use_commands_is_read_once_not_once_each(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each `net use` password looked for its /user: option from the command to the end of
    its line: a line of thousands of commands (a pasted log) was read to its end for each,
    quadratic (640 KB: 70 s). The look stops within NET_USE_REACH; every one is still found."""
    from memory_mcp.policies import secret_commands

    looked: list[int] = []
    real = secret_commands._NET_USER

    class Counted:
        def search(self, text: str, pos: int, endpos: int) -> object:
            looked.append(endpos - pos)
            return real.search(text, pos, endpos)

    monkeypatch.setattr(secret_commands, "_NET_USER", Counted())
    text = "net use \\\\a\\b p1x /user:ann & " * 3000
    found = redact(text)
    assert found.text.count("[REDACTED:password]") == 3000 and "p1x" not in found.text
    assert len(looked) == 3000 and max(looked) <= 2 * secret_commands.NET_USE_REACH
