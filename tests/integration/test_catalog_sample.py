"""The catalog on the bundled real sample, checked against tests/oracle.py, an independent
plain-Python computation from the raw files."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import catalog_pb2_grpc
from tests.harness import SAMPLE_RAW, RunningService
from tests.oracle import Oracle

MONTHS = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
DAYS = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")


@pytest.fixture(scope="module")
def oracle() -> Oracle:
    return Oracle.load(SAMPLE_RAW)


@pytest.fixture(scope="module")
def catalog(
    sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[catalog_pb2_grpc.CatalogServiceStub]:
    log = tmp_path_factory.mktemp("logs") / "catalog-sample.log"
    service = RunningService("marquee_catalog", "CATALOG", sample_data_dir, "marquee.v1.CatalogService", log)
    try:
        with grpc.insecure_channel(service.target) as channel:
            yield catalog_pb2_grpc.CatalogServiceStub(channel)
    finally:
        service.stop()


def test_oracle_sees_the_films_the_data_readme_describes(oracle: Oracle) -> None:
    assert len(oracle.films) == 5000 - 1 - 4  # one repeated id, four without release date


def test_every_month_count_matches_the_raw_files(catalog, oracle: Oracle) -> None:
    expected = oracle.month_counts()
    for number, name in enumerate(MONTHS, start=1):
        assert catalog.CountReleasesByMonth(pb.CountReleasesByMonthRequest(month=name)).count == expected[number], name


def test_every_weekday_count_matches_the_raw_files(catalog, oracle: Oracle) -> None:
    expected = oracle.weekday_counts()
    for number, name in enumerate(DAYS, start=1):
        assert catalog.CountReleasesByWeekday(pb.CountReleasesByWeekdayRequest(day=name)).count == expected[number], (
            name
        )


@pytest.mark.parametrize("title", ["Toy Story", "Heat", "GoldenEye", "Jumanji", "Cinderella", "Hamlet"])
def test_title_figures_match_the_raw_files(catalog, oracle: Oracle, title: str) -> None:
    films = oracle.by_title(title)
    best = films[0]
    votes = catalog.GetTitleVotes(pb.GetTitleVotesRequest(title=title))
    assert (votes.movie.id, votes.vote_count, votes.vote_average) == (best.id, best.votes, best.average)
    assert votes.reaches_2000_votes == (best.votes >= 2000)
    assert sorted(m.id for m in votes.same_title) == sorted(f.id for f in films[1:])
    score = catalog.GetTitleScore(pb.GetTitleScoreRequest(title=title))
    assert score.popularity == pytest.approx(best.popularity)
    money = catalog.GetMovieReturn(pb.GetMovieReturnRequest(title=title))
    assert (money.budget, money.revenue) == (best.budget, best.revenue)
    assert money.return_ratio == pytest.approx(best.ret)


@pytest.mark.parametrize("name", ["Tom Hanks", "Al Pacino", "Robert De Niro", "Robin Williams", "Walter Matthau"])
def test_actor_figures_match_the_raw_files(catalog, oracle: Oracle, name: str) -> None:
    count, total = oracle.actor(name)
    reply = catalog.GetActor(pb.GetActorRequest(name=name))
    assert reply.movie_count == count
    assert reply.total_return == pytest.approx(total)
    assert reply.average_return == pytest.approx(total / count if count else 0.0)


@pytest.mark.parametrize("name", ["Michael Mann", "John Lasseter", "Joe Johnston", "Forest Whitaker"])
def test_director_figures_match_the_raw_files(catalog, oracle: Oracle, name: str) -> None:
    films = oracle.director(name)
    reply = catalog.GetDirector(pb.GetDirectorRequest(name=name))
    assert [f.movie.id for f in reply.films] == [f.id for f in films]
    assert reply.total_return == pytest.approx(sum(f.ret for f in films))
    assert [f.profit for f in reply.films] == [f.revenue - f.budget for f in films]


@pytest.mark.parametrize("name", ["Toy Story Collection", "James Bond Collection", "Star Wars Collection"])
def test_collection_figures_match_the_raw_files(catalog, oracle: Oracle, name: str) -> None:
    films = oracle.collection(name)
    reply = catalog.GetCollection(pb.GetCollectionRequest(name=name.removesuffix(" Collection")))
    assert reply.movie_count == len(films)
    assert reply.total_revenue == sum(f.revenue for f in films)


@pytest.mark.parametrize("name", ["Pixar Animation Studios", "Warner Bros.", "Metro-Goldwyn-Mayer (MGM)"])
def test_company_figures_match_the_raw_files(catalog, oracle: Oracle, name: str) -> None:
    films = oracle.company(name)
    reply = catalog.GetCompany(pb.GetCompanyRequest(name=name))
    assert (reply.movie_count, reply.total_revenue) == (len(films), sum(f.revenue for f in films))


@pytest.mark.parametrize("code", ["US", "FR", "GB", "JP"])
def test_country_counts_match_the_raw_files(catalog, oracle: Oracle, code: str) -> None:
    assert catalog.CountByCountry(pb.CountByCountryRequest(country=code)).count == oracle.country(code)


@pytest.mark.parametrize(("language", "code"), [("en", "en"), ("Français", "fr"), ("Deutsch", "de"), ("Italian", "it")])
def test_language_counts_match_the_raw_files(catalog, oracle: Oracle, language: str, code: str) -> None:
    assert catalog.CountByLanguage(pb.CountByLanguageRequest(language=language)).count == oracle.language(code)


@pytest.mark.parametrize("name", ["Pixar Animation Studios", "Warner Bros.", "Metro-Goldwyn-Mayer (MGM)"])
def test_a_company_lists_its_twenty_most_voted_films_unless_told(catalog, oracle: Oracle, name: str) -> None:
    films = oracle.company(name)
    reply = catalog.GetCompany(pb.GetCompanyRequest(name=name))
    assert [f.id for f in reply.films] == oracle.most_voted(films, 20)
    every = catalog.GetCompany(pb.GetCompanyRequest(name=name, limit=100))
    assert [f.id for f in every.films] == oracle.most_voted(films, 100)


@pytest.mark.parametrize(("code", "limit"), [("US", 100), ("FR", 7), ("GB", 1), ("JP", 0)])
def test_a_country_lists_its_most_voted_films_up_to_the_limit(catalog, oracle: Oracle, code: str, limit: int) -> None:
    reply = catalog.CountByCountry(pb.CountByCountryRequest(country=code, limit=limit))
    assert [f.id for f in reply.films] == oracle.most_voted(oracle.country_films(code), limit or 20)


@pytest.mark.parametrize(
    ("language", "code", "limit"), [("en", "en", 100), ("Français", "fr", 3), ("Italian", "it", 0)]
)
def test_a_language_lists_its_most_voted_films_up_to_the_limit(
    catalog, oracle: Oracle, language: str, code: str, limit: int
) -> None:
    reply = catalog.CountByLanguage(pb.CountByLanguageRequest(language=language, limit=limit))
    assert [f.id for f in reply.films] == oracle.most_voted(oracle.language_films(code), limit or 20)


def test_a_group_film_is_the_film_the_catalog_lists_elsewhere(catalog, oracle: Oracle) -> None:
    film = catalog.CountByLanguage(pb.CountByLanguageRequest(language="fr", limit=1)).films[0]
    expected = oracle.films[film.id]
    assert (film.title, film.year, film.release_date) == (
        expected.title,
        expected.released.year,
        expected.released.isoformat(),
    )
