"""The answers of the bootcamp assignment's routes: the services' replies renamed into its Spanish keys.

`mensaje` is the assignment's example sentence with the real values. Each answer carries what the
assignment asked for and no more (the /v1 routes have the rest): `LEFT_OUT` says what is dropped.
Examples are the same replies as /v1's where the assignment's own examples asked about the same film.
"""

from __future__ import annotations

from pydantic import Field

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee.v1 import shared_pb2
from marquee_common.contract import VOTES_THRESHOLD
from marquee_gateway.answers import Answer, Json, v1

MONDAY = pb.CountReleasesByWeekdayResponse(name="lunes", number=1, count=247)

NAMED = "the assignment's answer names it; the /v1 answer has its code or number"
ONE_FILM = "the assignment's answer is one film, by title and year; the /v1 answer has the rest"
TITLES = "the assignment's answer is a list of titles; the /v1 answer has the rest"
GROUP_FILMS = "the assignment asks for the group's figures; the /v1 answer also lists its most-voted films"
LEFT_OUT: dict[str, str] = {
    "marquee.v1.CountReleasesByMonthResponse.number": NAMED,
    "marquee.v1.CountReleasesByWeekdayResponse.number": NAMED,
    "marquee.v1.GetTitleScoreResponse.movie.id": ONE_FILM,
    "marquee.v1.GetTitleScoreResponse.movie.release_date": ONE_FILM,
    "marquee.v1.GetTitleScoreResponse.same_title": ONE_FILM,
    "marquee.v1.GetTitleVotesResponse.movie.id": ONE_FILM,
    "marquee.v1.GetTitleVotesResponse.movie.release_date": ONE_FILM,
    "marquee.v1.GetTitleVotesResponse.same_title": ONE_FILM,
    "marquee.v1.GetRuntimeResponse.movie.id": ONE_FILM,
    "marquee.v1.GetRuntimeResponse.movie.release_date": ONE_FILM,
    "marquee.v1.GetRuntimeResponse.same_title": ONE_FILM,
    "marquee.v1.GetMovieReturnResponse.movie.id": ONE_FILM,
    "marquee.v1.GetMovieReturnResponse.movie.release_date": ONE_FILM,
    "marquee.v1.GetMovieReturnResponse.same_title": ONE_FILM,
    "marquee.v1.GetActorResponse.person_ids": NAMED,
    "marquee.v1.GetActorResponse.films": "the assignment asks for the totals",
    "marquee.v1.GetDirectorResponse.person_ids": NAMED,
    "marquee.v1.GetDirectorResponse.movie_count": "the assignment lists the films",
    "marquee.v1.GetDirectorResponse.films.movie": "each film's title and date are given on their own",
    "marquee.v1.GetDirectorResponse.films.revenue": "the assignment asks for the budget and the profit",
    "marquee.v1.RecommendResponse.seed": TITLES,
    "marquee.v1.RecommendResponse.matched": TITLES,
    "marquee.v1.RecommendResponse.popularity": TITLES,
    "marquee.v1.RecommendResponse.recommendations.movie.id": TITLES,
    "marquee.v1.RecommendResponse.recommendations.movie.year": TITLES,
    "marquee.v1.RecommendResponse.recommendations.movie.release_date": TITLES,
    "marquee.v1.RecommendResponse.recommendations.genres": TITLES,
    "marquee.v1.RecommendResponse.recommendations.score": TITLES,
    "marquee.v1.RecommendResponse.recommendations.similarity": TITLES,
    "marquee.v1.RecommendResponse.recommendations.reasons": TITLES,
    "marquee.v1.RecommendResponse.recommendations.shared_genres": TITLES,
    "marquee.v1.CountByLanguageResponse.iso_639_1": NAMED,
    "marquee.v1.CountByLanguageResponse.english_name": "the assignment names it as the data does",
    "marquee.v1.GetCollectionResponse.collection_id": NAMED,
    "marquee.v1.GetCollectionResponse.films": "the assignment asks for the count and the revenue",
    "marquee.v1.CountByCountryResponse.iso_3166_1": NAMED,
    "marquee.v1.GetCompanyResponse.company_ids": NAMED,
    "marquee.v1.GetCompanyResponse.films": GROUP_FILMS,
    "marquee.v1.CountByCountryResponse.films": GROUP_FILMS,
    "marquee.v1.CountByLanguageResponse.films": GROUP_FILMS,
}
"""Proto fields the assignment's answers leave out, and why."""


def dec(value: float) -> str:
    """Two decimals, for returns and averages in a sentence."""
    return f"{value:.2f}"


