"""The pipeline's gate and the `releases` commands, run as a user runs them."""

from __future__ import annotations

import csv
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.harness import FIXTURE_RAW, etl

pytestmark = pytest.mark.slow


def raw_copy(tmp: Path, name: str, keep_movie_rows: int | None = None, votes_of_1: str | None = None) -> Path:
    """The fixture's raw files, with only the first movie rows kept, or film 1's vote count changed."""
    raw = tmp / name
    raw.mkdir()
    shutil.copy(FIXTURE_RAW / "credits.csv", raw / "credits.csv")
    with (FIXTURE_RAW / "movies_metadata.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    if keep_movie_rows is not None:
        body = body[:keep_movie_rows]
    if votes_of_1 is not None:
        for row in body:
            if row[header.index("id")] == "1":
                row[header.index("vote_count")] = votes_of_1
    with (raw / "movies_metadata.csv").open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([header, *body])
    return raw


def current(out: Path) -> str:
    return Path(os.readlink(out / "current")).name


def history(out: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (out / "history.jsonl").read_text().splitlines()]


def listing(out: Path) -> list[dict[str, object]]:
    result = etl("releases", "--out", str(out), "list", "--json")
    assert result.returncode == 0, result.stderr
    rows: list[dict[str, object]] = json.loads(result.stdout)
    return rows


def test_the_first_build_is_promoted_and_the_same_inputs_make_no_second_release(tmp_path: Path) -> None:
    out = tmp_path / "data"
    first = etl("--raw", str(FIXTURE_RAW), "--out", str(out))
    assert first.returncode == 0, first.stderr
    version = current(out)
    assert [e["action"] for e in history(out)] == ["build"] and history(out)[0]["to"] == version
    again = etl("--raw", str(FIXTURE_RAW), "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    assert [p.name for p in (out / "releases").iterdir()] == [version]


def test_the_manifest_lists_every_file_and_the_evaluation(fixture_data_dir: Path) -> None:
    folder = (fixture_data_dir / "current").resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert sorted(manifest["files"]) == [name for name in on_disk if name != "manifest.json"]
    assert manifest["files"]["model/index.ann"]["bytes"] == (folder / "model" / "index.ann").stat().st_size
    evaluation = manifest["evaluation"]
    # tests/fixtures/EXPECTED.md: 8 films kept; 13 + 8 rows in, 8 set aside.
    assert evaluation["films"] == 8
    assert evaluation["rows_in"] == {"movies": 13, "credits": 8}
    assert evaluation["rejected"] == 8 and evaluation["rejected_share"] == pytest.approx(8 / 21, abs=1e-6)
    assert set(evaluation["quality"]) == {"collection_hit_at_5", "genre_jaccard_at_10", "recall_at_10"}
    assert evaluation["rows_by_table"]["movies"] == 8


def test_a_release_losing_most_films_is_refused_with_each_failed_check_named(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert etl("--raw", str(FIXTURE_RAW), "--out", str(out)).returncode == 0
    good = current(out)
    small = raw_copy(tmp_path, "small", keep_movie_rows=6)  # films 1 to 5 of the 8 (row 6 is set aside)
    refused = etl("--raw", str(small), "--out", str(out))
    assert refused.returncode == 3, refused.stdout + refused.stderr
    assert current(out) == good
    failed = [line for line in refused.stderr.splitlines() if line.startswith("gate failed:")]
    assert "gate failed: films: 8 -> 5; rule: may drop at most 10% (to 7)" in failed
    rows = {row["version"]: row for row in listing(out)}
    (candidate,) = [v for v in rows if v != good]
    assert rows[candidate]["status"] == "refused" and rows[good]["status"] == "current"
    assert history(out)[-1]["action"] == "refused" and history(out)[-1]["version"] == candidate
    # --force promotes it, and says so for ever in the history.
    forced = etl("releases", "--out", str(out), "promote", candidate, "--force")
    assert forced.returncode == 0, forced.stderr
    assert current(out) == candidate
    assert history(out)[-1]["action"] == "promote" and history(out)[-1]["forced"] is True
    assert {row["version"]: row for row in listing(out)}[candidate]["forced"] is True


def test_promote_rollback_and_prune_keep_current_and_the_rollback_target(tmp_path: Path) -> None:
    out = tmp_path / "data"
    versions = []
    for votes in ("2500", "2600", "2700", "2800"):  # each a real change of the inputs, same model quality
        raw = raw_copy(tmp_path, f"raw-{votes}", votes_of_1=votes)
        result = etl("--raw", str(raw), "--out", str(out), MARQUEE_KEEP_RELEASES="10")
        assert result.returncode == 0, result.stderr
        versions.append(current(out))
    assert len(set(versions)) == 4
    back = etl("releases", "--out", str(out), "rollback")
    assert back.returncode == 0, back.stderr
    assert current(out) == versions[2]
    assert history(out)[-1] == {**history(out)[-1], "action": "rollback", "from": versions[3], "to": versions[2]}
    pruned = etl("releases", "--out", str(out), "prune", "--keep", "1")
    assert pruned.returncode == 0, pruned.stderr
    # versions[3] is the newest, versions[2] is current and versions[1] is where a rollback returns.
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted(versions[1:])
    again = etl("releases", "--out", str(out), "promote", versions[3])
    assert again.returncode == 0, again.stderr
    assert current(out) == versions[3]
    listed = {row["version"]: row for row in listing(out)}
    assert listed[versions[3]]["status"] == "current" and listed[versions[2]]["rollback_target"] is True


def test_rollback_with_nothing_before_says_so(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert etl("--raw", str(FIXTURE_RAW), "--out", str(out)).returncode == 0
    result = etl("releases", "--out", str(out), "rollback")
    assert result.returncode == 2
    assert (
        result.stderr.strip()
        == "marquee_etl: error: nothing to roll back to: no release was promoted before the current one"
    )


def test_show_and_list_describe_a_release(tmp_path: Path) -> None:
    out = tmp_path / "data"
    assert etl("--raw", str(FIXTURE_RAW), "--out", str(out)).returncode == 0
    version = current(out)
    table = etl("releases", "--out", str(out), "list")
    assert table.returncode == 0 and version in table.stdout and "current" in table.stdout
    shown = etl("releases", "--out", str(out), "show", version)
    assert shown.returncode == 0, shown.stderr
    assert "  films            8\n" in shown.stdout and "build: the gate passed" in shown.stdout
    missing = etl("releases", "--out", str(out), "show", "nope")
    assert missing.returncode == 2 and "no release nope" in missing.stderr
