"""Regenerate the README's screenshots of the web UI (docs/ui-*.png) from a demo database:

    MEMORY_MCP_MODEL_DIR=... uv run python -m tests.ui.screenshots docs

Not a test: a tool for whoever changes the pages (needs chromium, like tests/ui)."""

import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from memory_mcp.config import Settings
from memory_mcp.service import MemoryService
from tests.conftest import real_model_dir
from tests.ui.browser import chromium, missing, ui_server

DEMO = [
    ("preference", "The user prefers dark roast coffee, brewed in a French press.", "drink", 330),
    ("fact", "The user's name is Dana; she works on the payments team.", "name", 300),
    ("decision", "We chose PostgreSQL over MySQL for the ledger service.", None, 280),
    ("fact", "Staging runs on port 8080 behind nginx.", None, 250),
    ("event", "Migrated the billing cron jobs to Kubernetes.", None, 220),
    ("preference", "Code reviews: small pull requests, at most 400 lines.", None, 200),
    ("decision", "Deploys go out on Tuesdays and Thursdays only.", "deploy-days", 170),
    ("note", "The flaky test in test_invoices is a timezone bug.", None, 150),
    ("fact", "The office wifi is called Basilisk.", None, 120),
    ("event", "Payments outage on the 14th: the card processor timed out.", None, 95),
    ("preference", "Editor: Neovim with the gruvbox theme.", "editor", 80),
    ("decision", "Feature flags live in LaunchDarkly, not in config files.", None, 60),
    ("note", "Ask Priya before touching the fraud rules.", None, 40),
    ("event", "Quarterly planning moved to the first week of the month.", None, 25),
    ("fact", "Invoices are due on the 5th of each month.", None, 12),
    ("note", "Look <script>alert('hi')</script>: memory text shows as text.", None, 3),
]


def seed(db: Path, model_dir: Path) -> MemoryService:
    now = datetime.now(UTC)
    lines = []
    for i, (kind, text, key, days) in enumerate(DEMO, start=1):
        at = (now - timedelta(days=days)).isoformat().replace("+00:00", "Z")
        lines.append({"id": i, "content": text, "kind": kind, "tags": [], "scope": "global",
                      "metadata": {}, "created_at": at, "updated_at": at, "key": key,
                      "client": "claude-desktop"})  # fmt: skip
    path = db.parent / "demo.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    service = MemoryService.open(Settings(db=db, model_dir=model_dir))
    service.semantic.ensure()
    service.import_jsonl(path)
    service.update(4, content="Staging runs on port 9090 behind nginx.", tags=["infra"],
                   client="ui")  # fmt: skip
    return service


def main(out: Path) -> None:
    why, model_dir = missing(), real_model_dir()
    if why or model_dir is None:
        sys.exit(why or "set MEMORY_MCP_MODEL_DIR")
    out.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="memory-mcp-shots-"))
    seed(root / "demo.db", model_dir).close()
    with (
        ui_server(root / "demo.db", model_dir, root / "ui.log") as (url, login),
        chromium() as browser,
    ):
        page = browser.new_page()
        page.goto(login)
        page.set_viewport_size({"width": 1100, "height": 760})
        for _ in range(60):  # until the model is loaded and recall runs hybrid
            page.goto(f"{url}/?q=what+does+the+user+like+to+drink")
            if "hybrid" in page.locator("p.mode").inner_text():
                break
            time.sleep(1)
        page.screenshot(path=str(out / "ui-find.png"))
        page.goto(f"{url}/m/4")
        page.screenshot(path=str(out / "ui-memory.png"), full_page=True)
        page.goto(f"{url}/overview")
        page.locator("h2", has_text="Counts").evaluate("h => h.scrollIntoView()")
        page.screenshot(path=str(out / "ui-overview.png"))
    sys.stderr.write("".join(f"{p}\n" for p in sorted(out.glob("ui-*.png"))))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
