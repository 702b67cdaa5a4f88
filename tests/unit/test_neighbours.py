"""The build's exact nearest-film lists, checked against a plain one-row-at-a-time search."""

from __future__ import annotations

import numpy as np
import pytest

from marquee_etl.model import nearest_neighbours


def unit_rows(n: int, dims: int, seed: int) -> np.ndarray:
    rows = np.random.default_rng(seed).normal(size=(n, dims)).astype(np.float32)
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def by_hand(vectors: np.ndarray, row: int, k: int) -> list[float]:
    """The k best similarities of `row` to the other rows, in float64, best first."""
    others = [float(np.dot(vectors[row].astype(np.float64), vectors[j].astype(np.float64)))
              for j in range(len(vectors)) if j != row]  # fmt: skip
    return sorted(others, reverse=True)[:k]


@pytest.mark.parametrize("block", [7, 512])
def test_each_row_lists_its_k_most_similar_other_rows_best_first(block: int) -> None:
    vectors = unit_rows(300, 16, seed=3)
    found = nearest_neighbours(vectors, 10, block=block)
    assert found.shape == (300, 10) and found.dtype == np.int32
    for row in range(300):
        assert row not in found[row].tolist()
        assert len(set(found[row].tolist())) == 10
        got = [float(np.dot(vectors[row].astype(np.float64), vectors[j].astype(np.float64))) for j in found[row]]
        assert got == pytest.approx(by_hand(vectors, row, 10), abs=1e-6)


def test_equal_similarities_go_to_the_lower_row() -> None:
    # Rows 1, 2 and 3 are the same vector: for row 0 they tie, and come in row order.
    vectors = np.array([[1, 0], [0.6, 0.8], [0.6, 0.8], [0.6, 0.8], [-1, 0]], dtype=np.float32)
    assert nearest_neighbours(vectors, 3).tolist()[0] == [1, 2, 3]
    assert nearest_neighbours(vectors, 4).tolist()[2] == [1, 3, 0, 4]


def test_k_is_cut_to_the_other_rows_there_are() -> None:
    vectors = unit_rows(4, 3, seed=1)
    found = nearest_neighbours(vectors, 100)
    assert found.shape == (4, 3)
    assert [sorted(r) for r in found.tolist()] == [[1, 2, 3], [0, 2, 3], [0, 1, 3], [0, 1, 2]]
    assert nearest_neighbours(vectors[:1], 5).shape == (1, 0)
