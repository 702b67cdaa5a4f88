"""The recommender's checks of a release before it serves it: the shared verifier, then its model.

Hashes first (no damaged file ever reaches Annoy or NumPy), then every array's dtype, shape and
finite values against the manifest's item count and dimensions, then probes: the Annoy index,
searched by item and by vector for a few films, finds what exact search over the same vectors
finds, and a recommendation by film answers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from marquee.v1 import recommender_pb2 as pb
from marquee_common import viewers as viewers_model
from marquee_common.errors import DamagedRelease
from marquee_common.release import load_array, load_json, verify_files
from marquee_recommender.index import Recommender, Weights

PROBES = 8
PROBE_K = 10
MIN_PROBE_RECALL = 0.8
"""Share of the exact top 10 (ties counted as found) the index must find for the probes; the
build itself refuses an index under 0.95 measured on 1,000 films."""


def open_recommender(folder: Path, manifest: dict[str, Any], weights: Weights, width: int
                     ) -> tuple[Recommender, str]:  # fmt: skip
    version = folder.name
    model = manifest.get("model")
    if not isinstance(model, dict):
        raise DamagedRelease(version, "manifest.json", "has no recommendation model; rebuild it with the pipeline")
    try:
        n, dims, terms = int(model["items"]), int(model["dimensions"]), int(model["terms"])
        k = int(model.get("neighbours") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise DamagedRelease(version, "manifest.json", f"model entry {exc} is missing or not a number") from None
    names = ["items.npy", "vectors.npy", "components.npy", "idf.npy", "vocabulary.json", "analyzer.json",
             "index.ann", "films.json", "years.npy", "votes.npy", "popularity.npy", "adult.npy", "collection.npy",
             "genre_bits.npy", "directors.npy"] + (["neighbours.npy"] if k else [])  # fmt: skip
    viewers = model.get("viewers")
    if viewers is not None:
        names += list(viewers_model.FILES)
        if isinstance(viewers, dict) and "blend" in viewers:
            try:
                viewers_model.Blend.from_manifest(viewers["blend"])
            except ValueError as exc:
                raise DamagedRelease(version, "manifest.json", str(exc)) from None
    files = verify_files(folder, manifest, [f"model/{name}" for name in names])
    shapes: dict[str, tuple[str, tuple[int | None, ...], bool]] = {
        "items.npy": ("int64", (n,), False),
        "vectors.npy": ("float32", (n, dims), True),
        "components.npy": ("float32", (dims, terms), True),
        "idf.npy": ("float32", (terms,), True),
        "years.npy": ("int32", (n,), False),
        "votes.npy": ("int64", (n,), False),
        "popularity.npy": ("float32", (n,), True),
        "adult.npy": ("bool", (n,), False),
        "collection.npy": ("int64", (n,), False),
        "genre_bits.npy": ("uint64", (n,), False),
        "directors.npy": ("int64", (n, None), False),
    }
    if k:
        shapes["neighbours.npy"] = ("int32", (n, k), False)
    if viewers is not None:
        shapes[viewers_model.NEIGHBOURS_FILE] = ("int32", (n, None), False)
        shapes[viewers_model.SCORES_FILE] = ("float32", (n, None), True)
        shapes[viewers_model.COUNTS_FILE] = ("int32", (n,), False)
        shapes[viewers_model.SHARED_FILE] = ("int32", (n, None), False)
    arrays = {}
    for name, (dtype, shape, finite) in shapes.items():
        # Mapped, not read into the heap: the check costs page cache, and nothing stays behind.
        arrays[name] = load_array(folder, f"model/{name}", dtype, shape, finite=finite, mmap=True)
    if k and n and (arrays["neighbours.npy"].min() < 0 or arrays["neighbours.npy"].max() >= n):
        raise DamagedRelease(version, "model/neighbours.npy", f"lists items outside 0..{n - 1}")
    if viewers is not None:
        check_viewers(version, arrays, n)
    films = load_json(folder, "model/films.json")
    for key in ("title", "title_norm", "release_date"):
        if not isinstance(films, dict) or len(films.get(key) or ()) != n:
            raise DamagedRelease(version, "model/films.json", f"{key} does not list the model's {n} films")
    if len(load_json(folder, "model/vocabulary.json")) != terms:
        raise DamagedRelease(version, "model/vocabulary.json", f"does not list the model's {terms} terms")
    del arrays
    recommender = Recommender(folder, weights, width)
    probes = probe(recommender)
    return recommender, f"ok: {files} files hashed, {len(shapes)} arrays checked, {probes} probes"


def check_viewers(version: str, arrays: dict[str, np.ndarray], n: int) -> None:
    """The viewers' lists name films of the model (or -1), with similarities in 0..1 that match them."""
    lists, scores = arrays[viewers_model.NEIGHBOURS_FILE], arrays[viewers_model.SCORES_FILE]
    counts = arrays[viewers_model.COUNTS_FILE]
    name = f"model/{viewers_model.NEIGHBOURS_FILE}"
    if scores.shape != lists.shape:
        raise DamagedRelease(version, f"model/{viewers_model.SCORES_FILE}",
                             f"shape {scores.shape} does not match {name}'s {lists.shape}")  # fmt: skip
    if lists.size and (lists.min() < -1 or lists.max() >= n):
        raise DamagedRelease(version, name, f"lists items outside 0..{n - 1} (or -1 for none)")
    if scores.size and (scores.min() < 0 or scores.max() > 1 or bool(((lists < 0) & (scores != 0)).any())):
        raise DamagedRelease(version, f"model/{viewers_model.SCORES_FILE}",
                             "holds a similarity outside 0..1, or one for no film")  # fmt: skip
    if counts.size and counts.min() < 0:
        raise DamagedRelease(version, f"model/{viewers_model.COUNTS_FILE}", "holds a negative count")
    shared = arrays[viewers_model.SHARED_FILE]
    if shared.shape != lists.shape or (shared.size and shared.min() < 0):
        raise DamagedRelease(version, f"model/{viewers_model.SHARED_FILE}",
                             f"shape {shared.shape} does not match {name}'s, or holds a negative count")  # fmt: skip


