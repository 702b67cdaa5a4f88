"""What changed between two releases: films added and removed, every figure old and new, and the drift
of each numeric field's distribution.

Drift is measured by the population stability index (PSI) of each numeric field, the measure
credit-risk and model-monitoring teams use for "does the new data look like the old":

    PSI = sum over bins of (new% - old%) * ln(new% / old%)

over ten bins cut at the old release's deciles of the values the field's plot shows (the known
values; on a log scale, those above zero); an empty bin counts as 0.01% so that the log stays
finite. Zeros and missing values are compared as figures of their own (`zero_share`,
`missing_share`), so a field that fills up with zeros is flagged there. Conventional reading, and the default
flags: below 0.10 stable, 0.10 to 0.25 a shift to watch, 0.25 and above a shift that changes
the data. The two-sample Kolmogorov-Smirnov statistic D (the largest gap between the two
cumulative distributions of the known values) and its asymptotic p-value are shown beside it;
with tens of thousands of films tiny shifts are "significant", so flags come from PSI.

A figure is flagged when it moves by at least `figure_change` of its old value (10%) and, for
counts, by at least `count_floor` (10) films or rows; a quality figure of the model when it moves
by at least `quality_change` (0.01). Every threshold is a setting (MARQUEE_REPORT_*).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import polars as pl
from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from marquee_etl.report.figures import NUMBERS, bin_edges, histogram

EMPTY_SHARE = 1e-4
EXAMPLES = 10
"""Films listed as examples of those added, removed and changed."""
COMPARED_FIELDS = ("title", "release_date", "budget", "revenue", "runtime", "vote_average", "vote_count",
                   "popularity", "collection_id", "original_language")  # fmt: skip
"""A film kept by both releases has changed when any of these differs."""


class ReportSettings(BaseSettings):
    """Thresholds of the report's flags; each can be set as MARQUEE_REPORT_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="MARQUEE_REPORT_", frozen=True, extra="ignore")

    psi_watch: float = 0.10  # PSI from which a field's shift is flagged "watch"
    psi_drift: float = 0.25  # PSI from which it is flagged "drift"
    figure_change: float = 0.10  # relative change of a figure that is flagged
    count_floor: int = 10  # ... when a count also moves by at least this many
    quality_change: float = 0.01  # absolute change of a model quality figure that is flagged

    @classmethod
    def from_env(cls) -> ReportSettings:
        """The settings from the environment; one ValueError line naming each variable that is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            wrong = [f"MARQUEE_REPORT_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}"
                     for e in exc.errors()]  # fmt: skip
            raise ValueError("; ".join(wrong)) from None


def psi_bins(old: np.ndarray) -> np.ndarray:
    """Inner edges at the old values' deciles, duplicates merged (a field with few distinct values
    gets fewer bins)."""
    if old.size == 0:
        return np.array([])
    return np.unique(np.quantile(old, np.linspace(0.1, 0.9, 9)))


def psi(old: np.ndarray, new: np.ndarray) -> float:
    """Population stability index of the values `new` against the values `old`.

    >>> round(psi(np.arange(1000.0), np.arange(1000.0)), 6)
    0.0
    >>> psi(np.arange(1, 1001.0), np.arange(1, 1001.0) * 3) > 0.25
    True
    """
    if old.size == 0 or new.size == 0:
        return 0.0
    inner = psi_bins(old)
    before = np.bincount(np.searchsorted(inner, old, side="right"), minlength=inner.size + 1) / old.size
    after = np.bincount(np.searchsorted(inner, new, side="right"), minlength=inner.size + 1) / new.size
    before, after = np.maximum(before, EMPTY_SHARE), np.maximum(after, EMPTY_SHARE)
    return float(np.sum((after - before) * np.log(after / before)))


def ks(old: np.ndarray, new: np.ndarray) -> tuple[float, float]:
    """Two-sample Kolmogorov-Smirnov statistic D over the known values, and its asymptotic p-value.

    >>> ks(np.arange(100.0), np.arange(100.0))
    (0.0, 1.0)
    """
    a = np.sort(old[np.isfinite(old)])
    b = np.sort(new[np.isfinite(new)])
    if a.size == 0 or b.size == 0:
        return 0.0, 1.0
    points = np.concatenate([a, b])
    d = float(np.max(np.abs(np.searchsorted(a, points, side="right") / a.size
                            - np.searchsorted(b, points, side="right") / b.size)))  # fmt: skip
    n = a.size * b.size / (a.size + b.size)
    lam = (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n)) * d
    if lam == 0:
        return 0.0, 1.0
    p = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return round(d, 6), round(min(max(p, 0.0), 1.0), 6)


def numeric_values(movies: pl.DataFrame, name: str) -> np.ndarray:
    return movies.get_column(name).cast(pl.Float64).fill_null(float("nan")).to_numpy()


def shown(values: np.ndarray, log: bool) -> np.ndarray:
    """The values a field's plot shows and its drift is measured on: the known ones (log scale: above 0)."""
    known: np.ndarray = values[np.isfinite(values)]
    return known[known > 0] if log else known


