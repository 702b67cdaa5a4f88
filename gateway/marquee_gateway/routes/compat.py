"""The bootcamp assignment's routes, at the exact paths its three versions named.

GET, one path parameter, a JSON object (answers/compat.py): the catalog's and the recommender's
answers, renamed, with the assignment's sentence; see the canonical /v1 routes for the full data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee_gateway.answers import AnswerRouter, compat
from marquee_gateway.deps import Catalog, Recommender
from marquee_gateway.routes.params import MonthName, SingleValues, Text, WeekdayName

router = AnswerRouter(tags=["assignment (español)"], dependencies=[SingleValues])

RECOMMENDATIONS = 5

Mes = Annotated[
    MonthName,
    Path(
        description="nombre del mes en español o inglés, o su abreviatura (sep, sept), o 1-12", examples=["septiembre"]
    ),
]
Dia = Annotated[
    WeekdayName,
    Path(description="día de la semana en español o inglés, o su abreviatura (mié, sáb), o 1-7 (lunes = 1)",
         examples=["lunes"]),
]  # fmt: skip
Titulo = Annotated[Text, Path(description="título de la película", examples=["Toy Story"])]


async def _month(catalog: Catalog, mes: str) -> pb.CountReleasesByMonthResponse:
    return await catalog.call(catalog.stub.CountReleasesByMonth, pb.CountReleasesByMonthRequest(month=mes))


async def _weekday(catalog: Catalog, dia: str) -> pb.CountReleasesByWeekdayResponse:
    return await catalog.call(catalog.stub.CountReleasesByWeekday, pb.CountReleasesByWeekdayRequest(day=dia))


@router.answer("/cantidad_filmaciones_mes/{mes:text}", compat.CantidadMes)
async def cantidad_filmaciones_mes(mes: Mes, catalog: Catalog) -> pb.CountReleasesByMonthResponse:
    """Cantidad de películas estrenadas en un mes, en todos los años."""
    return await _month(catalog, mes)


@router.answer("/cantidad_filmaciones_dia/{dia:text}", compat.CantidadDia)
async def cantidad_filmaciones_dia(dia: Dia, catalog: Catalog) -> pb.CountReleasesByWeekdayResponse:
    """Cantidad de películas estrenadas en un día de la semana, en todos los años."""
    return await _weekday(catalog, dia)


@router.answer("/peliculas_mes/{mes:text}", compat.PeliculasMes)
async def peliculas_mes(mes: Mes, catalog: Catalog) -> pb.CountReleasesByMonthResponse:
    """Cantidad de películas estrenadas en un mes (versión anterior de la consigna)."""
    return await _month(catalog, mes)


@router.answer("/peliculas_dia/{dia:text}", compat.PeliculasDia)
async def peliculas_dia(dia: Dia, catalog: Catalog) -> pb.CountReleasesByWeekdayResponse:
    """Cantidad de películas estrenadas en un día de la semana (versión anterior de la consigna)."""
    return await _weekday(catalog, dia)


@router.answer("/score_titulo/{titulo:text}", compat.ScoreTitulo)
async def score_titulo(titulo: Titulo, catalog: Catalog) -> pb.GetTitleScoreResponse:
    """Año de estreno y score (popularidad) de una película."""
    return await catalog.call(catalog.stub.GetTitleScore, pb.GetTitleScoreRequest(title=titulo))


@router.answer("/votos_titulo/{titulo:text}", compat.VotosTitulo)
async def votos_titulo(titulo: Titulo, catalog: Catalog) -> pb.GetTitleVotesResponse:
    """Cantidad de votos y promedio de una película; sin promedio por debajo de 2000 votos."""
    return await catalog.call(catalog.stub.GetTitleVotes, pb.GetTitleVotesRequest(title=titulo))


@router.answer("/get_actor/{nombre_actor:text}", compat.ActorEs)
async def get_actor(
    nombre_actor: Annotated[Text, Path(description="nombre del actor", examples=["Tom Hanks"])], catalog: Catalog
) -> pb.GetActorResponse:
    """Retorno total y promedio de las películas de un actor (sin las que dirigió)."""
    return await catalog.call(catalog.stub.GetActor, pb.GetActorRequest(name=nombre_actor))


@router.answer("/get_director/{nombre_director:text}", compat.DirectorEs)
async def get_director(
    nombre_director: Annotated[Text, Path(description="nombre del director", examples=["Michael Mann"])],
    catalog: Catalog,
) -> pb.GetDirectorResponse:
    """Retorno total de un director y cada película con fecha, retorno, costo y ganancia."""
    return await catalog.call(catalog.stub.GetDirector, pb.GetDirectorRequest(name=nombre_director))


@router.answer("/recomendacion/{titulo:text}", compat.Recomendacion)
async def recomendacion(titulo: Titulo, recommender: Recommender) -> rpb.RecommendResponse:
    """Cinco películas similares a la dada."""
    return await recommender.recommend.call(
        rpb.RecommendRequest(title=rpb.TitleSeed(title=titulo), limit=RECOMMENDATIONS)
    )


@router.answer("/peliculas_idioma/{idioma:text}", compat.PeliculasIdioma)
async def peliculas_idioma(
    idioma: Annotated[Text, Path(description="código ISO 639-1 o nombre del idioma", examples=["fr"])],
    catalog: Catalog,
) -> pb.CountByLanguageResponse:
    """Cantidad de películas cuyo idioma original es el dado."""
    return await catalog.call(catalog.stub.CountByLanguage, pb.CountByLanguageRequest(language=idioma))


@router.answer("/peliculas_duracion/{pelicula:text}", compat.PeliculaDuracion)
async def peliculas_duracion(
    pelicula: Annotated[Text, Path(description="título de la película", examples=["Heat"])], catalog: Catalog
) -> pb.GetRuntimeResponse:
    """Duración (minutos) y año de estreno de una película."""
    return await catalog.call(catalog.stub.GetRuntime, pb.GetRuntimeRequest(title=pelicula))


@router.answer("/franquicia/{franquicia:text}", compat.Franquicia)
async def franquicia(
    franquicia: Annotated[Text, Path(description="nombre de la colección", examples=["Toy Story Collection"])],
    catalog: Catalog,
) -> pb.GetCollectionResponse:
    """Cantidad de películas de una franquicia y su ganancia (revenue) total y promedio."""
    return await catalog.call(catalog.stub.GetCollection, pb.GetCollectionRequest(name=franquicia))


@router.answer("/peliculas_pais/{pais:text}", compat.PeliculasPais)
async def peliculas_pais(
    pais: Annotated[Text, Path(description="nombre del país o código ISO 3166-1", examples=["France"])],
    catalog: Catalog,
) -> pb.CountByCountryResponse:
    """Cantidad de películas producidas en un país."""
    return await catalog.call(catalog.stub.CountByCountry, pb.CountByCountryRequest(country=pais))


async def _company(catalog: Catalog, productora: str) -> pb.GetCompanyResponse:
    return await catalog.call(catalog.stub.GetCompany, pb.GetCompanyRequest(name=productora))


Productora = Annotated[Text, Path(description="nombre de la productora", examples=["Pixar Animation Studios"])]


@router.answer("/productoras_exitosas/{productora:text}", compat.ProductoraExitosa)
async def productoras_exitosas(productora: Productora, catalog: Catalog) -> pb.GetCompanyResponse:
    """Revenue total y cantidad de películas de una productora."""
    return await _company(catalog, productora)


@router.answer("/productoras/{productora:text}", compat.Productora)
async def productoras(productora: Productora, catalog: Catalog) -> pb.GetCompanyResponse:
    """Ganancia (revenue) total y cantidad de películas de una productora (versión anterior de la consigna)."""
    return await _company(catalog, productora)


@router.answer("/retorno/{pelicula:text}", compat.Retorno)
async def retorno(
    pelicula: Annotated[Text, Path(description="título de la película", examples=["Heat"])], catalog: Catalog
) -> pb.GetMovieReturnResponse:
    """Inversión (budget), ganancia (revenue), retorno y año de una película; `ganacia` repite `ganancia`."""
    return await catalog.call(catalog.stub.GetMovieReturn, pb.GetMovieReturnRequest(title=pelicula))
