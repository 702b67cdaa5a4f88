"""Every figure of a release's data report, worked out from the release itself.

Only what a release holds is used (its tables, manifest and model files), so the figures of any
release can be worked out again later, by `releases diff` for one built before reports existed.
The definitions follow the services' answers: films per month and weekday are the catalog's
counts; a director's films and an actor's films (those they did not also direct) with the sum
and mean of their returns are the catalog's `director` and `actor` answers, for a name.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from marquee_common.calendar_names import MONTHS, WEEKDAYS

FORMAT_VERSION = 1
TOP = 15
"""Rows in each top list (categories, people)."""
LARGEST = 5
"""Largest values listed per numeric field."""
EXAMPLE_FILMS = 5
"""Well-known films (most votes, one per title) whose model top 5 is shown."""
REJECT_EXAMPLES = 3
"""Rows shown per reason a row was set aside."""

NUMBERS: dict[str, dict[str, Any]] = {
    # field: unit, whether its axis is logarithmic (the values span decades), what a zero means
    "budget": {"label": "Budget", "unit": "US dollars", "log": True, "zero": "unknown (the raw file's 0)"},
    "revenue": {"label": "Revenue", "unit": "US dollars", "log": True, "zero": "unknown (the raw file's 0)"},
    "return": {"label": "Return", "unit": "revenue / budget", "log": True, "zero": "budget or revenue unknown"},
    "runtime": {"label": "Runtime", "unit": "minutes", "log": False, "zero": "unknown (the raw file's 0)"},
    "vote_average": {"label": "Vote average", "unit": "points of 10", "log": False, "zero": "no votes, or rated 0"},
    "vote_count": {"label": "Vote count", "unit": "votes", "log": True, "zero": "no votes"},
    "popularity": {"label": "Popularity", "unit": "TMDB popularity score", "log": True, "zero": "no popularity"},
}
CATEGORIES = {
    "genres": "Genres",
    "original_languages": "Original languages",
    "production_countries": "Production countries",
    "production_companies": "Production companies",
    "collections": "Collections",
}
BINS = 40


def read_tables(folder: Path, manifest: Mapping[str, Any]) -> dict[str, pl.DataFrame]:
    """The release's tables (the files its manifest lists under `tables`)."""
    return {name: pl.read_parquet(folder / meta["file"]) for name, meta in manifest.get("tables", {}).items()}


def compute(tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any], folder: Path) -> dict[str, Any]:
    """The report's figures as plain JSON values; `folder` holds the release (its model/)."""
    movies = tables["movies"]
    return {
        "format_version": FORMAT_VERSION,
        "release": {
            "version": manifest.get("version"),
            "created_at": manifest.get("created_at"),
            "code_version": manifest.get("code_version"),
            "inputs": manifest.get("inputs", {}),
        },
        "input": input_figures(tables, manifest),
        "numbers": {name: number_figures(movies, name) for name in NUMBERS},
        "categories": category_figures(tables),
        "dates": date_figures(movies),
        "relations": relation_figures(tables),
        "people": people_figures(tables),
        "model": model_figures(manifest, folder, movies),
    }


def input_figures(tables: Mapping[str, pl.DataFrame], manifest: Mapping[str, Any]) -> dict[str, Any]:
    empty = pl.DataFrame(schema={"source": pl.String, "row": pl.Int64, "id": pl.String, "reason": pl.String,
                                 "detail": pl.String})  # fmt: skip
    rejects = tables.get("rejects", empty)
    by_reason = rejects.group_by("source", "reason").len().sort(["len", "source", "reason"],
                                                                 descending=[True, False, False])  # fmt: skip
    examples: dict[str, list[dict[str, Any]]] = {}
    for source, reason, _ in by_reason.iter_rows():
        rows = rejects.filter((pl.col("source") == source) & (pl.col("reason") == reason)).sort("row")
        examples[f"{source}.{reason}"] = rows.head(REJECT_EXAMPLES).select("row", "id", "detail").to_dicts()
    return {
        "rows_read": dict(manifest.get("rows_in", {})),
        "rows_kept": dict(manifest.get("rows_kept", {})),
        "rejected_by_reason": {f"{s}.{r}": n for s, r, n in by_reason.iter_rows()},
        "reject_examples": examples,
        "missing_by_column": manifest.get("missing_by_column"),
    }


