"""Parameter types shared by the routes: each carries its rule, and the OpenAPI document states it.

The gateway refuses (422 INVALID_ARGUMENT, before any upstream call) what breaks a rule a client can
read in the document: blank or over-long text, a month or weekday the catalog would not read, a
number outside the range the services accept (bounds shared with them: `marquee_common`). What
depends on the data (a title, a genre) is the services' call: NOT_FOUND with suggestions.

Path values are matched by two convertors registered here: `text`, anything (slashes and line
breaks too) or nothing, and `segment`, one path segment or nothing; so a blank value is the
parameter's 422, never a missing route's 404.
"""

from __future__ import annotations

import types
import typing
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError
from starlette.convertors import Convertor, register_url_convertor

from marquee.v1 import recommender_pb2 as rpb
from marquee_common.calendar_names import MONTH, WEEKDAY, NamedNumbers
from marquee_common.contract import MAX_GROUP_FILMS, MAX_LIMIT
from marquee_common.text import MAX_QUERY_CHARS
from marquee_common.validation import (
    MAX_VERSION_CHARS,
    MAX_YEAR,
    MIN_YEAR,
    NON_BLANK_PATTERN,
    VERSION_PATTERN,
    is_blank,
    version_problem,
)

INT64_MAX = 2**63 - 1
__all__ = ["INT64_MAX", "MAX_YEAR", "MIN_YEAR"]  # the routes take the services' bounds from here too


class _Text(Convertor[str]):
    regex = "(?s:.*)"  # Starlette's `path` is `.*`, which stops at a line break: '%0A' found no route

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


class _Segment(_Text):
    regex = "[^/]*"  # Starlette's default is `[^/]+`: '/v1/movies/' found no route


register_url_convertor("text", _Text())
register_url_convertor("segment", _Segment())


def invalid(message: str, suggestions: list[str] | tuple[str, ...] = ()) -> PydanticCustomError:
    """A validation error whose message is `message`; errors.py passes `suggestions` to the error body."""
    return PydanticCustomError("invalid", "{message}", {"suggestions": list(suggestions), "message": message})


def _check_text(value: str) -> str:
    if is_blank(value):
        raise invalid("must not be empty or blank")
    if len(value) > MAX_QUERY_CHARS:
        raise invalid(f"is {len(value)} characters long; at most {MAX_QUERY_CHARS} are accepted")
    return value


def _text_schema(schema: dict[str, Any]) -> None:
    schema.update(minLength=1, maxLength=MAX_QUERY_CHARS, pattern=NON_BLANK_PATTERN)


Text = Annotated[str, AfterValidator(_check_text), Field(json_schema_extra=_text_schema)]
"""Free text (a title, a name, a query): not blank, at most 200 characters; the services match it loosely."""
TEXT_RULE = f"not blank, at most {MAX_QUERY_CHARS} characters"


def _check_version(value: str) -> str:
    problem = version_problem(value)
    if problem is not None:
        raise invalid(problem)
    return value


def _version_schema(schema: dict[str, Any]) -> None:
    schema.update(minLength=1, maxLength=MAX_VERSION_CHARS, pattern=VERSION_PATTERN)


ReleaseVersion = Annotated[str, AfterValidator(_check_version), Field(json_schema_extra=_version_schema)]
"""A release's version as the services read it (marquee_common.validation): never a path out of releases/."""
VERSION_RULE = (
    f"at most {MAX_VERSION_CHARS} characters: letters, digits, '.', '_' and '-', starting with a letter or "
    "digit, no '..' and no '.' at the end"
)


def _named(kind: NamedNumbers) -> Any:
    def check(value: str) -> str:
        if kind.number(value) is None:
            raise invalid(kind.error(value), kind.names)
        return value

    return Annotated[str, AfterValidator(check), Field(json_schema_extra={"pattern": kind.pattern})]


MonthName = _named(MONTH)
"""A month as the catalog reads it (marquee_common.calendar_names); anything else is 422 listing the months."""
WeekdayName = _named(WEEKDAY)


def _is_list(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set, frozenset):
        return True
    return origin in (typing.Union, types.UnionType) and any(_is_list(a) for a in typing.get_args(annotation))


def query_fields(dependant: Dependant) -> Iterator[Any]:
    """The query parameters a route declares, its dependencies' included (the cache keys on them too)."""
    yield from dependant.query_params
    for sub in dependant.dependencies:
        yield from query_fields(sub)


def _single_valued(route: Any) -> frozenset[str]:
    """The route's query parameters that take one value (all but lists like `genres`)."""
    dependant = getattr(route, "dependant", None)
    fields = query_fields(dependant) if dependant is not None else ()
    return frozenset(f.alias for f in fields if not _is_list(f.field_info.annotation))


async def single_values(request: Request) -> None:
    """Refuse a single-valued query parameter given more than once, which FastAPI reads as its last value.

    Every router declares it; a parameter the route does not know is ignored, repeated or not.
    """
    query = request.query_params
    if len(query) == len(query.multi_items()):  # no name repeats: the usual case, decided at once
        return
    names = _single_valued(request.scope.get("route"))
    counts = Counter(key for key, _ in query.multi_items() if key in names)
    errors = [
        {
            "type": "repeated",
            "loc": ("query", name),
            "msg": f"given {count} times ({', '.join(map(repr, query.getlist(name)))}); give it once",
            "input": query.getlist(name),
        }
        for name, count in counts.items()
        if count > 1
    ]
    if errors:
        raise RequestValidationError(errors)


SingleValues = Depends(single_values)

Year = Annotated[
    int | None,
    Query(
        ge=MIN_YEAR,
        le=MAX_YEAR,
        description=f"picks one of several films sharing the title ({MIN_YEAR}..{MAX_YEAR})",
        examples=[1995],
    ),
]
"""Films one recommendation may ask for: the recommender's bound."""
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"how many films, 1..{MAX_LIMIT}")]
Popularity = Annotated[
    float | None,
    Query(
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="how much the ranking favours well-known films: 0 ranks by similarity alone, 1 favours "
        "well-known films most; unset uses the service's default (the answer's `popularity` says which)",
        examples=[0.5],
    ),
]
"""Films a company's, country's or language's answer lists: the catalog's bound."""
GroupFilms = Annotated[
    int,
    Query(
        ge=1,
        le=MAX_GROUP_FILMS,
        description=f"how many of its films to list, most-voted first: 1..{MAX_GROUP_FILMS}",
    ),
]


async def recommend_filters(
    genres: Annotated[
        list[str] | None,
        Query(
            description="any of these genres; repeat the parameter or separate with commas (one the release "
            "does not have is 404 with the close ones as suggestions)",
            examples=["Comedy"],
        ),
    ] = None,
    year_min: Annotated[
        int | None,
        Query(
            ge=MIN_YEAR,
            le=MAX_YEAR,
            description="released in this year or later; not after `year_max`",
            examples=[1990],
        ),
    ] = None,  # fmt: skip
    year_max: Annotated[
        int | None,
        Query(
            ge=MIN_YEAR,
            le=MAX_YEAR,
            description="released in this year or earlier; not before `year_min`",
            examples=[2005],
        ),
    ] = None,  # fmt: skip
    min_votes: Annotated[
        int | None, Query(ge=0, le=INT64_MAX, description="at least this many votes", examples=[100])
    ] = None,
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
