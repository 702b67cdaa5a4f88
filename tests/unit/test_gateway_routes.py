"""What each route asks the upstreams and how it shapes the answer, over in-process fakes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from marquee_common.contract import DEFAULT_GROUP_FILMS
from tests.unit.gateway_fakes import Fakes, gateway_client

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture
def client(fakes: Fakes) -> Iterator[TestClient]:
    """The shared app, with a short deadline: the routes' deadline tests wait for it."""
    with gateway_client(fakes, deadline_s=0.75) as client:
        yield client


def last_request(fakes: Fakes, method: str) -> object:
    calls = [c for c in fakes.catalog.calls + fakes.recommender.calls if c[0] == method]
    assert calls, f"{method} was not called"
    return calls[-1][1]


# -- /v1 ---------------------------------------------------------------------------------------


def test_a_movie_comes_back_whole_with_int64_values_as_json_numbers(client: TestClient) -> None:
    body = client.get("/v1/movies/862").json()
    assert (body["id"], body["title"], body["year"], body["release_date"]) == (862, "Toy Story", 1995, "1995-10-30")
    assert (body["budget"], body["revenue"], body["vote_count"]) == (30000000, 373554033, 5415)
    assert body["return"] == pytest.approx(12.4518011)
    assert body["collection"] == {"id": 10194, "name": "Toy Story Collection"}
    assert body["cast"] == [{"person_id": 31, "name": "Tom Hanks", "character": "Woody (voice)", "order": 0}]
    assert body["directors"] == [{"id": 7879, "name": "John Lasseter"}]
    assert body["companies"] == [{"id": 3, "name": "Pixar Animation Studios"}]


def test_a_film_without_runtime_or_collection_answers_null_for_them(client: TestClient) -> None:
    body = client.get("/v1/movies/8844").json()
    assert body["runtime"] is None and body["collection"] is None


def test_an_unknown_movie_id_maps_to_http_404(client: TestClient) -> None:
    reply = client.get("/v1/movies/6")
    assert reply.status_code == 404 and reply.json()["error"]["code"] == "NOT_FOUND"


def test_search_passes_the_query_year_page_size_and_token(client: TestClient, fakes: Fakes) -> None:
    body = client.get("/v1/movies", params={"query": "toy", "year": 1995, "page_size": 3, "page_token": "abc"}).json()
    request = last_request(fakes, "SearchMovies")
    assert (request.query, request.year, request.page_size, request.page_token) == ("toy", 1995, 3, "abc")
    assert body["hits"][0]["movie"]["id"] == 862 and body["hits"][0]["match"] == "PREFIX"
    assert body["total_size"] == 1 and body["next_page_token"] == ""


def test_similar_films_send_the_movie_id_limit_and_filters(client: TestClient, fakes: Fakes) -> None:
    reply = client.get(
        "/v1/movies/862/similar?limit=2&genres=Crime,Adventure&genres=Drama&year_min=1990&year_max=2000"
        "&min_votes=100&include_adult=true"
    )
    body = reply.json()
    request = last_request(fakes, "Recommend")
    assert request.WhichOneof("seed") == "movie_id" and request.movie_id == 862 and request.limit == 2
    f = request.filters
    assert (list(f.genres), f.year_min, f.year_max, f.min_votes, f.include_adult) == (
        ["Crime", "Adventure", "Drama"],
        1990,
        2000,
        100,
        True,
    )
    assert body["seed"]["kind"] == "MOVIE_ID" and body["seed"]["movie"]["id"] == 862
    assert [r["movie"]["id"] for r in body["recommendations"]] == [8844, 949]
    assert body["recommendations"][0]["reasons"] == ["TEXT_SIMILARITY"]


def test_unset_filters_stay_unset(client: TestClient, fakes: Fakes) -> None:
    client.get("/v1/movies/862/similar")
    f = last_request(fakes, "Recommend").filters
    assert not f.HasField("year_min") and not f.HasField("min_votes") and not f.include_adult
    assert last_request(fakes, "Recommend").limit == 5


@pytest.mark.parametrize("query", ["", "?title=Heat&text=heist", "?limit=3", "?text=heist&year=1995"])
def test_recommendations_need_exactly_one_of_title_or_text(client: TestClient, fakes: Fakes, query: str) -> None:
    reply = client.get(f"/v1/recommendations{query}")
    assert reply.status_code == 422
    assert reply.json()["error"]["code"] == "INVALID_ARGUMENT"
    assert fakes.recommender.calls == []


