"""/v1 routes answered by the catalog: release counts, title facts, people and groups.

Text parameters take the rest of the path (`{name:text}`, routes/params.py), so a title with a slash
("Face/Off") still reaches the catalog, and a blank one is the parameter's 422.
"""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Path

from marquee.v1 import catalog_pb2 as pb
from marquee_common.calendar_names import MONTH, WEEKDAY
from marquee_common.contract import DEFAULT_GROUP_FILMS
from marquee_gateway.answers import AnswerRouter, v1
from marquee_gateway.deps import Catalog
from marquee_gateway.routes.params import TEXT_RULE, GroupFilms, MonthName, SingleValues, Text, WeekdayName, Year

router = AnswerRouter(prefix="/v1", dependencies=[SingleValues])

Month = Annotated[MonthName, Path(description=MONTH.rule, examples=["setiembre"])]
Day = Annotated[WeekdayName, Path(description=WEEKDAY.rule, examples=["sábado"])]
LOOSE = f"case, accents and punctuation do not matter; {TEXT_RULE}"
T = TypeVar("T", pb.GetTitleScoreRequest, pb.GetTitleVotesRequest, pb.GetRuntimeRequest, pb.GetMovieReturnRequest)
Title = Annotated[Text, Path(description=f"the whole title; {LOOSE}", examples=["Toy Story"])]


def title_request(kind: type[T], title: str, year: int | None) -> T:
    """A title-keyed request (GetTitleScoreRequest, ...): the year only when one is asked for."""
    return kind(title=title) if year is None else kind(title=title, year=year)


@router.answer("/stats/releases/month/{month:text}", v1.MonthCount, tags=["stats"])
async def releases_by_month(month: Month, catalog: Catalog) -> pb.CountReleasesByMonthResponse:
    """How many films were released in a month, all years together."""
    return await catalog.call(catalog.stub.CountReleasesByMonth, pb.CountReleasesByMonthRequest(month=month))


@router.answer("/stats/releases/weekday/{day:text}", v1.WeekdayCount, tags=["stats"])
async def releases_by_weekday(day: Day, catalog: Catalog) -> pb.CountReleasesByWeekdayResponse:
    """How many films were released on a weekday, all years together."""
    return await catalog.call(catalog.stub.CountReleasesByWeekday, pb.CountReleasesByWeekdayRequest(day=day))


@router.answer("/titles/{title:text}/score", v1.TitleScore, tags=["titles"])
async def title_score(title: Title, catalog: Catalog, year: Year = None) -> pb.GetTitleScoreResponse:
    """A film's popularity score, by title."""
    return await catalog.call(catalog.stub.GetTitleScore, title_request(pb.GetTitleScoreRequest, title, year))


@router.answer("/titles/{title:text}/votes", v1.TitleVotes, tags=["titles"])
async def title_votes(title: Title, catalog: Catalog, year: Year = None) -> pb.GetTitleVotesResponse:
    """A film's vote count and average, and whether it reaches 2000 votes."""
    return await catalog.call(catalog.stub.GetTitleVotes, title_request(pb.GetTitleVotesRequest, title, year))


@router.answer("/titles/{title:text}/runtime", v1.TitleRuntime, tags=["titles"])
async def title_runtime(title: Title, catalog: Catalog, year: Year = None) -> pb.GetRuntimeResponse:
    """A film's running time in minutes (null when the data has none)."""
    return await catalog.call(catalog.stub.GetRuntime, title_request(pb.GetRuntimeRequest, title, year))


@router.answer("/titles/{title:text}/return", v1.TitleReturn, tags=["titles"])
async def title_return(title: Title, catalog: Catalog, year: Year = None) -> pb.GetMovieReturnResponse:
    """A film's budget, revenue and return (revenue / budget, 0 when either is 0)."""
    return await catalog.call(catalog.stub.GetMovieReturn, title_request(pb.GetMovieReturnRequest, title, year))


@router.answer("/actors/{name:text}", v1.Actor, tags=["people"])
async def actor(
    name: Annotated[Text, Path(description=LOOSE, examples=["Tom Hanks"])], catalog: Catalog
) -> pb.GetActorResponse:
    """An actor's films (less those they directed) and their total and average return."""
    return await catalog.call(catalog.stub.GetActor, pb.GetActorRequest(name=name))


@router.answer("/directors/{name:text}", v1.Director, tags=["people"])
async def director(
    name: Annotated[Text, Path(description=LOOSE, examples=["Michael Mann"])], catalog: Catalog
) -> pb.GetDirectorResponse:
    """A director's films, each with return, budget, revenue and profit."""
    return await catalog.call(catalog.stub.GetDirector, pb.GetDirectorRequest(name=name))


@router.answer("/collections/{name:text}", v1.CollectionStats, tags=["groups"])
async def collection(
    name: Annotated[Text, Path(description=f"{LOOSE}; 'Collection' optional", examples=["Toy Story"])],
    catalog: Catalog,
) -> pb.GetCollectionResponse:
    """A collection (franchise), with or without the word "Collection": its films and revenue."""
    return await catalog.call(catalog.stub.GetCollection, pb.GetCollectionRequest(name=name))


@router.answer("/companies/{name:text}", v1.CompanyStats, tags=["groups"])
async def company(
    name: Annotated[Text, Path(description=LOOSE, examples=["Pixar Animation Studios"])],
    catalog: Catalog,
    limit: GroupFilms = DEFAULT_GROUP_FILMS,
) -> pb.GetCompanyResponse:
    """A production company: how many films, their total revenue and its most-voted films."""
    return await catalog.call(catalog.stub.GetCompany, pb.GetCompanyRequest(name=name, limit=limit))


@router.answer("/countries/{country:text}", v1.CountryCount, tags=["groups"])
async def country(
    country: Annotated[Text, Path(description="name as in the data, or ISO 3166-1 code", examples=["France"])],
    catalog: Catalog,
    limit: GroupFilms = DEFAULT_GROUP_FILMS,
) -> pb.CountByCountryResponse:
    """How many films were produced in a country, and its most-voted ones."""
    return await catalog.call(catalog.stub.CountByCountry, pb.CountByCountryRequest(country=country, limit=limit))


@router.answer("/languages/{language:text}", v1.LanguageCount, tags=["groups"])
async def language(
    language: Annotated[Text, Path(description="ISO 639-1 code, the data's name or the English name", examples=["fr"])],
    catalog: Catalog,
    limit: GroupFilms = DEFAULT_GROUP_FILMS,
) -> pb.CountByLanguageResponse:
    """How many films have a language as their original language, and the most-voted of them."""
    request = pb.CountByLanguageRequest(language=language, limit=limit)
    return await catalog.call(catalog.stub.CountByLanguage, request)
