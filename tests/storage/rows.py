"""Small builders for storage tests: unit vectors and rows to insert."""

import numpy as np

from memory_mcp.storage.contract import NewRow


def vec(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def row(content: str, v: np.ndarray | None = None, **kw: object) -> NewRow:
    fields = {"kind": "fact", "tags": [], "scope": "global", "metadata": {}} | kw
    return NewRow(content=content, vector=v, **fields)  # type: ignore[arg-type]
