"""The bootcamp assignment's routes, at the exact paths its three versions named.

GET, one path parameter, a JSON object; `mensaje` is the assignment's example sentence in
Spanish with the real values. The answers are the catalog's and the recommender's, only
renamed: see the canonical /v1 routes for the full data.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee_gateway import models
from marquee_gateway.deps import Catalog, Recommender
from marquee_gateway.examples import documented
from marquee_gateway.responses import json_answer
from marquee_gateway.routes.params import MonthName, SingleValues, Text, WeekdayName

router = APIRouter(tags=["assignment (español)"], dependencies=[SingleValues])

VOTES_THRESHOLD = 2000
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


def dec(value: float) -> str:
    """Two decimals, for returns and averages in a sentence."""
    return f"{value:.2f}"


async def _month(catalog: Catalog, mes: str) -> pb.CountReleasesByMonthResponse:
    return await catalog.call(catalog.stub.CountReleasesByMonth, pb.CountReleasesByMonthRequest(month=mes))


async def _weekday(catalog: Catalog, dia: str) -> pb.CountReleasesByWeekdayResponse:
    return await catalog.call(catalog.stub.CountReleasesByWeekday, pb.CountReleasesByWeekdayRequest(day=dia))


@router.get(
    "/cantidad_filmaciones_mes/{mes:text}", response_model=models.CantidadMes, responses=documented("cantidad_mes")
)
@json_answer
async def cantidad_filmaciones_mes(mes: Mes, catalog: Catalog) -> Any:
    """Cantidad de películas estrenadas en un mes, en todos los años."""
    r = await _month(catalog, mes)
    return {
        "mes": r.name,
        "cantidad": r.count,
        "mensaje": f"{r.count} cantidad de películas fueron estrenadas en el mes de {r.name}",
    }


@router.get(
    "/cantidad_filmaciones_dia/{dia:text}", response_model=models.CantidadDia, responses=documented("cantidad_dia")
)
@json_answer
async def cantidad_filmaciones_dia(dia: Dia, catalog: Catalog) -> Any:
    """Cantidad de películas estrenadas en un día de la semana, en todos los años."""
    r = await _weekday(catalog, dia)
    return {
        "dia": r.name,
        "cantidad": r.count,
        "mensaje": f"{r.count} cantidad de películas fueron estrenadas en los días {r.name}",
    }


@router.get("/peliculas_mes/{mes:text}", response_model=models.PeliculasMes, responses=documented("peliculas_mes"))
@json_answer
async def peliculas_mes(mes: Mes, catalog: Catalog) -> Any:
    """Cantidad de películas estrenadas en un mes (versión anterior de la consigna)."""
    r = await _month(catalog, mes)
    return {"mes": r.name, "cantidad": r.count}


@router.get("/peliculas_dia/{dia:text}", response_model=models.PeliculasDia, responses=documented("peliculas_dia"))
@json_answer
async def peliculas_dia(dia: Dia, catalog: Catalog) -> Any:
    """Cantidad de películas estrenadas en un día de la semana (versión anterior de la consigna)."""
    r = await _weekday(catalog, dia)
    return {"dia": r.name, "cantidad": r.count}


@router.get("/score_titulo/{titulo:text}", response_model=models.ScoreTitulo, responses=documented("score_titulo"))
@json_answer
async def score_titulo(titulo: Titulo, catalog: Catalog) -> Any:
    """Año de estreno y score (popularidad) de una película."""
    r = await catalog.call(catalog.stub.GetTitleScore, pb.GetTitleScoreRequest(title=titulo))
    m = r.movie
    return {
        "titulo": m.title,
        "anio": m.year,
        "score": r.popularity,
        "mensaje": f"La película {m.title} fue estrenada en el año {m.year} con un score/popularidad de "
        f"{dec(r.popularity)}",
    }


@router.get("/votos_titulo/{titulo:text}", response_model=models.VotosTitulo, responses=documented("votos_titulo"))
@json_answer
async def votos_titulo(titulo: Titulo, catalog: Catalog) -> Any:
    """Cantidad de votos y promedio de una película; sin promedio por debajo de 2000 votos."""
    r = await catalog.call(catalog.stub.GetTitleVotes, pb.GetTitleVotesRequest(title=titulo))
    m = r.movie
    if r.reaches_2000_votes:
        promedio: float | None = r.vote_average
        mensaje = (
            f"La película {m.title} fue estrenada en el año {m.year}. La misma cuenta con un total de "
            f"{r.vote_count} valoraciones, con un promedio de {r.vote_average:g}"
        )
    else:
        promedio = None
        mensaje = (
            f"La película {m.title} fue estrenada en el año {m.year} y cuenta con {r.vote_count} valoraciones: "
            f"no alcanza las {VOTES_THRESHOLD} valoraciones, por lo que no se devuelve su promedio"
        )
    return {"titulo": m.title, "anio": m.year, "votos": r.vote_count, "promedio": promedio, "mensaje": mensaje}


@router.get("/get_actor/{nombre_actor:text}", response_model=models.ActorEs, responses=documented("get_actor"))
@json_answer
async def get_actor(
    nombre_actor: Annotated[Text, Path(description="nombre del actor", examples=["Tom Hanks"])], catalog: Catalog
) -> Any:
    """Retorno total y promedio de las películas de un actor (sin las que dirigió)."""
    r = await catalog.call(catalog.stub.GetActor, pb.GetActorRequest(name=nombre_actor))
    return {
        "actor": r.name,
        "cantidad_peliculas": r.movie_count,
        "retorno_total": r.total_return,
        "retorno_promedio": r.average_return,
        "mensaje": f"El actor {r.name} ha participado de {r.movie_count} cantidad de filmaciones, el mismo ha "
        f"conseguido un retorno de {dec(r.total_return)} con un promedio de {dec(r.average_return)} por filmación",
    }


@router.get(
    "/get_director/{nombre_director:text}", response_model=models.DirectorEs, responses=documented("get_director")
)
@json_answer
async def get_director(
    nombre_director: Annotated[Text, Path(description="nombre del director", examples=["Michael Mann"])],
    catalog: Catalog,
) -> Any:
    """Retorno total de un director y cada película con fecha, retorno, costo y ganancia."""
    r = await catalog.call(catalog.stub.GetDirector, pb.GetDirectorRequest(name=nombre_director))
    return {
        "director": r.name,
        "retorno_total": r.total_return,
        "peliculas": [
            {
                "titulo": f.title,
                "fecha_lanzamiento": f.release_date,
                "retorno": f.return_ratio,
                "costo": f.budget,
                "ganancia": f.profit,
            }
            for f in r.films
        ],
    }


@router.get("/recomendacion/{titulo:text}", response_model=models.Recomendacion, responses=documented("recomendacion"))
@json_answer
async def recomendacion(titulo: Titulo, recommender: Recommender) -> Any:
    """Cinco películas similares a la dada."""
    request = rpb.RecommendRequest(title=rpb.TitleSeed(title=titulo), limit=RECOMMENDATIONS)
    r = await recommender.recommend.call(request)
    return {"lista recomendada": [rec.movie.title for rec in r.recommendations]}


@router.get(
    "/peliculas_idioma/{idioma:text}", response_model=models.PeliculasIdioma, responses=documented("peliculas_idioma")
)
@json_answer
async def peliculas_idioma(
    idioma: Annotated[Text, Path(description="código ISO 639-1 o nombre del idioma", examples=["fr"])],
    catalog: Catalog,
) -> Any:
    """Cantidad de películas cuyo idioma original es el dado."""
    r = await catalog.call(catalog.stub.CountByLanguage, pb.CountByLanguageRequest(language=idioma))
    return {
        "idioma": r.name,
        "cantidad": r.count,
        "mensaje": f"{r.count} cantidad de películas fueron estrenadas en idioma {r.name}",
    }


@router.get(
    "/peliculas_duracion/{pelicula:text}",
    response_model=models.PeliculaDuracion,
    responses=documented("peliculas_duracion"),
)
@json_answer
async def peliculas_duracion(
    pelicula: Annotated[Text, Path(description="título de la película", examples=["Heat"])], catalog: Catalog
) -> Any:
    """Duración (minutos) y año de estreno de una película."""
    r = await catalog.call(catalog.stub.GetRuntime, pb.GetRuntimeRequest(title=pelicula))
    m = r.movie
    duracion = r.runtime if r.HasField("runtime") else None
    texto = f"{duracion:g} minutos" if duracion is not None else "desconocida"
    return {
        "pelicula": m.title,
        "duracion": duracion,
        "anio": m.year,
        "mensaje": f"{m.title}. Duración: {texto}. Año: {m.year}",
    }


@router.get("/franquicia/{franquicia:text}", response_model=models.Franquicia, responses=documented("franquicia"))
@json_answer
async def franquicia(
    franquicia: Annotated[Text, Path(description="nombre de la colección", examples=["Toy Story Collection"])],
    catalog: Catalog,
) -> Any:
    """Cantidad de películas de una franquicia y su ganancia (revenue) total y promedio."""
    r = await catalog.call(catalog.stub.GetCollection, pb.GetCollectionRequest(name=franquicia))
    return {
        "franquicia": r.name,
        "cantidad": r.movie_count,
        "ganancia_total": r.total_revenue,
        "ganancia_promedio": r.average_revenue,
        "mensaje": f"La franquicia {r.name} posee {r.movie_count} películas, una ganancia total de "
        f"{r.total_revenue} y una ganancia promedio de {dec(r.average_revenue)}",
    }


@router.get("/peliculas_pais/{pais:text}", response_model=models.PeliculasPais, responses=documented("peliculas_pais"))
@json_answer
async def peliculas_pais(
    pais: Annotated[Text, Path(description="nombre del país o código ISO 3166-1", examples=["France"])],
    catalog: Catalog,
) -> Any:
    """Cantidad de películas producidas en un país."""
    r = await catalog.call(catalog.stub.CountByCountry, pb.CountByCountryRequest(country=pais))
    return {"pais": r.name, "cantidad": r.count, "mensaje": f"Se produjeron {r.count} películas en el país {r.name}"}


async def _company(catalog: Catalog, productora: str) -> pb.GetCompanyResponse:
    return await catalog.call(catalog.stub.GetCompany, pb.GetCompanyRequest(name=productora))


Productora = Annotated[Text, Path(description="nombre de la productora", examples=["Pixar Animation Studios"])]


@router.get(
    "/productoras_exitosas/{productora:text}",
    response_model=models.ProductoraExitosa,
    responses=documented("productoras_exitosas"),
)
@json_answer
async def productoras_exitosas(productora: Productora, catalog: Catalog) -> Any:
    """Revenue total y cantidad de películas de una productora."""
    r = await _company(catalog, productora)
    return {
        "productora": r.name,
        "revenue_total": r.total_revenue,
        "cantidad": r.movie_count,
        "mensaje": f"La productora {r.name} ha tenido un revenue de {r.total_revenue} con {r.movie_count} películas",
    }


@router.get("/productoras/{productora:text}", response_model=models.Productora, responses=documented("productoras"))
@json_answer
async def productoras(productora: Productora, catalog: Catalog) -> Any:
    """Ganancia (revenue) total y cantidad de películas de una productora (versión anterior de la consigna)."""
    r = await _company(catalog, productora)
    return {"productora": r.name, "ganancia_total": r.total_revenue, "cantidad": r.movie_count}


@router.get("/retorno/{pelicula:text}", response_model=models.Retorno, responses=documented("retorno"))
@json_answer
async def retorno(
    pelicula: Annotated[Text, Path(description="título de la película", examples=["Heat"])], catalog: Catalog
) -> Any:
    """Inversión (budget), ganancia (revenue), retorno y año de una película; `ganacia` repite `ganancia`."""
    r = await catalog.call(catalog.stub.GetMovieReturn, pb.GetMovieReturnRequest(title=pelicula))
    return {
        "pelicula": r.movie.title,
        "inversion": r.budget,
        "ganancia": r.revenue,
        "ganacia": r.revenue,
        "retorno": r.return_ratio,
        "anio": r.movie.year,
    }