def probe(rec: Recommender) -> int:
    """Search a few films by item and by vector; the index must find what exact search finds."""
    n = len(rec.items)
    if n < 2:
        return 0
    k = min(PROBE_K, n - 1)
    items = np.linspace(0, n - 1, num=min(PROBES, n), dtype=np.int64)
    found = wanted = 0
    for item in items.tolist():
        scores = rec.vectors @ rec.vectors[item]
        scores[item] = -np.inf
        kth = np.partition(scores, n - k)[n - k]  # the k-th best score: ties with it count as found
        for approx in (
            rec.index.get_nns_by_item(item, k + 1, search_k=rec.search_k),
            rec.index.get_nns_by_vector(rec.vectors[item].tolist(), k + 1, search_k=rec.search_k),
        ):
            picks = [i for i in approx if i != item][:k]
            if any(not 0 <= i < n for i in picks):
                raise DamagedRelease(rec.version, "model/index.ann", "answers items the model does not have")
            found += int(np.count_nonzero(scores[picks] >= kth - 1e-5))
            wanted += k
    if found < MIN_PROBE_RECALL * wanted:
        raise DamagedRelease(rec.version, "model/index.ann",
                             f"finds {found} of {wanted} exact neighbours in its probes (at least "
                             f"{MIN_PROBE_RECALL:.0%} needed)")  # fmt: skip
    answer = rec.recommend(pb.RecommendRequest(movie_id=int(rec.items[items[0]]), limit=5))
    if len(answer.recommendations) == 0 and n > 5:
        raise DamagedRelease(rec.version, "model", "a recommendation by film answers nothing")
    return 2 * len(items) + 1
