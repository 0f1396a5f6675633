"""The in-memory copy's row-aligned columns (vecindex.py): ids, vectors or their int8 codes,
where each exact vector lives, and what filters read, with spare capacity."""

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from memory_mcp.search import vecfile

COLUMNS = ("ids", "codes", "scale", "row", "scope", "kind", "hidden", "at", "expires", "alive")


@dataclass
class Columns:
    """Row-aligned arrays with spare capacity; `alive` marks rows not deleted since."""

    dim: int
    size: int = 0
    compact: bool = False  # codes are int8 (scaled); else float32 vectors, scale 1
    ids: np.ndarray = field(init=False)
    codes: np.ndarray = field(init=False)  # int8, row ~= codes * scale
    scale: np.ndarray = field(init=False)
    row: np.ndarray = field(init=False)  # where the exact float32 vector is in the file
    scope: np.ndarray = field(init=False)
    kind: np.ndarray = field(init=False)
    hidden: np.ndarray = field(init=False)
    at: np.ndarray = field(init=False)
    expires: np.ndarray = field(init=False)
    alive: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.ids = np.zeros(0, np.int64)
        self.codes = np.zeros((0, self.dim), np.int8 if self.compact else np.float32)
        self.scale = np.zeros(0, np.float32)
        self.row = np.zeros(0, np.int64)
        self.scope = np.zeros(0, np.int32)
        self.kind = np.zeros(0, np.int32)
        self.hidden = np.zeros(0, bool)
        self.at = np.zeros(0, np.int64)
        self.expires = np.zeros(0, np.int64)
        self.alive = np.zeros(0, bool)

    def encode(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.compact:
            return vecfile.quantise(vectors)
        return np.asarray(vectors, np.float32), np.ones(len(vectors), np.float32)

    def make_compact(self, exact: vecfile.ExactFile) -> None:
        """Turn the float32 vectors into int8 codes (a copy that grew past COARSE_FROM),
        moving the exact ones to `exact`."""
        if self.compact:
            return
        codes = np.zeros(self.codes.shape, np.int8)
        for at in range(0, self.size, 50_000):
            stop = min(at + 50_000, self.size)
            self.row[at:stop] = exact.append(self.codes[at:stop])
            codes[at:stop], self.scale[at:stop] = vecfile.quantise(self.codes[at:stop])
        self.codes, self.compact = codes, True

    def reserve(self, extra: int) -> None:
        grow(self, COLUMNS, self.size, self.size + extra, 1024)


def grow(holder: object, names: Sequence[str], size: int, need: int, least: int) -> None:
    """Give `holder`'s row-aligned arrays `names` room for `need` rows, their first `size`
    kept: new arrays half as large again (at least `least` rows), so that appending a row at
    a time copies each row a bounded number of times. Arrays handed out before keep their
    rows (views of the old ones)."""
    if need <= len(getattr(holder, names[0])):
        return
    capacity = max(need, len(getattr(holder, names[0])) * 3 // 2, least)
    for name in names:
        old = getattr(holder, name)
        new = np.zeros((capacity, *old.shape[1:]), old.dtype)
        new[:size] = old[:size]
        setattr(holder, name, new)
