"""Help shows each paragraph of a command's docstring as one paragraph, wrapped at the
terminal's width: rich kept the docstring's own line breaks, so the command list showed
`migrate`'s summary cut after "into another," and `edit --help` broke "nothing is" / "written"
mid-sentence, however wide the terminal."""

import os
import re
import subprocess
import sys


def help_of(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "memory_mcp", *args, "--help"],
        env={**os.environ, "COLUMNS": "250", "MEMORY_MCP_DB": "/nonexistent/m.db"},
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_command_summary_is_one_line_in_a_wide_terminal() -> None:
    text = help_of()
    rows = [line for line in text.splitlines() if line.startswith("│ ")]
    assert any(re.match(r"│ edit +Edit a memory", row) for row in rows)
    continued = [row for row in rows if re.match(r"│ {5,}\S", row)]  # no command name
    assert not continued, continued


def test_a_paragraph_of_a_command_help_is_not_cut_where_the_docstring_wraps() -> None:
    lines = help_of("edit").splitlines()
    assert any(
        "if it changed meanwhile, nothing is written and what you wrote" in ln for ln in lines
    )