def _quantiles(values: pl.Series) -> dict[str, float | None]:
    if values.len() == 0:
        return dict.fromkeys(("min", "p25", "median", "mean", "p75", "p90", "p99", "max"))
    return {
        "min": float(values.min()),  # type: ignore[arg-type]
        "p25": float(values.quantile(0.25, "linear")),  # type: ignore[arg-type]
        "median": float(values.median()),  # type: ignore[arg-type]
        "mean": float(values.mean()),  # type: ignore[arg-type]
        "p75": float(values.quantile(0.75, "linear")),  # type: ignore[arg-type]
        "p90": float(values.quantile(0.90, "linear")),  # type: ignore[arg-type]
        "p99": float(values.quantile(0.99, "linear")),  # type: ignore[arg-type]
        "max": float(values.max()),  # type: ignore[arg-type]
    }


def histogram(values: np.ndarray, log: bool, bins: int = BINS, edges: np.ndarray | None = None) -> dict[str, Any]:
    """Counts in `bins` bins (logarithmic: of positive values only), as plain lists."""
    if edges is None:
        edges = bin_edges(values, log, bins)
    shown = values[values > 0] if log else values
    counts, _ = np.histogram(shown, bins=edges)
    return {"edges": [float(e) for e in edges], "counts": counts.tolist(), "log": log}


def bin_edges(values: np.ndarray, log: bool, bins: int = BINS) -> np.ndarray:
    shown = values[values > 0] if log else values
    if shown.size == 0:
        return np.array([0.0, 1.0]) if not log else np.array([1.0, 10.0])
    low, high = float(shown.min()), float(shown.max())
    if high <= low:
        high = low + (low * 0.1 if low > 0 else 1.0)
    if log:
        edges = np.logspace(np.log10(low), np.log10(high), bins + 1)
        edges[0], edges[-1] = low, high  # exactly: rounding must not leave the extremes out
        return edges
    return np.linspace(low, high, bins + 1)


def number_figures(movies: pl.DataFrame, name: str) -> dict[str, Any]:
    """A numeric field: missing and zero shares, quantiles of the known values, histogram, largest films."""
    column = movies.get_column(name).cast(pl.Float64)
    films = movies.height
    missing = column.null_count() + int(column.is_nan().sum() or 0)
    known = column.drop_nulls().drop_nans()
    zeros = int((known == 0).sum())
    meta = NUMBERS[name]
    positive = known.filter(known > 0) if meta["log"] else known
    largest = (
        movies.filter(pl.col(name).is_not_null())
        .sort([name, "id"], descending=[True, False])
        .head(LARGEST)
        .select("id", "title", "release_year", pl.col(name).cast(pl.Float64).alias("value"))
        .to_dicts()
    )
    return {
        "unit": meta["unit"],
        "films": films,
        "missing": missing,
        "zeros": zeros,
        "missing_share": round(missing / films, 6) if films else 0.0,
        "zero_share": round(zeros / films, 6) if films else 0.0,
        "zero_means": meta["zero"],
        "known": {**_quantiles(positive), "films": positive.len()},
        "histogram": histogram(known.to_numpy(), meta["log"]),
        "largest": largest,
    }


def _top(frame: pl.DataFrame, key: str, label: str) -> list[dict[str, Any]]:
    """Films per group, most first (ties by name), `label` shown."""
    grouped = (
        frame.group_by(key)
        .agg(pl.col(label).mode().sort().first().alias("name"), pl.col("movie_id").n_unique().alias("films"))
        .sort(["films", "name"], descending=[True, False])
        .head(TOP)
    )
    return grouped.select("name", "films").to_dicts()


