"""Looking after the database: statistics, reindexing, backups, and the doctor's check-up."""

import re
from pathlib import Path

from memory_mcp.config import PG_SCHEMA_PATTERN, is_database_url
from memory_mcp.errors import InvalidInput, StorageError, stopped_partway
from memory_mcp.models import KINDS, BackupReport, DoctorReport, MemoryFilter, ReindexStatus, Stats
from memory_mcp.names import WILDCARD
from memory_mcp.policies.unmasked import unmasked_kinds, unmasked_texts
from memory_mcp.service import grants, migration
from memory_mcp.service.context import Part
from memory_mcp.service.lifecycle import MIN_SCRUB_CHARS
from memory_mcp.service.migration import MigrationReport
from memory_mcp.storage import open_storage
from memory_mcp.storage.contract import Progress


class Maintenance(Part):
    def stats(self) -> Stats:
        if not self.ctx.access.unrestricted:
            return self._stats_readable()
        counts = self.store.counts()
        info = self.store.vector_index_info()
        return Stats(
            db_path=self.store.location,
            db_bytes=self.store.size_bytes(),
            total=counts["memories"],
            active=self.store.count(MemoryFilter()),
            forgotten=counts["forgotten"],
            superseded=counts["superseded"],
            embedded=counts["vec"],
            by_scope=self.store.group_counts("scope"),
            by_kind=self.store.group_counts("kind"),
            model=self.settings.model,
            indexed_model=info[0] if info else None,
            indexed_dim=info[1] if info else None,
            mode="hybrid" if self.semantic.ready else "keyword",
            note=self.semantic.note,
        )

    def _stats_readable(self) -> Stats:
        """A principal's statistics: counts of the scopes it may read, nothing of others'
        (no file path, database size or vector count, which describe everyone's memories:
        left out, never shown as an empty path or 0 bytes)."""
        found = grants.readable_scopes(self.ctx)
        scopes = self.store.scope_names() if found is None else found
        info = self.store.vector_index_info()

        def count(**flags: bool) -> int:
            return self.store.count(MemoryFilter(scopes=scopes, **flags)) if scopes else 0

        everything = count(include_forgotten=True, include_superseded=True, include_expired=True)
        not_forgotten = count(include_superseded=True, include_expired=True)
        current = count(include_forgotten=True, include_expired=True)
        by_kind = {k: count_kind for k in KINDS if (count_kind := self._kind(scopes, k))}
        return Stats(
            db_path=None,
            db_bytes=None,
            total=everything,
            active=count(),
            forgotten=everything - not_forgotten,
            superseded=everything - current,
            embedded=None,
            by_scope={s: n for s, n in self.store.group_counts("scope").items() if s in scopes},
            by_kind=by_kind,
            model=self.settings.model,
            indexed_model=info[0] if info else None,
            indexed_dim=info[1] if info else None,
            mode="hybrid" if self.semantic.ready else "keyword",
            note=self.semantic.note,
        )

    def _kind(self, scopes: list[str], kind: str) -> int:
        return self.store.count(MemoryFilter(scopes=scopes, kind=kind)) if scopes else 0

    def reindex_status(self) -> ReindexStatus:
        grants.owner_only(self.ctx, "see the state of the index")
        counts = self.store.counts()
        return ReindexStatus(
            memories=counts["memories"],
            embedded=counts["vec"],
            interrupted=self.store.reindex_pending() is not None,
        )

    def reindex(self, progress: Progress | None = None) -> int:
        grants.owner_only(self.ctx, "reindex")
        self.store.rebuild_keyword_index()  # says itself what a stop midway leaves
        try:
            return self.semantic.reindex(progress)
        except StorageError as exc:
            if (left := self._reindex_left()) is None:
                raise
            raise stopped_partway(exc, left, "reindex") from exc

    def _embedded_since(self, before: int) -> str | None:
        """After a failure while embedding batch by batch (each batch one transaction): the
        vectors stored since there were `before`, in words; None if none was."""
        try:
            vec = self.store.counts()["vec"]
        except StorageError:  # not even readable now: the failure speaks for itself
            return None
        return f"embedded {vec - before} memories that had no vector" if vec > before else None

    def _reindex_left(self) -> str | None:
        """After a reindex failed while embedding (it replaced the vector index first, then
        embeds batch by batch): what stays, in words; None if it had not got that far."""
        try:
            pending = self.store.reindex_pending()
            counts = self.store.counts()
        except StorageError:  # not even readable now: the failure speaks for itself
            return None
        if pending is None:
            return None
        vec, total = counts["vec"], counts["memories"]
        # (The keyword rebuild before it completed: it was rebuilt.)
        vectors = (
            f"the new vector index for {pending[0]}, still empty (it replaced the old one: "
            "recall is keyword-only until the reindex completes),"
            if not vec
            else f"the vectors of the {vec} of {total} memories embedded so far with "
            f"{pending[0]} (the others are found by keyword only until the reindex completes)"
        )
        return f"The rebuilt keyword index and {vectors}"

    def migrate_to(
        self, db: str | Path, progress: Progress | None = None, schema: str | None = None
    ) -> MigrationReport:
        """`schema`: the target's (a URL names a database, not a schema; two schemas of
        one database are copied between this way); by default this one's setting."""
        grants.owner_only(self.ctx, "copy the whole database")  # every scope goes with it
        update: dict[str, object] = {"db": db}
        if schema is not None:
            if not is_database_url(db):
                raise InvalidInput(f"{db} is an SQLite file: a schema is for a PostgreSQL URL.")
            if not re.fullmatch(PG_SCHEMA_PATTERN, schema):
                raise InvalidInput(
                    f"{schema!r} is not a schema name memory-mcp uses: lowercase letters, "
                    "digits and _, not starting with a digit, at most 63 characters."
                )
            update["pg_schema"] = schema
        target = open_storage(self.settings.model_copy(update=update))
        try:
            return migration.migrate(self.store, target, progress)
        finally:
            target.close()

    def backup(
        self,
        dest: Path,
        overwrite: bool = False,
        progress: Progress | None = None,
    ) -> BackupReport:
        grants.owner_only(self.ctx, "back up the database")
        dest = Path(dest).expanduser()
        from memory_mcp.formats import files  # (the importers: not for `stats`)

        files.refuse_database(dest, Path(self.store.location), "Back up to another file.")
        if dest.exists() and not overwrite:
            raise InvalidInput(f"{dest} already exists; pass --force to replace it.")
        if dest.is_dir():
            raise InvalidInput(f"{dest} is a folder; name the backup file.")
        try:
            memories, integrity = self.store.backup(dest, progress)
        except OSError as exc:
            raise InvalidInput(f"Cannot write the backup {dest}: {exc.strerror}.") from exc
        return BackupReport(
            path=str(dest), bytes=dest.stat().st_size, memories=memories, integrity=integrity
        )

    def doctor(self, repair: bool = False, mask_secrets: bool = False) -> DoctorReport:
        grants.owner_only(self.ctx, "check the database")
        report = self._diagnose()
        if mask_secrets and report.unmasked_secrets:
            masked = self._mask_secrets(report.unmasked_secrets)
            report = self._diagnose()
            report.repaired.append(f"erased the secrets {masked} memories kept")
        if not repair:
            return report
        repaired: list[str] = report.repaired
        before = report.vec_rows
        try:
            self._repair(report, repaired)
        except StorageError as exc:
            done = [*repaired, self._embedded_since(before) or ""]
            if not any(done):
                raise  # (a keyword rebuild stopped midway says itself what stays)
            raise stopped_partway(
                exc,
                f"What it did before ({'; '.join(filter(None, done))})",
                "doctor --repair",
                "run `memory-mcp doctor --repair` again: it carries on",
            ) from exc
        after = self._diagnose()
        after.repaired = repaired
        return after

    def _mask_secrets(self, ids: list[int]) -> int:
        """Scrub, from each memory and its history, the texts today's rules would mask."""
        masked = 0
        for memory in self.store.get_many(ids, with_embedded=False):
            texts = [t for t in unmasked_texts(memory) if len(t.strip()) >= MIN_SCRUB_CHARS]
            for text in texts:
                self.store.scrub([memory.id], text, "doctor")
            masked += bool(texts)
        self.semantic.fill_pending()
        return masked

    def _repair(self, report: DoctorReport, repaired: list[str]) -> None:
        """Each repair the report calls for, in turn, adding to `repaired` as each is done."""
        if report.missing_index_parts:  # first: the checks below read those parts
            made = self.store.restore_index_parts()
            repaired.append(f"made again as the schema defines them: {', '.join(made)}")
            report = self._diagnose()
        if not report.fts_ok or report.fts_rows != report.memories:
            self.store.rebuild_keyword_index()
            repaired.append("rebuilt the full-text index")
        if report.orphan_vectors:
            self.store.delete_orphan_vectors()
            repaired.append(f"removed {report.orphan_vectors} orphaned vectors")
        if report.vector_metadata_drift:
            self.store.resync_vector_metadata()
            repaired.append(f"re-synced the metadata of {report.vector_metadata_drift} vectors")
        if report.reindex_interrupted and self.semantic.ensure():
            filled = self.semantic.reindex()
            repaired.append(f"finished the interrupted reindex ({filled} memories embedded)")
        elif report.missing_vectors and self.semantic.ensure():
            filled = self.semantic.fill_pending()
            repaired.append(f"embedded {filled} memories that had no vector")

    def _diagnose(self) -> DoctorReport:
        counts = self.store.counts()
        has_index = self.store.has_vector_index()
        return DoctorReport(
            integrity=self.store.integrity_check(),
            memories=counts["memories"],
            fts_rows=counts["fts"],
            vec_rows=counts["vec"],
            missing_vectors=(counts["memories"] - counts["vec"] + counts["orphan_vec"])
            if has_index
            else counts["memories"],
            orphan_vectors=counts["orphan_vec"],
            fts_ok=self.store.keyword_index_ok(),
            missing_index_parts=self.store.missing_index_parts(),
            vector_metadata_drift=self.store.vector_metadata_drift(),
            reindex_interrupted=self.store.reindex_pending() is not None,
            wildcard_scopes=[s for s in self.store.scope_names() if WILDCARD in s],
            unmasked_secrets=[m.id for m in self.store.iter_all() if unmasked_kinds(m)],
            lacking_privileges=self.store.lacking_privileges(),
        )
