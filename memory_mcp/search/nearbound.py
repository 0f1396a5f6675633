"""An exact shortcut for a write's near-duplicate search over a copy searched by full passes.

Why: a scope holding most memories (one project, or a single default scope) leaves nothing to
gather ahead (nearby.py): its search is a pass over every float32 row after the embedding,
~1.6 ms of CPU at 10k rows under load. A near duplicate only matters above a threshold
(cosine >= 0.96 by default), and most rows are far below it; numpy's int8 or float16 passes
are slower than its float32 one (1.6 and 22 ms against 0.7 ms at 10k, measured), so the
shortcut reads fewer numbers instead of smaller ones.

Each row x is split along an orthonormal basis B (the principal directions of a sample):
x = B p + r with r orthogonal to B, so for a query q, x . q = p . qp + r . q_r, which is at
most p . qp + |r| |q_r| (qp = B^T q, q_r = q - B qp). Only rows whose bound reaches the
threshold can be near duplicates, and only those (a handful: the projection holds most of a
sentence vector) are scored exactly. The bound holds for any basis and any rows added after
the fit; a basis that fits them less well only lets more rows through.
"""

import numpy as np

from memory_mcp.search.columns import grow
from memory_mcp.search.vecfile import dot

BOUND_FROM = 2_000  # rows: a smaller copy's full pass costs less than the projection's
BOUND_DIMS = 96  # 1-9 candidates a search at 10k (p50-p90; 48 dims: 5-16), measured
BOUND_SAMPLE = 5_000
SLACK = 1e-3  # far above the float32 rounding of the bound's terms (~1e-6)


class NearBound:
    def __init__(self, basis: np.ndarray) -> None:
        self.basis = basis  # (dim, BOUND_DIMS), orthonormal columns
        self.projected = np.zeros((0, basis.shape[1]), np.float32)
        self.residual = np.zeros(0, np.float32)

    @classmethod
    def fit(cls, vectors: np.ndarray) -> "NearBound":
        """A bound over `vectors` (the copy's rows, in order), from a sample's directions."""
        rng = np.random.default_rng(len(vectors))
        sample = vectors[rng.choice(len(vectors), min(BOUND_SAMPLE, len(vectors)), replace=False)]
        _, _, components = np.linalg.svd(sample - sample.mean(0), full_matrices=False)
        bound = cls(np.ascontiguousarray(components[:BOUND_DIMS].T, dtype=np.float32))
        bound.put(0, vectors)
        return bound

    def put(self, start: int, vectors: np.ndarray) -> None:
        """Rows [start, start + len(vectors)) of the copy (appended, capacity grown)."""
        stop = start + len(vectors)
        grow(self, ("residual", "projected"), start, stop, 1024)
        part = np.asarray(vectors, np.float32) @ self.basis
        self.projected[start:stop] = part
        self.residual[start:stop] = np.linalg.norm(vectors - part @ self.basis.T, axis=1)

    def keep(self, rows: np.ndarray) -> None:
        """The copy kept only `rows`, in this order (compaction)."""
        self.projected, self.residual = self.projected[rows].copy(), self.residual[rows].copy()

    def candidates(self, q: np.ndarray, n: int, floor: float) -> np.ndarray:
        """Rows of the first n whose cosine with q may reach `floor` (every one that does)."""
        qp = q @ self.basis
        rest = float(np.linalg.norm(q - self.basis @ qp))
        bound = dot(self.projected[:n], qp) + self.residual[:n] * rest
        return np.flatnonzero(bound >= floor - SLACK)

    def nbytes(self) -> int:
        return int(self.projected.nbytes + self.residual.nbytes + self.basis.nbytes)
