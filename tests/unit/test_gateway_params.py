"""The gateway's own rules for its parameters: what it refuses (422, before any upstream call), and that
the OpenAPI document states each rule. Over in-process fakes of the upstreams."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from marquee_common.calendar_names import MONTH, WEEKDAY
from marquee_common.validation import NON_BLANK_PATTERN
from tests.unit.gateway_fakes import Fakes

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    return client.get("/openapi.json").json()


def refused(client: TestClient, fakes: Fakes, path: str) -> dict[str, Any]:
    """The 422 INVALID_ARGUMENT error of `path`, answered by the gateway without asking an upstream."""
    before = len(fakes.catalog.calls) + len(fakes.recommender.calls)
    reply = client.get(path)
    assert reply.status_code == 422, (path, reply.status_code, reply.text)
    error: dict[str, Any] = reply.json()["error"]
    assert set(error) == {"code", "message", "suggestions"} and error["code"] == "INVALID_ARGUMENT"
    assert len(fakes.catalog.calls) + len(fakes.recommender.calls) == before, f"{path} reached an upstream"
    return error


def parameter(openapi: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(p for p in openapi["paths"][path]["get"]["parameters"] if p["name"] == name)
    return found


def schema_of(openapi: dict[str, Any], path: str, name: str) -> dict[str, Any]:
    """The parameter's schema; for an optional one, its non-null branch."""
    schema: dict[str, Any] = parameter(openapi, path, name)["schema"]
    for branch in schema.get("anyOf", ()):
        if branch.get("type") != "null":
            return {**branch, **{k: v for k, v in schema.items() if k != "anyOf"}}
    return schema


# -- blank text, everywhere -----------------------------------------------------------------------

TEXT_PATHS = [
    ("/v1/titles/{}/votes", "/v1/titles/{title}/votes", "title"),
    ("/v1/titles/{}/score", "/v1/titles/{title}/score", "title"),
    ("/v1/actors/{}", "/v1/actors/{name}", "name"),
    ("/v1/countries/{}", "/v1/countries/{country}", "country"),
    ("/v1/stats/releases/month/{}", "/v1/stats/releases/month/{month}", "month"),
    ("/v1/stats/releases/weekday/{}", "/v1/stats/releases/weekday/{day}", "day"),
    ("/votos_titulo/{}", "/votos_titulo/{titulo}", "titulo"),
    ("/get_actor/{}", "/get_actor/{nombre_actor}", "nombre_actor"),
    ("/recomendacion/{}", "/recomendacion/{titulo}", "titulo"),
    ("/cantidad_filmaciones_mes/{}", "/cantidad_filmaciones_mes/{mes}", "mes"),
    ("/v1/movies/{}", "/v1/movies/{movie_id}", "movie_id"),
    ("/v1/movies/{}/similar", "/v1/movies/{movie_id}/similar", "movie_id"),
]
BLANKS = ["", "%20", "%0A", "%09%0D%0A", "%E3%80%80", "%C2%85"]


@pytest.mark.parametrize(("route", "template", "name"), TEXT_PATHS)
@pytest.mark.parametrize("blank", BLANKS)
def test_a_blank_path_value_is_422_naming_the_parameter_never_a_missing_route(
    client: TestClient, fakes: Fakes, route: str, template: str, name: str, blank: str
) -> None:
    error = refused(client, fakes, route.format(blank))
    assert repr(name) in error["message"]


@pytest.mark.parametrize("query", ["query=%20", "query=%0A", "query="])
def test_a_blank_search_is_422(client: TestClient, fakes: Fakes, query: str) -> None:
    assert "'query'" in refused(client, fakes, f"/v1/movies?{query}")["message"]


@pytest.mark.parametrize("query", ["title=%20", "text=%0A%0A", "title="])
def test_a_blank_title_or_text_for_recommendations_is_422(client: TestClient, fakes: Fakes, query: str) -> None:
    refused(client, fakes, f"/v1/recommendations?{query}")


