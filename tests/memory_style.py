"""A small hand-written set of ordinary memories (short facts, preferences, decisions) and
questions an assistant would ask of them, to check that recall changes don't hurt them."""

MEMORIES = [
    ("The user prefers pytest over unittest", "preference"),
    ("The user's editor is Helix, with the default keymap", "preference"),
    ("Use tabs, not spaces, in the Go services", "decision"),
    ("The staging database is Postgres 16 on db-staging.internal", "fact"),
    ("Releases are cut every second Thursday", "fact"),
    ("The user is allergic to peanuts", "fact"),
    ("Write commit messages in the imperative mood", "preference"),
    ("We chose SQLite over Postgres for the CLI cache to avoid a server", "decision"),
    ("The user's daughter is called Maya and plays the cello", "fact"),
    ("Dark mode everywhere, including in generated charts", "preference"),
    ("The API rate limit is 600 requests per minute per token", "fact"),
    ("The user lives in Lisbon and works remotely for a Berlin company", "fact"),
    ("Never push directly to main; open a pull request", "decision"),
    ("The user likes answers short, with code first and prose after", "preference"),
    ("On-call rotation changes every Monday at 09:00 UTC", "fact"),
    ("Frontend is built with Svelte and Vite", "fact"),
    ("The user runs Arch Linux on a ThinkPad X1 Carbon", "fact"),
    ("Invoices must be sent before the 5th of each month", "fact"),
    ("The user drinks oat-milk flat whites", "preference"),
    ("Kubernetes manifests live in the deploy/ folder, rendered with Kustomize", "fact"),
]

# (question, index into MEMORIES of the memory that answers it)
QUERIES = [
    ("which test framework should I use?", 0),
    ("what text editor does the user use", 1),
    ("indentation style for Go code", 2),
    ("staging database version", 3),
    ("when is the next release", 4),
    ("any food allergies?", 5),
    ("how should commit messages be written", 6),
    ("why SQLite for the cache", 7),
    ("what instrument does the user's daughter play", 8),
    ("theme preference for charts", 9),
    ("rate limit of the API", 10),
    ("where is the user based", 11),
    ("can I push to main?", 12),
    ("how long should answers be", 13),
    ("when does on-call change", 14),
    ("which frontend framework", 15),
    ("what laptop and OS does the user have", 16),
    ("invoice deadline", 17),
    ("what coffee does the user like", 18),
    ("where are the k8s manifests", 19),
]

# Chat turns that carry their conversation as context: they share words with the questions
# above, and must not push the memories that answer them out of the top hits.
CHATTY = [
    ("Sure, sounds good", "Should we switch the test framework to pytest?"),
    ("I'll check tomorrow", "Is the staging database still on Postgres?"),
    ("Ha, yes, every time", "Do you get coffee before standup?"),
    ("Not yet", "Did you update the Kubernetes manifests?"),
    ("Maybe next week", "When is the next release?"),
]
