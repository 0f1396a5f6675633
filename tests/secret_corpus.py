"""Realistic (fake) secrets of every kind the README lists, each in a memory someone could
write, for tests that check no write path lets one through.

Bodies are generated from a fixed seed in each format's alphabet and length, so they look
like the real thing (mixed case, digits) without being anyone's credential.
"""

import base64
import random
import string
from dataclasses import dataclass

_RANDOM = random.Random(11)
ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"
B64 = ALNUM + "+/"


def body(length: int, alphabet: str = ALNUM) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(length))


def upper(length: int) -> str:
    return body(length, string.ascii_uppercase + string.digits)


@dataclass(frozen=True)
class Secret:
    name: str
    snippet: str  # the secret as written: with its label or in its command
    secrets: tuple[str, ...]  # what must not be stored (for a multi-line key: pieces of it)
    prose: str = "{}"  # the memory around the snippet

    @property
    def text(self) -> str:
        return self.prose.format(self.snippet)


def _one(name: str, snippet: str, secret: str, prose: str = "{}") -> Secret:
    return Secret(name, snippet, (secret,), prose)


_GITHUB = "ghp_" + body(36)
_SPLIT = "ghp_" + body(36)
_AWS_SECRET = body(40, B64)
_AWS_PROSE = body(40, B64)
_PEM_LINES = [body(64, B64) for _ in range(3)]
_SSH_LINES = [body(70, B64) for _ in range(2)]
_PUTTY_PRIVATE = body(64, B64)
_PUTTY_MAC = body(64, "0123456789abcdef")
_JWT = f"eyJ{body(20, URLSAFE)}.eyJ{body(30, URLSAFE)}.{body(43, URLSAFE)}"
_SLACK_HOOK = f"T{upper(10)}/B{upper(10)}/{body(24)}"
_DISCORD_HOOK = f"{body(18, string.digits)}/{body(68, URLSAFE)}"
_AZURE_ACCOUNT = body(86, B64) + "=="
_AZURE_SIG = body(43, B64).replace("+", "%2B") + "%3D"
_AZURE_ENTRA = body(3) + "8Q~" + body(34, URLSAFE + "~.")
_TELEGRAM = f"{body(10, string.digits)}:AA{body(33, URLSAFE)}"