def drift(old_movies: pl.DataFrame, new_movies: pl.DataFrame, settings: ReportSettings) -> dict[str, Any]:
    """Per numeric field: PSI, KS, the flag, and both histograms on common bins (for the overlay plot)."""
    fields = {}
    for name, meta in NUMBERS.items():
        old = shown(numeric_values(old_movies, name), meta["log"])
        new = shown(numeric_values(new_movies, name), meta["log"])
        value = round(psi(old, new), 6)
        d, p = ks(old, new)
        flag = "drift" if value >= settings.psi_drift else "watch" if value >= settings.psi_watch else ""
        edges = bin_edges(np.concatenate([old, new]), meta["log"])  # common bins for the overlay
        fields[name] = {
            "psi": value,
            "ks_d": d,
            "ks_p": p,
            "flag": flag,
            "old": histogram(old, meta["log"], edges=edges),
            "new": histogram(new, meta["log"], edges=edges),
            "old_values": int(old.size),
            "new_values": int(new.size),
        }
    return fields


def films_changed(old: pl.DataFrame, new: pl.DataFrame) -> dict[str, Any]:
    """Films added, removed, and kept with any of COMPARED_FIELDS changed, with a few examples of each."""
    old_ids = old.select("id", "title", "release_year")
    new_ids = new.select("id", "title", "release_year")
    added = new_ids.join(old_ids, on="id", how="anti").sort("id")
    removed = old_ids.join(new_ids, on="id", how="anti").sort("id")
    fields = [f for f in COMPARED_FIELDS if f in old.columns and f in new.columns]
    joined = old.select("id", *fields).join(new.select("id", *fields), on="id", suffix="_new")
    differs = pl.any_horizontal([pl.col(f).ne_missing(pl.col(f"{f}_new")) for f in fields])
    changed = joined.filter(differs)
    which = {f: int(changed.filter(pl.col(f).ne_missing(pl.col(f"{f}_new"))).height) for f in fields}
    return {
        "old_films": old.height,
        "new_films": new.height,
        "added": added.height,
        "removed": removed.height,
        "kept": joined.height,
        "changed": changed.height,
        "changed_by_field": {f: n for f, n in which.items() if n},
        "added_examples": added.head(EXAMPLES).to_dicts(),
        "removed_examples": removed.head(EXAMPLES).to_dicts(),
        "changed_examples": changed.sort("id").head(EXAMPLES).select("id", "title", "title_new").to_dicts()
        if "title" in fields else [],
    }  # fmt: skip


SKIPPED = ("changes", "build_seconds", "histogram", "grid", "largest", "reject_examples", "examples",
           "explained_variance_by_dimension", "release", "format_version", "zero_means", "unit")  # fmt: skip
"""Parts of the figures that are not single figures (plots' data, example rows, labels, timings)."""
ABSENT_IS_ZERO = ("input.rejected_by_reason.", "dates.per_year.")
"""Counts by key where a key one release lacks means none (no row set aside for that reason)."""
SKIPPED_FIELDS = ("name", "number", "id")
"""Labels of a list's items, not figures."""


def flatten(figures: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, float | int | None]]:
    """Every single figure by its path ("numbers.budget.known.median"; a list's items by name,
    "categories.top.genres[Drama].films"), for comparing two releases."""
    for key, value in figures.items():
        if key in SKIPPED:
            continue
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            yield from flatten(value, path + ".")
        elif isinstance(value, list):
            for item in value:
                if not isinstance(item, Mapping) or "name" not in item:
                    continue
                for field, figure in item.items():
                    if field not in SKIPPED_FIELDS and _is_figure(figure):
                        yield f"{path}[{item['name']}].{field}", figure
        elif _is_figure(value):
            yield path, value


def _is_figure(value: Any) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def compare_figures(old: Mapping[str, Any], new: Mapping[str, Any], settings: ReportSettings) -> list[dict[str, Any]]:
    """Every figure of either release: old, new, change, relative change, and whether it is flagged."""
    before = dict(flatten(old))
    after = dict(flatten(new))
    rows = []
    for path in sorted(before.keys() | after.keys()):
        a, b = before.get(path), after.get(path)
        if path.startswith(ABSENT_IS_ZERO):
            a, b = a or 0, b or 0
        change: float | int | None = None if a is None or b is None else b - a
        relative = None if a is None or change is None or a == 0 else change / abs(a)
        if path.startswith("model.quality.") or path == "model.recall_at_10":
            flagged = change is not None and abs(change) >= settings.quality_change
        elif change is None:
            # in one top list and not the other: it moved across the list's end, which the counts show
            flagged = (a is None) != (b is None) and "[" not in path
        elif isinstance(a, int) and isinstance(b, int):  # a count
            flagged = abs(change) >= settings.count_floor and (a == 0 or abs(relative or 0) >= settings.figure_change)
        else:
            flagged = relative is not None and abs(relative) >= settings.figure_change
        rows.append({
            "figure": path, "old": a, "new": b,
            "change": None if change is None else _round(change),
            "relative": None if relative is None else round(relative, 6),
            "flagged": bool(flagged),
        })  # fmt: skip
    return rows


def _round(value: float | int) -> float | int:
    return value if isinstance(value, int) else round(value, 6)


def compare(old_figures: Mapping[str, Any], new_figures: Mapping[str, Any], old_movies: pl.DataFrame,
            new_movies: pl.DataFrame, settings: ReportSettings) -> dict[str, Any]:  # fmt: skip
    """The "what changed" section: of `new` against `old`."""
    figures = compare_figures(old_figures, new_figures, settings)
    fields = drift(old_movies, new_movies, settings)
    return {
        "old": old_figures.get("release", {}).get("version"),
        "new": new_figures.get("release", {}).get("version"),
        "thresholds": settings.model_dump(),
        "films": films_changed(old_movies, new_movies),
        "drift": fields,
        "figures": figures,
        "flagged_figures": sum(row["flagged"] for row in figures),
        "drifted_fields": sorted(name for name, f in fields.items() if f["flag"]),
    }
