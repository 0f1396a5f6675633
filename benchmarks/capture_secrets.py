"""What capture costs a session full of secrets: `capture` of a synthetic Claude Code
transcript of 300 requests holding 3,000 distinct secrets (tokens, labelled passwords,
URL passwords; commands run with them; replies repeating them), keyword-only, into a new
SQLite file, in CPU seconds (the best of 3 runs; the machine may be shared).

Run from the repository root, naming the checkouts to compare (each a folder holding
`memory_mcp/`; default: this one); each is timed in a process of its own:

    git worktree add /tmp/old 5894a30
    uv run python benchmarks/capture_secrets.py /tmp/old .

The transcript is built with a fixed seed; no external data.
"""

import os
import subprocess
import sys
from pathlib import Path

_TIMING = """
import json, random, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService

random.seed(19)
def word(n):
    return "".join(random.choice("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
                   for _ in range(n))
lines, n = [], 0
def stamp(i):
    return f"2026-10-05T{9 + i // 3600:02d}:{i // 60 % 60:02d}:{i % 60:02d}Z"
for turn in range(300):
    secrets = [f"ghp_{word(36)}", f"Pw{word(10)}!9", f"sk-proj-{word(40)}", f"x{word(12)}#1",
               f"AKIA{word(16).upper()}", f"glpat-{word(20)}", f"t{word(14)}%7",
               f"xoxb-{word(24)}", f"k{word(18)}$2", f"Z{word(16)}&3"]
    prompt = (f"Rotate the key: export GITHUB_TOKEN={secrets[0]} and "
              f"DB_PASSWORD={secrets[1]}; the OpenAI key {secrets[2]} goes in the vault. "
              f"Use postgres://app:{secrets[3]}@db/app and {secrets[4]} for S3. "
              f"Then check the tests. " + " ".join(word(6) for _ in range(40)))
    command = (f"PGPASSWORD={secrets[6]} psql -h db -c 'select 1' && "
               f"curl -H 'Authorization: Bearer {secrets[7]}' https://api.x.io && "
               f"mysql -p{secrets[8]} app && echo password={secrets[9]} && git push {secrets[5]}")
    reply = (f"Done. I used {secrets[1]} and {secrets[6]} again, and {secrets[8]}; "
             f"the token {secrets[0]} works. " + " ".join(word(7) for _ in range(60)))
    n += 1
    lines.append({"type": "user", "uuid": f"u{turn}", "sessionId": "s1", "cwd": "/w",
                  "gitBranch": "main", "timestamp": stamp(n),
                  "message": {"role": "user", "content": prompt}})
    tool = {"type": "tool_use", "id": f"t{turn}", "name": "Bash", "input": {"command": command}}
    lines.append({"type": "assistant", "uuid": f"a{turn}", "sessionId": "s1",
                  "timestamp": stamp(n), "message": {"role": "assistant", "content": [tool]}})
    lines.append({"type": "user", "uuid": f"r{turn}", "sessionId": "s1", "timestamp": stamp(n),
                  "message": {"role": "user", "content": [
                      {"type": "tool_result", "tool_use_id": f"t{turn}", "content": "ok"}]}})
    lines.append({"type": "assistant", "uuid": f"b{turn}", "sessionId": "s1",
                  "timestamp": stamp(n),
                  "message": {"role": "assistant", "content": [{"type": "text", "text": reply}]}})
best = None
for run in range(3):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        folder = root / "proj"
        (folder / ".git").mkdir(parents=True)
        (folder / ".git" / "config").write_text('[remote "origin"]\\n\\turl = git@x:a/b.git\\n')
        path = root / "t.jsonl"
        path.write_text("".join(json.dumps(line) + "\\n" for line in lines))
        service = MemoryService.open(Settings(db=root / "m.db", semantic=False))
        began = time.process_time()
        report = service.capture(path, cwd=str(folder))
        spent = time.process_time() - began
        service.close()
        best = spent if best is None else min(best, spent)
print(f"{best:.2f} {report.created}")
"""


def _time(tree: Path) -> tuple[float, int]:
    env = os.environ | {"PYTHONPATH": str(tree)}
    out = subprocess.run(
        [sys.executable, "-c", _TIMING, str(tree)], env=env, check=True, capture_output=True
    ).stdout.decode()
    seconds, created = out.split()
    return float(seconds), int(created)


def main() -> None:
    trees = [Path(arg).resolve() for arg in sys.argv[1:]] or [Path.cwd()]
    for tree in trees:
        if not (tree / "memory_mcp").is_dir():
            sys.exit(f"{tree} holds no memory_mcp/: name a checkout of the repository.")
    print("tree  capture (CPU s)  memories stored")
    for tree in trees:
        seconds, created = _time(tree)
        print(f"{tree}  {seconds:.2f}  {created}")


if __name__ == "__main__":
    main()
