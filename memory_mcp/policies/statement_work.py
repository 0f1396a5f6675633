"""Whether a statement names something of the work: code and how it is written, the tools,
files, formats and languages of programming, version control, tests, builds and deploys.
No I/O.

A taste said in the first person belongs to a project only when it names one of these: "I
prefer tabs", "I like small commits", "I prefer pytest to unittest" are the project's;
"I like jazz", "I prefer visual explanations", "I prefer short answers", "I like to cook" are
the user's, true in every project and every session (policies/statements.py routes them).
The list is closed on purpose, and the other way round would not be: what a person may like
has no end, what a project is made of is named by a few hundred words. A word shaped like
code (`uv.lock`, `src/app`, `snake_case`, `camelCase`, `run()`) counts too. The same words,
with the products people move their work between ("I moved to Linear", "to Notion for my
notes") and a purpose that names the work ("for our tickets"), tell a move to a place ("I
moved to Lisbon") from a move to a tool ("I moved to Postgres"),
and a habit ("I do yoga every day") from a routine of the work ("I check the logs every
day"). In the five other languages a few words that name the work there too.
"""

import re

# Left out, for what else they mean where a person says what they like: class and method
# (yoga classes, a teaching method), type and types (all types of music), table, path, tool,
# program, library, package, hint, mock and fixture (a mock exam), squash, rest, pandas,
# console, patch, stack, thread, composition, spaces. Names that are also words count with
# their capital only (Go, Rust, Swift, Black, Bash).
_WORDS = """
code codes coding codebase codebases programming software function functions variable
variables constant constants argument arguments parameter parameters param params typing
interface interfaces struct structs enum enums module modules framework frameworks dependency
dependencies dep deps import imports api apis endpoint endpoints sdk sdks cli gui ui ux
frontend backend server servers database databases db dbs sql query queries schema schemas
migration migrations columns test tests testing unittest unittests spec specs mocking
lint linter linters linting formatter formatters formatting indentation indent indents
indented tabs semicolon semicolons brackets docstring docstrings comment comments naming
identifier identifiers commit commits committing committed branch branches branching merge
merges merging merged rebase rebasing rebased squashed squashing pr prs diff diffs repo repos
repository repositories git github gitlab bitbucket ci pipeline pipelines builds deploy
deploys deploying deployment deployments release releases releasing container containers
docker dockerfile kubernetes k8s terraform ansible shell zsh powershell terminal editor editors ide
ides vim neovim emacs vscode jetbrains debugger debugging debug logs logging logger error
errors exception exceptions traceback tracebacks bug bugs refactor refactors refactoring
script scripts scripting config configs configuration yaml yml json toml xml csv markdown
html css regex regexes async await threading concurrency algorithm algorithms compiler
compilers runtime runtimes file files folder folders directory directories tooling
technology technologies tech python golang java javascript typescript js ts ruby php kotlin
scala haskell elixir erlang clojure lua perl ocaml c++ c# postgres postgresql mysql mariadb
sqlite redis mongo mongodb kafka rabbitmq elasticsearch react vue angular svelte nextjs django
flask fastapi laravel nodejs deno npm yarn pnpm pip pipx poetry uv conda venv virtualenv
pytest jest mocha vitest ruff isort mypy pyright flake8 pylint eslint prettier webpack vite
makefile cmake gradle maven nix nginx graphql grpc orm orms sqlalchemy numpy jupyter linux
unix macos ssh http https tcp oop tdd bdd inheritance monorepo monorepos microservice
microservices serverless lambda lambdas cache caching auth oauth jwt env lockfile lockfiles
semver changelog readme docs documentation ifs recursion pointer pointers mutability
immutability nullable dataclass dataclasses generics macro macros callback callbacks
"""
# the same, in French, German, Spanish, Portuguese and Italian, where they differ
_ABROAD = """
fichier fichiers dossier dossiers datei dateien ordner archivo archivos carpeta carpetas
arquivo arquivos pasta pastas cartella cartelle código codice sauvegarde backup backups
projet projekt proyecto projeto progetto déploiement bereitstellung despliegue implantação
rilascio dépôt fonction fonctions funktion funktionen función funciones função funções
funzione funzioni variablen variabile variabili
"""
# and the work's own rituals, which a habit with a frequency may name
_RITUALS = """
backlog backlogs standup standups sprint sprints ticket tickets jira retro retros oncall
on-call
"""
_NAMES = frozenset(
    [
        "Go",
        "Rust",
        "Swift",
        "Julia",
        "Dart",
        "Black",
        "Bash",
        "Spring",
        "Rails",
        "Node",
        "Bun",
        "Cargo",
        "Helm",
    ]
)
_WORK = frozenset((_WORDS + _ABROAD + _RITUALS).split())
# The products people move their work between (trackers, docs and notes, chat, design,
# passwords, mail and files, hosting, editors and terminals, systems), with their capital:
# "I moved to Linear" is a move of the work, "I moved to Lisbon" one of the user. Places are
# without end; the products a move of the work names are few, so they are the closed list.
_PRODUCT_NAMES = """
    Jira Linear Asana Trello ClickUp Basecamp Shortcut YouTrack Todoist Things OmniFocus
    TickTick Notion Confluence Coda Obsidian Evernote OneNote Logseq Roam Bear Quip Slack
    Discord Teams Zoom Mattermost Zulip Matrix Element Telegram Signal WhatsApp Figma Sketch
    Miro Mural FigJam Canva Framer Penpot Excalidraw Bitwarden 1Password LastPass KeePass
    Dashlane Gmail Outlook Fastmail Proton ProtonMail Dropbox OneDrive iCloud AWS Azure GCP
    Vercel Netlify Heroku Cloudflare Supabase Firebase DigitalOcean Hetzner Render Railway
    Cursor Zed Sublime Atom Helix IntelliJ PyCharm WebStorm Xcode Warp iTerm Kitty Alacritty
    Ghostty Tmux Windows Ubuntu Fedora Debian Arch Mac NixOS GitHub GitLab Bitbucket
"""
_PRODUCTS = frozenset(_PRODUCT_NAMES.split())
# What may follow a product's name and still name the product ("GitHub Actions", "Notion
# AI", "Arch Linux"); any other capitalised word makes a place of it ("Signal Hill", "Bear
# Creek", "Arch Cape", "Teams Valley").
_TAIL_NAMES = """
    App Apps Desktop Cloud Pro Plus AI Enterprise Business Workspace Mail Drive Pages Actions
    CI Docs Notes Code Studio Server Web Linux Pipelines Workers Functions
"""
_PRODUCT_TAILS = frozenset(_TAIL_NAMES.split())
_TOKEN = re.compile(r"[\w+#]+(?:[-'][\w+#]+)*")
# Shaped like code: a dot, slash or underscore inside a word, a call, a backtick, camelCase.
_CODE_SHAPED = re.compile(r"\w[./_]\w|\w\(\)|`|\b[a-z]+[A-Z]\w*")
_PHRASES = re.compile(
    r"\b(?:pull|merge) requests?\b|\btype (?:hints?|systems?)\b|\bearly returns?\b"
    r"|\bguard clauses?\b|\bmagic numbers?\b|\bglobal (?:state|variables?)\b",
    re.IGNORECASE,
)


