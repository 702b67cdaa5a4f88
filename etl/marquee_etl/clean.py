"""Raw text frames in, clean typed tables and a table of set-aside rows out.

Every raw column is text; each cast below is explicit and a value that does not cast sets
the row aside with a reason (`rejects`), it never turns silently into null. The rules are
the original assignment's: revenue and budget null -> 0, rows without a valid release date
set aside, `release_year` added, `return` = revenue / budget (0 when either is 0), columns
`video`, `original_title` and `homepage` dropped. Money stays integer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
import pycountry

from marquee_etl import literals
from marquee_etl.text import collection_key, normalized

ROW = "__row"
"""1-based data row number in the raw file, carried until the row is kept or set aside."""

MOVIE_COLUMNS = (
    "adult",
    "belongs_to_collection",
    "budget",
    "genres",
    "id",
    "imdb_id",
    "original_language",
    "overview",
    "popularity",
    "poster_path",
    "production_companies",
    "production_countries",
    "release_date",
    "revenue",
    "runtime",
    "spoken_languages",
    "status",
    "tagline",
    "title",
    "vote_average",
    "vote_count",
)
CREDIT_COLUMNS = ("cast", "crew", "id")
NUMBERS = ("budget", "revenue", "popularity", "vote_average", "vote_count", "runtime")
REJECT_SCHEMA = pl.Schema(
    {
        "source": pl.String(),
        "row": pl.Int64(),
        "id": pl.String(),
        "reason": pl.String(),
        "detail": pl.String(),
    }
)


@dataclass
class Cleaned:
    tables: dict[str, pl.DataFrame]
    rejects: pl.DataFrame
    slow_path_rows: dict[str, int] = field(default_factory=dict)


def _int_id() -> pl.Expr:
    text = pl.col("id").str.strip_chars()
    return pl.when(text.str.contains(r"^\d{1,18}$")).then(text.cast(pl.Int64)).alias("movie_id")


def _number(name: str) -> pl.Expr:
    return pl.col(name).str.strip_chars().cast(pl.Float64, strict=False)


def _blank(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")


def _first_reason(*cases: tuple[pl.Expr, str | pl.Expr, pl.Expr]) -> list[pl.Expr]:
    """(reason, detail) of the first case that holds, in the order given."""
    reason: pl.Expr = pl.lit(None, dtype=pl.String)
    detail: pl.Expr = pl.lit(None, dtype=pl.String)
    for condition, name, text in reversed(cases):
        label = name if isinstance(name, pl.Expr) else pl.lit(name)
        reason = pl.when(condition).then(label).otherwise(reason)
        detail = pl.when(condition).then(text).otherwise(detail)
    return [reason.alias("reason"), detail.alias("detail")]


def _rejects(frame: pl.DataFrame, source: str) -> pl.DataFrame:
    return frame.filter(pl.col("reason").is_not_null()).select(
        pl.lit(source).alias("source"),
        pl.col(ROW).cast(pl.Int64).alias("row"),
        pl.col("id"),
        pl.col("reason"),
        pl.col("detail"),
    )


def _with_row(raw: pl.DataFrame, columns: tuple[str, ...], source: str) -> pl.DataFrame:
    missing = [c for c in columns if c not in raw.columns]
    if missing:
        raise ValueError(f"{source} lacks the column(s) {', '.join(missing)}; is this the Kaggle file?")
    return raw.with_row_index(ROW, offset=1)


def _parse_failures(
    frame: pl.DataFrame, specs: tuple[literals.NestedSpec, ...], slow: dict[str, int]
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Parse each nested column; return the items and one (row, reason, detail) per bad row."""
    parsed: dict[str, pl.DataFrame] = {}
    failed = []
    for column, result in literals.parse_columns(frame, specs, ROW).items():
        parsed[column] = result.items
        slow[column] = result.slow_rows
        failed.append(result.failed.with_columns(pl.lit(f"unparseable_{column}").alias("reason")))
    failures = pl.concat(failed).unique(ROW, keep="first", maintain_order=True)
    return parsed, failures