def test_text_over_200_characters_is_422_saying_how_long_it_is(client: TestClient, fakes: Fakes) -> None:
    message = refused(client, fakes, "/v1/actors/" + "é" * 201)["message"]
    assert "201 characters" in message and "200" in message
    assert client.get("/v1/actors/" + "x" * 200).status_code == 404  # 200 is allowed: the fake knows no such actor


def test_every_text_parameter_states_the_rule_in_the_openapi_document(openapi: dict[str, Any]) -> None:
    texts = [
        ("/v1/titles/{title}/votes", "title"),
        ("/v1/actors/{name}", "name"),
        ("/v1/movies", "query"),
        ("/v1/recommendations", "title"),
        ("/v1/recommendations", "text"),
        ("/get_director/{nombre_director}", "nombre_director"),
        ("/peliculas_idioma/{idioma}", "idioma"),
    ]
    for path, name in texts:
        schema = schema_of(openapi, path, name)
        assert (schema["minLength"], schema["maxLength"], schema["pattern"]) == (1, 200, NON_BLANK_PATTERN), name


# -- months and weekdays -------------------------------------------------------------------------

NOT_MONTHS = ["-1", "-12", "1-", "%2B3", "%EF%BC%93", "0", "13", "%209", "brumaire", "sept."]


@pytest.mark.parametrize("month", NOT_MONTHS)
@pytest.mark.parametrize("route", ["/v1/stats/releases/month/{}", "/cantidad_filmaciones_mes/{}", "/peliculas_mes/{}"])
def test_a_month_that_is_not_1_to_12_or_a_name_is_422_with_the_months_as_suggestions(
    client: TestClient, fakes: Fakes, route: str, month: str
) -> None:
    error = refused(client, fakes, route.format(month))
    assert error["suggestions"] == list(MONTH.names)
    assert "is not a month" in error["message"] and "1-12" in error["message"]


@pytest.mark.parametrize(
    ("day", "name"), [("1", "lunes"), ("7", "domingo"), ("mi%C3%A9", "miércoles"), ("SAT", "sábado")]
)
def test_weekdays_are_accepted_by_iso_number_and_abbreviation(client: TestClient, day: str, name: str) -> None:
    reply = client.get(f"/v1/stats/releases/weekday/{day}")
    assert reply.status_code == 200, reply.text
    assert reply.json()["name"] == name


@pytest.mark.parametrize("day", ["0", "8", "-1", "1-", "%EF%BC%91", "lunes.", "brumaire"])
@pytest.mark.parametrize("route", ["/v1/stats/releases/weekday/{}", "/cantidad_filmaciones_dia/{}"])
def test_a_weekday_that_is_not_1_to_7_or_a_name_is_422_with_suggestions(
    client: TestClient, fakes: Fakes, route: str, day: str
) -> None:
    error = refused(client, fakes, route.format(day))
    assert error["suggestions"] == list(WEEKDAY.names)


def test_month_and_weekday_parameters_state_their_pattern(openapi: dict[str, Any]) -> None:
    for path, name in [("/v1/stats/releases/month/{month}", "month"), ("/cantidad_filmaciones_mes/{mes}", "mes"),
                       ("/peliculas_mes/{mes}", "mes")]:  # fmt: skip
        assert schema_of(openapi, path, name)["pattern"] == MONTH.pattern
    for path, name in [("/v1/stats/releases/weekday/{day}", "day"), ("/cantidad_filmaciones_dia/{dia}", "dia"),
                       ("/peliculas_dia/{dia}", "dia")]:  # fmt: skip
        assert schema_of(openapi, path, name)["pattern"] == WEEKDAY.pattern


