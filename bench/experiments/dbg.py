import numpy as np, polars as pl, math
from pathlib import Path
from marquee_common import viewers as V
from marquee_etl.ratings import find_ratings, read_ratings
from marquee_etl.viewers import likes, split_viewers, similar, blend_lists, hit_rate, content_neighbours, most_voted_lists
m = Path("/tmp/rs/data/current").resolve()/"model"
ids = np.load(m/"items.npy"); vectors = np.load(m/"vectors.npy"); nb = np.load(m/"neighbours.npy")
facts = {k: np.load(m/f"{k}.npy") for k in ("votes", "collection", "genre_bits", "directors")}
r = read_ratings(find_ratings(Path("/work/shared/data"), "small"), pl.Series(ids.tolist()))
X, users = likes(r.kept, ids); test = split_viewers(X.shape[0], 0.2, 7)
model = similar(X[~test], 100, 0, 0, 512, 100.0)
votes = facts["votes"]; coll = facts["collection"]
b = V.Blend(0.0, 2 / math.log1p(votes.max()), 1.0, 0.0)
L, = blend_lists(vectors, nb, model, facts, [b])
lv = np.log1p(votes.astype(float)); samec = ((coll[:, None] == coll[None, :]) & (coll[:, None] >= 0))
s = lv[None, :] + 2 * samec; np.fill_diagonal(s, -np.inf)
L2 = np.argsort(-s, axis=1, kind="stable")[:, :10]
print(hit_rate(X[test], L), hit_rate(X[test], L2), hit_rate(X[test], most_voted_lists(votes)))
diff = np.flatnonzero((L != L2).any(1)); print(len(diff))
for i in diff[:3]: print(i, L[i], L2[i], votes[L[i]], votes[L2[i]], coll[i], coll[L[i]])