class CantidadMes(Answer):
    proto = pb.CountReleasesByMonthResponse
    mes: str
    cantidad: int
    mensaje: str
    example = v1.MonthCount.example

    @staticmethod
    def from_proto(r: pb.CountReleasesByMonthResponse) -> Json:
        sentence = f"{r.count} cantidad de películas fueron estrenadas en el mes de {r.name}"
        return {"mes": r.name, "cantidad": r.count, "mensaje": sentence}


class CantidadDia(Answer):
    proto = pb.CountReleasesByWeekdayResponse
    dia: str
    cantidad: int
    mensaje: str
    example = MONDAY

    @staticmethod
    def from_proto(r: pb.CountReleasesByWeekdayResponse) -> Json:
        sentence = f"{r.count} cantidad de películas fueron estrenadas en los días {r.name}"
        return {"dia": r.name, "cantidad": r.count, "mensaje": sentence}


class PeliculasMes(Answer):
    proto = pb.CountReleasesByMonthResponse
    mes: str
    cantidad: int
    example = v1.MonthCount.example

    @staticmethod
    def from_proto(r: pb.CountReleasesByMonthResponse) -> Json:
        return {"mes": r.name, "cantidad": r.count}


class PeliculasDia(Answer):
    proto = pb.CountReleasesByWeekdayResponse
    dia: str
    cantidad: int
    example = MONDAY

    @staticmethod
    def from_proto(r: pb.CountReleasesByWeekdayResponse) -> Json:
        return {"dia": r.name, "cantidad": r.count}


class ScoreTitulo(Answer):
    proto = pb.GetTitleScoreResponse
    titulo: str
    anio: int
    score: float = Field(description="popularity")
    mensaje: str
    example = v1.TitleScore.example

    @staticmethod
    def from_proto(r: pb.GetTitleScoreResponse) -> Json:
        m = r.movie
        sentence = (
            f"La película {m.title} fue estrenada en el año {m.year} con un score/popularidad de {dec(r.popularity)}"
        )
        return {"titulo": m.title, "anio": m.year, "score": r.popularity, "mensaje": sentence}


class VotosTitulo(Answer):
    proto = pb.GetTitleVotesResponse
    titulo: str
    anio: int
    votos: int
    promedio: float | None = Field(description="null below 2000 votes")
    mensaje: str
    example = v1.TitleVotes.example

    @staticmethod
    def from_proto(r: pb.GetTitleVotesResponse) -> Json:
        m = r.movie
        if r.reaches_2000_votes:
            promedio: float | None = r.vote_average
            sentence = (
                f"La película {m.title} fue estrenada en el año {m.year}. La misma cuenta con un total de "
                f"{r.vote_count} valoraciones, con un promedio de {r.vote_average:g}"
            )
        else:
            promedio = None
            sentence = (
                f"La película {m.title} fue estrenada en el año {m.year} y cuenta con {r.vote_count} valoraciones: "
                f"no alcanza las {VOTES_THRESHOLD} valoraciones, por lo que no se devuelve su promedio"
            )
        return {"titulo": m.title, "anio": m.year, "votos": r.vote_count, "promedio": promedio, "mensaje": sentence}


class ActorEs(Answer):
    proto = pb.GetActorResponse
    actor: str
    cantidad_peliculas: int
    retorno_total: float
    retorno_promedio: float
    mensaje: str
    example = v1.Actor.example

    @staticmethod
    def from_proto(r: pb.GetActorResponse) -> Json:
        sentence = (
            f"El actor {r.name} ha participado de {r.movie_count} cantidad de filmaciones, el mismo ha conseguido "
            f"un retorno de {dec(r.total_return)} con un promedio de {dec(r.average_return)} por filmación"
        )
        return {
            "actor": r.name,
            "cantidad_peliculas": r.movie_count,
            "retorno_total": r.total_return,
            "retorno_promedio": r.average_return,
            "mensaje": sentence,
        }


class PeliculaDirector(Answer):
    proto = pb.DirectorFilm
    titulo: str
    fecha_lanzamiento: str
    retorno: float
    costo: int = Field(description="budget")
    ganancia: int = Field(description="revenue - budget")

    @staticmethod
    def from_proto(f: pb.DirectorFilm) -> Json:
        return {
            "titulo": f.title,
            "fecha_lanzamiento": f.release_date,
            "retorno": f.return_ratio,
            "costo": f.budget,
            "ganancia": f.profit,
        }


class DirectorEs(Answer):
    proto = pb.GetDirectorResponse
    director: str
    retorno_total: float
    peliculas: list[PeliculaDirector]
    example = v1.Director.example

    @staticmethod
    def from_proto(r: pb.GetDirectorResponse) -> Json:
        films = [PeliculaDirector.from_proto(f) for f in r.films]
        return {"director": r.name, "retorno_total": r.total_return, "peliculas": films}


