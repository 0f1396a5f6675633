"""Schema step 13 (see __init__.py): every principal's grants in their one Unicode form
(policies.access.settle_grants), as step 12 made scopes and tags: a grant typed before
patterns were NFC on entry was stored as typed, and `token list` showed it that way."""

import json
from typing import Any

from memory_mcp.policies.access import settle_grants


def one_grant_form(conn: Any) -> None:
    for row in conn.execute("select name, grants from principals").fetchall():
        stored = json.loads(row["grants"])
        settled = settle_grants(stored)
        if settled != stored:
            conn.execute(
                "update principals set grants = ? where name = ?",
                (json.dumps(settled), row["name"]),
            )
    conn.execute("insert into meta (key, value) values ('grant_form', 'nfc')")


def applied(conn: Any) -> bool:
    return conn.execute("select 1 from meta where key = 'grant_form'").fetchone() is not None
