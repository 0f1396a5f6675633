"""An in-memory copy of the vector index, searched with numpy, for the long-running server.

Why: sqlite-vec 0.1.9 computes every distance of a KNN query in its own loop (~55 ms per
100k 384-d vectors here, 2-3x numpy's bandwidth-bound matrix product) and its cost grows
with k times N, so a quantised first pass with many candidates is slower still. numpy over
float32 matrix is exact. Past COARSE_FROM rows the copy holds int8 codes of the vectors
instead (vecfile.py: ~390 bytes per vector, not 1,536): a first pass over a PCA projection
(COARSE_DIMS floats per vector) picks candidates, their codes rank them, and the best few are
scored exactly from float32 copies in a file. The projection costs as much memory as the
codes and earns it: its pass is ~4x cheaper than one over every dimension (measured at 1M).

The database stays the source of truth. The copy is built from one snapshot and, before
every search, replays the ids that `vec_log` says changed since (writes of this process and
of any other). A rebuilt index (new generation) or a log that no longer reaches back makes
the owner reload it. Filters that vec0 metadata cannot express return None: the caller
searches in SQL instead, so filters are always applied inside the search, never after it.
"""

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np

from memory_mcp.models import MemoryFilter
from memory_mcp.search import kmeans, vecfile
from memory_mcp.search.columns import COLUMNS, Columns
from memory_mcp.search.moved import FirstPass, moved_top
from memory_mcp.search.nearbound import BOUND_FROM, NearBound
from memory_mcp.search.nearby import Blocks, Gathered
from memory_mcp.search.vecfile import dot, top
from memory_mcp.storage.contract import VectorRows, beyond_vector_metadata
from memory_mcp.timestamps import epoch_micros

COARSE_FROM = 20_000  # a smaller copy is searched exactly: ~1 ms at 20k rows (measured)
COARSE_DIMS = 96  # recall@10 >= 0.99 at 1M with 512 candidates; 64 dims gave 0.96-0.98
MIN_CANDIDATES = 512
CANDIDATES_PER_K = 16
PCA_SAMPLE = 20_000
EXACT_SHARE = 32  # a filter keeping under 1/32 of the rows is searched exactly
GATHER_SHARE = 4  # an exact search gathers the rows a filter keeps if under 1/4, else reads all
# Near-duplicate lookups (cosine >= ~0.96) only need the query's own neighbourhood: rows are
# grouped around CLUSTERS k-means centroids of the projection and NEAR_PROBES groups are read,
# ~3% of the rows instead of all of them (remember stays flat as the table grows).
CLUSTERS = 256
NEAR_PROBES = 8
NEAR_CANDIDATES_PER_K = 16
GROUP_TAIL = 10_000  # rows added since the last grouping that are scanned before regrouping
# The int8 ranking is within ~5e-4 of the exact cosine: the best RESCORE_PER_K x k (at least
# k + MIN_RESCORE) of it are read back in float32 and scored exactly.
RESCORE_PER_K = 2
MIN_RESCORE = 16


