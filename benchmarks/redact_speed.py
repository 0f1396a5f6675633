"""What redaction costs a memory: `redact_fields` over 300 synthetic memories of each sort,
prose without a label word (`plain`), prose with label words sprinkled in (`labelled`:
token, password, apiKey...) and sentences full of them (`dense`), in CPU microseconds a
memory (the best of 15 runs; the machine may be shared).

Run from the repository root, naming the checkouts to compare (each a folder holding
`memory_mcp/`; default: this one); each is timed in a process of its own, in turn, twice:

    git worktree add /tmp/old 1c2e0d4
    uv run python benchmarks/redact_speed.py /tmp/old .

Texts are built from word lists with a fixed seed; no external data.
"""

import os
import subprocess
import sys
from pathlib import Path

_TIMING = """
import random, sys, time, timeit
sys.path.insert(0, sys.argv[1])
from memory_mcp.policies.redact import redact_fields

random.seed(7)
PLAIN = ("the deploy runs on friday after the standup; we moved the queue to a new host "
         "and the cache warms in ten minutes. Alice prefers dark mode and short answers. "
         "The build uses uv and ruff, tests take about four minutes on the CI runner.").split()
LABELS = ("token password secret key api passphrase pass pwd session private access "
          "app_key apiKey authToken dbPassword token-bucket password-policy").split()
SENTENCES = [
    "Rotate the API token every 90 days.", "The password policy needs 12 characters.",
    "Store the session key in the vault, not the repo.", "Use a passphrase for the SSH key.",
    "The token bucket refills at 10 per second.",
    "apiKey and authToken come from the secret store.",
    "The private key stays on the build host.", "Reset the password: the admin page has a link.",
    "We pass the access token in a header.", "The secret is rotated by the app key service.",
]
def text(words, n):
    return " ".join(random.choice(words) for _ in range(n)).capitalize() + "."
SORTS = {
    "plain": [text(PLAIN, random.randint(20, 80)) for _ in range(300)],
    "labelled": [text(PLAIN * 2 + LABELS, random.randint(20, 80)) for _ in range(300)],
    "dense": [" ".join(random.choice(SENTENCES) for _ in range(random.randint(2, 6)))
              for _ in range(300)],
}
def run(texts):
    for t in texts:
        redact_fields(content=t, context=None, tags=["project", "notes"], key=None,
                      scope="global", metadata={"source": "cli"})
for name, texts in SORTS.items():
    best = min(timeit.repeat(lambda: run(texts), number=2, repeat=15, timer=time.process_time))
    print(f"{name} {best / 2 / len(texts) * 1e6:.1f}")
"""


def _time(tree: Path) -> dict[str, float]:
    env = os.environ | {"PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _TIMING, str(tree)], env=env, check=True, capture_output=True
    ).stdout.decode()
    return {name: float(value) for name, value in (line.split() for line in out.splitlines())}


def main() -> None:
    trees = [Path(arg).resolve() for arg in sys.argv[1:]] or [Path.cwd()]
    for tree in trees:
        if not (tree / "memory_mcp").is_dir():
            sys.exit(f"{tree} holds no memory_mcp/: name a checkout of the repository.")
    print("tree" + "".join(f"  {sort:>9}" for sort in ("plain", "labelled", "dense")) + "  (us)")
    for _ in range(2):
        for tree in trees:
            row = _time(tree)
            print(f"{tree}" + "".join(f"  {row[sort]:9.1f}" for sort in row))


if __name__ == "__main__":
    main()
