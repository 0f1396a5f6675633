"""Schema step 13 on PostgreSQL (see __init__.py): every principal's grants in their one
Unicode form (policies.access.settle_grants), as SQLite's step of the same number."""

import json
from typing import Any

from memory_mcp.policies.access import settle_grants


def one_grant_form(c: Any) -> None:
    for row in c.execute("select name, grants from principals").fetchall():
        stored = json.loads(row["grants"])
        settled = settle_grants(stored)
        if settled != stored:
            c.execute(
                "update principals set grants = %s where name = %s",
                (json.dumps(settled), row["name"]),
            )
    c.execute("insert into meta (key, value) values ('grant_form', 'nfc')")


def applied(c: Any) -> bool:
    return c.execute("select 1 from meta where key = 'grant_form'").fetchone() is not None
