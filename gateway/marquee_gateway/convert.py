"""Protobuf replies -> JSON-ready dicts shaped like `models`.

Explicit, field by field: faster than `json_format.MessageToDict` on the hot path, and int64
values stay Python ints (JSON numbers), where MessageToDict would turn them into strings.
Unset optional fields become null.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee.v1 import shared_pb2

Json = dict[str, Any]


def enum_name(enum: Any, value: int, prefix: str) -> str:
    """The enum value's name without its type prefix (MATCH_KIND_EXACT -> EXACT), as HTTP shows it;
    its number as text for a value newer than this code."""
    try:
        return str(enum.Name(value)).removeprefix(prefix)
    except ValueError:
        return str(value)


def movie_ref(m: shared_pb2.MovieRef) -> Json:
    return {"id": m.id, "title": m.title, "year": m.year, "release_date": m.release_date}


def movie_refs(ms: Iterable[shared_pb2.MovieRef]) -> list[Json]:
    return [movie_ref(m) for m in ms]


def movie(m: pb.Movie) -> Json:
    return {
        "id": m.id,
        "title": m.title,
        "year": m.year,
        "release_date": m.release_date,
        "runtime": m.runtime if m.HasField("runtime") else None,
        "overview": m.overview,
        "tagline": m.tagline,
        "genres": list(m.genres),
        "collection": {"id": m.collection.id, "name": m.collection.name} if m.HasField("collection") else None,
        "companies": [{"id": c.id, "name": c.name} for c in m.companies],
        "countries": [{"iso_3166_1": c.iso_3166_1, "name": c.name} for c in m.countries],
        "spoken_languages": [{"iso_639_1": lang.iso_639_1, "name": lang.name} for lang in m.spoken_languages],
        "original_language": m.original_language,
        "budget": m.budget,
        "revenue": m.revenue,
        "return": m.return_ratio,
        "popularity": m.popularity,
        "vote_average": m.vote_average,
        "vote_count": m.vote_count,
        "imdb_id": m.imdb_id,
        "poster_path": m.poster_path,
        "directors": [{"id": d.id, "name": d.name} for d in m.directors],
        "cast": [
            {"person_id": c.person_id, "name": c.name, "character": c.character, "order": c.order} for c in m.cast
        ],
        "adult": m.adult,
        "status": m.status,
    }


def search_page(r: pb.SearchMoviesResponse) -> Json:
    return {
        "hits": [
            {
                "movie": movie_ref(h.movie),
                "match": enum_name(pb.SearchHit.MatchKind, h.match, "MATCH_KIND_"),
                "score": h.score,
                "vote_count": h.vote_count,
            }
            for h in r.hits
        ],
        "total_size": r.total_size,
        "next_page_token": r.next_page_token,
    }


def release_count(r: pb.CountReleasesByMonthResponse | pb.CountReleasesByWeekdayResponse) -> Json:
    return {"name": r.name, "number": r.number, "count": r.count}


def title_score(r: pb.GetTitleScoreResponse) -> Json:
    return {"movie": movie_ref(r.movie), "popularity": r.popularity, "same_title": movie_refs(r.same_title)}


def title_votes(r: pb.GetTitleVotesResponse) -> Json:
    return {
        "movie": movie_ref(r.movie),
        "vote_count": r.vote_count,
        "vote_average": r.vote_average,
        "reaches_2000_votes": r.reaches_2000_votes,
        "same_title": movie_refs(r.same_title),
    }


def title_runtime(r: pb.GetRuntimeResponse) -> Json:
    return {
        "movie": movie_ref(r.movie),
        "runtime": r.runtime if r.HasField("runtime") else None,
        "same_title": movie_refs(r.same_title),
    }


def title_return(r: pb.GetMovieReturnResponse) -> Json:
    return {
        "movie": movie_ref(r.movie),
        "budget": r.budget,
        "revenue": r.revenue,
        "return": r.return_ratio,
        "same_title": movie_refs(r.same_title),
    }


def actor(r: pb.GetActorResponse) -> Json:
    return {
        "name": r.name,
        "person_ids": list(r.person_ids),
        "movie_count": r.movie_count,
        "total_return": r.total_return,
        "average_return": r.average_return,
        "films": [{"movie": movie_ref(f.movie), "character": f.character, "return": f.return_ratio} for f in r.films],
    }


def director(r: pb.GetDirectorResponse) -> Json:
    return {
        "name": r.name,
        "person_ids": list(r.person_ids),
        "movie_count": r.movie_count,
        "total_return": r.total_return,
        "films": [
            {
                "movie": movie_ref(f.movie),
                "title": f.title,
                "release_date": f.release_date,
                "return": f.return_ratio,
                "budget": f.budget,
                "revenue": f.revenue,
                "profit": f.profit,
            }
            for f in r.films
        ],
    }


def collection(r: pb.GetCollectionResponse) -> Json:
    return {
        "name": r.name,
        "collection_id": r.collection_id,
        "movie_count": r.movie_count,
        "total_revenue": r.total_revenue,
        "average_revenue": r.average_revenue,
        "films": movie_refs(r.films),
    }


def company(r: pb.GetCompanyResponse) -> Json:
    return {
        "name": r.name,
        "company_ids": list(r.company_ids),
        "movie_count": r.movie_count,
        "total_revenue": r.total_revenue,
    }


def country(r: pb.CountByCountryResponse) -> Json:
    return {"name": r.name, "iso_3166_1": r.iso_3166_1, "count": r.count}


def language(r: pb.CountByLanguageResponse) -> Json:
    return {"iso_639_1": r.iso_639_1, "name": r.name, "english_name": r.english_name, "count": r.count}


def recommendations(r: rpb.RecommendResponse) -> Json:
    seed = r.seed
    return {
        "seed": {
            "kind": enum_name(rpb.ResolvedSeed.Kind, seed.kind, "KIND_"),
            "movie": movie_ref(seed.movie) if seed.HasField("movie") else None,
            "same_title": movie_refs(seed.same_title),
            "text": seed.text,
        },
        "recommendations": [
            {
                "movie": movie_ref(rec.movie),
                "genres": list(rec.genres),
                "score": rec.score,
                "similarity": rec.similarity,
                "reasons": [enum_name(rpb.Recommendation.Reason, reason, "REASON_") for reason in rec.reasons],
                "shared_genres": list(rec.shared_genres),
            }
            for rec in r.recommendations
        ],
        "matched": r.matched,
    }


def model_info(r: rpb.GetModelInfoResponse) -> Json:
    return {
        "release_version": r.release_version,
        "built_at": r.built_at,
        "items": r.items,
        "dimensions": r.dimensions,
        "trees": r.trees,
        "metric": r.metric,
        "recall_at_10": r.recall_at_10,
        "parameters": dict(r.parameters),
        "build_seconds": r.build_seconds,
    }
