"""The usual pandas + `ast.literal_eval` way to build the catalog, as a yardstick.

    python -m bench.baseline_pandas RAW_DIR OUT_DIR

Why this exists: Marquee's pipeline (`python -m marquee_etl`) claims to be at least
ten times faster than the way the original assignment is usually solved. This script
is that usual way, written as bootcamp notebook solutions write it, so
`bench_pipeline.py` can time both on the same files. It is plain idiomatic pandas: not
slowed down on purpose, and not tuned with tricks either (no pyarrow CSV engine, no
regex parsing of the literals, no multiprocessing). It keeps the assignment's rules:

* both CSVs read with `pandas.read_csv(..., low_memory=False)`;
* rows whose `id` is not numeric (the misaligned rows) dropped, duplicate ids dropped;
* `budget` and `revenue` made numeric with nulls -> 0;
* `release_date` parsed with `errors="coerce"`, rows without a date dropped;
  `release_year` added; `return` = revenue / budget (0 when budget is 0);
* `video`, `original_title` and `homepage` dropped;
* the nested Python-literal columns parsed with `df[col].apply(ast.literal_eval)`
  (guarded for NaN) and exploded into tables: genres, companies, countries,
  spoken_languages, collections, cast, crew; plus movies; all written with
  `DataFrame.to_parquet` (pyarrow).

Table and column names follow the Marquee catalog (movie_id, position, genre_id, ...) so
row counts can be compared. It does less than Marquee (no normalised-name columns, no
languages or rejects table, no validation, no atomic release) and keeps no reasons for
the rows it drops: the comparison flatters this script, not Marquee.

Per-step timings go to stderr as `[i/n] step: X.XX s`, in the same shape as Marquee's.
"""

from __future__ import annotations

import ast
import sys
import time
from pathlib import Path

import pandas as pd

STEPS = 5
_step = 0


def step(name: str, started: float) -> float:
    """Print how long the step that began at `started` took; return the new start."""
    global _step
    _step += 1
    now = time.perf_counter()
    print(f"[{_step}/{STEPS}] {name}: {now - started:.2f} s", file=sys.stderr, flush=True)
    return now


def literal(value: object, empty: object) -> object:
    """`ast.literal_eval` of a cell; `empty` for NaN or blank cells."""
    if isinstance(value, str) and value.strip():
        return ast.literal_eval(value)
    return empty


def explode(df: pd.DataFrame, column: str, renames: dict[str, str]) -> pd.DataFrame:
    """One row per dict of the list column `column`: movie_id, position, its keys."""
    items = df[["id", column]].explode(column).dropna(subset=[column])
    table = pd.DataFrame(items[column].tolist())
    table.insert(0, "movie_id", items["id"].to_numpy())
    table.insert(1, "position", items.groupby(level=0).cumcount().to_numpy())
    return table.rename(columns=renames)


def clean_movies(movies: pd.DataFrame) -> pd.DataFrame:
    movies = movies[pd.to_numeric(movies["id"], errors="coerce").notna()].copy()
    movies["id"] = movies["id"].astype("int64")
    movies = movies.drop_duplicates(subset="id")
    for col in ("budget", "revenue", "popularity"):
        movies[col] = pd.to_numeric(movies[col], errors="coerce")
    movies[["budget", "revenue"]] = movies[["budget", "revenue"]].fillna(0)
    movies["release_date"] = pd.to_datetime(movies["release_date"], format="%Y-%m-%d", errors="coerce")
    movies = movies.dropna(subset=["release_date"])
    movies["release_year"] = movies["release_date"].dt.year
    movies["return"] = movies["revenue"] / movies["budget"]
    movies.loc[movies["budget"] == 0, "return"] = 0
    movies = movies.drop(columns=["video", "original_title", "homepage"])
    return movies.reset_index(drop=True)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    raw, out = Path(argv[0]), Path(argv[1])
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    t = started

    movies = pd.read_csv(raw / "movies_metadata.csv", low_memory=False)
    credits = pd.read_csv(raw / "credits.csv", low_memory=False)
    t = step("reading CSV", t)

    movies = clean_movies(movies)
    movies["belongs_to_collection"] = movies["belongs_to_collection"].apply(literal, empty=None)
    for col in (
        "genres",
        "production_companies",
        "production_countries",
        "spoken_languages",
    ):
        movies[col] = movies[col].apply(literal, empty=[])
    t = step("cleaning movies, literal_eval", t)

    credits = credits[pd.to_numeric(credits["id"], errors="coerce").notna()].copy()
    credits["id"] = credits["id"].astype("int64")
    credits = credits.drop_duplicates(subset="id")
    credits = credits[credits["id"].isin(movies["id"])].reset_index(drop=True)
    for col in ("cast", "crew"):
        credits[col] = credits[col].apply(literal, empty=[])
    t = step("cleaning credits, literal_eval", t)

    tables: dict[str, pd.DataFrame] = {}
    named = {
        "genres": ("genres", "genre_id"),
        "companies": ("production_companies", "company_id"),
        "countries": ("production_countries", "iso_3166_1"),
        "spoken_languages": ("spoken_languages", "iso_639_1"),
    }
    for name, (column, key) in named.items():
        tables[name] = explode(movies, column, {"id": key})
    in_collection = movies.dropna(subset=["belongs_to_collection"])
    coll = pd.DataFrame(in_collection["belongs_to_collection"].tolist())
    coll = coll.rename(columns={"id": "collection_id"})
    movies["collection_id"] = pd.Series(coll["collection_id"].to_numpy(), index=in_collection.index).astype("Int64")
    tables["collections"] = coll.drop_duplicates(subset="collection_id")
    tables["cast"] = explode(credits, "cast", {"id": "person_id"})
    tables["crew"] = explode(credits, "crew", {"id": "person_id"})
    nested = [
        "belongs_to_collection",
        "genres",
        "production_companies",
        "production_countries",
        "spoken_languages",
    ]
    tables = {"movies": movies.drop(columns=nested), **tables}
    t = step("exploding into tables", t)

    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet", index=False)
    step("writing Parquet", t)

    counts = ", ".join(f"{name} {len(frame):,}" for name, frame in tables.items())
    print(f"tables: {counts}")
    print(f"total {time.perf_counter() - started:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
