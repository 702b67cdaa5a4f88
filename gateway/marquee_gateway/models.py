"""Response models: what each route answers, as OpenAPI documents it.

Money is integer US dollars; ids and counts are JSON numbers (never strings, as protobuf's
JSON mapping would make an int64).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(populate_by_name=True)


# -- canonical /v1 ---------------------------------------------------------------------------


class MovieRef(Model):
    id: int
    title: str
    year: int
    release_date: str = Field(description="YYYY-MM-DD")


class Person(Model):
    id: int
    name: str


class CastCredit(Model):
    person_id: int
    name: str
    character: str
    order: int


class Country(Model):
    iso_3166_1: str
    name: str


class Language(Model):
    iso_639_1: str
    name: str


class Collection(Model):
    id: int
    name: str


class Company(Model):
    id: int
    name: str


class Movie(Model):
    id: int
    title: str
    year: int
    release_date: str
    runtime: float | None = Field(description="minutes; null when the data has none")
    overview: str
    tagline: str
    genres: list[str]
    collection: Collection | None
    companies: list[Company]
    countries: list[Country]
    spoken_languages: list[Language]
    original_language: str
    budget: int = Field(description="US dollars, 0 when unknown")
    revenue: int = Field(description="US dollars, 0 when unknown")
    return_: float = Field(alias="return", description="revenue / budget, 0 when either is 0")
    popularity: float
    vote_average: float
    vote_count: int
    imdb_id: str
    poster_path: str
    directors: list[Person]
    cast: list[CastCredit] = Field(description="top-billed, in billing order")
    adult: bool
    status: str


class SearchHit(Model):
    movie: MovieRef
    match: str = Field(description="EXACT, PREFIX or FUZZY")
    score: float = Field(description="0..100, higher is closer")
    vote_count: int


class SearchPage(Model):
    hits: list[SearchHit]
    total_size: int
    next_page_token: str = Field(description="pass as page_token for the next page; empty on the last page")


class ReleaseCount(Model):
    name: str = Field(description="canonical Spanish name")
    number: int = Field(description="month 1..12, or ISO weekday 1 (lunes) .. 7 (domingo)")
    count: int = Field(description="films released then, all years")


class TitleScore(Model):
    movie: MovieRef
    popularity: float
    same_title: list[MovieRef] = Field(description="other films with the same title; pick one with ?year=")


class TitleVotes(Model):
    movie: MovieRef
    vote_count: int
    vote_average: float
    reaches_2000_votes: bool
    same_title: list[MovieRef]


class TitleRuntime(Model):
    movie: MovieRef
    runtime: float | None = Field(description="minutes; null when the data has none")
    same_title: list[MovieRef]


class TitleReturn(Model):
    movie: MovieRef
    budget: int
    revenue: int
    return_: float = Field(alias="return")
    same_title: list[MovieRef]


class ActorFilm(Model):
    movie: MovieRef
    character: str
    return_: float = Field(alias="return")


class Actor(Model):
    name: str
    person_ids: list[int]
    movie_count: int = Field(description="films acted in, less those the person directed")
    total_return: float
    average_return: float
    films: list[ActorFilm]


class DirectorFilm(Model):
    movie: MovieRef
    title: str
    release_date: str
    return_: float = Field(alias="return")
    budget: int
    revenue: int
    profit: int = Field(description="revenue - budget")


class Director(Model):
    name: str
    person_ids: list[int]
    movie_count: int
    total_return: float
    films: list[DirectorFilm]


class CollectionStats(Model):
    name: str
    collection_id: int
    movie_count: int
    total_revenue: int
    average_revenue: float
    films: list[MovieRef]


class CompanyStats(Model):
    name: str
    company_ids: list[int]
    movie_count: int
    total_revenue: int


class CountryCount(Model):
    name: str
    iso_3166_1: str
    count: int = Field(description="films produced there")


class LanguageCount(Model):
    iso_639_1: str
    name: str
    english_name: str
    count: int = Field(description="films whose original language it is")


class ResolvedSeed(Model):
    kind: str = Field(description="MOVIE_ID, TITLE or TEXT")
    movie: MovieRef | None
    same_title: list[MovieRef]
    text: str


class Recommendation(Model):
    movie: MovieRef
    genres: list[str]
    score: float = Field(description="blended score used for the ranking, higher is better")
    similarity: float = Field(description="cosine similarity of the film vectors, -1..1")
    reasons: list[str]
    shared_genres: list[str]


class Recommendations(Model):
    seed: ResolvedSeed
    recommendations: list[Recommendation]
    matched: int = Field(description="films that passed the filters (capped by the search width)")


class ModelInfo(Model):
    release_version: str
    built_at: str
    items: int
    dimensions: int
    trees: int
    metric: str
    recall_at_10: float
    parameters: dict[str, str]
    build_seconds: float


class Health(Model):
    status: str


class Ready(Model):
    status: str
    upstreams: dict[str, str]
    releases: dict[str, list[str]] = Field(
        default_factory=dict, description="per upstream, the releases its replicas serve (as of the last poll)"
    )


class FailedSwap(Model):
    version: str | None
    reason: str | None
    failed_at: str | None


class ReplicaRelease(Model):
    address: str = Field(description="the replica's address, as the gateway resolved the upstream's name")
    version: str | None = Field(description="the release it serves; null when it could not be asked")
    built_at: str | None
    loaded_at: str | None = Field(description="when the replica started serving that release")
    verification: str | None = Field(description="what the replica checked before serving it")
    swaps: int
    failed_swaps: int
    last_failed_swap: FailedSwap | None = Field(description="the last release it refused, and why")
    error: str | None = Field(description="why the replica could not be asked, if it could not")


class UpstreamReleases(Model):
    version: str | None = Field(description="the release the replicas serve or are moving to (the latest loaded)")
    agree: bool = Field(description="every replica answered and serves the same release")
    replicas: list[ReplicaRelease]


class Releases(Model):
    agree: bool = Field(description="every upstream's replicas agree")
    upstreams: dict[str, UpstreamReleases]


# -- the assignment's routes (Spanish) -------------------------------------------------------


class CantidadMes(Model):
    mes: str
    cantidad: int
    mensaje: str


class CantidadDia(Model):
    dia: str
    cantidad: int
    mensaje: str


class PeliculasMes(Model):
    mes: str
    cantidad: int


class PeliculasDia(Model):
    dia: str
    cantidad: int


class ScoreTitulo(Model):
    titulo: str
    anio: int
    score: float = Field(description="popularity")
    mensaje: str


class VotosTitulo(Model):
    titulo: str
    anio: int
    votos: int
    promedio: float | None = Field(description="null below 2000 votes")
    mensaje: str


class ActorEs(Model):
    actor: str
    cantidad_peliculas: int
    retorno_total: float
    retorno_promedio: float
    mensaje: str


class PeliculaDirector(Model):
    titulo: str
    fecha_lanzamiento: str
    retorno: float
    costo: int = Field(description="budget")
    ganancia: int = Field(description="revenue - budget")


class DirectorEs(Model):
    director: str
    retorno_total: float
    peliculas: list[PeliculaDirector]


class Recomendacion(Model):
    lista_recomendada: list[str] = Field(alias="lista recomendada")


class PeliculasIdioma(Model):
    idioma: str
    cantidad: int
    mensaje: str


class PeliculaDuracion(Model):
    pelicula: str
    duracion: float | None = Field(description="minutes; null when the data has none")
    anio: int
    mensaje: str


class Franquicia(Model):
    franquicia: str
    cantidad: int
    ganancia_total: int = Field(description="revenue of its films")
    ganancia_promedio: float
    mensaje: str


class PeliculasPais(Model):
    pais: str
    cantidad: int
    mensaje: str


class ProductoraExitosa(Model):
    productora: str
    revenue_total: int
    cantidad: int
    mensaje: str


class Productora(Model):
    productora: str
    ganancia_total: int = Field(description="revenue of its films")
    cantidad: int


class Retorno(Model):
    pelicula: str
    inversion: int = Field(description="budget")
    ganancia: int = Field(description="revenue")
    ganacia: int = Field(description="the same as ganancia, under the assignment's spelling")
    retorno: float = Field(description="revenue / budget, 0 when either is 0")
    anio: int
