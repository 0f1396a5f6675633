"""Checks and repairs on PostgreSQL: row counts for drift, the keyword column's check and
rebuild, sizes. Backups of a server database are the server's own tools (pg_dump)."""

import logging
from collections.abc import Callable
from pathlib import Path

from memory_mcp.errors import StorageError, stopped_partway
from memory_mcp.storage.contract import Counts
from memory_mcp.storage.postgres import restore, vectors
from memory_mcp.storage.postgres.base import LACKING, PgBase
from memory_mcp.storage.postgres.db import Connection, scalar
from memory_mcp.storage.postgres.migrations import FTS_OF, LENGTH_OF

REBUILD_BATCH = 2_000
VACUUM_MIN_ROWS = 256
_ROWS = "select greatest(reltuples, 0) from pg_class where oid = 'memories'::regclass"
logger = logging.getLogger(__name__)
# One id range of the keyword check: recomputing every row's entry in one statement ran past
# the 30 s statement timeout at 50,000 memories on a busy server (`doctor` failed there). An
# entry is its words (fts) and BM25's length of the row (doc_len): both come from the text.
_STALE_FTS = f"""select count(*) from memories
                 where id > %s and id <= %s
                   and (fts is distinct from {FTS_OF} or doc_len is distinct from {LENGTH_OF})"""
CHECK_BATCH = 5_000
# BM25's totals (fts_stats, kept by a trigger) as the rows give them, by visibility.
_STATS_OF = restore.STATS_OF