# -- numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/movies/-9223372036854775807",
        "/v1/movies/0",
        "/v1/movies/0/similar",
        "/v1/titles/Heat/votes?year=2147483646",
        "/v1/titles/Heat/votes?year=1799",
        "/v1/titles/Heat/votes?year=2201",
        "/v1/movies?query=toy&year=-2147483648",
        "/v1/movies/862/similar?year_min=1000",
        "/v1/movies/862/similar?year_max=9999",
        "/v1/movies/862/similar?min_votes=-1",
        "/v1/recommendations?title=Heat&year=3000",
    ],
)
def test_a_number_outside_the_documented_range_is_422_at_the_gateway(
    client: TestClient, fakes: Fakes, path: str
) -> None:
    refused(client, fakes, path)


@pytest.mark.parametrize("path", ["/v1/titles/Heat/votes?year=1800", "/v1/titles/Heat/votes?year=2200"])
def test_the_year_range_is_inclusive(client: TestClient, path: str) -> None:
    assert client.get(path).status_code in (200, 404)


def test_the_ranges_the_services_enforce_are_in_the_openapi_document(openapi: dict[str, Any]) -> None:
    def bounds(path: str, name: str) -> tuple[int | None, int | None]:
        schema = schema_of(openapi, path, name)
        return schema.get("minimum"), schema.get("maximum")

    assert bounds("/v1/movies/{movie_id}", "movie_id") == (1, 2**63 - 1)
    assert bounds("/v1/movies/{movie_id}/similar", "movie_id") == (1, 2**63 - 1)
    for path in ("/v1/titles/{title}/votes", "/v1/movies", "/v1/recommendations"):
        assert bounds(path, "year") == (1800, 2200)
    assert bounds("/v1/movies/{movie_id}/similar", "year_min") == (1800, 2200)
    assert bounds("/v1/movies/{movie_id}/similar", "year_max") == (1800, 2200)
    assert bounds("/v1/movies/{movie_id}/similar", "min_votes") == (0, 2**63 - 1)
    assert bounds("/v1/recommendations", "limit") == (1, 50)
    assert bounds("/v1/movies", "page_size") == (1, 100)
    for path in ("/v1/companies/{name}", "/v1/countries/{country}", "/v1/languages/{language}"):
        assert bounds(path, "limit") == (1, 100)


def test_rules_between_parameters_are_stated_where_a_client_reads_them(openapi: dict[str, Any]) -> None:
    recommendations = openapi["paths"]["/v1/recommendations"]["get"]
    assert "exactly one of `title` or `text`" in recommendations["description"]
    assert "only with `title`" in parameter(openapi, "/v1/recommendations", "year")["description"]
    assert "not after `year_max`" in parameter(openapi, "/v1/recommendations", "year_min")["description"]
    assert "previous page" in parameter(openapi, "/v1/movies", "page_token")["description"]


# -- repeated parameters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/titles/Heat/votes?year=1995&year=1996", "year"),
        ("/v1/recommendations?title=Heat&title=Jumanji", "title"),
        ("/v1/recommendations?text=a&limit=2&text=b", "text"),
        ("/v1/movies?query=toy&page_size=1&page_size=1", "page_size"),
        ("/v1/movies/862/similar?include_adult=true&include_adult=false", "include_adult"),
        ("/v1/movies/862/similar?year_min=1990&year_min=1991", "year_min"),
    ],
)
def test_a_single_valued_parameter_given_twice_is_422_naming_it(
    client: TestClient, fakes: Fakes, path: str, name: str
) -> None:
    message = refused(client, fakes, path)["message"]
    assert f"query parameter {name!r}" in message and "2 times" in message


def test_a_list_parameter_may_repeat_and_an_unknown_one_is_ignored(client: TestClient, fakes: Fakes) -> None:
    assert client.get("/v1/movies/862/similar?genres=Comedy&genres=Drama").status_code == 200
    assert list(fakes.recommender.calls[-1][1].filters.genres) == ["Comedy", "Drama"]
    assert client.get("/v1/movies/862?utm=a&utm=b").status_code == 200
