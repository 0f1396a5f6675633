"""Spherical k-means, for the in-memory vector index's near-duplicate lookups. Pure numpy."""

import numpy as np


def fit(sample: np.ndarray, count: int, rounds: int = 8, seed: int = 0) -> np.ndarray:
    """`count` unit centroids for the directions of `sample` rows."""
    unit = _normalise(sample)
    rng = np.random.default_rng(seed)
    centroids = unit[rng.choice(len(unit), min(count, len(unit)), replace=False)]
    for _ in range(rounds):
        labels = assign(unit, centroids)
        sums = np.zeros_like(centroids)
        np.add.at(sums, labels, unit)
        filled = np.linalg.norm(sums, axis=1) > 0  # an empty cluster keeps its centroid
        centroids[filled] = _normalise(sums[filled])
    return centroids


def assign(rows: np.ndarray, centroids: np.ndarray, chunk: int = 65_536) -> np.ndarray:
    """Index of each row's nearest centroid by cosine (int16), in bounded chunks."""
    labels = np.empty(len(rows), np.int16)
    for at in range(0, len(rows), chunk):
        labels[at : at + chunk] = np.argmax(rows[at : at + chunk] @ centroids.T, axis=1)
    return labels


def _normalise(rows: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return (rows / np.where(norms == 0, 1, norms)).astype(np.float32)
