import sys, itertools, numpy as np, polars as pl
from pathlib import Path
from marquee_etl.ratings import find_ratings, read_ratings
from marquee_etl.viewers import likes, split_viewers, hit_rate, most_voted_lists, similar
from marquee_recommender.index import vote_prior
rel = Path("/tmp/rs/data/current").resolve(); m = rel/"model"
ids = np.load(m/"items.npy"); votes = np.load(m/"votes.npy").astype(np.float64); gb = np.load(m/"genre_bits.npy")
coll = np.load(m/"collection.npy"); dirs = np.load(m/"directors.npy"); vec = np.load(m/"vectors.npy"); nb = np.load(m/"neighbours.npy")
print("nb width", nb.shape, dirs.shape)
ratings_dir = Path(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1] != "cv" else Path("/work/shared/data")
X, users = likes(read_ratings(find_ratings(ratings_dir, "small"), pl.Series(ids.tolist())).kept, ids)
F = len(ids); prior = vote_prior(votes.astype(np.int64)).astype(np.float32)
gbits = np.array([[(int(b) >> k) & 1 for k in range(32)] for b in gb], np.float32)
gboth = gbits @ gbits.T; gcnt = gbits.sum(1); gunion = gcnt[:, None] + gcnt[None, :] - gboth
gjac = np.divide(gboth, gunion, out=np.zeros_like(gboth), where=gunion > 0)
samec = ((coll[:, None] == coll[None, :]) & (coll[:, None] >= 0)).astype(np.float32)
samed = np.zeros((F, F), np.float32)
for a in range(dirs.shape[1]):
    for b in range(dirs.shape[1]):
        samed = np.maximum(samed, ((dirs[:, a][:, None] == dirs[:, b][None, :]) & (dirs[:, a][:, None] >= 0)).astype(np.float32))
cos = (vec @ vec.T).astype(np.float32)
base = cos + 0.15 * gjac + 0.5 * samec + 0.1 * samed
content_cand = np.zeros((F, F), bool); content_cand[np.arange(F)[:, None], nb[:, :200]] = True; content_cand |= samec > 0
def top(s, k=10):
    s = s.astype(np.float32, copy=True); np.fill_diagonal(s, -np.inf)
    p = np.argpartition(-s, k, axis=1)[:, :k]
    o = np.argsort(-np.take_along_axis(s, p, 1), axis=1, kind="stable")
    return np.take_along_axis(p, o, 1)
def run(test):
    Xt, Xs = X[~test], X[test]
    model = similar(Xt, 100, 0.0, 0.0, 512, 100.0)
    V = np.zeros((F, F), np.float32); ok = model.neighbours >= 0
    rows = np.repeat(np.arange(F), model.neighbours.shape[1]).reshape(model.neighbours.shape)
    V[rows[ok], model.neighbours[ok]] = model.scores[ok]
    has = model.neighbours[:, 0] >= 0
    res = {"most_voted": hit_rate(Xs, most_voted_lists(votes))[0]}
    nt = np.asarray(Xt.sum(0)).ravel()
    cand = content_cand | (V > 0); cand[:, np.argsort(-votes)[:50]] = True
    fallback = np.where(content_cand, base + 0.6 * prior[None, :], -np.inf)
    for p in (8, 16, 32, 64):
        for v in (0, 1, 2):
            for c in (0.5, 2, 4):
                s = np.where(cand, cos + 0.15 * gjac + c * samec + 0.1 * samed + p * prior[None, :] + v * V, -np.inf)
                res[("fb", p, v, c)] = hit_rate(Xs, top(np.where(has[:, None], s, fallback)))[0]
                if v == 0:
                    res[("all", p, v, c)] = hit_rate(Xs, top(s))[0]
    s = np.where(True, np.log1p(votes)[None, :] + 2 * samec, 0)
    res["lv2c all"] = hit_rate(Xs, top(s))[0]
    res["lv2c fb"] = hit_rate(Xs, top(np.where(has[:, None], s, fallback)))[0]
    for mv in (1, 2, 3, 5, 10):
        res[f"lv2c fb n>={mv}"] = hit_rate(Xs, top(np.where((nt >= mv)[:, None], s, fallback)))[0]
    return res
tests = [split_viewers(X.shape[0], 0.2, 7)]
if "cv" in sys.argv:
    for fo in np.array_split(np.random.default_rng(7).permutation(X.shape[0]), 5):
        t = np.zeros(X.shape[0], bool); t[fo] = True; tests.append(t)
allr = {}
for t in tests:
    for k, v in run(t).items(): allr.setdefault(k, []).append(v)
    print("done", flush=True)
for k, v in sorted(allr.items(), key=lambda kv: -np.mean(kv[1][1:] if len(kv[1]) > 1 else kv[1]))[:30]:
    print(k, f"split {v[0]:.4f}", (f"cv {np.mean(v[1:]):.4f} " + " ".join(f"{x:.3f}" for x in v[1:])) if len(v) > 1 else "")
print("most_voted", allr["most_voted"])