class PgMaintenance(PgBase):
    def counts(self) -> Counts:
        """Row counts of memories, the keyword column and vectors from one snapshot. The
        keyword index is a column of `memories` kept by a trigger: every row has an entry."""
        with self._snapshot() as c:
            row = c.execute(
                """select count(*) as n, count(forgotten_at) as f, count(superseded_by) as s
                   from memories"""
            ).fetchone()
            assert row is not None
            has = vectors.has_table(c)
            vec = int(scalar(c, "select count(*) from memory_vectors")) if has else 0
            orphan = (
                int(
                    scalar(
                        c,
                        """select count(*) from memory_vectors v
                           where not exists (select 1 from memories m where m.id = v.memory_id)""",
                    )
                )
                if has
                else 0
            )
            return {
                "memories": int(row["n"]),
                "forgotten": int(row["f"]),
                "superseded": int(row["s"]),
                "fts": int(row["n"]),
                "vec": vec,
                "orphan_vec": orphan,
            }

    def size_bytes(self) -> int:
        """Bytes the schema's tables and indexes take on the server."""
        return int(
            self._read(
                lambda c: scalar(
                    c,
                    """select coalesce(sum(pg_total_relation_size(c.oid)), 0) from pg_class c
                       where c.relnamespace = %s::regnamespace and c.relkind in ('r', 'm')""",
                    (self.schema,),
                )
            )
        )

    def integrity_check(self) -> str:
        """'ok' unless the server has counted checksum failures in this database's pages
        (with data checksums on). The keyword entries are keyword_index_ok's alone: doctor
        asks both, and checking them here too made its slowest pass over the rows twice."""
        failures = self._read(
            lambda c: scalar(
                c,
                """select coalesce(checksum_failures, 0) from pg_stat_database
                   where datname = current_database()""",
            )
        )
        failures = int(failures or 0)
        if failures == 0:
            return "ok"
        return f"the server counted {failures} page checksum failures in {self.where}"

    def keyword_index_ok(self) -> bool:
        """Every row's words and length are what its text gives, and BM25's totals are
        those of the rows."""
        if self.missing_index_parts():
            return False
        return self._stale_keyword_entries() == 0 and self._keyword_totals_ok()

    def _keyword_totals_ok(self) -> bool:
        def totals(c: Connection, query: str) -> set[tuple[bool, int, int]]:
            rows = c.execute(query).fetchall()
            return {(bool(r["visible"]), int(r["docs"]), int(r["tokens"])) for r in rows}

        with self._snapshot() as c:  # both from one snapshot: a write meanwhile is no drift
            return totals(c, "select visible, docs, tokens from fts_stats") == totals(c, _STATS_OF)

    def _stale_keyword_entries(self) -> int:
        """Rows whose keyword entry is not what their text gives, counted CHECK_BATCH ids at a
        time, each range a statement of its own."""
        top = int(self._read(lambda c: scalar(c, "select coalesce(max(id), 0) from memories")))

        def stale(at: int) -> int:
            return int(self._read(lambda c: scalar(c, _STALE_FTS, (at, at + CHECK_BATCH))))

        return sum(stale(at) for at in range(0, top, CHECK_BATCH))

    def compact_keyword_index(self, written: int) -> None:
        """VACUUM `memories` after a bulk write of at least VACUUM_MIN_ROWS rows and 1/8 of
        the table. GIN has no segments to merge, but until a vacuum (autovacuum waits until
        inserts pass a fifth of the table) the keyword leg ran ~6x slower on a table just
        filled (20,000 memories: p50 45.7 -> 7.5 ms; a vacuum took
        34 ms). A vacuum's cost follows the pages not yet vacuumed, plus a pass over the
        keyword indexes; it blocks no reader or writer. Best effort: the write is stored."""
        if written < VACUUM_MIN_ROWS:
            return
        try:
            rows = float(self._read(lambda c: scalar(c, _ROWS)))
            if written * 8 >= rows:
                self._read(lambda c: c.execute("vacuum memories"))
        except StorageError as exc:
            logger.info("Could not vacuum after a bulk write (autovacuum will): %s", exc)

    def rebuild_keyword_index(self) -> None:
        """Recompute each row's words and length in short batches, so writers never wait
        long (the statistics trigger follows each row's change), then BM25's totals from
        the rows in one statement, in case they had drifted by themselves. A failure after
        the first batch says what the earlier batches rewrote (their "Nothing was changed"
        is only true of the batch that failed). Parts a hand dropped are made again first
        (restore.py)."""
        with self._write() as c:
            restore.restore(c)
        last = done = 0
        try:
            while True:
                with self._write() as c:
                    row = c.execute(
                        f"""with batch as (select id from memories where id > %s order by id
                                           limit %s)
                            update memories set fts = {FTS_OF}, doc_len = {LENGTH_OF}
                            where id in (select id from batch)
                            returning id""",
                        (last, REBUILD_BATCH),
                    ).fetchall()
                if not row:
                    break
                last = max(int(r["id"]) for r in row)
                done += len(row)
            with self._write() as c:
                c.execute(
                    f"""update fts_stats s set docs = a.docs, tokens = a.tokens
                        from ({_STATS_OF}) a where s.visible = a.visible"""
                )
        except StorageError as exc:
            if done == 0:
                raise
            raise stopped_partway(
                exc,
                f"The keyword entries of the {done} memories rewritten so far (recomputed "
                "from their text, as the rest will be: recall reads them as they are)",
                "keyword index rebuild",
                "run `memory-mcp reindex` (or `memory-mcp doctor --repair`) again: it "
                "recomputes every entry",
            ) from exc

    def missing_index_parts(self) -> list[str]:
        """The derived parts a hand dropped, and the functions whose body is not their
        newest definition ("name (out of date)"): doctor --repair makes them again."""

        return self._read(lambda c: restore.missing(c) + restore.out_of_date(c))

    def lacking_privileges(self) -> list[str]:
        """What this role, if it may write `memories`, lacks for a write (base.LACKING)."""
        query = f"""select case when has_table_privilege('memories', 'insert, update, delete')
                    then {LACKING} end as l"""
        found = self._read(lambda c: scalar(c, query))
        return [part for part in str(found or "").split("; ") if part]

    def restore_index_parts(self) -> list[str]:
        """Make the dropped parts again, in one transaction (the keyword rebuild then fills
        the rows' words and BM25's totals)."""
        with self._write(check_parts=False) as c:
            return restore.restore(c)

    def delete_orphan_vectors(self) -> int:
        """Always 0 here: a vector is deleted with its memory (foreign key)."""
        with self._write() as c:
            if not vectors.has_table(c):
                return 0
            cur = c.execute(
                """delete from memory_vectors v
                   where not exists (select 1 from memories m where m.id = v.memory_id)"""
            )
            return int(cur.rowcount)

    def identity(self) -> str:
        """The running server (its start, to the microsecond, and port), the database (its
        oid) and the schema: what any role may read. `system_identifier` would need a role
        allowed pg_control_system(), and two spellings by two roles must still compare."""
        server = self._read(
            lambda c: scalar(
                c,
                """select concat_ws(':', extract(epoch from pg_postmaster_start_time()),
                                 current_setting('port'),
                          (select oid from pg_database where datname = current_database()))""",
            )
        )
        return f"postgresql:{server}:{self.schema}"

    def vector_metadata_drift(self) -> int:
        """Always 0: searches join `memories` for their filters, nothing is copied."""
        return 0

    def resync_vector_metadata(self) -> None:
        """Nothing to copy (see vector_metadata_drift)."""

    def backup(
        self, dest: Path, progress: Callable[[int, int], None] | None = None
    ) -> tuple[int, str]:
        raise StorageError(
            f"memory-mcp backup copies SQLite files; back up {self.where} with the server's "
            f"tools (pg_dump -n {self.schema}), or `memory-mcp export` for a portable JSONL copy."
        )
