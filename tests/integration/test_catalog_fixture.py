"""Every catalog RPC over a real gRPC connection to the real server process, on the hand-made
fixture; expected values are in tests/fixtures/EXPECTED.md, worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator

import grpc
import pytest

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import catalog_pb2_grpc
from tests.harness import RunningService
from tests.status_details import details


@pytest.fixture(scope="module")
def catalog(catalog_process: RunningService) -> Iterator[catalog_pb2_grpc.CatalogServiceStub]:
    with grpc.insecure_channel(catalog_process.target) as channel:
        yield catalog_pb2_grpc.CatalogServiceStub(channel)


def _error(call: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        call()  # type: ignore[operator]
    return info.value  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("month", "name", "count"),
    [
        ("enero", "enero", 1),
        ("Septiembre", "septiembre", 3),
        ("setiembre", "septiembre", 3),
        ("SEPTEMBER", "septiembre", 3),
        ("9", "septiembre", 3),
        ("diciembre", "diciembre", 1),
        ("junio", "junio", 1),
    ],
)
def test_releases_are_counted_by_month_in_any_accepted_spelling(catalog, month: str, name: str, count: int) -> None:
    reply = catalog.CountReleasesByMonth(pb.CountReleasesByMonthRequest(month=month))
    assert (reply.name, reply.count) == (name, count)


@pytest.mark.parametrize(
    ("day", "name", "count"),
    [
        ("lunes", "lunes", 2),
        ("Miércoles", "miércoles", 2),
        ("miercoles", "miércoles", 2),
        ("sabado", "sábado", 1),
        ("SÁBADO", "sábado", 1),
        ("sunday", "domingo", 2),
        ("jueves", "jueves", 0),
    ],
)
def test_releases_are_counted_by_weekday_with_or_without_accents(catalog, day: str, name: str, count: int) -> None:
    reply = catalog.CountReleasesByWeekday(pb.CountReleasesByWeekdayRequest(day=day))
    assert (reply.name, reply.count) == (name, count)


def test_an_unknown_month_is_invalid_and_the_message_lists_the_accepted_values(catalog) -> None:
    err = _error(lambda: catalog.CountReleasesByMonth(pb.CountReleasesByMonthRequest(month="brumaire")))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert "enero" in err.details() and "diciembre" in err.details()
    assert _error(lambda: catalog.CountReleasesByMonth(pb.CountReleasesByMonthRequest(month="13"))).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )


@pytest.mark.parametrize(
    ("month", "name", "count"),
    [("sep", "septiembre", 3), ("SEPT", "septiembre", 3), ("set", "septiembre", 3), ("09", "septiembre", 3),
     ("ene", "enero", 1), ("jan", "enero", 1), ("Dic", "diciembre", 1), ("dec", "diciembre", 1),
     ("12", "diciembre", 1)],
)  # fmt: skip
def test_months_are_counted_by_abbreviation_or_plain_number(catalog, month: str, name: str, count: int) -> None:
    reply = catalog.CountReleasesByMonth(pb.CountReleasesByMonthRequest(month=month))
    assert (reply.name, reply.count) == (name, count)


# Each of these was read as a month by stripping what is not a letter or digit: -1 January, 1- January,
# +3 and a full-width 3 March.
NOT_MONTHS = ["-1", "-12", "1-", "+3", "３", "٣", "0", "00", "13", "009", "1.0", " 9", "9 ", "sept.", "e n e r o"]


@pytest.mark.parametrize("month", NOT_MONTHS)
def test_a_month_that_is_not_a_plain_number_1_to_12_or_a_name_is_invalid_with_suggestions(catalog, month: str) -> None:
    err = _error(lambda: catalog.CountReleasesByMonth(pb.CountReleasesByMonthRequest(month=month)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, month
    assert details(err).suggestions[:2] == ["enero", "febrero"]


@pytest.mark.parametrize(
    ("day", "name", "count"),
    [("1", "lunes", 2), ("2", "martes", 1), ("3", "miércoles", 2), ("07", "domingo", 2), ("mié", "miércoles", 2),
     ("MIE", "miércoles", 2), ("sáb", "sábado", 1), ("sat", "sábado", 1), ("thurs", "jueves", 0), ("Tue", "martes", 1)],
)  # fmt: skip
def test_weekdays_are_counted_by_iso_number_monday_first_or_abbreviation(
    catalog, day: str, name: str, count: int
) -> None:
    reply = catalog.CountReleasesByWeekday(pb.CountReleasesByWeekdayRequest(day=day))
    assert (reply.name, reply.count) == (name, count)


@pytest.mark.parametrize("day", ["0", "8", "-1", "+1", "１", "1-", "lunes ", "lunes.", "brumaire"])
def test_a_weekday_that_is_not_a_plain_number_1_to_7_or_a_name_is_invalid_with_suggestions(catalog, day: str) -> None:
    err = _error(lambda: catalog.CountReleasesByWeekday(pb.CountReleasesByWeekdayRequest(day=day)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT, day
    assert details(err).suggestions[:2] == ["lunes", "martes"]


def test_a_shared_title_answers_with_the_most_voted_film_and_names_the_others(catalog) -> None:
    reply = catalog.GetTitleScore(pb.GetTitleScoreRequest(title="twin"))
    assert (reply.movie.id, reply.movie.year, reply.popularity) == (5, 2010, 2.0)
    assert [(m.id, m.year) for m in reply.same_title] == [(4, 1990)]


def test_year_picks_one_of_the_films_sharing_a_title(catalog) -> None:
    reply = catalog.GetRuntime(pb.GetRuntimeRequest(title="Twin", year=1990))
    assert reply.movie.id == 4 and not reply.HasField("runtime")
    assert catalog.GetRuntime(pb.GetRuntimeRequest(title="TWIN")).runtime == 120.0
    err = _error(lambda: catalog.GetRuntime(pb.GetRuntimeRequest(title="Twin", year=1999)))
    assert err.code() == grpc.StatusCode.NOT_FOUND and "1990" in err.details() and "2010" in err.details()


def test_title_votes_are_returned_with_the_2000_vote_flag(catalog) -> None:
    alpha = catalog.GetTitleVotes(pb.GetTitleVotesRequest(title="alpha"))
    assert (alpha.vote_count, alpha.vote_average, alpha.reaches_2000_votes) == (2500, 7.0, True)
    sequel = catalog.GetTitleVotes(pb.GetTitleVotesRequest(title="Alpha II"))
    assert (sequel.vote_count, sequel.vote_average, sequel.reaches_2000_votes) == (1500, 6.0, False)


def test_titles_match_without_accents_or_punctuation(catalog) -> None:
    reply = catalog.GetMovieReturn(pb.GetMovieReturnRequest(title="le cafe"))
    assert (reply.movie.id, reply.budget, reply.revenue, reply.return_ratio) == (3, 0, 1000, 0.0)
    assert catalog.GetMovieReturn(pb.GetMovieReturnRequest(title="Alpha")).return_ratio == 3.0


def test_an_unknown_title_is_not_found_with_suggestions(catalog) -> None:
    err = _error(lambda: catalog.GetTitleScore(pb.GetTitleScoreRequest(title="Alpah")))
    assert err.code() == grpc.StatusCode.NOT_FOUND
    assert "Alpha" in err.details()
    assert "Alpha" in details(err).suggestions


@pytest.mark.parametrize("title", ["", "   ", "x" * 201])
def test_empty_or_overlong_titles_are_invalid(catalog, title: str) -> None:
    assert _error(lambda: catalog.GetTitleVotes(pb.GetTitleVotesRequest(title=title))).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )


def test_an_actor_return_leaves_out_the_films_they_directed(catalog) -> None:
    ann = catalog.GetActor(pb.GetActorRequest(name="Ann Lee"))
    assert (ann.movie_count, ann.total_return, ann.average_return) == (2, 3.5, 1.75)
    assert [f.movie.id for f in ann.films] == [1, 2]
    bob = catalog.GetActor(pb.GetActorRequest(name="bob o neil"))
    assert (bob.name, bob.movie_count, bob.total_return, bob.average_return) == ("Bob O'Neil", 3, 3.0, 1.0)


def test_a_director_lists_each_film_with_return_budget_revenue_and_profit(catalog) -> None:
    carl = catalog.GetDirector(pb.GetDirectorRequest(name="carl diaz"))
    assert (carl.name, carl.total_return, carl.movie_count) == ("Carl Díaz", 3.5, 3)
    films = [(f.movie.id, f.title, f.release_date, f.return_ratio, f.budget, f.revenue, f.profit) for f in carl.films]
    assert films == [
        (1, "Alpha", "2000-01-03", 3.0, 100, 300, 200),
        (2, "Alpha II", "2002-02-05", 0.5, 200, 100, -100),
        (5, "Twin", "2010-09-15", 0.0, 0, 0, 0),
    ]


def test_a_collection_matches_with_or_without_the_word_collection(catalog) -> None:
    for name in ("Alpha", "alpha collection", "ALPHA COLLECTION"):
        reply = catalog.GetCollection(pb.GetCollectionRequest(name=name))
        assert (reply.name, reply.movie_count, reply.total_revenue, reply.average_revenue) == (
            "Alpha Collection",
            2,
            400,
            200.0,
        )
        assert [m.id for m in reply.films] == [1, 2]


def test_a_company_counts_its_films_and_sums_their_revenue(catalog) -> None:
    acme = catalog.GetCompany(pb.GetCompanyRequest(name="acme films"))
    assert (acme.name, acme.movie_count, acme.total_revenue) == ("Acme Films", 5, 500)
    atelier = catalog.GetCompany(pb.GetCompanyRequest(name="L'Atelier"))
    assert (atelier.movie_count, atelier.total_revenue) == (1, 1000)


@pytest.mark.parametrize(
    "call",
    [
        lambda c, limit: c.GetCompany(pb.GetCompanyRequest(name="Acme Films", limit=limit)),
        lambda c, limit: c.CountByCountry(pb.CountByCountryRequest(country="US", limit=limit)),
        lambda c, limit: c.CountByLanguage(pb.CountByLanguageRequest(language="en", limit=limit)),
    ],
)
def test_a_group_lists_at_most_limit_films_most_voted_first(catalog, call) -> None:
    every = call(catalog, 100).films
    assert len(every) == 5
    votes = catalog.BatchGetMovies(pb.BatchGetMoviesRequest(movie_ids=[f.id for f in every])).results
    ranks = [(-r.movie.vote_count, r.movie.id) for r in votes]
    assert ranks == sorted(ranks)
    assert [f.id for f in call(catalog, 2).films] == [f.id for f in every[:2]]
    assert len(call(catalog, 0).films) == 5  # unset: the default 20, more than there are


@pytest.mark.parametrize("limit", [-1, 101])
@pytest.mark.parametrize(
    "call",
    [
        lambda c, limit: c.GetCompany(pb.GetCompanyRequest(name="Acme Films", limit=limit)),
        lambda c, limit: c.CountByCountry(pb.CountByCountryRequest(country="US", limit=limit)),
        lambda c, limit: c.CountByLanguage(pb.CountByLanguageRequest(language="en", limit=limit)),
    ],
)
def test_a_group_limit_outside_1_to_100_is_invalid_argument_naming_the_rule(catalog, call, limit: int) -> None:
    with pytest.raises(grpc.RpcError) as caught:
        call(catalog, limit)
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert caught.value.details() == f"limit must be between 1 and 100 (0 or unset lists 20), got {limit}"


@pytest.mark.parametrize(
    ("country", "code", "count"),
    [("US", "US", 5), ("united states of america", "US", 5), ("fr", "FR", 1), ("Spain", "ES", 1)],
)
def test_countries_match_by_name_or_iso_code(catalog, country: str, code: str, count: int) -> None:
    reply = catalog.CountByCountry(pb.CountByCountryRequest(country=country))
    assert (reply.iso_3166_1, reply.count) == (code, count)


@pytest.mark.parametrize(
    ("language", "code", "count"),
    [
        ("fr", "fr", 1),
        ("Français", "fr", 1),
        ("francais", "fr", 1),
        ("French", "fr", 1),
        ("en", "en", 5),
        ("español", "es", 1),
        ("Deutsch", "de", 1),
        ("german", "de", 1),
    ],
)
def test_languages_match_by_code_data_name_or_english_name(catalog, language: str, code: str, count: int) -> None:
    reply = catalog.CountByLanguage(pb.CountByLanguageRequest(language=language))
    assert (reply.iso_639_1, reply.count) == (code, count)


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.GetActor(pb.GetActorRequest(name="Nobody Atall")),
        lambda c: c.GetDirector(pb.GetDirectorRequest(name="Zed")),
        lambda c: c.GetCollection(pb.GetCollectionRequest(name="Omega Saga")),
        lambda c: c.GetCompany(pb.GetCompanyRequest(name="Q")),
        lambda c: c.CountByCountry(pb.CountByCountryRequest(country="Atlantis")),
        lambda c: c.CountByLanguage(pb.CountByLanguageRequest(language="Klingon")),
    ],
)
def test_unknown_names_are_not_found(catalog, call) -> None:
    assert _error(lambda: call(catalog)).code() == grpc.StatusCode.NOT_FOUND


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.GetTitleVotes(pb.GetTitleVotesRequest(title="!!!")),
        lambda c: c.GetActor(pb.GetActorRequest(name="©")),
        lambda c: c.GetDirector(pb.GetDirectorRequest(name="-")),
        lambda c: c.GetCollection(pb.GetCollectionRequest(name="...")),
        lambda c: c.GetCompany(pb.GetCompanyRequest(name="&")),
        lambda c: c.CountByCountry(pb.CountByCountryRequest(country="\u200b")),
        lambda c: c.CountByLanguage(pb.CountByLanguageRequest(language="¿?")),
    ],
)
def test_a_name_without_letters_or_digits_matches_nothing(catalog, call) -> None:
    """Well-formed (not blank, not too long) but it can match no name: NOT_FOUND, like any unknown name."""
    assert _error(lambda: call(catalog)).code() == grpc.StatusCode.NOT_FOUND


def test_a_search_without_letters_or_digits_finds_nothing(catalog) -> None:
    reply = catalog.SearchMovies(pb.SearchMoviesRequest(query="!?"))
    assert (list(reply.hits), reply.total_size, reply.next_page_token) == ([], 0, "")


def test_get_movie_returns_the_whole_film(catalog) -> None:
    movie = catalog.GetMovie(pb.GetMovieRequest(movie_id=1)).movie
    assert (movie.title, movie.year, movie.release_date, movie.runtime) == ("Alpha", 2000, "2000-01-03", 100.0)
    assert (movie.budget, movie.revenue, movie.return_ratio) == (100, 300, 3.0)
    assert list(movie.genres) == ["Drama"] and movie.collection.name == "Alpha Collection"
    assert [c.name for c in movie.companies] == ["Acme Films"]
    assert [(c.iso_3166_1, c.name) for c in movie.countries] == [("US", "United States of America")]
    assert [d.name for d in movie.directors] == ["Carl Díaz"]
    assert [(c.name, c.character) for c in movie.cast] == [("Ann Lee", "Herself"), ("Bob O'Neil", "Friend")]
    assert (movie.imdb_id, movie.poster_path, movie.adult) == ("tt0000001", "/1.jpg", False)


def test_an_unknown_or_invalid_movie_id_is_reported(catalog) -> None:
    assert _error(lambda: catalog.GetMovie(pb.GetMovieRequest(movie_id=6))).code() == grpc.StatusCode.NOT_FOUND
    assert _error(lambda: catalog.GetMovie(pb.GetMovieRequest(movie_id=-3))).code() == grpc.StatusCode.INVALID_ARGUMENT


def test_a_batch_answers_each_film_as_get_movie_would_in_the_order_asked(catalog) -> None:
    reply = catalog.BatchGetMovies(pb.BatchGetMoviesRequest(movie_ids=[5, 1, 6, -3, 1]))
    kinds = [r.WhichOneof("result") for r in reply.results]
    assert kinds == ["movie", "movie", "failure", "failure", "movie"]
    assert [reply.results[i].movie for i in (0, 1, 4)] == [
        catalog.GetMovie(pb.GetMovieRequest(movie_id=m)).movie for m in (5, 1, 1)
    ]
    assert (reply.results[1].movie.title, reply.results[0].movie.year) == ("Alpha", 2010)
    for index, movie_id, code in ((2, 6, "NOT_FOUND"), (3, -3, "INVALID_ARGUMENT")):
        alone = _error(lambda m=movie_id: catalog.GetMovie(pb.GetMovieRequest(movie_id=m)))
        failure = reply.results[index].failure
        assert (failure.code, failure.message) == (code, alone.details())


@pytest.mark.parametrize("size", [0, 101])
def test_a_batch_of_no_film_or_more_than_100_is_invalid(catalog, size: int) -> None:
    err = _error(lambda: catalog.BatchGetMovies(pb.BatchGetMoviesRequest(movie_ids=[1] * size)))
    assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert err.details() == f"a batch holds 1 to 100 items, got {size}"


def test_search_ranks_exact_then_prefix_then_fuzzy_and_pages(catalog) -> None:
    first = catalog.SearchMovies(pb.SearchMoviesRequest(query="alpha", page_size=1))
    assert first.total_size == 2
    assert [(h.movie.id, h.match) for h in first.hits] == [(1, pb.SearchHit.MATCH_KIND_EXACT)]
    second = catalog.SearchMovies(pb.SearchMoviesRequest(query="alpha", page_size=1, page_token=first.next_page_token))
    assert [(h.movie.id, h.match) for h in second.hits] == [(2, pb.SearchHit.MATCH_KIND_PREFIX)]
    assert second.next_page_token == ""
    fuzzy = catalog.SearchMovies(pb.SearchMoviesRequest(query="epsilom"))
    assert [(h.movie.id, h.match) for h in fuzzy.hits] == [(12, pb.SearchHit.MATCH_KIND_FUZZY)]
    by_year = catalog.SearchMovies(pb.SearchMoviesRequest(query="twin", year=1990))
    assert [h.movie.id for h in by_year.hits] == [4]


def test_a_page_token_serves_only_the_query_and_year_it_came_from(catalog) -> None:
    first = catalog.SearchMovies(pb.SearchMoviesRequest(query="alpha", page_size=1))
    # the page size may change between pages (AIP-158); the query may be respelled to the same words
    again = catalog.SearchMovies(pb.SearchMoviesRequest(query="ALPHA ", page_size=5, page_token=first.next_page_token))
    assert [h.movie.id for h in again.hits] == [2]
    for other in (pb.SearchMoviesRequest(query="twin", page_token=first.next_page_token),
                  pb.SearchMoviesRequest(query="alpha", year=2000, page_token=first.next_page_token)):  # fmt: skip
        err = _error(lambda request=other: catalog.SearchMovies(request))
        assert err.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert "page_token belongs to another query" in err.details()
        assert details(err).reason == "INVALID_QUERY"


def test_errors_carry_google_rpc_status_details_naming_the_error(catalog) -> None:
    missing = details(_error(lambda: catalog.GetMovie(pb.GetMovieRequest(movie_id=6))))
    assert (missing.reason, missing.domain, missing.suggestions) == ("NOT_FOUND", "marquee.v1", [])
    invalid = details(_error(lambda: catalog.GetActor(pb.GetActorRequest(name=""))))
    assert (invalid.reason, invalid.domain) == ("INVALID_QUERY", "marquee.v1")


def test_search_rejects_a_forged_page_token_and_a_huge_page(catalog) -> None:
    assert _error(lambda: catalog.SearchMovies(pb.SearchMoviesRequest(query="alpha", page_token="nope"))).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
    assert _error(lambda: catalog.SearchMovies(pb.SearchMoviesRequest(query="alpha", page_size=1000))).code() == (
        grpc.StatusCode.INVALID_ARGUMENT
    )
