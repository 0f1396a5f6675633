"""Pure tests of feedback.py: the query vector moved towards the best fused hits."""

import numpy as np
import pytest

from memory_mcp.policies.feedback import FEEDBACK_WEIGHT, feedback_query


def unit(*xs: float) -> np.ndarray:
    v = np.array(xs, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_nothing_to_move_towards_gives_none() -> None:
    assert feedback_query(unit(1, 0, 0), []) is None
    assert feedback_query(unit(1, 0, 0), [(unit(0, 1, 0), 0.0)]) is None


def test_the_query_moves_towards_the_hits_and_stays_unit_length() -> None:
    moved = feedback_query(unit(1, 0, 0), [(unit(0, 1, 0), 0.9)])
    assert moved is not None
    assert float(np.linalg.norm(moved)) == pytest.approx(1.0, abs=1e-6)
    assert moved[1] / moved[0] == pytest.approx(FEEDBACK_WEIGHT, rel=1e-5)
    assert moved[2] == pytest.approx(0.0)


def test_a_better_hit_pulls_harder() -> None:
    moved = feedback_query(unit(1, 0, 0), [(unit(0, 1, 0), 0.9), (unit(0, 0, 1), 0.3)])
    assert moved is not None
    assert moved[1] == pytest.approx(3 * moved[2], rel=1e-5)