CORPUS = [
    _one("github_token", _GITHUB, _GITHUB, "CI bot uses {} for release uploads"),
    _one(
        "github_pat",
        gh := "github_pat_" + body(22) + "_" + body(59),
        gh,
        "Fine-grained PAT for the docs repo: {}",
    ),
    _one("gitlab_token", gl := "glpat-" + body(20, URLSAFE), gl, "GitLab runner token {}"),
    _one(
        "slack_bot",
        sl := f"xoxb-{body(12, string.digits)}-{body(13, string.digits)}-{body(24)}",
        sl,
        "Slack bot token: {}",
    ),
    _one(
        "slack_app",
        sa := f"xapp-1-A{upper(10)}-{body(13, string.digits)}-{body(64, '0123456789abcdef')}",
        sa,
        "Socket mode needs the app-level token {}",
    ),
    _one(
        "slack_webhook",
        f"https://hooks.slack.com/services/{_SLACK_HOOK}",
        _SLACK_HOOK,
        "Alerts post to {} in #ops",
    ),
    _one(
        "discord_webhook",
        f"https://discord.com/api/webhooks/{_DISCORD_HOOK}",
        _DISCORD_HOOK,
        "Deploy notices go to {}",
    ),
    _one("openai_project", oa := "sk-proj-" + body(48, URLSAFE), oa, "OpenAI key for evals: {}"),
    _one("openai_legacy", ol := "sk-" + body(48), ol, "old OpenAI key {} (revoke)"),
    _one("anthropic", an := "sk-ant-api03-" + body(93, URLSAFE), an, "Claude API key {}"),
    _one("aws_access_key", ak := "AKIA" + upper(16), ak, "deploy user key id {}"),
    _one(
        "aws_secret_config",
        f"aws_secret_access_key = {_AWS_SECRET}",
        _AWS_SECRET,
        "~/.aws/credentials has\n{}\nregion = eu-west-1",
    ),
    _one(
        "aws_secret_prose",
        f"The AWS secret key is {_AWS_PROSE}",
        _AWS_PROSE,
        "{}, keep it out of the repo.",
    ),
    _one("google_api_key", gk := "AIza" + body(35, URLSAFE), gk, "Maps key {} restricted to web"),
    _one(
        "google_client_secret",
        gs := "GOCSPX-" + body(28, URLSAFE),
        gs,
        "OAuth client secret {} for the desktop app",
    ),
    _one("google_access", ya := "ya29." + body(150, URLSAFE), ya, "Access token {} expires in 1h"),
    _one("stripe_live", st := "sk_live_" + body(99), st, "Stripe live key {}"),
    _one("stripe_webhook", wh := "whsec_" + body(32), wh, "Stripe webhook endpoint signs with {}"),
    _one("jwt", _JWT, _JWT, "Session cookie was {}"),
    Secret(
        "pem_private_key",
        "-----BEGIN RSA PRIVATE KEY-----\n"
        + "\n".join(_PEM_LINES)
        + "\n-----END RSA PRIVATE KEY-----",
        tuple(_PEM_LINES),
        "Server key:\n{}\nstored in vault too",
    ),
    Secret(
        "openssh_private_key",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + "\n".join(_SSH_LINES)
        + "\n-----END OPENSSH PRIVATE KEY-----",
        tuple(_SSH_LINES),
        "deploy key\n{}",
    ),
    Secret(
        "putty_private_key",
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: eddsa-key-20240101\n"
        f"Public-Lines: 2\n{body(64, B64)}\n{body(20, B64)}\nPrivate-Lines: 1\n"
        f"{_PUTTY_PRIVATE}\nPrivate-MAC: {_PUTTY_MAC}",
        (_PUTTY_PRIVATE, _PUTTY_MAC),
        "My .ppk for the bastion:\n{}\n(converted with puttygen)",
    ),
    _one(
        "bearer",
        f"Authorization: Bearer {(be := body(40, URLSAFE + '.'))}",
        be,
        "curl -H '{}' https://api.example.com",
    ),
    _one(
        "basic",
        f"Authorization: Basic {(ba := body(32, B64) + '==')}",
        ba,
        "Jenkins wants the header {}",
    ),
    _one(
        "url_password",
        f"postgres://app:{(pw := body(16))}@db.internal:5432/prod",
        pw,
        "Prod database is {}",
    ),
    _one("password_assignment", f"PASSWORD={(pa := body(14))}", pa, "in .env: {}"),
    _one("pgpassword", f"PGPASSWORD={(pg := body(12))}", pg, "{} psql -h db -U app"),
    _one("mysql_password", f"MYSQL_PASSWORD={(my := body(12))}", my, "docker-compose sets {}"),
    _one("db_pass", f"DB_PASS={(dp := body(12))}", dp, "staging .env has {}"),
    _one(
        "curl_user", f"curl -u admin:{(cu := body(14))} https://ci.example.com", cu, "Trigger: {}"
    ),
    Secret(
        "split_token",
        f"{_SPLIT[:20]}\n{_SPLIT[20:]}",
        (_SPLIT[:20], _SPLIT[20:]),
        "token from the wrapped terminal:\n{}\nworks",
    ),
    _one("huggingface", hf := "hf_" + body(34), hf, "HF token {} for gated models"),
    _one("npm", nt := "npm_" + body(36), nt, "publish with {}"),
    _one(
        "sendgrid",
        sg := f"SG.{body(22, URLSAFE)}.{body(43, URLSAFE)}",
        sg,
        "SendGrid API key {}",
    ),
    _one(
        "azure_storage",
        f"DefaultEndpointsProtocol=https;AccountName=acmelogs;AccountKey={_AZURE_ACCOUNT};"
        "EndpointSuffix=core.windows.net",
        _AZURE_ACCOUNT,
        "Blob connection string: {}",
    ),
    _one(
        "azure_sas",
        f"https://acme.blob.core.windows.net/c/x.zip?sv=2022-11-02&se=2026-01-01&sig={_AZURE_SIG}",
        _AZURE_SIG,
        "Download link {}",
    ),
    _one("azure_entra", _AZURE_ENTRA, _AZURE_ENTRA, "App registration client secret {}"),
    _one("telegram", _TELEGRAM, _TELEGRAM, "Telegram bot token {} for alerts"),
    _one("api_key_json", f'{{"api_key": "{(aj := body(32))}"}}', aj, "config.json: {}"),
    _one("client_secret", f"client_secret={(cs := body(24))}", cs, "OIDC app: {}"),
    _one("password_prose", f"my password is {(pp := body(10) + '7!')}", pp, "{}"),
    _one("mysql_flag", f"mysql -u root -p{(mf := body(14))} shop", mf, "Backup job runs {}"),
    _one(
        "login_flag",
        f"docker login -u ci -p {(lf := body(16))} registry.acme.io",
        lf,
        "The pipeline does {} before pushing",
    ),
    _one("sshpass_flag", f"sshpass -p '{(sf := body(12) + ' 9!')}' ssh -p 2222 ops@db", sf, "{}"),
    _one("encryption_key", f"ENCRYPTION_KEY={(ek := body(32))}", ek, "prod .env: {}"),
    _one("laravel_app_key", f"APP_KEY=base64:{(lk := body(43, B64))}=", lk, "Laravel {}"),
    # JSON pasted inside a JSON string (a log line, a tool's escaped output): quotes are \".
    _one(
        "password_escaped_json",
        f'{{\\"user\\": \\"app\\", \\"password\\": \\"{(ej := body(14))}\\"}}',
        ej,
        'log: "body": "{}"',
    ),
    _one(
        "aws_secret_escaped_json",
        f'\\"SecretAccessKey\\": \\"{(ea := body(40, B64))}\\"',
        ea,
        'event: "{}"',
    ),
    _one(
        "bearer_escaped_json",
        f'\\"Authorization\\": \\"Bearer {(eb := body(40, URLSAFE))}\\"',
        eb,
        'request headers: "{{{}}}"',
    ),
    # Evasions: cookies, %-encoding in URLs, quoted attached flags, labels in other languages.
    _one("cookie", f"Cookie: theme=dark; session={(ck := body(32))}", ck, "curl -H '{}' /api"),
    _one(
        "set_cookie",
        f"Set-Cookie: connect.sid=s%3A{(sc := body(24))}.{body(20)}; Path=/; HttpOnly",
        sc,
        "the login response had {}",
    ),
    _one(
        "url_encoded_token",
        f"https://ci.example.com/hook?auth=%22{(ue := 'ghp_' + body(36))}%22",
        ue,
        "webhook target {}",
    ),
    _one(
        "url_encoded_bearer",
        f"https://x.example.com/proxy?h=Authorization%3A%20Bearer%20{(ub := body(40))}",
        ub,
        "debug link {}",
    ),
    _one(
        "query_password",
        f"https://app.example.com/login?user=bob&password={(qp := body(9))}%21x",
        qp,
        "old login link {}",
    ),
    _one("mysqldump_quoted", f"mysqldump -u root -p'{(mq := body(8))} {body(4)}' shop", mq, "{}"),
    _one("passwort", f"Passwort: {(de := body(10) + '7!')}", de, "Router {}"),
    _one("mot_de_passe", f"mot de passe : {(fr := body(10) + '7!')}", fr, "Wifi du bureau, {}"),
    _one("contrasena", f"contraseña: {(es := body(10) + '7!')}", es, "VPN {}"),
    _one("senha", f"senha: {(pt := body(10) + '7!')}", pt, "Servidor {}"),
    # camelCase labels, as JavaScript and JSON configs name them.
    _one("camel_token_json", f'{{"authToken": "{(ct := body(24))}"}}', ct, "web config: {}"),
    _one("camel_password", f"dbPassword={(cp := body(14))}", cp, "application.properties: {}"),
    # Passwords as options' values, spelt with a space.
    _one(
        "helm_password",
        f"--password {(hp := body(13) + '7')}",
        hp,
        "helm repo add acme x --username bot {}",
    ),
    _one("redis_auth", f"redis-cli -h cache -a {(ra := body(16))} ping", ra, "check the queue: {}"),
    _one("keytool_storepass", f"keytool -list -storepass {(ks := body(12))}", ks, "{}"),
    # Providers' own prefixes beyond the big ones.
    _one("vault", va := "hvs." + body(90, URLSAFE), va, "VAULT_TOKEN for CI is {}"),
    _one("pypi", py := "pypi-AgEIcHlwaS5vcmc" + body(140, URLSAFE), py, "twine upload with {}"),
    _one("digitalocean", do := "dop_v1_" + body(64, "0123456789abcdef"), do, "doctl auth {}"),
    _one("docker_hub", dk := "dckr_pat_" + body(27, URLSAFE), dk, "Docker Hub PAT {}"),
    _one("databricks", db := "dapi" + body(32, "0123456789abcdef"), db, "workspace token {}"),
    _one("pgpass", f"db.internal:5432:app:alice:{(pg := body(18))}", pg, "~/.pgpass has {}"),
    _one("smbclient", f"smbclient //nas/share -U alice%{(sm := body(14))}", sm, "mount: {}"),
    _one(
        "pgpass_port", f"pg.example.net:25060:app:doadmin:{(pp := body(18))}", pp, "~/.pgpass: {}"
    ),
    _one("samba_net", f"net ads join -U CORP\\admin%{(sn := body(14))}", sn, "joined with {}"),
    _one("7z", f"7z x backup.7z -p{(sz := body(16))} -oout", sz, "restore with {}"),
    _one("chpasswd", f"echo 'deploy:{(cp := body(14))}' | sudo chpasswd", cp, "on new VMs: {}"),
    _one("htpasswd", f"htpasswd -bc /etc/nginx/.htpasswd ops {(hp := body(14))}", hp, "{}"),
    _one("auth_tuple", f"requests.get(url, auth=('svc', '{(at := body(16))}'))", at, "{}"),
    # Found in session 19's audit: a value holding a separator or a quote, XML fields, "is"
    # in other languages, look-alike characters, tokens with no literal part, stdin logins.
    _one("value_with_separator", f"DB_PASSWORD=ab,cd={(vs := body(14))}", vs, ".env: {}"),
    _one("value_with_quote", f"DB_PASSWORD=ab'{(vq := body(14))}'", vq, "set {} in CI"),
    _one("xml_element", f"<password>{(xe := body(14))}</password>", xe, "settings.xml: {}"),
    _one("xml_entry", f'<add key="DbPassword" value="{(xa := body(14))}"/>', xa, "web.config {}"),
    _one("mot_de_passe_est", f"le mot de passe est {(fr := body(12) + '7!')}", fr, "Note : {}"),
    _one("passwort_ist", f"das Passwort ist {(de := body(12) + '7!')}", de, "Hinweis: {}"),
    _one("homoglyph_prefix", "ghр_" + (hg := body(36)), hg, "CI bot uses {} for uploads"),
    _one("fullwidth_label", f"ｐａｓｓｗｏｒｄ＝{(fw := body(14))}", fw, "設定：{}"),
    _one(
        "discord_bot",
        f"MTIzNDU2Nzg5MDEyMzQ1Njc4.{body(6, URLSAFE)}.{(dc := body(38, URLSAFE))}",
        dc,
        "the bot logs in with {}",
    ),
    _one(
        "password_stdin",
        f"echo '{(ps := body(16))}' | docker login ghcr.io -u me --password-stdin",
        ps,
        "push images: {}",
    ),
    _one(
        "base64_token",
        b6 := base64.b64encode(("ghp_" + body(36)).encode()).decode(),
        b6,
        "the secret's data field holds {}",
    ),
]
# Session 20: the known gaps closed, each on every write path.
CORPUS += [
    # A dotenv line (the snippet holds its line's end: mid-sentence, only a passphrase's
    # first word is masked, as the README says, so it is no tag or summary query here).
    Secret(
        "passphrase_with_spaces",
        f"DB_PASSWORD={(pw1 := body(9))} {(pw2 := body(7))} {(pw3 := body(8))}\nLOG_LEVEL=info",
        (pw1, pw2, pw3),
        "prod .env:\n{}",
    ),
]
CORPUS += [
    _one("xml_cdata", f"<password><![CDATA[{(xc := body(14))}]]></password>", xc, "pom.xml: {}"),
    _one(
        "xml_over_lines",
        f"<password>\n    {(xl := body(14))}\n  </password>",
        xl,
        "settings.xml:\n  {}",
    ),
    _one(
        "yaml_block",
        f"password: |\n  {(yb := body(15))}\nuser: app",
        yb,
        "values.yaml:\n{}",
    ),
    _one("python_triple", f'DB_PASSWORD = """{(pt3 := body(15))}"""', pt3, "settings.py: {}"),
    _one("shell_ansi_c", f"export PGPASSWORD=$'{(sa := body(13))}\\'x'", sa, "in .bashrc: {}"),
    _one(
        "base64_twice",
        b64b := base64.b64encode(base64.b64encode(("ghp_" + body(36)).encode())).decode(),
        b64b,
        "the Kubernetes Secret's data, encoded twice: {}",
    ),
]
# Found in session 20's audit.
CORPUS += [
    _one("json_unicode_escape", f'{{"\\u0070assword": "{(ju := body(14))}"}}', ju, "log: {}"),
    _one("label_for_is", f"the password for the wifi is {(fi := body(12) + '7!')}", fi, "{}"),
    _one("kennwort_lautet", f"das Kennwort lautet {(kl := body(12) + '7!')}", kl, "Hinweis: {}"),
    _one("sql_with_password", f"CREATE USER app WITH PASSWORD '{(sq := body(14))}';", sq, "{}"),
    _one("sql_identified_by", f"ALTER USER app IDENTIFIED BY {(si := body(14))};", si, "{}"),
    _one(
        "sql_set_password_for",
        f"SET PASSWORD FOR 'app'@'%' = '{(sp := body(14))}';",
        sp,
        "{}",
    ),
    _one("fish_set", f"set -gx DB_PASSWORD {(fs := body(14))}", fs, "config.fish: {}"),
    _one("go_dsn", f"app:{(gd := body(14))}@tcp(db:3306)/shop", gd, "DSN is {}"),
    _one(
        "htpasswd_hash", f"ops:$apr1$9Vx3kz1Q${(hh := body(22, B64.replace('+', '.')))}", hh, "{}"
    ),
    _one("label_for_colon", f"Senha do banco: {(sb := body(12) + '7!')}", sb, "Servidor: {}"),
    _one("gh_secret_body", f"gh secret set API_TOKEN --body {(gb := body(20))}", gb, "CI: {}"),
    _one("italian_is", f"la password del server è {(it := body(12) + '7!')}", it, "Nota: {}"),
    _one("german_compound", f"Zugangspasswort: {(gc := body(12) + '7!')}", gc, "Router {}"),
]
# Found reviewing session 20's rules (tests/policies/test_redact_review20.py; its dotenv cases
# hold only at a line's start, which the capture's and the adapters' prose is not).
CORPUS += [
    _one(
        "xml_cdata_split",
        f"<password><![CDATA[{body(7)}]]><![CDATA[{(cs := body(9))}]]></password>",
        cs,
        "settings.xml: {}",
    ),
]
# Session 21: values written down as people write them (tests/policies/test_redact_gaps21.py).
# A value under its label must be alone on its line, so the snippet starts and ends one.
_DIGITS = string.digits
CORPUS += [
    Secret(
        "value_on_next_line",
        f"\nWifi password:\n  {(nl := body(11) + '7')}\nGuest network: on",
        (nl,),
        "home notes:{}",
    ),
    Secret("form_pasted", f"\nPassword\n{(fp := body(10) + '3')}\nSign in", (fp,), "login:{}"),
    _one("label_no_separator", f"the wifi passphrase {(ns := body(10) + '-9')}", ns, "{}"),
    _one("pin", f"my PIN is {(pn := body(8, _DIGITS))}", pn, "bank: {}"),
    _one("door_code", f"the door code is {(dr := body(7, _DIGITS))}#", dr, "office: {}"),
    _one(
        "combination",
        f"the safe combination is {(cb := '-'.join(body(3, _DIGITS) for _ in range(3)))}",
        cb,
        "{}",
    ),
    Secret(
        "yaml_list_passphrase",
        f"\n- password: {(y1 := body(6) + '1')} {(y2 := body(7))} {(y3 := body(6))}\n",
        (y1, y2, y3),
        "users.yaml:{}",
    ),
    _one("unicode_U_escape", f'{{"\\U00000070assword": "{(ue := body(14))}"}}', ue, "log: {}"),
    _one("csharp_interpolated", f'var pw = $"{(ci := body(14))}";', ci, "Program.cs: {}"),
    _one(
        "yaml_binary",
        f"password: !!binary {(yn := base64.b64encode(body(12).encode()).decode())}",
        yn,
        "secrets.yaml: {}",
    ),
    _one(
        "docker_secret_stdin",
        f"printf '{(dk := body(14))}' | docker secret create db_pw -",
        dk,
        "swarm: {}",
    ),
]
# Found attacking session 21's rules: a wifi network's key as its tools write it.
CORPUS += [
    _one("wifi_psk", f'psk="{(wp := body(14))}"', wp, "wpa_supplicant.conf: {}"),
    _one("wifi_qr", f"WIFI:T:WPA;S:home;P:{(wq := body(14))};;", wq, "the QR code says {}"),
]
CORPUS += [
    Secret(
        "password_manager_csv",
        f"\nname,url,username,password\nGitHub,https://github.com,me,{(pc := body(14))}\n",
        (pc,),
        "exported from the vault:{}",
    ),
]
# Session 22: short labels, wifi commands, passphrases of several words, f-strings
# (tests/policies/test_redact_gaps22.py).
_WORDS = ("blue", "fish", "lamp", "river", "stone", "cloud", "maple", "otter")
CORPUS += [
    _one(
        "pass_colon",
        f"pass: {(ps := body(9) + '4')}",
        ps,
        "The Netgear router in the hall closet, admin {}",
    ),
    _one(
        "pw_bare",
        f"pw {(pb := body(9) + '5')}",
        pb,
        "Synology NAS on the shelf: {} for the backup share",
    ),
    _one(
        "user_pass_pair",
        f"user/pass: bob/{(up := body(10) + '6')}",
        up,
        "Staging Jenkins login, {}",
    ),
    _one(
        "creds_pair",
        f"creds bob:{(cp := body(10) + '7')}",
        cp,
        "Old FTP mirror {} (decommission in spring)",
    ),
    _one(
        "security_answer",
        f"security answer: {(sa := body(8) + '1999')}",
        sa,
        "Credit union phone banking asks the {}",
    ),
    _one(
        "wpa_passphrase",
        f"wpa_passphrase HomeNet {(wn := body(14))}",
        wn,
        "ran {} > /etc/wpa_supplicant.conf",
    ),
    _one("netsh_key", f"netsh wlan set hostednetwork ssid=Cafe key={(nk := body(12))}", nk, "{}"),
    Secret(
        "passphrase_words",
        f"my passphrase: {(pw := ' '.join([*_RANDOM.sample(_WORDS, 4), body(2, _DIGITS)]))}",
        (pw,),
        "KeePass vault on the laptop, {} and it works",
    ),
    _one("f_string_literal", f"x = f\"token={{'{(fs := body(16))}'}}\"", fs, "app.py: {}"),
]
# Found attacking session 22's rules (tests/policies/test_redact_attack22.py).
_SEED_WORDS = [
    "witch",
    "collapse",
    "practice",
    "feed",
    "shame",
    "open",
    "despair",
    "creek",
    "road",
    "again",
    "ice",
    "least",
]
CORPUS += [
    _one("setter_call", f'ds.setPassword("{(st := body(14))}");', st, "DataSource.java: {}"),
    _one("pw_is_chat", f"root pw on the nas is {(pi := body(9) + '8')}", pi, "<bob> {} btw"),
    _one("wifi_pair", f"wifi: HomeNet / {(wf := body(10) + '2')}", wf, "for the guests, {}"),
    _one(
        "wireguard_psk",
        f"PresharedKey = {(wg := body(43, B64) + '=')}",
        wg,
        "wg0.conf [Peer] {}",
    ),
    _one("add_mask", f"::add-mask::{(am := body(16))}", am, "workflow log: {}"),
    _one(
        "seed_phrase",
        f"seed phrase: {(sp := ' '.join(_RANDOM.sample(_SEED_WORDS, 12)))}",
        sp,
        "Ledger backup, {}",
    ),
]