def test_recommendations_by_title_pass_the_year(client: TestClient, fakes: Fakes) -> None:
    body = client.get("/v1/recommendations?title=Heat&year=1995&limit=1").json()
    request = last_request(fakes, "Recommend")
    assert (request.title.title, request.title.year, request.limit) == ("Heat", 1995, 1)
    assert body["seed"]["kind"] == "TITLE" and len(body["recommendations"]) == 1


def test_recommendations_by_text_send_the_text(client: TestClient, fakes: Fakes) -> None:
    body = client.get("/v1/recommendations", params={"text": "a cowboy doll"}).json()
    assert last_request(fakes, "Recommend").text == "a cowboy doll"
    assert body["seed"] == {"kind": "TEXT", "movie": None, "same_title": [], "text": "a cowboy doll"}


@pytest.mark.parametrize("limit", [0, 51, -1])
def test_a_limit_outside_1_to_50_is_invalid(client: TestClient, limit: int) -> None:
    assert client.get(f"/v1/movies/862/similar?limit={limit}").status_code == 422


GROUPS = ["/v1/companies/Pixar Animation Studios", "/v1/countries/US", "/v1/languages/en"]
TOY_STORY_REF = {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"}


@pytest.mark.parametrize("path", GROUPS)
def test_a_group_lists_its_films_as_the_collection_answer_does(client: TestClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 200, reply.text
    assert reply.json()["films"][0] == TOY_STORY_REF


@pytest.mark.parametrize(
    ("path", "method"),
    [(GROUPS[0], "GetCompany"), (GROUPS[1], "CountByCountry"), (GROUPS[2], "CountByLanguage")],
)
def test_a_group_asks_for_twenty_films_unless_told(client: TestClient, fakes: Fakes, path: str, method: str) -> None:
    client.get(path)
    assert last_request(fakes, method).limit == DEFAULT_GROUP_FILMS
    client.get(f"{path}?limit=7")
    assert last_request(fakes, method).limit == 7


def test_a_language_lists_its_most_voted_films_first_up_to_the_limit(client: TestClient) -> None:
    body = client.get("/v1/languages/en?limit=2").json()
    assert body["count"] == 3
    assert [f["title"] for f in body["films"]] == ["Toy Story", "Jumanji"]


@pytest.mark.parametrize("path", GROUPS)
@pytest.mark.parametrize("limit", ["0", "101", "-1", "many"])
def test_a_group_limit_outside_1_to_100_is_422_with_the_error_body(client: TestClient, path: str, limit: str) -> None:
    reply = client.get(f"{path}?limit={limit}")
    assert reply.status_code == 422
    error = reply.json()["error"]
    assert error["code"] == "INVALID_ARGUMENT" and "limit" in error["message"]


def test_model_info_is_returned(client: TestClient) -> None:
    body = client.get("/v1/model").json()
    assert body["items"] == 3 and body["parameters"] == {"svd_components": "64"}


@pytest.mark.parametrize(
    ("path", "method"),
    [
        ("/v1/titles/Heat/score?year=1995", "GetTitleScore"),
        ("/v1/titles/Heat/votes?year=1995", "GetTitleVotes"),
        ("/v1/titles/Heat/runtime?year=1995", "GetRuntime"),
        ("/v1/titles/Heat/return?year=1995", "GetMovieReturn"),
    ],
)
def test_title_routes_pass_the_title_and_year(client: TestClient, fakes: Fakes, path: str, method: str) -> None:
    body = client.get(path).json()
    request = last_request(fakes, method)
    assert (request.title, request.year) == ("Heat", 1995)
    assert body["movie"] == {"id": 949, "title": "Heat", "year": 1995, "release_date": "1995-12-15"}


def test_title_routes_without_year_leave_it_unset(client: TestClient, fakes: Fakes) -> None:
    client.get("/v1/titles/Heat/votes")
    assert not last_request(fakes, "GetTitleVotes").HasField("year")


def test_a_title_with_a_slash_reaches_the_catalog_whole(client: TestClient, fakes: Fakes) -> None:
    client.get("/v1/titles/Face%2FOff/votes")
    client.get("/score_titulo/Face/Off")
    assert [c[1].title for c in fakes.catalog.calls] == ["Face/Off", "Face/Off"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/v1/stats/releases/month/Diciembre", {"name": "diciembre", "number": 12, "count": 2}),
        ("/v1/stats/releases/weekday/lunes", {"name": "lunes", "number": 1, "count": 2}),
        ("/v1/titles/heat/votes", {"vote_count": 1886, "vote_average": 7.7, "reaches_2000_votes": False}),
        ("/v1/titles/heat/runtime", {"runtime": 170.0, "same_title": []}),
        ("/v1/titles/jumanji/runtime", {"runtime": None}),
        ("/v1/titles/heat/return", {"budget": 60000000, "revenue": 187436818}),
        ("/v1/actors/tom hanks", {"name": "Tom Hanks", "person_ids": [31], "movie_count": 1}),
        ("/v1/directors/michael mann", {"name": "Michael Mann", "movie_count": 1}),
        ("/v1/collections/Toy Story", {"name": "Toy Story Collection", "collection_id": 10194, "movie_count": 1}),
        ("/v1/companies/pixar animation studios", {"company_ids": [3], "total_revenue": 373554033}),
        ("/v1/countries/US", {"name": "United States of America", "iso_3166_1": "US", "count": 1}),
        ("/v1/languages/english", {"iso_639_1": "en", "name": "English", "english_name": "English", "count": 3}),
    ],
)
def test_catalog_routes_answer_the_catalog_fields(client: TestClient, path: str, expected: dict) -> None:
    reply = client.get(path)
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert {k: body[k] for k in expected} == expected


def test_a_director_lists_each_film_with_profit(client: TestClient) -> None:
    film = client.get("/v1/directors/Michael Mann").json()["films"][0]
    assert (film["title"], film["budget"], film["revenue"], film["profit"]) == ("Heat", 60000000, 187436818, 127436818)
    assert film["return"] == pytest.approx(3.123946966666667)


def test_every_upstream_call_carries_the_configured_deadline(client: TestClient, fakes: Fakes) -> None:
    for path in ("/v1/movies/862", "/v1/titles/Heat/votes", "/recomendacion/Heat", "/v1/model", "/readyz"):
        client.get(path)
    timeouts = {c[2] for c in fakes.catalog.calls + fakes.recommender.calls}
    assert timeouts == {0.75}


# -- the assignment's routes ---------------------------------------------------------------------


def test_cantidad_filmaciones_mes_says_how_many_films_in_spanish(client: TestClient) -> None:
    assert client.get("/cantidad_filmaciones_mes/diciembre").json() == {
        "mes": "diciembre",
        "cantidad": 2,
        "mensaje": "2 cantidad de películas fueron estrenadas en el mes de diciembre",
    }


def test_cantidad_filmaciones_dia_says_how_many_films_in_spanish(client: TestClient) -> None:
    assert client.get("/cantidad_filmaciones_dia/Lunes").json() == {
        "dia": "lunes",
        "cantidad": 2,
        "mensaje": "2 cantidad de películas fueron estrenadas en los días lunes",
    }


def test_peliculas_mes_and_dia_answer_without_a_message(client: TestClient) -> None:
    assert client.get("/peliculas_mes/diciembre").json() == {"mes": "diciembre", "cantidad": 2}
    assert client.get("/peliculas_dia/lunes").json() == {"dia": "lunes", "cantidad": 2}


def test_score_titulo_gives_the_year_and_popularity(client: TestClient) -> None:
    assert client.get("/score_titulo/toy story").json() == {
        "titulo": "Toy Story",
        "anio": 1995,
        "score": 21.946943,
        "mensaje": "La película Toy Story fue estrenada en el año 1995 con un score/popularidad de 21.95",
    }


def test_votos_titulo_gives_the_average_from_2000_votes(client: TestClient) -> None:
    assert client.get("/votos_titulo/Toy Story").json() == {
        "titulo": "Toy Story",
        "anio": 1995,
        "votos": 5415,
        "promedio": 7.7,
        "mensaje": "La película Toy Story fue estrenada en el año 1995. La misma cuenta con un total de 5415 "
        "valoraciones, con un promedio de 7.7",
    }


def test_votos_titulo_below_2000_votes_has_no_average_and_says_why(client: TestClient) -> None:
    body = client.get("/votos_titulo/Heat").json()
    assert (body["votos"], body["promedio"]) == (1886, None)
    assert "no alcanza las 2000 valoraciones" in body["mensaje"] and "1886" in body["mensaje"]


def test_get_actor_gives_films_and_returns(client: TestClient) -> None:
    body = client.get("/get_actor/Tom Hanks").json()
    assert set(body) == {"actor", "cantidad_peliculas", "retorno_total", "retorno_promedio", "mensaje"}
    assert (body["actor"], body["cantidad_peliculas"]) == ("Tom Hanks", 1)
    assert body["mensaje"] == (
        "El actor Tom Hanks ha participado de 1 cantidad de filmaciones, el mismo ha conseguido un retorno de "
        "12.45 con un promedio de 12.45 por filmación"
    )


def test_get_director_lists_date_return_cost_and_profit(client: TestClient) -> None:
    body = client.get("/get_director/michael mann").json()
    assert body == {
        "director": "Michael Mann",
        "retorno_total": pytest.approx(3.123946966666667),
        "peliculas": [
            {
                "titulo": "Heat",
                "fecha_lanzamiento": "1995-12-15",
                "retorno": pytest.approx(3.123946966666667),
                "costo": 60000000,
                "ganancia": 127436818,
            }
        ],
    }


def test_recomendacion_asks_for_five_films_by_title_and_lists_their_titles(client: TestClient, fakes: Fakes) -> None:
    body = client.get("/recomendacion/Toy Story").json()
    request = last_request(fakes, "Recommend")
    assert (request.WhichOneof("seed"), request.title.title, request.limit) == ("title", "Toy Story", 5)
    assert body == {"lista recomendada": ["Jumanji", "Heat"]}


def test_peliculas_idioma_counts_films_in_a_language(client: TestClient) -> None:
    assert client.get("/peliculas_idioma/en").json() == {
        "idioma": "English",
        "cantidad": 3,
        "mensaje": "3 cantidad de películas fueron estrenadas en idioma English",
    }


def test_peliculas_duracion_gives_minutes_and_year(client: TestClient) -> None:
    assert client.get("/peliculas_duracion/Heat").json() == {
        "pelicula": "Heat",
        "duracion": 170.0,
        "anio": 1995,
        "mensaje": "Heat. Duración: 170 minutos. Año: 1995",
    }
    unknown = client.get("/peliculas_duracion/Jumanji").json()
    assert unknown["duracion"] is None and unknown["mensaje"] == "Jumanji. Duración: desconocida. Año: 1995"


def test_franquicia_gives_count_total_and_average(client: TestClient) -> None:
    assert client.get("/franquicia/Toy Story Collection").json() == {
        "franquicia": "Toy Story Collection",
        "cantidad": 1,
        "ganancia_total": 373554033,
        "ganancia_promedio": 373554033.0,
        "mensaje": "La franquicia Toy Story Collection posee 1 películas, una ganancia total de 373554033 y una "
        "ganancia promedio de 373554033.00",
    }


def test_peliculas_pais_counts_films_of_a_country(client: TestClient) -> None:
    assert client.get("/peliculas_pais/US").json() == {
        "pais": "United States of America",
        "cantidad": 1,
        "mensaje": "Se produjeron 1 películas en el país United States of America",
    }


def test_productoras_exitosas_gives_revenue_and_count(client: TestClient) -> None:
    assert client.get("/productoras_exitosas/Pixar Animation Studios").json() == {
        "productora": "Pixar Animation Studios",
        "revenue_total": 373554033,
        "cantidad": 1,
        "mensaje": "La productora Pixar Animation Studios ha tenido un revenue de 373554033 con 1 películas",
    }


def test_productoras_gives_total_and_count(client: TestClient) -> None:
    assert client.get("/productoras/pixar animation studios").json() == {
        "productora": "Pixar Animation Studios",
        "ganancia_total": 373554033,
        "cantidad": 1,
    }


def test_retorno_answers_under_both_spellings_of_ganancia(client: TestClient) -> None:
    body = client.get("/retorno/Heat").json()
    assert body == {
        "pelicula": "Heat",
        "inversion": 60000000,
        "ganancia": 187436818,
        "ganacia": 187436818,
        "retorno": pytest.approx(3.123946966666667),
        "anio": 1995,
    }


def test_openapi_documents_every_route_with_an_example(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    files = {
        "/metrics",
        "/v1/releases/current/report",
        "/v1/releases/current/report.json",
        "/v1/releases/{version}/report",
        "/v1/releases/{version}/report.json",
    }  # test_gateway_reports.py
    data_routes = {p: v["get"] for p, v in paths.items() if p not in ("/healthz", "/readyz", *files)}
    assert len(data_routes) == 35
    for path, operation in data_routes.items():
        content = operation["responses"]["200"]["content"]["application/json"]
        assert "example" in content, f"{path} has no example"
        assert "$ref" in content["schema"], f"{path} has no response model"
