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
"""Films liked by fewer viewers (in the ratings the model learned from) fall back to content alone.
Measured on the synthetic ratings (held-out hit@10 of the viewers' lists): 2 -> 0.708, 3 -> 0.696,
5 -> 0.668; 3, as lists resting on two viewers are mostly chance on real ratings."""
WEIGHT = 4.0
"""Default blend weight of the viewers' similarity (RECOMMENDER_WEIGHT_VIEWERS, MARQUEE_VIEWERS_WEIGHT).
Held-out hybrid hit@10 on the synthetic ratings by weight: 0.5 -> 0.498, 1 -> 0.638, 2 -> 0.676,
4 -> 0.687, 8 -> 0.689: the viewers' evidence leads and content orders what it leaves equal; 8 gains
nothing worth drowning content further."""
HIT_K = 10
"""The held-out measure's list length: hit rate at 10."""

NEIGHBOURS_FILE = "viewers_neighbours.npy"
"""int32 (items, k): for each film, the films the same viewers liked, most similar first; -1 pads."""
SCORES_FILE = "viewers_scores.npy"
"""float32 (items, k): the similarity of each listed film, in (0, 1]; 0 where -1 pads."""
COUNTS_FILE = "viewers_counts.npy"
"""int32 (items,): how many viewers liked each film in the ratings the model learned from."""
FILES = (NEIGHBOURS_FILE, SCORES_FILE, COUNTS_FILE)