def category_figures(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    movies = tables["movies"]
    languages = (
        movies.filter(pl.col("original_language").is_not_null() & (pl.col("original_language") != ""))
        .join(tables["languages"], left_on="original_language", right_on="iso_639_1", how="left")
        .select(pl.col("id").alias("movie_id"), "original_language",
                pl.coalesce(pl.col("english_name"), pl.col("original_language")).alias("label"))
    )  # fmt: skip
    collections = movies.filter(pl.col("collection_id").is_not_null()).join(
        tables["collections"].select("collection_id", pl.col("name").alias("label")), on="collection_id"
    )
    per_film = {
        "genres": tables["genres"].n_unique("movie_id"),
        "original_languages": languages.height,
        "production_countries": tables["countries"].n_unique("movie_id"),
        "production_companies": tables["companies"].n_unique("movie_id"),
        "collections": collections.height,
    }
    return {
        "films": movies.height,
        "films_with_any": per_film,
        "distinct": {
            "genres": tables["genres"].n_unique("name"),
            "original_languages": languages.n_unique("original_language"),
            "production_countries": tables["countries"].n_unique("iso_3166_1"),
            "production_companies": tables["companies"].n_unique("company_id"),
            "collections": collections.n_unique("collection_id"),
        },
        "top": {
            "genres": _top(tables["genres"].rename({"name": "label"}), "label", "label"),
            "original_languages": _top(languages, "original_language", "label"),
            "production_countries": _top(tables["countries"].rename({"name": "label"}), "iso_3166_1", "label"),
            "production_companies": _top(tables["companies"].rename({"name": "label"}), "company_id", "label"),
            "collections": _top(collections.rename({"id": "movie_id"}), "collection_id", "label"),
        },
    }


def date_figures(movies: pl.DataFrame) -> dict[str, Any]:
    """Films per release year, month and weekday (Monday first), as the catalog counts them."""
    years = movies.group_by("release_year").len().sort("release_year")
    months = np.bincount(movies["release_month"].to_numpy(), minlength=13)[1:13]
    weekdays = np.bincount(movies["release_weekday"].to_numpy(), minlength=8)[1:8]
    return {
        "films": movies.height,
        "first_year": int(years["release_year"].min()) if years.height else None,  # type: ignore[arg-type]
        "last_year": int(years["release_year"].max()) if years.height else None,  # type: ignore[arg-type]
        "per_year": {str(y): n for y, n in years.iter_rows()},
        "per_month": [{"number": i + 1, "name": MONTHS[i], "films": int(n)} for i, n in enumerate(months)],
        "per_weekday": [{"number": i + 1, "name": WEEKDAYS[i], "films": int(n)} for i, n in enumerate(weekdays)],
    }


def _log_grid(x: np.ndarray, y: np.ndarray, log_x: bool, log_y: bool, bins: int = 30) -> dict[str, Any]:
    """A 2D histogram (film counts) on the given axes, for a plot that stays small at any size."""
    edges_x = bin_edges(x, log_x, bins)
    edges_y = bin_edges(y, log_y, bins)
    counts, _, _ = np.histogram2d(x, y, bins=[edges_x, edges_y])
    return {"x_edges": edges_x.tolist(), "y_edges": edges_y.tolist(), "counts": counts.astype(int).tolist(),
            "log_x": log_x, "log_y": log_y}  # fmt: skip


def _correlation(x: np.ndarray, y: np.ndarray) -> float | None:
    if x.size < 3 or np.std(x) == 0 or np.std(y) == 0:
        return None
    return round(float(np.corrcoef(x, y)[0, 1]), 4)


def relation_figures(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    movies = tables["movies"]
    both = movies.filter((pl.col("budget") > 0) & (pl.col("revenue") > 0))
    budget = both["budget"].to_numpy().astype(np.float64)
    revenue = both["revenue"].to_numpy().astype(np.float64)
    voted = movies.filter(pl.col("vote_count") > 0)
    count = voted["vote_count"].to_numpy().astype(np.float64)
    average = voted["vote_average"].fill_null(0).to_numpy().astype(np.float64)
    returns = (
        tables["genres"]
        .select("movie_id", "name")
        .unique()
        .join(movies.select(pl.col("id").alias("movie_id"), "return"), on="movie_id")
        .filter(pl.col("return") > 0)
        .group_by("name")
        .agg(
            pl.len().alias("films"),
            pl.col("return").median().alias("median_return"),
            pl.col("return").quantile(0.25, "linear").alias("p25_return"),
            pl.col("return").quantile(0.75, "linear").alias("p75_return"),
            pl.col("return").mean().alias("mean_return"),
        )
        .sort(["median_return", "name"], descending=[True, False])
    )
    return {
        "budget_revenue": {
            "films_with_both": both.height,
            "log_correlation": _correlation(np.log10(budget), np.log10(revenue)) if both.height else None,
            "returned_more_than_budget": int((revenue > budget).sum()),
            "grid": _log_grid(budget, revenue, True, True),
        },
        "votes": {
            "films_with_votes": voted.height,
            "log_count_correlation": _correlation(np.log10(count), average) if voted.height else None,
            "grid": _log_grid(count, average, True, False),
        },
        "return_by_genre": [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in row.items()} for row in returns.to_dicts()
        ],  # fmt: skip
    }


def _sizes(credits: pl.DataFrame, film_ids: pl.Series) -> dict[str, Any]:
    """People credited per film, over the films with any credit of this kind."""
    sizes = credits.group_by("movie_id").len()["len"]
    values = sizes.to_numpy().astype(np.float64)
    return {
        "films_with_any": sizes.len(),
        "films_without": int(film_ids.len() - sizes.len()),
        "credits": credits.height,
        **_quantiles(sizes.cast(pl.Float64)),
        "histogram": histogram(values, False, bins=min(BINS, max(1, int(values.max()) if values.size else 1))),
    }


def _returns_by_name(films: pl.DataFrame, movies: pl.DataFrame) -> list[dict[str, Any]]:
    """(name_norm, movie_id) pairs -> the names with the most films, their total and mean return."""
    joined = films.join(movies.select(pl.col("id").alias("movie_id"), "return"), on="movie_id")
    grouped = (
        joined.group_by("name_norm")
        .agg(
            pl.col("name").mode().sort().first().alias("name"),
            pl.col("movie_id").n_unique().alias("films"),
            pl.col("return").sum().alias("total_return"),
        )
        .with_columns((pl.col("total_return") / pl.col("films")).alias("average_return"))
        .sort(["films", "name"], descending=[True, False])
        .head(TOP)
    )
    return [
        {"name": r["name"], "films": r["films"], "total_return": round(r["total_return"], 4),
         "average_return": round(r["average_return"], 4)}
        for r in grouped.to_dicts()
    ]  # fmt: skip


def people_figures(tables: Mapping[str, pl.DataFrame]) -> dict[str, Any]:
    movies, cast, crew = tables["movies"], tables["cast"], tables["crew"]
    directed = crew.filter(pl.col("job") == "Director").select("person_id", "movie_id", "name", "name_norm")
    director_films = directed.select("name_norm", "name", "movie_id").unique()
    # As the catalog answers an actor: the films where no one of that name directed it too.
    acted = cast.select("name_norm", "name", "person_id", "movie_id").unique(["name_norm", "person_id", "movie_id"])
    also_directed = acted.select("name_norm", "person_id").unique().join(directed.select("person_id", "movie_id"),
                                                                          on="person_id")  # fmt: skip
    actor_films = acted.join(also_directed.select("name_norm", "movie_id"), on=["name_norm", "movie_id"],
                             how="anti").select("name_norm", "name", "movie_id")  # fmt: skip
    return {
        "people": pl.concat([cast.select("person_id"), crew.select("person_id")]).n_unique(),
        "cast_size": _sizes(cast, movies["id"]),
        "crew_size": _sizes(crew, movies["id"]),
        "top_directors": _returns_by_name(director_films, movies),
        "top_actors": _returns_by_name(actor_films, movies),
    }


def model_figures(manifest: Mapping[str, Any], folder: Path, movies: pl.DataFrame) -> dict[str, Any] | None:
    """The model's shape, explained variance, recall, gate figures and the top 5 of the most-voted films.

    The top 5 are the model's own lists (neighbours.npy, before the recommender's re-ranking by
    metadata), the lists the gate's quality figures are measured on.
    """
    model = manifest.get("model")
    if not model:
        return None
    found: dict[str, Any] = {
        "kind": model.get("kind"),
        "items": model.get("items"),
        "dimensions": model.get("dimensions"),
        "terms": model.get("terms"),
        "explained_variance": model.get("explained_variance"),
        "explained_variance_by_dimension": model.get("explained_variance_by_dimension"),
        "recall_at_10": model.get("recall_at_10"),
        "quality": dict(model.get("quality") or {}),
        "build_seconds": model.get("build_seconds"),
        "examples": [],
    }
    neighbours_path = folder / "model" / "neighbours.npy"
    items_path = folder / "model" / "items.npy"
    if not neighbours_path.exists() or not items_path.exists():
        return found
    items = np.load(items_path, allow_pickle=False)
    neighbours = np.load(neighbours_path, allow_pickle=False, mmap_mode="r")
    item_of = {int(movie_id): i for i, movie_id in enumerate(items.tolist())}
    facts = movies.select("id", "title", "release_year", "vote_count")
    by_id = {row[0]: row for row in facts.iter_rows()}
    # one film per title: a remake (or a copy) would show the same list twice
    seeds = (movies.sort(["vote_count", "id"], descending=[True, False]).unique("title_norm", keep="first",
             maintain_order=True).head(EXAMPLE_FILMS).select("id", "title", "release_year", "vote_count"))  # fmt: skip
    for movie_id, title, year, votes in seeds.iter_rows():
        item = item_of.get(movie_id)
        if item is None:
            continue
        top = [by_id[int(items[j])] for j in neighbours[item, :5].tolist()]
        found["examples"].append({
            "id": movie_id, "title": title, "year": year, "votes": votes,
            "top5": [{"id": m, "title": t, "year": y} for m, t, y, _ in top],
        })  # fmt: skip
    return found
