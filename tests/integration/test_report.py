"""The data report as the pipeline writes it: in the release, hashed, its figures right against a plain
reading of the raw files, and its comparison with the release before it.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

import polars as pl
import pytest

from tests.harness import SAMPLE_RAW, build_release, etl
from tests.oracle import Oracle
from tests.report_releases import changed_raw, raw_rows


def _report(folder: Path) -> dict:
    return json.loads((folder / "report.json").read_text(encoding="utf-8"))


def test_the_report_is_in_the_release_and_listed_with_its_hash(sample_data_dir: Path) -> None:
    folder = (sample_data_dir / "current").resolve()
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["report"]["html"] == "report.html" and manifest["report"]["json"] == "report.json"
    for name in ("report.html", "report.json"):
        data = (folder / name).read_bytes()
        assert manifest["files"][name] == {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    assert manifest["report"]["predecessor"] is None
    html = (folder / "report.html").read_text()
    assert html.startswith("<!doctype html>") and "<script" not in html
    assert "no predecessor" in html


def test_films_per_month_and_weekday_match_the_raw_file(sample_data_dir: Path) -> None:
    report = _report((sample_data_dir / "current").resolve())
    oracle = Oracle.load(SAMPLE_RAW)
    months, weekdays = oracle.month_counts(), oracle.weekday_counts()
    assert [m["films"] for m in report["dates"]["per_month"]] == [months[i] for i in range(1, 13)]
    assert [d["films"] for d in report["dates"]["per_weekday"]] == [weekdays[i] for i in range(1, 8)]
    assert report["dates"]["films"] == len(oracle.films)


def test_rejects_by_reason_and_missing_values_match_the_raw_file(sample_data_dir: Path) -> None:
    report = _report((sample_data_dir / "current").resolve())
    rows = raw_rows()
    seen: set[str] = set()
    reasons: Counter[str] = Counter()
    for row in rows:
        if row["id"] in seen:
            reasons["movies.duplicate_id"] += 1
            continue
        seen.add(row["id"])
        if not row["release_date"].strip():
            reasons["movies.missing_release_date"] += 1
    assert report["input"]["rejected_by_reason"] == dict(reasons)
    assert report["input"]["rows_read"]["movies"] == len(rows)
    missing = report["input"]["missing_by_column"]["movies"]
    for column in ("homepage", "tagline", "overview", "belongs_to_collection", "runtime", "title"):
        assert missing[column] == sum(1 for row in rows if not (row[column] or "").strip()), column


def test_top_companies_and_directors_match_the_raw_file(sample_data_dir: Path) -> None:
    report = _report((sample_data_dir / "current").resolve())
    oracle = Oracle.load(SAMPLE_RAW)
    films_by_company: Counter[int] = Counter()
    names: dict[int, str] = {}
    for film in oracle.films.values():
        for company in {c["id"]: c for c in oracle.nested(film, "production_companies")}.values():
            films_by_company[company["id"]] += 1
            names[company["id"]] = company["name"]
    top = report["categories"]["top"]["production_companies"]
    expected = sorted(films_by_company.items(), key=lambda kv: (-kv[1], names[kv[0]]))[: len(top)]
    assert [(c["name"], c["films"]) for c in top] == [(names[i], n) for i, n in expected]
    for director in report["people"]["top_directors"]:
        films = oracle.director(director["name"])
        assert director["films"] == len(films)
        assert director["total_return"] == pytest.approx(sum(f.ret for f in films), rel=1e-6, abs=1e-4)


def _kept_ids(rows: list[dict[str, str]]) -> set[int]:
    seen: set[str] = set()
    kept = set()
    for row in rows:
        if row["id"] not in seen and row["release_date"].strip():
            kept.add(int(row["id"]))
        seen.add(row["id"])
    return kept


def test_a_second_release_says_what_changed_and_diff_says_the_same(tmp_path: Path) -> None:
    out = tmp_path / "data"
    first = build_release(SAMPLE_RAW, out)
    second = build_release(changed_raw(tmp_path), out)
    changes = _report(second)["changes"]
    assert changes["old"] == first.name and changes["new"] == second.name
    rows = raw_rows()
    old_ids, new_ids = _kept_ids(rows), _kept_ids(rows[300:])
    assert changes["films"]["removed"] == len(old_ids - new_ids)
    assert changes["films"]["added"] == len(new_ids - old_ids) == 0
    assert changes["films"]["changed_by_field"] == {"budget": changes["films"]["changed"]}
    assert changes["drift"]["budget"]["flag"] in ("watch", "drift")
    assert changes["drift"]["revenue"]["flag"] == ""  # untouched: only the 300 rows removed
    flagged = {row["figure"] for row in changes["figures"] if row["flagged"]}
    assert "numbers.budget.known.median" in flagged
    manifest = json.loads((second / "manifest.json").read_text())
    assert manifest["report"]["predecessor"] == first.name
    html = (second / "report.html").read_text()
    assert f"../{first.name}/report" in html and "Drift of the numeric fields" in html

    cli = etl("releases", "--out", str(out), "diff", first.name, "current", "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == changes
    text = etl("releases", "--out", str(out), "diff", first.name, second.name)
    assert text.returncode == 0
    assert f"{len(old_ids - new_ids):,} removed" in text.stdout and "budget" in text.stdout
    assert "numbers.budget.known.median" in text.stdout

    wrong = etl("releases", "--out", str(out), "diff", "19990101T000000000Z-nothere", "current")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert wrong.stderr.startswith("marquee_etl: error: no release 19990101T000000000Z-nothere")


def test_a_damaged_predecessor_does_not_stop_the_build_and_is_never_compared(tmp_path: Path) -> None:
    out = tmp_path / "data"
    first = build_release(SAMPLE_RAW, out)
    (first / "report.json").write_text("{}")  # no longer what its manifest lists
    second = build_release(changed_raw(tmp_path), out)
    assert _report(second)["changes"] is None
    assert "could not be read" in (second / "report.html").read_text()
    cli = etl("releases", "--out", str(out), "diff", first.name, second.name)
    assert cli.returncode == 2 and "report.json" in cli.stderr and "Traceback" not in cli.stderr


def test_a_release_without_a_model_says_so_and_diff_works_on_a_release_without_a_report(tmp_path: Path) -> None:
    out = tmp_path / "data"
    folder = build_release(SAMPLE_RAW, out, MARQUEE_MODEL_DIMENSIONS="16")
    skip = etl("--raw", str(changed_raw(tmp_path)), "--out", str(out), "--skip-model", "--force")
    assert skip.returncode == 0, skip.stderr
    current = (out / "current").resolve()
    assert _report(current)["model"] is None
    assert "has no model" in (current / "report.html").read_text()
    # A release built before reports: no report.json; its figures are worked out from its tables.
    manifest = json.loads((folder / "manifest.json").read_text())
    (folder / "report.json").unlink()
    del manifest["files"]["report.json"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    cli = etl("releases", "--out", str(out), "diff", folder.name, "current", "--json")
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["films"]["removed"] > 0
    assert pl.read_parquet(folder / "movies.parquet").height == json.loads(cli.stdout)["films"]["old_films"]
