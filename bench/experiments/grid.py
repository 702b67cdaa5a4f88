import sys, itertools, numpy as np, polars as pl
from pathlib import Path
from marquee_etl.ratings import find_ratings, read_ratings
from marquee_etl.viewers import likes, split_viewers, hit_rate, most_voted_lists
rel = Path("/tmp/rs/data/current").resolve(); m = rel/"model"
ids = np.load(m/"items.npy"); votes = np.load(m/"votes.npy").astype(np.float64); gb = np.load(m/"genre_bits.npy")
mv = pl.DataFrame({"id": ids}).join(pl.read_parquet(rel/"movies.parquet").select("id","vote_average","collection_id"), on="id", how="left")
avg = mv["vote_average"].fill_null(0).to_numpy().astype(np.float64); avg = np.where(votes>=5, avg, 5.0)
coll = mv["collection_id"].fill_null(-1).to_numpy()
X, users = likes(read_ratings(find_ratings(Path("/work/shared/data"), "small"), pl.Series(ids.tolist())).kept, ids)
F = len(ids)
gbits = np.array([[(int(b) >> k) & 1 for k in range(32)] for b in gb], np.float32)
gboth = gbits @ gbits.T; gcnt = gbits.sum(1); gunion = gcnt[:, None] + gcnt[None, :] - gboth
gjac = np.divide(gboth, gunion, out=np.zeros_like(gboth), where=gunion > 0); gany = (gboth > 0).astype(np.float32)
samec = ((coll[:, None] == coll[None, :]) & (coll[:, None] >= 0)).astype(np.float32)
lv = np.log1p(votes)
def top(s, k=10):
    s = s.astype(np.float32, copy=True); np.fill_diagonal(s, -np.inf)
    p = np.argpartition(-s, k, axis=1)[:, :k]
    o = np.argsort(-np.take_along_axis(s, p, 1), axis=1, kind="stable")
    return np.take_along_axis(p, o, 1)
folds = np.array_split(np.random.default_rng(7).permutation(X.shape[0]), 5)
tests = [split_viewers(X.shape[0], 0.2, 7)]
for fo in folds:
    t = np.zeros(X.shape[0], bool); t[fo] = True; tests.append(t)
res = {}
grid = list(itertools.product((0, 0.5, 1.0, 2.0), (0, 0.3, 0.6), (0, 2), ("any",), (0, 0.3)))
for ti, test in enumerate(tests):
    Xt, Xs = X[~test], X[test]
    D = Xt.toarray().astype(np.float32); N = D.shape[0]; co = D.T @ D; n = D.sum(0)
    E = n[:, None] * n[None, :] / N
    lift = np.log((co + 5) / (E + 5))
    for g, a, c, kind, l in grid:
        if kind == "jac" and g == 0: continue
        G = gany if kind == "any" else gjac
        s = lv[None, :] + g * G + a * avg[None, :] + c * samec + l * lift
        res.setdefault((g, a, c, kind, l), []).append(hit_rate(Xs, top(s))[0])
    print("done", ti, flush=True)
base = res[(0, 0, 0, "any", 0)]
print("most-voted-ish", base)
for k, v in sorted(res.items(), key=lambda kv: -np.mean(kv[1][1:]))[:25]:
    print(k, f"split {v[0]:.4f}  cv {np.mean(v[1:]):.4f}", " ".join(f"{x:.3f}" for x in v[1:]))
