"""/v1 routes about films: one film, search, similar films, recommendations, the model."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee_common.contract import DEFAULT_LIMIT, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from marquee_gateway.answers import AnswerRouter, v1
from marquee_gateway.deps import Catalog, Recommender
from marquee_gateway.errors import InvalidRequest
from marquee_gateway.routes.params import (
    INT64_MAX,
    MAX_YEAR,
    MIN_YEAR,
    TEXT_RULE,
    Filters,
    Limit,
    Popularity,
    SingleValues,
    Text,
)

router = AnswerRouter(prefix="/v1", tags=["films"], dependencies=[SingleValues])

MovieId = Annotated[int, Path(ge=1, le=INT64_MAX, description="the film's TMDB id, a positive integer", examples=[862])]


@router.answer("/movies/{movie_id:segment}", v1.Movie)
async def get_movie(movie_id: MovieId, catalog: Catalog) -> pb.Movie:
    """Everything about one film: genres, collection, companies, countries, money, votes, directors, top cast."""
    return await catalog.movies.call(pb.GetMovieRequest(movie_id=movie_id))


@router.answer("/movies", v1.SearchPage)
async def search_movies(
    catalog: Catalog,
    query: Annotated[
        Text, Query(description=f"title words; exact, prefix and close spellings match; {TEXT_RULE}", examples=["toy"])
    ],
    year: Annotated[
        int | None, Query(ge=MIN_YEAR, le=MAX_YEAR, description=f"release year ({MIN_YEAR}..{MAX_YEAR})")
    ] = None,
    page_size: Annotated[
        int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"films per page, 1..{MAX_PAGE_SIZE}")
    ] = DEFAULT_PAGE_SIZE,
    page_token: Annotated[
        str,
        Query(
            description="`next_page_token` of the previous page of the same search, as it came; empty for the "
            "first page. A token is opaque: any other value is 422"
        ),
    ] = "",
) -> pb.SearchMoviesResponse:
    """Films by title: exact matches first, then titles starting with the query, then close spellings."""
    request = pb.SearchMoviesRequest(query=query, page_size=page_size, page_token=page_token)
    if year is not None:
        request.year = year
    return await catalog.call(catalog.stub.SearchMovies, request)


@router.answer("/movies/{movie_id:segment}/similar", v1.Recommendations)
async def similar_movies(
    movie_id: MovieId,
    recommender: Recommender,
    filters: Filters,
    limit: Limit = DEFAULT_LIMIT,
    popularity: Popularity = None,
) -> rpb.RecommendResponse:
    """Films similar to this one (never itself), optionally filtered by genre, years, votes, and ranked
    towards well-known or lesser-known films (`popularity`)."""
    request = rpb.RecommendRequest(movie_id=movie_id, limit=limit, filters=filters, popularity=popularity)
    return await recommender.recommend.call(request)


@router.answer("/recommendations", v1.Recommendations, example=v1.TEXT_RECOMMENDATIONS)
async def recommendations(
    recommender: Recommender,
    filters: Filters,
    title: Annotated[
        Text | None,
        Query(description=f"a film's title (give `title` or `text`, not both); {TEXT_RULE}", examples=["Toy Story"]),
    ] = None,
    year: Annotated[
        int | None,
        Query(
            ge=MIN_YEAR,
            le=MAX_YEAR,
            description=f"picks one of several films sharing the title; only with `title` ({MIN_YEAR}..{MAX_YEAR})",
            examples=[1995],
        ),
    ] = None,
    text: Annotated[
        Text | None,
        # No `examples` here: a client (or a tool) combining every parameter's example would send
        # title and text together; this one is in the words.
        Query(
            description=f"free text, e.g. 'a cowboy doll and a space toy' (give `title` or `text`, not both); "
            f"{TEXT_RULE}"
        ),
    ] = None,
    limit: Limit = DEFAULT_LIMIT,
    popularity: Popularity = None,
) -> rpb.RecommendResponse:
    """Films similar to a title or to free text.

    Give exactly one of `title` or `text`; `year` only with `title`; `year_min` not after `year_max`.
    A request that breaks one of these rules is 422 (OpenAPI cannot state a rule between parameters).
    """
    if (title is None) == (text is None):
        raise InvalidRequest("give exactly one of title or text")
    request = rpb.RecommendRequest(limit=limit, filters=filters, popularity=popularity)
    if title is not None:
        request.title.title = title
        if year is not None:
            request.title.year = year
    else:
        if year is not None:
            raise InvalidRequest("year picks one of several films sharing a title; it needs title, not text")
        request.text = text or ""
    return await recommender.recommend.call(request)


@router.answer("/model", v1.ModelInfo, tags=["operations"])
async def model_info(recommender: Recommender) -> rpb.GetModelInfoResponse:
    """The recommender's model: release, size, index parameters, measured recall."""
    return await recommender.call(recommender.stub.GetModelInfo, rpb.GetModelInfoRequest())
