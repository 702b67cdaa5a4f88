"""Parameter types shared by the routes, with their ranges and OpenAPI examples.

Integers are bounded to their protobuf type here (a larger one could not be sent); what is
a sensible value (a year, a limit) is the services' call, which answer INVALID_ARGUMENT.
Free-text parameters are bounded by the services too (empty or over 200 characters).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from marquee.v1 import recommender_pb2 as rpb

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

Year = Annotated[
    int | None,
    Query(ge=INT32_MIN, le=INT32_MAX, description="picks one of several films sharing the title", examples=[1995]),
]
Limit = Annotated[int, Query(ge=1, le=50, description="how many films, 1..50")]


async def recommend_filters(
    genres: Annotated[
        list[str] | None,
        Query(description="any of these genres; repeat the parameter or separate with commas", examples=["Comedy"]),
    ] = None,
    year_min: Annotated[int | None, Query(ge=INT32_MIN, le=INT32_MAX, examples=[1990])] = None,
    year_max: Annotated[int | None, Query(ge=INT32_MIN, le=INT32_MAX, examples=[2005])] = None,
    min_votes: Annotated[int | None, Query(ge=INT64_MIN, le=INT64_MAX, examples=[100])] = None,
    include_adult: Annotated[bool, Query(description="adult films are left out unless asked for")] = False,
) -> rpb.RecommendFilters:
    filters = rpb.RecommendFilters(include_adult=include_adult)
    filters.genres.extend(g.strip() for value in genres or () for g in value.split(",") if g.strip())
    if year_min is not None:
        filters.year_min = year_min
    if year_max is not None:
        filters.year_max = year_max
    if min_votes is not None:
        filters.min_votes = min_votes
    return filters


Filters = Annotated[rpb.RecommendFilters, Depends(recommend_filters)]