class VectorCache:
    """Exact (or PCA-first, exactly re-scored) cosine search over a copy of memories_vec."""

    def __init__(
        self,
        dim: int,
        generation: int = 0,
        head: int = 0,
        capacity: int = 0,
        folder: Path | None = None,
        compact: bool = True,
    ) -> None:
        """`folder`: where the exact vectors' unlinked file goes (the database's folder:
        a temporary folder may be memory-backed); the system's temporary folder if None.
        `compact=False` keeps float32 vectors however large the copy grows (the layout
        before int8 codes, which benchmarks compare with)."""
        self.dim = dim
        self._may_compact = compact
        self._exact = vecfile.ExactFile(dim, folder)
        self.generation = generation
        self.head = head
        self._cols = Columns(dim, compact=compact and capacity >= COARSE_FROM)
        self._cols.reserve(capacity)
        self._slot = vecfile.Slots()
        self._codes: dict[str, dict[str, int]] = {"scope": {}, "kind": {}}
        self._basis: np.ndarray | None = None  # (dim, COARSE_DIMS) PCA directions
        self._projected = np.zeros((0, COARSE_DIMS), np.float32)
        self._centroids: np.ndarray | None = None  # (CLUSTERS, COARSE_DIMS), unit
        self._cluster = np.zeros(0, np.int16)  # each row's nearest centroid
        # Rows [0, _grouped) listed cluster by cluster: cluster c's rows are
        # _members[_bounds[c]:_bounds[c + 1]]. Rows added since are read from the tail.
        self._members = np.zeros(0, np.int32)
        self._bounds = np.zeros(CLUSTERS + 1, np.int64)
        self._grouped = 0
        self._changes = 0  # rows added or dropped so far: a first pass is of one state only
        self._longest = 0.0  # no float32 row is longer (the bound in moved.py needs it)
        self._first: FirstPass | None = None  # the last exact full pass (moved.py)
        self._drops = 0  # rows dropped so far (each change but an insert drops one)
        self._near_blocks = Blocks()  # rows gathered for writes' near searches (nearby.py)
        self._bound: NearBound | None = None  # their shortcut past full passes (nearbound.py)

    def __len__(self) -> int:
        return len(self._slot)

    def vectors_of(self, ids: Sequence[int]) -> dict[int, np.ndarray]:
        """The copy's vectors of those `ids` it holds (as Storage.vectors_for, without SQL)."""
        held = [(mid, slot) for mid in ids if (slot := self._slot.get(mid)) is not None]
        if not held:
            return {}
        cols, slots = self._cols, np.array([slot for _, slot in held], np.int64)
        rows = self._exact.read(cols.row[slots]) if cols.compact else cols.codes[slots]
        return {mid: np.array(rows[i], np.float32) for i, (mid, _) in enumerate(held)}

    # -- keeping in step ------------------------------------------------------------------

    def add(self, rows: VectorRows) -> None:
        """Append rows whose ids are not in the copy yet (a snapshot batch)."""
        n, cols = len(rows.ids), self._cols
        cols.reserve(n)
        at = slice(cols.size, cols.size + n)
        cols.ids[at] = rows.ids
        cols.codes[at], cols.scale[at] = cols.encode(rows.vectors)
        if cols.compact:
            cols.row[at] = self._exact.append(rows.vectors)
        cols.scope[at] = self._encode("scope", rows.scopes)
        cols.kind[at] = self._encode("kind", rows.kinds)
        cols.hidden[at], cols.at[at], cols.expires[at] = rows.hidden, rows.at, rows.expires
        cols.alive[at] = True
        self._slot.add(rows.ids, np.arange(at.start, at.stop, dtype=np.int32))
        cols.size += n
        self._changes += 1
        if n and not cols.compact:
            lengths = np.einsum("ij,ij->i", cols.codes[at], cols.codes[at])
            self._longest = max(self._longest, float(np.sqrt(lengths.max())))
        if self._basis is not None:
            self._project(at.start)
        if self._bound is not None:
            self._bound.put(at.start, cols.codes[at])

    def apply(self, changed: list[int], rows: VectorRows, head: int) -> None:
        """Replay changes: `changed` ids are dropped, then their current `rows` re-added."""
        for memory_id in changed:
            slot = self._slot.pop(memory_id)
            if slot is not None:
                self._cols.alive[slot] = False
                self._drops += 1  # (rows gathered for near searches are gathered again)
        self.add(rows)
        self.head = head
        dead = self._cols.size - len(self._slot)
        if dead > max(1024, len(self._slot) // 4):
            self._compact()

    def _compact(self) -> None:
        cols, keep = self._cols, np.flatnonzero(self._cols.alive[: self._cols.size])
        for name in COLUMNS:
            setattr(cols, name, getattr(cols, name)[keep].copy())
        cols.size = len(keep)
        if cols.compact:
            cols.row = self._exact.rewrite(cols.row)  # the file drops the dead rows too
        self._slot.reset(cols.ids[: cols.size])
        if self._bound is not None:
            self._bound.keep(keep)
        if self._basis is not None:
            self._projected = self._projected[keep].copy()
            self._cluster = self._cluster[keep].copy()
            self._group()

    def _encode(self, column: str, values: list[str]) -> np.ndarray:
        codes = self._codes[column]
        return np.array([codes.setdefault(v, len(codes)) for v in values], dtype=np.int32)

    # -- the coarse pass ------------------------------------------------------------------

    def prepare(self) -> None:
        """Fit the coarse pass (or the near bound) now if the copy needs one (else at the
        first search that does), then hand the loading's freed temporaries back."""
        if not self._ensure_basis():
            self._bounded()
        vecfile.release_free_memory()

    def _ensure_basis(self) -> bool:
        """Fit the PCA directions once the copy is big enough to need them."""
        if self._basis is not None:
            return True
        live = np.flatnonzero(self._cols.alive[: self._cols.size])
        if len(live) < COARSE_FROM or self.dim < 2 * COARSE_DIMS:
            return False
        if self._may_compact:
            self._cols.make_compact(self._exact)
        self._bound, self._near_blocks = None, Blocks()  # near searches: the coarse pass's
        rng = np.random.default_rng(len(live))
        picked = rng.choice(live, min(PCA_SAMPLE, len(live)), replace=False)
        sample = vecfile.decode(self._cols.codes[picked], self._cols.scale[picked])
        _, _, components = np.linalg.svd(sample - sample.mean(0), full_matrices=False)
        self._basis = np.ascontiguousarray(components[:COARSE_DIMS].T, dtype=np.float32)
        self._centroids = kmeans.fit(sample @ self._basis, CLUSTERS)
        self._projected = np.zeros((0, COARSE_DIMS), np.float32)
        self._project(0)
        self._group()
        return True

    def _group(self) -> None:
        """List the rows by cluster (a sort of ~10 ms per 1M rows)."""
        labels = self._cluster[: self._cols.size]
        self._members = np.argsort(labels, kind="stable").astype(np.int32)
        self._bounds = np.searchsorted(labels[self._members], np.arange(CLUSTERS + 1))
        self._grouped = self._cols.size

    def _project(self, start: int) -> None:
        """Project rows from `start` on; the projection keeps the columns' capacity."""
        assert self._basis is not None
        cols = self._cols
        assert self._centroids is not None
        if len(self._projected) < len(cols.ids):
            grown = np.zeros((len(cols.ids), COARSE_DIMS), np.float32)
            grown[:start] = self._projected[:start]
            self._projected = grown
            labels = np.zeros(len(cols.ids), np.int16)
            labels[:start] = self._cluster[:start]
            self._cluster = labels
        for at in range(start, cols.size, 50_000):  # bounded temporaries on a big load
            stop = min(at + 50_000, cols.size)
            rows = vecfile.decode(cols.codes[at:stop], cols.scale[at:stop])
            self._projected[at:stop] = rows @ self._basis
            self._cluster[at:stop] = kmeans.assign(self._projected[at:stop], self._centroids)

    # -- search ---------------------------------------------------------------------------

    def search(
        self,
        query: np.ndarray,
        flt: MemoryFilter,
        now: datetime,
        k: int,
        near_only: bool = False,
        origin: np.ndarray | None = None,
        floor: float | None = None,
    ) -> list[tuple[int, float]] | None:
        """(id, cosine) best first, filtered inside the search; None if the filter needs SQL.

        `near_only` looks in the query's neighbourhood only: exact for near duplicates, not
        for the k nearest in general; with a `floor`, rows that cannot reach it may be left
        out. `origin`: the query this one was moved from (recall's feedback), whose full
        pass, if it was the last search, bounds this one (moved.py)."""
        if beyond_vector_metadata(flt):
            return None
        q = np.asarray(query, np.float32)
        if near_only and self._basis is not None:
            return self._near(q, flt, now, k)
        if near_only and floor is not None and self._bounded():
            assert self._bound is not None
            rows = self._bound.candidates(q, self._cols.size, floor)
            keep = self._mask(flt, now, rows)
            return [] if keep is None else self._exact_top(rows[keep], q, k)
        first, self._first = self._first, None
        if origin is not None and first is not None:
            found = self._moved(first, origin, q, flt, k)
            if found is not None:
                return found
        n = self._cols.size
        mask = self._mask(flt, now, slice(0, n))
        if mask is None:
            return []
        rows = np.flatnonzero(mask)
        # All dimensions when the table is small or the filter selective: gathering a row
        # costs ~30x what the first pass spends on it (measured); a full pass needs no gather.
        if len(rows) * EXACT_SHARE <= n or not self._ensure_basis():
            if len(rows) * GATHER_SHARE <= n:
                return self._score(rows, q, k)
            everything = self._rough(n, q)
            everything[~mask] = -np.inf
            if not self._cols.compact:  # exact scores: kept for a search moved from q
                self._first = FirstPass(q, flt, self._changes, everything)
                best = top(everything, k)
                best = best[mask[best]]
                return [(int(self._cols.ids[i]), float(everything[i])) for i in best]
            candidates = top(everything, _rescored(k))
            return self._exact_top(candidates[mask[candidates]], q, k)
        else:
            assert self._basis is not None
            rough = dot(self._projected[:n], q @ self._basis)
            rough[~mask] = -np.inf
            candidates = top(rough, max(MIN_CANDIDATES, CANDIDATES_PER_K * k))
        return self._score(candidates[mask[candidates]], q, k)

    def near_rows(self, flt: MemoryFilter, now: datetime) -> Gathered | None:
        """The rows a near-duplicate search with `flt` scores exactly, gathered before its
        query is known (nearby.py). None where that search needs the query first: a coarse
        pass (a large copy), codes to rank, SQL for the filter, or so many rows a full pass
        costs less than gathering them (as `search` decides)."""
        if beyond_vector_metadata(flt) or self._ensure_basis() or self._cols.compact:
            return None
        cols = self._cols
        return self._near_blocks.gathered(
            flt, epoch_micros(now), self._drops, cols.size,
            lambda rows: self._mask(flt, now, rows), (cols.ids, cols.codes, cols.expires),
            GATHER_SHARE,
        )  # fmt: skip

    def _bounded(self) -> bool:
        """Whether near searches take the bound (fitted once the copy is big enough)."""
        cols = self._cols
        if self._bound is None and not cols.compact and len(self._slot) >= BOUND_FROM:
            self._bound = NearBound.fit(cols.codes[: cols.size])
        return self._bound is not None

    def _moved(
        self, first: FirstPass, origin: np.ndarray, q: np.ndarray, flt: MemoryFilter, k: int
    ) -> list[tuple[int, float]] | None:
        """The exact top k for q from the bound `first` gives, if it is the full pass of
        `origin` with this filter over the copy as it is (None: search as usual)."""
        if first.changes != self._changes or self._cols.compact or first.flt != flt:
            return None
        if not np.array_equal(first.query, origin):
            return None
        codes = self._cols.codes
        found = moved_top(first.scores, origin, q, lambda rows: codes[rows], k, self._longest)
        if found is None:
            return None
        rows, scores = found
        return [(int(self._cols.ids[r]), float(s)) for r, s in zip(rows, scores, strict=True)]

    def _near(
        self, q: np.ndarray, flt: MemoryFilter, now: datetime, k: int
    ) -> list[tuple[int, float]]:
        """The query's neighbourhood: rows of its NEAR_PROBES nearest clusters, filtered."""
        assert self._basis is not None and self._centroids is not None
        q_low = q @ self._basis
        n = self._cols.size
        if n - self._grouped > max(GROUP_TAIL, n // 20):
            self._group()
        probes = top(self._centroids @ q_low, NEAR_PROBES)
        probed = np.zeros(len(self._centroids), bool)
        probed[probes] = True
        tail = np.arange(self._grouped, n)
        rows = np.concatenate(
            [self._members[self._bounds[c] : self._bounds[c + 1]] for c in probes]
            + [tail[probed[self._cluster[tail]]]]
        )
        keep = self._mask(flt, now, rows)
        if keep is None:
            return []
        rows = rows[keep]
        # A near duplicate is among the best few by the projection: few rows to re-score.
        count = NEAR_CANDIDATES_PER_K * k
        return self._score(rows[top(dot(self._projected[rows], q_low), count)], q, k)

    def _score(self, candidates: np.ndarray, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The exact top k of the candidate rows: ranked by their int8 codes, the best few
        of those scored exactly."""
        cols = self._cols
        if not cols.compact:
            return self._exact_top(candidates, q, k)
        rough = dot(cols.codes[candidates].astype(np.float32), q) * cols.scale[candidates]
        return self._exact_top(candidates[top(rough, _rescored(k))], q, k)

    def _rough(self, n: int, q: np.ndarray) -> np.ndarray:
        """Scores of the first n rows: exact for float32 vectors, from the codes if compact."""
        if not self._cols.compact:
            return dot(self._cols.codes[:n], q)
        return vecfile.rough_scores(self._cols.codes[:n], self._cols.scale[:n], q)

    def _exact_top(self, candidates: np.ndarray, q: np.ndarray, k: int) -> list[tuple[int, float]]:
        """The top k of these rows by the exact cosine of their float32 vectors."""
        cols = self._cols
        exact = self._exact.read(cols.row[candidates]) if cols.compact else cols.codes[candidates]
        scores = dot(exact, q)
        best = top(scores, k)
        return [(int(self._cols.ids[candidates[i]]), float(scores[i])) for i in best]

    def resident_bytes(self) -> int:
        """Bytes of the arrays the copy holds in memory."""
        arrays = [getattr(self._cols, name) for name in COLUMNS]
        arrays += [self._projected, self._cluster, self._members]
        held = int(sum(a.nbytes for a in arrays)) + self._slot.nbytes()
        bound = 0 if self._bound is None else self._bound.nbytes()
        return held + self._near_blocks.nbytes() + bound

    def close(self) -> None:
        """Let go of the exact vectors' file (also done when the copy is collected)."""
        self._exact.close()

    def _mask(
        self, flt: MemoryFilter, now: datetime, rows: slice | np.ndarray
    ) -> np.ndarray | None:
        """Which of `rows` pass the filter (the conditions of filters.vector_conditions)."""
        cols = self._cols
        mask: np.ndarray = cols.alive[rows] & ~cols.hidden[rows]
        if not flt.include_expired:
            mask &= cols.expires[rows] > epoch_micros(now)
        for column, wanted in (("scope", flt.scopes), ("kind", [flt.kind] if flt.kind else [])):
            if not wanted:
                continue
            codes = [self._codes[column][v] for v in wanted if v in self._codes[column]]
            if not codes:
                return None
            allowed = np.zeros(len(self._codes[column]), bool)
            allowed[codes] = True
            mask &= allowed[getattr(cols, column)[rows]]
        if flt.since is not None:
            mask &= cols.at[rows] >= epoch_micros(flt.since)
        if flt.until is not None:
            mask &= cols.at[rows] < epoch_micros(flt.until)
        return mask


def _rescored(k: int) -> int:
    return max(RESCORE_PER_K * k, k + MIN_RESCORE)
