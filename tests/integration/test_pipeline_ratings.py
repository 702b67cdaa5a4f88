"""The pipeline with MovieLens ratings beside the raw files: their table, manifest entry, the viewers'
model files and the held-out figure; rebuilt when the ratings change; absent without them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from marquee_common import viewers
from tests.harness import FIXTURE_RAW, build_release, etl

FILMS = [1, 2, 3, 4, 5, 10, 12, 13]
"""The fixture's kept films (tests/fixtures/EXPECTED.md), each linked from MovieLens id film + 100."""
USERS = 30


def _ratings_text() -> str:
    """30 viewers; viewer u likes films (u mod 8) and the next two (ratings 4.5), and rates the one after 2.0;
    then one bad row of each kind but `repeated` (viewer 1 rating film 2 again, earlier: repeated)."""
    lines = ["userId,movieId,rating,timestamp"]
    for user in range(1, USERS + 1):
        for step in range(3):
            lines.append(f"{user},{FILMS[(user + step) % 8] + 100},4.5,{1000 + step}")
        lines.append(f"{user},{FILMS[(user + 3) % 8] + 100},2.0,1003")
    lines += [
        "1,103,x,1004",  # malformed
        "1,555,4.0,1005",  # no_link: 555 is not in links
        "1,777,4.0,1006",  # unknown_film: links to tmdb 7777, not a film
        "1,102,0.0,1007",  # rating_out_of_range
        "1,103,4.0,10",  # repeated: viewer 1 rated film 3 (line 3) later
    ]
    return "\n".join(lines) + "\n"


LINKS = "movieId,imdbId,tmdbId\n" + "".join(f"{f + 100},00{f},{f}\n" for f in FILMS) + "777,0777,7777\n"


def _raw(tmp_path: Path, ratings: str | None = None) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("movies_metadata.csv", "credits.csv"):
        shutil.copy(FIXTURE_RAW / name, raw / name)
    (raw / "ratings_small.csv").write_text(ratings or _ratings_text())
    (raw / "links_small.csv").write_text(LINKS)
    return raw


def _manifest(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return data


def test_ratings_build_a_viewers_model_into_the_release(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    folder = build_release(raw, tmp_path / "out")
    manifest = _manifest(folder)
    rated = manifest["ratings"]
    assert [f["name"] for f in rated["files"]] == ["ratings_small.csv", "links_small.csv"]
    for entry in rated["files"]:
        data = (raw / entry["name"]).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
    # 120 good rows + 5 bad ones; viewer 1 rated film 3 at line 3 (time 1001) and again at time 10: repeated.
    assert rated["rows_in"] == 125 and rated["rows_kept"] == 120
    assert rated["rejects_by_reason"] == {"malformed": 1, "no_link": 1, "unknown_film": 1,
                                          "rating_out_of_range": 1, "repeated": 1}  # fmt: skip
    assert rated["users"] == 30 and rated["films_rated"] == 8
    rejects = pl.read_parquet(folder / "ratings_rejects.parquet")
    assert manifest["tables"]["ratings_rejects"]["rows"] == 5
    assert rejects.select("row", "reason").rows() == [(122, "malformed"), (123, "no_link"), (124, "unknown_film"),
                                                       (125, "rating_out_of_range"), (126, "repeated")]  # fmt: skip
    # The films' own rejects are untouched by the ratings' (as in test_pipeline_cli).
    assert sum(manifest["rejects_by_reason"].values()) == 8

    items = len(np.load(folder / "model" / "items.npy"))
    k = min(100, items - 1)
    for name, dtype, shape in ((viewers.NEIGHBOURS_FILE, np.int32, (items, k)),
                               (viewers.SCORES_FILE, np.float32, (items, k)),
                               (viewers.COUNTS_FILE, np.int32, (items,))):  # fmt: skip
        path = folder / "model" / name
        listed = manifest["model"]["files"][name]
        assert listed["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert manifest["files"][f"model/{name}"]["sha256"] == listed["sha256"]
        array = np.load(path, allow_pickle=False)
        assert array.dtype == dtype and array.shape == shape
    # Viewers 1..30 like the films at (u, u+1, u+2) mod 8; u mod 8 is 1..6 for 4 viewers, 7 and 0 for 3:
    # film j is liked by the viewers of residues j, j-1, j-2: 10 to 12 each, 90 in all.
    counts = np.load(folder / "model" / viewers.COUNTS_FILE)
    assert counts.sum() == 90 and set(counts.tolist()) == {10, 11, 12}
    scores = np.load(folder / "model" / viewers.SCORES_FILE)
    assert ((scores > 0) & (scores <= 1) | (scores == 0)).all()
    model = manifest["model"]["viewers"]
    assert model["parameters"]["liked"] == viewers.LIKED and model["users"] == 30 and model["ratings"] == 120
    holdout = model["holdout"]
    assert holdout["test_viewers"] == 6 and holdout["train_viewers"] == 24
    assert {"content", "most_voted", "viewers", "hybrid", "blend", "folds", "standard_error"} <= holdout.keys()
    assert viewers.Blend.from_manifest(model["blend"]) in viewers.BLEND_GRID and holdout["blend"] == model["blend"]
    figure = manifest["model"]["quality"]["holdout_hit_rate_at_10"]
    assert isinstance(figure, float) and figure == holdout["hybrid"]["mean"]


def test_the_same_ratings_are_nothing_to_do_and_new_ones_a_new_build(tmp_path: Path) -> None:
    raw = _raw(tmp_path)
    out = tmp_path / "out"
    first = build_release(raw, out)
    again = etl("--raw", str(raw), "--out", str(out))
    assert again.returncode == 0 and "nothing to do" in again.stdout
    (raw / "ratings_small.csv").write_text(_ratings_text() + "2,104,4.0,2000\n")
    second = build_release(raw, out)
    assert second != first
    assert _manifest(second)["ratings"]["rows_in"] == 126
    # Without its ratings the next build lacks the held-out figure current has: the gate refuses it.
    refused = etl("--raw", str(raw), "--out", str(out), MARQUEE_RATINGS="none")
    assert refused.returncode == 3 and "holdout hit@10" in refused.stderr


def test_a_release_without_ratings_has_no_viewers_model(fixture_data_dir: Path, tmp_path: Path) -> None:
    for folder in ((fixture_data_dir / "current").resolve(),
                   build_release(_raw(tmp_path), tmp_path / "out", MARQUEE_RATINGS="none")):  # fmt: skip
        manifest = _manifest(folder)
        assert "ratings" not in manifest and "ratings_rejects" not in manifest["tables"]
        assert "viewers" not in manifest["model"]
        assert not [name for name in manifest["files"] if "viewers" in name or "ratings" in name]
        assert "holdout_hit_rate_at_10" not in manifest["model"]["quality"]


def test_on_the_shared_ratings_viewers_beat_content(shared_data: Path, tmp_path: Path) -> None:
    """The synthetic ratings plant tastes (genres, franchises, popular films): the blend learned
    from them must predict held-out likes better than content alone and than the most-voted list."""
    folder = build_release(shared_data, tmp_path / "out", MARQUEE_RATINGS="small")
    holdout = _manifest(folder)["model"]["viewers"]["holdout"]
    assert holdout["test_viewers"] > 100
    assert holdout["hybrid"]["mean"] > holdout["content"]["mean"] + 0.2
    assert holdout["viewers"]["mean"] > holdout["content"]["mean"] + 0.2
    assert holdout["hybrid"]["mean"] > holdout["most_voted"]["mean"]
