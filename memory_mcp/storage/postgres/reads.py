"""Reads of memories on PostgreSQL: by id, by filter, by key, exact repeats, counts, history."""

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Literal

from memory_mcp.errors import NotFound
from memory_mcp.models import HistoryEntry, Memory, MemoryFilter
from memory_mcp.policies.dedup import Written, by_hash, content_hash, first_repeats
from memory_mcp.policies.keys import key_form
from memory_mcp.policies.repeats import event_day
from memory_mcp.storage.contract import Tally
from memory_mcp.storage.postgres import decisions, history
from memory_mcp.storage.postgres.base import PgBase, now
from memory_mcp.storage.postgres.db import scalar
from memory_mcp.storage.postgres.filters import memory_conditions, where
from memory_mcp.storage.records import TALLY
from memory_mcp.timestamps import format_time, utc_now


class PgReads(PgBase):
    def get(self, memory_id: int) -> Memory:
        found = self._memories("where m.id = %(id)s", {"id": memory_id})
        if not found:
            raise NotFound(f"No memory with id {memory_id}.")
        return found[0]

    def get_many(self, ids: Sequence[int], with_embedded: bool = True) -> list[Memory]:
        rows = self._memories("where m.id = any(%(ids)s)", {"ids": list(ids)}, with_embedded)
        by_id = {m.id: m for m in rows}
        return [by_id[i] for i in ids if i in by_id]

    def unembedded_at_creation(self, ids: Sequence[int]) -> list[int]:
        rows = self._read(
            lambda c: c.execute(
                """
                select h.memory_id from history h join memories m on m.id = h.memory_id
                where h.memory_id = any(%s) and h.action = 'create'
                    and (h.detail::jsonb ->> 'unembedded') = 'true'
                    and m.forgotten_at is null and m.superseded_by is null
                order by h.memory_id
                """,
                (list(ids),),
            ).fetchall()
        )
        return [int(r["memory_id"]) for r in rows]

    def kinds(self, ids: Sequence[int]) -> dict[int, str]:
        rows = self._read(
            lambda c: c.execute(
                "select id, kind from memories where id = any(%s)", (list(ids),)
            ).fetchall()
        )
        return {int(r["id"]): str(r["kind"]) for r in rows}

    def find(
        self,
        flt: MemoryFilter,
        limit: int | None = None,
        offset: int = 0,
        newest_first: bool = True,
        with_embedded: bool = True,
        *,
        after: tuple[datetime, int] | None = None,
    ) -> list[Memory]:
        conds, params = memory_conditions(flt, now())
        order = "desc" if newest_first else "asc"
        if after is not None:  # keyset paging
            conds.append(
                f"(m.created_at, m.id) {'<' if newest_first else '>'} (%(k_at)s, %(k_id)s)"
            )
            params.update(k_at=format_time(after[0]), k_id=after[1])
        params.update(limit=limit, offset=offset)
        return self._memories(
            f"""{where(conds)} order by m.created_at {order}, m.id {order}
                limit %(limit)s offset %(offset)s""",
            params,
            with_embedded,
        )

    def iter_all(self, batch: int = 500) -> Iterator[Memory]:
        last = 0
        while rows := self._memories(
            "where m.id > %(last)s order by m.id limit %(n)s", {"last": last, "n": batch}
        ):
            yield from rows
            last = rows[-1].id

    def find_exact(self, scope: str, content: str, occurred_at: str | None = None) -> Memory | None:
        found = self._memories(
            f"where {decisions.REPEAT}",
            {
                "scope": scope,
                "hash": content_hash(content),
                "key": None,
                "day": event_day(occurred_at),
            },
        )
        return found[0] if found else None

    def held_texts(
        self, texts: Sequence[Written], hashes: Sequence[str] | None = None
    ) -> dict[Written, int]:
        """find_exact for many: one statement walking (scope, content_hash) per text."""
        groups = by_hash(texts, hashes)
        if not groups:
            return {}
        scopes, digests, days = zip(*groups, strict=True)
        rows = self._read(
            lambda c: c.execute(
                f"""select p.scope, p.hash, p.day, m.id, m.occurred_at is null as undated
                    from unnest(%(scopes)s::text[], %(hashes)s::text[], %(days)s::text[])
                        as p(scope, hash, day)
                    join memories m on m.scope = p.scope and m.content_hash = p.hash
                    where m.forgotten_at is null and m.superseded_by is null
                    and {decisions.same_event("p.day", "m.")}""",
                {"scopes": list(scopes), "hashes": list(digests), "days": list(days)},
            ).fetchall()
        )
        found = first_repeats(
            ((r["scope"], r["hash"], r["day"]), r["id"], r["undated"]) for r in rows
        )
        return {text: memory_id for group, memory_id in found.items() for text in groups[group]}

    def imported_ids(self, source: str) -> set[str]:
        query = """
            select metadata -> 'imported_from' ->> 'id' as source_id from memories
            where (metadata -> 'imported_from' ->> 'format') = %s
        """
        rows = self._read(lambda c: c.execute(query, (source,)).fetchall())
        return {str(r["source_id"]) for r in rows if r["source_id"] is not None}

    def current_for_key(self, scope: str, key: str) -> list[Memory]:
        return self._memories(
            f"where {decisions.HOLDERS}",
            {"scope": scope, "key": key_form(key), "besides": None},  # in any spelling
        )

    def keyed(self, flt: MemoryFilter, limit: int = 1000) -> list[Memory]:
        conds, params = memory_conditions(flt, now())
        params["limit"] = limit
        return self._memories(
            f"""{where([*conds, "m.key is not null"])}
                order by m.key, m.created_at desc, m.id desc limit %(limit)s""",
            params,
            False,
        )

    def superseded_ids(self, by: int) -> list[int]:
        query = "select id from memories where superseded_by = %s order by superseded_at, id"
        return self._read(lambda c: [int(r["id"]) for r in c.execute(query, (by,))])

    def expired_ids(self) -> list[int]:
        return self._read(
            lambda c: [
                int(r["id"])
                for r in c.execute(
                    "select id from memories where expires_at <= %s order by id", (utc_now(),)
                )
            ]
        )

    def history(
        self,
        memory_id: int | None = None,
        limit: int = 50,
        before_id: int | None = None,
        *,
        by: str | None = None,
        scopes: Sequence[str] | None = None,
    ) -> list[HistoryEntry]:
        return self._read(lambda c: history.entries(c, memory_id, limit, before_id, by, scopes))

    def scopes_after(self, entries: Sequence[tuple[int, int]]) -> dict[int, str]:
        return self._read(lambda c: history.scopes_after(c, entries))

    def names_at(self, ids: Sequence[int], at: datetime) -> dict[int, tuple[str, str | None]]:
        return self._read(lambda c: history.names_at(c, ids, format_time(at)))

    def count(
        self,
        flt: MemoryFilter,
        *,
        before: tuple[datetime, int] | None = None,
        newest_first: bool = True,
    ) -> int:
        conds, params = memory_conditions(flt, now())
        if before is not None:
            conds.append(
                f"(m.created_at, m.id) {'>' if newest_first else '<'} (%(k_at)s, %(k_id)s)"
            )
            params.update(k_at=format_time(before[0]), k_id=before[1])
        query = f"select count(*) from memories m {where(conds)}"
        return int(self._read(lambda c: scalar(c, query, params)))

    def group_counts(self, column: Literal["scope", "kind"]) -> dict[str, int]:
        if column not in ("scope", "kind"):
            raise ValueError(column)
        conds, params = memory_conditions(MemoryFilter(), now())
        query = f"""select m.{column} as name, count(*) as n from memories m {where(conds)}
                  group by m.{column} order by count(*) desc, m.{column}"""
        return self._read(lambda c: {str(r["name"]): int(r["n"]) for r in c.execute(query, params)})

    def tally(self, flt: MemoryFilter) -> list[Tally]:
        conds, params = memory_conditions(flt, now())
        sql = f"{TALLY} from memories m {where(conds)} group by m.scope, m.kind order by 1, 2"
        return self._read(lambda c: [Tally.of_row(r) for r in c.execute(sql, params)])