class Recomendacion(Answer):
    proto = rpb.RecommendResponse
    lista_recomendada: list[str] = Field(alias="lista recomendada")
    example = rpb.RecommendResponse(
        recommendations=[
            rpb.Recommendation(movie=shared_pb2.MovieRef(title=title))
            for title in ("Toy Story 2", "Monsters, Inc.", "A Bug's Life", "Dumbo", "Bambi")
        ]
    )

    @staticmethod
    def from_proto(r: rpb.RecommendResponse) -> Json:
        return {"lista recomendada": [rec.movie.title for rec in r.recommendations]}


class PeliculasIdioma(Answer):
    proto = pb.CountByLanguageResponse
    idioma: str
    cantidad: int
    mensaje: str
    example = v1.LanguageCount.example

    @staticmethod
    def from_proto(r: pb.CountByLanguageResponse) -> Json:
        sentence = f"{r.count} cantidad de películas fueron estrenadas en idioma {r.name}"
        return {"idioma": r.name, "cantidad": r.count, "mensaje": sentence}


class PeliculaDuracion(Answer):
    proto = pb.GetRuntimeResponse
    pelicula: str
    duracion: float | None = Field(description="minutes; null when the data has none")
    anio: int
    mensaje: str
    example = pb.GetRuntimeResponse(movie=v1.HEAT, runtime=170.0)

    @staticmethod
    def from_proto(r: pb.GetRuntimeResponse) -> Json:
        m = r.movie
        duracion = r.runtime if r.HasField("runtime") else None
        texto = f"{duracion:g} minutos" if duracion is not None else "desconocida"
        return {
            "pelicula": m.title,
            "duracion": duracion,
            "anio": m.year,
            "mensaje": f"{m.title}. Duración: {texto}. Año: {m.year}",
        }


class Franquicia(Answer):
    proto = pb.GetCollectionResponse
    franquicia: str
    cantidad: int
    ganancia_total: int = Field(description="revenue of its films")
    ganancia_promedio: float
    mensaje: str
    example = v1.CollectionStats.example

    @staticmethod
    def from_proto(r: pb.GetCollectionResponse) -> Json:
        sentence = (
            f"La franquicia {r.name} posee {r.movie_count} películas, una ganancia total de "
            f"{r.total_revenue} y una ganancia promedio de {dec(r.average_revenue)}"
        )
        return {
            "franquicia": r.name,
            "cantidad": r.movie_count,
            "ganancia_total": r.total_revenue,
            "ganancia_promedio": r.average_revenue,
            "mensaje": sentence,
        }


class PeliculasPais(Answer):
    proto = pb.CountByCountryResponse
    pais: str
    cantidad: int
    mensaje: str
    example = v1.CountryCount.example

    @staticmethod
    def from_proto(r: pb.CountByCountryResponse) -> Json:
        return {
            "pais": r.name,
            "cantidad": r.count,
            "mensaje": f"Se produjeron {r.count} películas en el país {r.name}",
        }


class ProductoraExitosa(Answer):
    proto = pb.GetCompanyResponse
    productora: str
    revenue_total: int
    cantidad: int
    mensaje: str
    example = v1.CompanyStats.example

    @staticmethod
    def from_proto(r: pb.GetCompanyResponse) -> Json:
        sentence = f"La productora {r.name} ha tenido un revenue de {r.total_revenue} con {r.movie_count} películas"
        return {"productora": r.name, "revenue_total": r.total_revenue, "cantidad": r.movie_count, "mensaje": sentence}


class Productora(Answer):
    proto = pb.GetCompanyResponse
    productora: str
    ganancia_total: int = Field(description="revenue of its films")
    cantidad: int
    example = v1.CompanyStats.example

    @staticmethod
    def from_proto(r: pb.GetCompanyResponse) -> Json:
        return {"productora": r.name, "ganancia_total": r.total_revenue, "cantidad": r.movie_count}


class Retorno(Answer):
    proto = pb.GetMovieReturnResponse
    pelicula: str
    inversion: int = Field(description="budget")
    ganancia: int = Field(description="revenue")
    ganacia: int = Field(description="the same as ganancia, under the assignment's spelling")
    retorno: float = Field(description="revenue / budget, 0 when either is 0")
    anio: int
    example = pb.GetMovieReturnResponse(
        movie=v1.HEAT, budget=60000000, revenue=187436818, return_ratio=3.123946966666667
    )

    @staticmethod
    def from_proto(r: pb.GetMovieReturnResponse) -> Json:
        return {
            "pelicula": r.movie.title,
            "inversion": r.budget,
            "ganancia": r.revenue,
            "ganacia": r.revenue,
            "retorno": r.return_ratio,
            "anio": r.movie.year,
        }