# A word of the work in another trade's sense, said by a student, a shopper, a patient: a test
# to practise for or to sit, testing on animals, a touchscreen's interface, a retro style.
_OTHER_SENSE = re.compile(
    r"\b(?:practice|mock|placement|standardi[sz]ed|driving|blood|eye|hearing|allergy|"
    r"pregnancy|personality|entrance|spelling|vocabulary|vocab|multiple-choice|oral|written)"
    r"\s+tests?\b|\banimal\s+testing\b|\btest(?:s|ed|ing)?\s+on\s+animals\b|"
    r"\btouch-?\s?screen\s+interfaces?\b|\b(?:wearable|fitness|assistive|driver-assist|"
    r"smart-?\s?home|kitchen|medical)\s+(?:tech|technology|technologies)\b|"
    r"\b(?:gadgets|wearables|devices)\W+(?:\w+\W+){0,3}?(?:tech|technology|technologies)\b|"
    r"\b(?:tech|technology|technologies)\W+(?:\w+\W+){0,3}?(?:gadgets|wearables|devices)\b|"
    r"\bretro\s+(?:style|styles|aesthetic|look|fashion|clothes|clothing|design|games?|music|"
    r"vibes?|furniture)\b|"
    # committing to a plan, merging into traffic, a tree's branches, an airport's terminal, an
    # insect, a stomach bug, a release of stress
    r"\bcommit(?:s|ted|ting)?\s+to\s+(?:(?:a|the|my|any|long-term)\s+)?(?:plans?|dates?|"
    r"relationships?|decisions?|schedules?|goals?|anything|things|something|people)\b|"
    r"\bmerg(?:e|es|ed|ing)\s+(?:onto|into)\s+(?:the\s+)?(?:motorway|highway|freeway|"
    r"traffic|lane)s?\b|\b(?:tree|oak|pine|willow|birch)\s+branch(?:es)?\b|"
    r"\bbranch(?:es)?\s+of\s+(?:the\s+|an?\s+)?(?:\w+\s+){0,2}?trees?\b|"
    r"\b(?:airport|bus|ferry|cruise)\s+terminals?\b|\bterminal\s+[0-9]+\b|"
    r"\bbugs?\W+(?:\w+\W+){0,2}?(?:spiders?|insects?|mosquito(?:e?s)?|ants?|flies|beetles?|"
    r"roaches|cockroaches)\b|\b(?:stomach|tummy|flu)\s+bugs?\b|"
    r"\brelease\s+of\s+(?:endorphins|dopamine|tension|stress|emotions?)\b",
    re.IGNORECASE,
)


def names_work(sentence: str) -> bool:
    """Whether `sentence` names something of the work (module doc)."""
    sentence = _OTHER_SENSE.sub(" ", sentence)
    if _CODE_SHAPED.search(sentence) or _PHRASES.search(sentence):
        return True
    # a name's possessive is the name ("Rust's type system", "Go's error handling")
    tokens = [re.sub(r"['’]s$", "", t) for t in _TOKEN.findall(sentence)]
    # and each part of a compound ("Merge-Commits", "YAML-Dateien", "pre-commit")
    parts = [part for t in tokens if "-" in t for part in t.split("-")]
    return any(t.lower() in _WORK or t in _NAMES for t in (*tokens, *parts))


def names_product(name: str) -> bool:
    """Whether `name` (a capitalised name, as written) is a product people move work to: one
    of them, alone or with a word that names a part or edition of it."""
    first, *rest = name.split() or [""]
    return first in _PRODUCTS and all(word in _PRODUCT_TAILS for word in rest)