def clean_movies(raw: pl.DataFrame, slow: dict[str, int]) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.DataFrame]:
    """(movies, nested items keyed by movie_id, rejects) from the raw movies text frame."""
    frame = _with_row(raw, MOVIE_COLUMNS, "movies_metadata.csv").with_columns(_int_id())
    frame = frame.with_columns(
        pl.col("movie_id").is_first_distinct().alias("__first"),
        pl.col("release_date").str.strip_chars().str.to_date("%Y-%m-%d", strict=False).alias("__date"),
        *[_number(n).alias(f"__{n}") for n in NUMBERS],
    )
    bad_number: pl.Expr = pl.lit(None, dtype=pl.String)
    for n in reversed(NUMBERS):
        bad_number = (
            pl.when(~_blank(n) & pl.col(f"__{n}").is_null())
            .then(pl.format("{} {} is not a number", pl.lit(n), pl.col(n)))
            .otherwise(bad_number)
        )
    frame = frame.with_columns(bad_number.alias("__bad_number"))
    parsable = frame.filter(pl.col("movie_id").is_not_null() & pl.col("__first"))
    parsed, failures = _parse_failures(parsable, literals.MOVIE_SPECS, slow)
    frame = frame.join(failures.rename({"reason": "__parse", "detail": "__parse_detail"}), on=ROW, how="left")
    frame = frame.with_columns(
        _first_reason(
            (
                pl.col("movie_id").is_null(),
                "invalid_id",
                pl.format("id {} is not an integer (misaligned row)", pl.col("id").fill_null("<empty>")),
            ),
            (~pl.col("__first"), "duplicate_id", pl.format("id {} appeared on an earlier row", pl.col("movie_id"))),
            (pl.col("__bad_number").is_not_null(), "invalid_number", pl.col("__bad_number")),
            (pl.col("__parse").is_not_null(), pl.col("__parse"), pl.col("__parse_detail")),
            (_blank("release_date"), "missing_release_date", pl.lit("no release_date")),
            (
                pl.col("__date").is_null(),
                "invalid_release_date",
                pl.format("release_date {} is not a YYYY-MM-DD date", pl.col("release_date")),
            ),
        )
    )
    rejects = _rejects(frame, "movies")
    kept = frame.filter(pl.col("reason").is_null())
    money = {n: pl.col(f"__{n}").fill_null(0).cast(pl.Int64).alias(n) for n in ("budget", "revenue")}
    movies = kept.select(
        pl.col("movie_id").alias("id"),
        pl.col("title").fill_null(""),
        normalized(pl.col("title").fill_null("")).alias("title_norm"),
        pl.col("__date").alias("release_date"),
        pl.col("__date").dt.year().cast(pl.Int32).alias("release_year"),
        pl.col("__date").dt.month().cast(pl.Int8).alias("release_month"),
        pl.col("__date").dt.weekday().cast(pl.Int8).alias("release_weekday"),  # ISO: Monday = 1
        pl.col("__runtime").alias("runtime"),
        pl.col("overview").fill_null(""),
        pl.col("tagline").fill_null(""),
        pl.col("original_language").str.strip_chars().str.to_lowercase().fill_null(""),
        money["budget"],
        money["revenue"],
        pl.when((pl.col("__budget").fill_null(0) > 0) & (pl.col("__revenue").fill_null(0) > 0))
        .then(pl.col("__revenue").fill_null(0) / pl.col("__budget"))
        .otherwise(0.0)
        .alias("return"),
        pl.col("__popularity").fill_null(0.0).alias("popularity"),
        pl.col("__vote_average").fill_null(0.0).alias("vote_average"),
        pl.col("__vote_count").fill_null(0).cast(pl.Int64).alias("vote_count"),
        pl.col("imdb_id").fill_null(""),
        pl.col("poster_path").fill_null(""),
        (pl.col("adult").str.strip_chars() == "True").fill_null(False).alias("adult"),
        pl.col("status").fill_null(""),
        pl.col(ROW),
    )
    row_to_id = movies.select(ROW, pl.col("id").alias("movie_id"))
    nested = {name: row_to_id.join(items, on=ROW, how="inner").drop(ROW) for name, items in parsed.items()}
    return movies.drop(ROW), nested, rejects


