import sys, numpy as np, polars as pl
from pathlib import Path
from marquee_common import viewers as V
from marquee_etl.ratings import find_ratings, read_ratings
from marquee_etl.viewers import likes, split_viewers, similar, blend_lists, hit_rate, content_neighbours
from marquee_etl.params import ViewersParams
m = Path("/tmp/rs/data/current").resolve()/"model"
ids = np.load(m/"items.npy"); vectors = np.load(m/"vectors.npy"); nb = np.load(m/"neighbours.npy")
facts = {k: np.load(m/f"{k}.npy") for k in ("votes", "collection", "genre_bits", "directors")}
r = read_ratings(find_ratings(Path("/work/shared/data"), "small"), pl.Series(ids.tolist()))
X, users = likes(r.kept, ids); P = ViewersParams()
test = split_viewers(X.shape[0], 0.2, 7)
content = content_neighbours(vectors, nb)[:, :100]
V.BLEND_GRID = tuple(V.Blend(s, c, 1.0, v) for s in (1.0, 0.3, 0.1, 0.03, 0.01, 0.0) for c in (0.1, 0.2, 0.35, 0.5) for v in (0.0, 0.1, 0.25, 1.0))
res = {}
def ev(trainX, testX, tag):
    model = similar(trainX, P.k, 0, 0, 512, P.prior)
    for b, l in zip(V.BLEND_GRID, blend_lists(vectors, content, model, facts, V.BLEND_GRID)):
        res.setdefault(b, {})[tag] = hit_rate(testX, l)[0]
ev(X[~test], X[test], "test")
Xt = X[~test]
for i, fo in enumerate(np.array_split(np.random.default_rng(8).permutation(Xt.shape[0]), 4)):
    v = np.zeros(Xt.shape[0], bool); v[fo] = True
    ev(Xt[~v], Xt[v], f"cv{i}")
rows = sorted(res.items(), key=lambda kv: -np.mean([kv[1][f"cv{i}"] for i in range(4)]))
for b, d in rows[:20]:
    print(b.similarity, b.collection, b.viewers, "test", d["test"], "cv", round(np.mean([d[f"cv{i}"] for i in range(4)]), 4), [d[f"cv{i}"] for i in range(4)])
