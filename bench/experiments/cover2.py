import sys, time, numpy as np, polars as pl
from pathlib import Path
from marquee_etl.ratings import find_ratings, read_ratings
from marquee_etl.viewers import likes, split_viewers, hit_rate, most_voted_lists
m = Path("/tmp/rs/data/current").resolve()/"model"
ids = np.load(m/"items.npy"); votes = np.load(m/"votes.npy").astype(np.float64); gb = np.load(m/"genre_bits.npy")
found = find_ratings(Path("/work/shared/data"), "small")
r = read_ratings(found, pl.Series(ids.tolist()))
X, users = likes(r.kept, ids)
F = len(ids)
def top(s, k=10):
    s = s.copy(); np.fill_diagonal(s, -np.inf); return np.argsort(-s, axis=1, kind="stable")[:, :k]
def run(test):
    Xt, Xs = X[~test], X[test]
    D = Xt.toarray().astype(np.float32); n = D.sum(0); N = D.shape[0]
    nu = np.maximum(D.sum(1), 1)
    res = {"most_voted": hit_rate(Xs, most_voted_lists(votes))[0]}
    # per-viewer weighted most-liked
    wl = (D / nu[:, None]).sum(0)
    res["most_liked_pv"] = hit_rate(Xs, top(np.tile(wl + 1e-9 * votes, (F, 1))))[0]
    def greedy(W, k=10, tie=None):
        W = W.astype(np.float32).copy()
        lists = np.full((F, k), -1, np.int64)
        banned = np.zeros((F, F), bool); np.fill_diagonal(banned, True)
        for s in range(k):
            gain = W @ D
            if tie is not None: gain = gain + tie[None, :]
            gain[banned] = -np.inf
            j = gain.argmax(1); lists[:, s] = j; banned[np.arange(F), j] = True
            W *= (1 - D[:, j].T)
        return lists
    L = D.T / nu[None, :]
    for lam in (0.0, 0.03, 0.1, 0.3, 1.0):
        res[f"cover_pv lam{lam}"] = hit_rate(Xs, greedy(L + lam / nu[None, :], tie=1e-6 * np.log1p(votes)))[0]
    # background alone (lam inf): coverage of all viewers per-viewer weighted
    res["cover_pv bg only"] = hit_rate(Xs, greedy(np.tile(1 / nu, (F, 1)), tie=1e-6 * np.log1p(votes)))[0]
    return res
if "cv" in sys.argv:
    allr = {}
    for fo in np.array_split(np.random.default_rng(7).permutation(X.shape[0]), 5):
        test = np.zeros(X.shape[0], bool); test[fo] = True
        for k, v in run(test).items(): allr.setdefault(k, []).append(v)
    for k, v in allr.items(): print(f"{k:<24} {np.mean(v):.4f}  {' '.join(f'{x:.3f}' for x in v)}")
else:
    for k, v in run(split_viewers(X.shape[0], 0.2, 7)).items(): print(k, v)