def _movie_items(nested: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The unnested movie tables, with normalised names for lookups."""

    def named(frame: pl.DataFrame, key: str, key_name: str) -> pl.DataFrame:
        return frame.select(
            "movie_id", "position", pl.col(key).alias(key_name), "name", normalized(pl.col("name")).alias("name_norm")
        )

    coll = nested["belongs_to_collection"]
    collections = coll.unique("id", keep="first", maintain_order=True).select(
        pl.col("id").alias("collection_id"),
        "name",
        normalized(pl.col("name")).alias("name_norm"),
        collection_key(pl.col("name")).alias("key"),
        "poster_path",
        "backdrop_path",
    )
    return {
        "genres": named(nested["genres"], "id", "genre_id"),
        "companies": named(nested["production_companies"], "id", "company_id"),
        "countries": named(nested["production_countries"], "iso_3166_1", "iso_3166_1"),
        "spoken_languages": named(nested["spoken_languages"], "iso_639_1", "iso_639_1"),
        "collections": collections,
        "__movie_collection": coll.select("movie_id", pl.col("id").alias("collection_id")),
    }


def _english_language(code: str) -> str:
    found = pycountry.languages.get(alpha_2=code) if len(code) == 2 else None
    return found.name if found is not None else ""


def languages_table(movies: pl.DataFrame, spoken: pl.DataFrame) -> pl.DataFrame:
    """One row per language code: the data's most used name for it and its English name."""
    data_names = (
        spoken.filter(pl.col("name").str.strip_chars() != "")
        .group_by("iso_639_1", "name")
        .len()
        .sort(["iso_639_1", "len", "name"], descending=[False, True, False])
        .unique("iso_639_1", keep="first", maintain_order=True)
        .select("iso_639_1", "name")
    )
    codes = (
        pl.concat([movies.select(pl.col("original_language").alias("iso_639_1")), spoken.select("iso_639_1")])
        .filter(pl.col("iso_639_1") != "")
        .unique()
        .sort("iso_639_1")
    )
    english = pl.DataFrame(
        {"iso_639_1": codes["iso_639_1"], "english_name": [_english_language(c) for c in codes["iso_639_1"]]},
        schema={"iso_639_1": pl.String, "english_name": pl.String},  # typed even when no film is kept
    )
    return (
        english.join(data_names, on="iso_639_1", how="left")
        .with_columns(pl.col("name").fill_null(""))
        .select(
            "iso_639_1",
            "name",
            normalized(pl.col("name")).alias("name_norm"),
            "english_name",
            normalized(pl.col("english_name")).alias("english_norm"),
        )
    )


def clean_credits(
    raw: pl.DataFrame, movie_ids: pl.Series, slow: dict[str, int]
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """(cast and crew tables, rejects) from the raw credits text frame."""
    frame = _with_row(raw, CREDIT_COLUMNS, "credits.csv").with_columns(_int_id())
    frame = frame.with_columns(
        pl.col("movie_id").is_first_distinct().alias("__first"),
        pl.col("movie_id").is_in(movie_ids.implode()).alias("__known"),
    )
    parsable = frame.filter(pl.col("movie_id").is_not_null() & pl.col("__first") & pl.col("__known"))
    parsed, failures = _parse_failures(parsable, literals.CREDIT_SPECS, slow)
    frame = frame.join(failures.rename({"reason": "__parse", "detail": "__parse_detail"}), on=ROW, how="left")
    frame = frame.with_columns(
        _first_reason(
            (
                pl.col("movie_id").is_null(),
                "invalid_id",
                pl.format("id {} is not an integer", pl.col("id").fill_null("<empty>")),
            ),
            (~pl.col("__first"), "duplicate_id", pl.format("id {} appeared on an earlier row", pl.col("movie_id"))),
            (
                ~pl.col("__known"),
                "unknown_movie",
                pl.format("movie {} is not among the kept movies (set aside or absent)", pl.col("movie_id")),
            ),
            (pl.col("__parse").is_not_null(), pl.col("__parse"), pl.col("__parse_detail")),
        )
    )
    rejects = _rejects(frame, "credits")
    kept_rows = frame.filter(pl.col("reason").is_null()).select(ROW, "movie_id")

    def people(items: pl.DataFrame, extra: list[str]) -> pl.DataFrame:
        return kept_rows.join(items, on=ROW, how="inner").select(
            "movie_id",
            "position",
            pl.col("id").alias("person_id"),
            "name",
            normalized(pl.col("name")).alias("name_norm"),
            *extra,
        )

    # Sorted by person: the catalog's actor lookups need that order, and sorting ints by film is
    # cheap for it at start-up where sorting half a million names is not.
    cast = people(parsed["cast"], ["character", "order", "gender", "cast_id", "credit_id"]).sort(
        "name_norm", "movie_id", "position"
    )
    crew = people(parsed["crew"], ["department", "job", "gender", "credit_id"])
    return {"cast": cast, "crew": crew}, rejects


def clean(movies_raw: pl.DataFrame, credits_raw: pl.DataFrame) -> Cleaned:
    """All tables of a release from the two raw text frames."""
    slow: dict[str, int] = {}
    movies, nested, movie_rejects = clean_movies(movies_raw, slow)
    items = _movie_items(nested)
    movies = movies.join(items.pop("__movie_collection"), left_on="id", right_on="movie_id", how="left")
    credits, credit_rejects = clean_credits(credits_raw, movies["id"], slow)
    tables = {
        "movies": movies,
        **items,
        "languages": languages_table(movies, items["spoken_languages"]),
        **credits,
    }
    rejects = pl.concat([movie_rejects, credit_rejects]).cast(REJECT_SCHEMA)
    return Cleaned(tables=tables, rejects=rejects, slow_path_rows=slow)
