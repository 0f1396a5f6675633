"""What each MEMORY_MCP_DURABILITY level costs, and the evidence for what it survives.

    uv run python benchmarks/durability.py [--writes 50]

For each level, a fresh process makes `--writes` acknowledged `remember` calls (keyword-only,
so the model's time does not hide the disk's) and reports the time per write and, where
`strace` is installed, how many fsync/fdatasync calls the writes made. A write that was
acknowledged without an fsync is only in the OS's page cache: it survives the process
being killed (benchmarks/crash.py kills it with SIGKILL), not an OS crash or power loss.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

WRITER = """
import sys, time
from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
service = MemoryService.open(Settings(db=sys.argv[1], semantic=False))
service.remember("warm-up")
print("ready", flush=True)
sys.stdin.readline()  # strace starts counting from here
started = time.perf_counter()
for i in range(int(sys.argv[2])):
    service.remember(f"acknowledged write {i} about the Heron-{i} build host")
print(f"{(time.perf_counter() - started) / int(sys.argv[2]) * 1000:.2f}", flush=True)
sys.stdin.readline()  # counted until here: closing (its final checkpoint) is not a write
"""


def measure(level: str, writes: int, workdir: Path, trace: bool) -> tuple[float, int | None]:
    """(ms per write, fsyncs during the writes: None unless traced, and strace slows it)."""
    db = workdir / f"{level}-{trace}.db"
    env = os.environ | {"MEMORY_MCP_DURABILITY": level}
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), str(writes)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    tracer = None
    log = workdir / f"{level}.strace"
    if trace:
        tracer = subprocess.Popen(
            ["strace", "-f", "-c", "-e", "trace=fsync,fdatasync", "-o", str(log),
             "-p", str(proc.pid)],
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        time.sleep(0.5)  # let strace attach
    proc.stdin.write("\n")
    proc.stdin.flush()
    ms = float(proc.stdout.readline())
    if tracer is not None:
        tracer.terminate()
        tracer.wait(timeout=10)
    proc.stdin.write("\n")
    proc.stdin.close()
    proc.wait(timeout=30)
    if tracer is None or not log.exists():
        return ms, None
    calls = re.findall(r"^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)$",
                       log.read_text(), re.M)  # fmt: skip
    return ms, sum(int(n) for n, _ in calls)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writes", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{args.writes} acknowledged writes per level")
        print(f"{'level':<8} {'ms/write':>9} {'fsyncs':>7}  survives")
        for level, survives in (
            ("normal", "process crash (kill -9); not an OS crash or power loss"),
            ("full", "process crash, OS crash, power loss"),
        ):
            ms, _ = measure(level, args.writes, Path(tmp), trace=False)
            traced = shutil.which("strace") is not None
            _, fsyncs = measure(level, args.writes, Path(tmp), trace=True) if traced else (0, None)
            shown = "n/a" if fsyncs is None else str(fsyncs)
            print(f"{level:<8} {ms:>9.2f} {shown:>7}  {survives}")


if __name__ == "__main__":
    main()
