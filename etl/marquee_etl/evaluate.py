"""What the gate compares: a release's counts and its model's own quality on the release's data.

The quality figures, measured here on the model's own lists (each film's exact nearest films by
its vectors, `neighbours.npy`, before the service's metadata re-ranking), so that two releases are
compared on what the pipeline built; bench/quality_recommender.py takes the same figures of the
lists as served:

- collection_hit@5: of the films in a collection with at least two members in the data, the
  share whose top 5 holds another member of that collection;
- genre_jaccard@10: over the films with at least one genre, the mean over the film's top 10
  of the Jaccard overlap of genre sets (a film without genres counts 0);
- recall@10: the share of the exact top 10 that the Annoy index finds (measured by the build).

A figure that cannot be measured on the data (no collection with two films) is None. `seeds`
narrows a figure to some of the films (the benchmark's sweeps measure a subset).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl


def collection_hit(
    tops: np.ndarray, collection: np.ndarray, k: int = 5, seeds: np.ndarray | None = None
) -> float | None:
    """`tops[i]`: film i's nearest films, best first; `collection[i]`: its collection id, -1 for none;
    `seeds`: the films measured (a boolean mask; every film by default)."""
    ids, counts = np.unique(collection[collection >= 0], return_counts=True)
    eligible = np.isin(collection, ids[counts >= 2])
    if seeds is not None:
        eligible &= seeds
    if not eligible.any() or tops.shape[1] == 0:
        return None
    hits = (collection[tops[:, :k]] == collection[:, None]).any(axis=1)
    return float(hits[eligible].mean())


def genre_jaccard(
    tops: np.ndarray, genre_bits: np.ndarray, k: int = 10, seeds: np.ndarray | None = None
) -> float | None:
    """`genre_bits[i]`: film i's genres as a bit set (uint64); `seeds` as for collection_hit."""
    seeds = genre_bits != 0 if seeds is None else seeds & (genre_bits != 0)
    if not seeds.any() or tops.shape[1] == 0:
        return None
    picks = genre_bits[tops[:, :k]]
    both = np.bitwise_count(picks & genre_bits[:, None]).astype(np.float64)
    either = np.bitwise_count(picks | genre_bits[:, None]).astype(np.float64)
    jaccard = np.divide(both, either, out=np.zeros_like(both), where=either > 0)
    return float(jaccard.mean(axis=1)[seeds].mean())


def counts(tables: dict[str, pl.DataFrame], rows_in: dict[str, int], rejects: dict[str, int]) -> dict[str, Any]:
    """Films, people, rows by table, rejects by reason and the rejected share of the input rows."""
    people = pl.concat([tables["cast"].select("person_id"), tables["crew"].select("person_id")]).n_unique()
    total_in = sum(rows_in.values())
    rejected = sum(rejects.values())
    return {
        "films": tables["movies"].height,
        "people": people,
        "rows_by_table": {name: frame.height for name, frame in tables.items()},
        "rows_in": dict(rows_in),
        "rejects_by_reason": dict(rejects),
        "rejected": rejected,
        "rejected_share": round(rejected / total_in, 6) if total_in else 0.0,
    }
