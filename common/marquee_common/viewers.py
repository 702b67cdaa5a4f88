"""What the pipeline and the recommender agree on about the viewers' model (issue 14, part 2).

When the raw folder holds MovieLens ratings, the pipeline stores, beside the content model, which
films the same viewers liked (`model/viewers_*.npy`, aligned with `model/items.npy`), and the
recommender blends them with the content neighbours:

    score(seed, film) = similarity x (cosine + genre and director terms)
                      + collection x [same collection] + popularity x prior(film)
                      + viewers x viewers(seed, film)

where viewers(seed, film) is the stored similarity (0..1; 0 when the film is not in the seed's
list). A seed liked by fewer than MIN_VIEWERS viewers has no list: no viewers' term. The four
weights (a `Blend`) are learned by the pipeline from the ratings themselves: on viewers kept out
of the model, it keeps the blend of BLEND_GRID whose top 10 held most films those viewers liked,
and records it in the manifest (`model.viewers.blend`). So the ratings decide how much similar
text, franchises, well-known films and the viewers' lists each count for a film seed; a release
without ratings ranks with the content defaults. The gate's `holdout_hit_rate_at_10` is that
blend's hit rate on a second set of viewers, kept out of both the model and the choice.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

LIKED = 4.0
"""A rating at least this (of 0.5..5) means the viewer liked the film."""
MIN_VIEWERS = 3
"""Films liked by fewer viewers (in the ratings the model learned from) have no list, so no viewers'
term: a list resting on one or two viewers is mostly chance on real ratings."""
WEIGHT = 8.0
"""Weight of the viewers' similarity for a release that records no learned blend (one built before
blends were learned), with the content defaults; RECOMMENDER_WEIGHT_VIEWERS sets it."""
GENRE = 0.15
"""Default weight of the genre sets' Jaccard overlap with the seed (RECOMMENDER_WEIGHT_GENRE); a
blend's similarity scales it with the cosine."""
DIRECTOR = 0.10
"""Default weight of a director in common with the seed (RECOMMENDER_WEIGHT_DIRECTOR); likewise."""
HIT_K = 10
"""The held-out measure's list length: hit rate at 10."""

NEIGHBOURS_FILE = "viewers_neighbours.npy"
"""int32 (items, k): for each film, the films the same viewers liked, most similar first; -1 pads."""
SCORES_FILE = "viewers_scores.npy"
"""float32 (items, k): the similarity of each listed film, in (0, 1]; 0 where -1 pads."""
COUNTS_FILE = "viewers_counts.npy"
"""int32 (items,): how many viewers liked each film in the ratings the model learned from."""
SHARED_FILE = "viewers_shared.npy"
"""int32 (items, k): how many viewers liked both the film and each listed film; 0 where -1 pads.
The recommender says "the same viewers liked both" from 2 on (a listed film may have fewer: the
films' popularity is part of every score)."""
FILES = (NEIGHBOURS_FILE, SCORES_FILE, COUNTS_FILE, SHARED_FILE)
SHARED_REASON = 2
"""Viewers who liked both films from which the recommender gives the reason SAME_VIEWERS."""


@dataclass(frozen=True)
class Blend:
    """How a film seed's candidates are scored when the release has ratings (see the module doc).

    Popularity is fixed at 1 in the grid (a ranking does not change when every weight is scaled),
    so the others are in units of the popularity prior; a request's own `popularity` replaces it.
    """

    similarity: float
    collection: float
    popularity: float
    viewers: float

    def recorded(self) -> dict[str, float]:
        return asdict(self)

    def terms(self) -> int:
        """How many of the similarity and viewers' terms the blend uses (its complexity)."""
        return int(self.similarity > 0) + int(self.viewers > 0)

    @classmethod
    def from_manifest(cls, entry: dict[str, Any]) -> Blend:
        """The blend a manifest records; ValueError naming what is missing or wrong."""
        try:
            values = {name: float(entry[name]) for name in ("similarity", "collection", "popularity", "viewers")}
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"model.viewers.blend must hold four numbers, got {entry!r}") from exc
        if any(not 0 <= v < float("inf") for v in values.values()):
            raise ValueError(f"model.viewers.blend weights must be finite and not negative, got {entry!r}")
        return cls(**values)


BLEND_GRID = tuple(
    Blend(similarity, collection, 1.0, viewers)
    for similarity, collection, viewers in itertools.product(
        (1.0, 0.3, 0.1, 0.03, 0.0), (0.1, 0.2, 0.35, 0.5), (0.0, 0.25, 1.0, 4.0)
    )
)
"""The blends the pipeline chooses from. Similarity 1 ranks close to the content defaults
(popularity 0.6 per unit of cosine there, 1 here); 0 leaves the text out. Collection 0.2 is worth
about two natural logs of votes (the prior is ln(1 + votes) / ln(1 + the most votes), about 1/9.5
per log on the Kaggle films). The viewers' similarities are shares of likers, mostly under 0.3."""


def vote_prior(votes: np.ndarray) -> np.ndarray:
    """How well known each film is, 0..1: ln(1 + votes) over that of the most-voted film; the
    blend's popularity term, for the recommender and the pipeline's measure alike.

    A log, because the 100th vote says more than the 10,000th; chosen over an IMDB-style weighted
    rating (which favours well-rated films, not known ones) by bench/bench_popularity.py.
    """
    top = math.log1p(max(int(votes.max(initial=0)), 1))
    prior: np.ndarray = (np.log1p(np.maximum(votes, 0)) / top).astype(np.float32)
    return prior


MOST_VOTED = 50
"""A film seed ranked with a learned blend also considers the release's this many most-voted films
(filters still apply): a blend that favours well-known films must be able to reach them."""
