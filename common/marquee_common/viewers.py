"""What the pipeline and the recommender agree on about the viewers' model (issue 14, part 2).

When the raw folder holds MovieLens ratings, the pipeline stores, beside the content model, which
films the same viewers liked (`model/viewers_*.npy`, aligned with `model/items.npy`), and the
recommender blends them with the content neighbours:

    score(seed, film) = content score + WEIGHT x viewers(seed, film)

where viewers(seed, film) is the stored similarity (0..1; 0 when the film is not in the seed's
list). A seed liked by fewer than MIN_VIEWERS viewers has no list: content alone ranks it. The
pipeline's held-out measure (the gate's `holdout_hit_rate_at_10`) blends with the same WEIGHT.
"""

from __future__ import annotations

LIKED = 4.0
"""A rating at least this (of 0.5..5) means the viewer liked the film."""
MIN_VIEWERS = 3
"""Films liked by fewer viewers (in the ratings the model learned from) fall back to content alone:
a list resting on one or two viewers is mostly chance on real ratings."""
WEIGHT = 8.0
"""Default blend weight of the viewers' similarity (RECOMMENDER_WEIGHT_VIEWERS, MARQUEE_VIEWERS_WEIGHT).
The viewers' scores are shares of likers (0..1, most under 0.3) and the content cosines 0.3..0.8,
so the viewers lead and content orders what they leave equal. Held-out hit@10 of the hybrid as
served (bench/bench_viewers.py, synthetic ratings, 1x / 10x viewers) by weight: 1 -> 0.690 / 0.722,
2 -> 0.739 / 0.764, 4 -> 0.751 / 0.777, 8 -> 0.758 / 0.780, 16 -> 0.761 / 0.780: 8 gains all but
0.003 of 16 and keeps content's say twice as large."""
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
