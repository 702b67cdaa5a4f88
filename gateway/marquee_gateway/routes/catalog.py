"""/v1 routes answered by the catalog: release counts, title facts, people and groups.

Text parameters take the rest of the path (`{name:text}`, routes/params.py), so a title with a slash
("Face/Off") still reaches the catalog, and a blank one is the parameter's 422.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Path

from marquee.v1 import catalog_pb2 as pb
from marquee_common.calendar_names import MONTH, WEEKDAY
from marquee_gateway import convert, models
from marquee_gateway.deps import Catalog
from marquee_gateway.examples import documented
from marquee_gateway.responses import json_answer
from marquee_gateway.routes.params import TEXT_RULE, MonthName, SingleValues, Text, WeekdayName, Year

router = APIRouter(prefix="/v1", dependencies=[SingleValues])

Month = Annotated[MonthName, Path(description=MONTH.rule, examples=["setiembre"])]
Day = Annotated[WeekdayName, Path(description=WEEKDAY.rule, examples=["sábado"])]
LOOSE = f"case, accents and punctuation do not matter; {TEXT_RULE}"
T = TypeVar("T", pb.GetTitleScoreRequest, pb.GetTitleVotesRequest, pb.GetRuntimeRequest, pb.GetMovieReturnRequest)
Title = Annotated[Text, Path(description=f"the whole title; {LOOSE}", examples=["Toy Story"])]


def title_request(kind: type[T], title: str, year: int | None) -> T:
    """A title-keyed request (GetTitleScoreRequest, ...): the year only when one is asked for."""
    return kind(title=title) if year is None else kind(title=title, year=year)


@router.get(
    "/stats/releases/month/{month:text}",
    response_model=models.ReleaseCount,
    responses=documented("month"),
    tags=["stats"],
)
@json_answer
async def releases_by_month(month: Month, catalog: Catalog) -> Any:
    """How many films were released in a month, all years together."""
    return convert.release_count(
        await catalog.call(catalog.stub.CountReleasesByMonth, pb.CountReleasesByMonthRequest(month=month))
    )


@router.get(
    "/stats/releases/weekday/{day:text}",
    response_model=models.ReleaseCount,
    responses=documented("weekday"),
    tags=["stats"],
)
@json_answer
async def releases_by_weekday(day: Day, catalog: Catalog) -> Any:
    """How many films were released on a weekday, all years together."""
    return convert.release_count(
        await catalog.call(catalog.stub.CountReleasesByWeekday, pb.CountReleasesByWeekdayRequest(day=day))
    )


@router.get(
    "/titles/{title:text}/score", response_model=models.TitleScore, responses=documented("score"), tags=["titles"]
)
@json_answer
async def title_score(title: Title, catalog: Catalog, year: Year = None) -> Any:
    """A film's popularity score, by title."""
    return convert.title_score(
        await catalog.call(catalog.stub.GetTitleScore, title_request(pb.GetTitleScoreRequest, title, year))
    )


@router.get(
    "/titles/{title:text}/votes", response_model=models.TitleVotes, responses=documented("votes"), tags=["titles"]
)
@json_answer
async def title_votes(title: Title, catalog: Catalog, year: Year = None) -> Any:
    """A film's vote count and average, and whether it reaches 2000 votes."""
    return convert.title_votes(
        await catalog.call(catalog.stub.GetTitleVotes, title_request(pb.GetTitleVotesRequest, title, year))
    )


@router.get(
    "/titles/{title:text}/runtime",
    response_model=models.TitleRuntime,
    responses=documented("runtime"),
    tags=["titles"],
)
@json_answer
async def title_runtime(title: Title, catalog: Catalog, year: Year = None) -> Any:
    """A film's running time in minutes (null when the data has none)."""
    return convert.title_runtime(
        await catalog.call(catalog.stub.GetRuntime, title_request(pb.GetRuntimeRequest, title, year))
    )


@router.get(
    "/titles/{title:text}/return", response_model=models.TitleReturn, responses=documented("return"), tags=["titles"]
)
@json_answer
async def title_return(title: Title, catalog: Catalog, year: Year = None) -> Any:
    """A film's budget, revenue and return (revenue / budget, 0 when either is 0)."""
    return convert.title_return(
        await catalog.call(catalog.stub.GetMovieReturn, title_request(pb.GetMovieReturnRequest, title, year))
    )


@router.get("/actors/{name:text}", response_model=models.Actor, responses=documented("actor"), tags=["people"])
@json_answer
async def actor(name: Annotated[Text, Path(description=LOOSE, examples=["Tom Hanks"])], catalog: Catalog) -> Any:
    """An actor's films (less those they directed) and their total and average return."""
    return convert.actor(await catalog.call(catalog.stub.GetActor, pb.GetActorRequest(name=name)))


@router.get("/directors/{name:text}", response_model=models.Director, responses=documented("director"), tags=["people"])
@json_answer
async def director(name: Annotated[Text, Path(description=LOOSE, examples=["Michael Mann"])], catalog: Catalog) -> Any:
    """A director's films, each with return, budget, revenue and profit."""
    return convert.director(await catalog.call(catalog.stub.GetDirector, pb.GetDirectorRequest(name=name)))


@router.get(
    "/collections/{name:text}",
    response_model=models.CollectionStats,
    responses=documented("collection"),
    tags=["groups"],
)
@json_answer
async def collection(
    name: Annotated[Text, Path(description=f"{LOOSE}; 'Collection' optional", examples=["Toy Story"])],
    catalog: Catalog,
) -> Any:
    """A collection (franchise), with or without the word "Collection": its films and revenue."""
    return convert.collection(await catalog.call(catalog.stub.GetCollection, pb.GetCollectionRequest(name=name)))


@router.get(
    "/companies/{name:text}", response_model=models.CompanyStats, responses=documented("company"), tags=["groups"]
)
@json_answer
async def company(
    name: Annotated[Text, Path(description=LOOSE, examples=["Pixar Animation Studios"])], catalog: Catalog
) -> Any:
    """A production company: how many films and their total revenue."""
    return convert.company(await catalog.call(catalog.stub.GetCompany, pb.GetCompanyRequest(name=name)))


@router.get(
    "/countries/{country:text}",
    response_model=models.CountryCount,
    responses=documented("country"),
    tags=["groups"],
)
@json_answer
async def country(
    country: Annotated[Text, Path(description="name as in the data, or ISO 3166-1 code", examples=["France"])],
    catalog: Catalog,
) -> Any:
    """How many films were produced in a country."""
    return convert.country(await catalog.call(catalog.stub.CountByCountry, pb.CountByCountryRequest(country=country)))


@router.get(
    "/languages/{language:text}",
    response_model=models.LanguageCount,
    responses=documented("language"),
    tags=["groups"],
)
@json_answer
async def language(
    language: Annotated[Text, Path(description="ISO 639-1 code, the data's name or the English name", examples=["fr"])],
    catalog: Catalog,
) -> Any:
    """How many films have a language as their original language."""
    return convert.language(
        await catalog.call(catalog.stub.CountByLanguage, pb.CountByLanguageRequest(language=language))
    )
