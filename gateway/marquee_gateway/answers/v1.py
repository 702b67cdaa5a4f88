"""The /v1 answers: the services' replies as they are, field by field, with a real example each.

Money is integer US dollars; ids and counts are JSON numbers (never strings, as protobuf's JSON
mapping would make an int64); an unset optional field is null; an enum value is its name without
the type prefix (EXACT, MOVIE_ID). Each example is the service's reply on the bundled sample's
release (long lists and the overview cut short), shown as the answer `from_proto` makes of it.
"""

from __future__ import annotations

from pydantic import Field

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import recommender_pb2 as rpb
from marquee.v1 import shared_pb2
from marquee_common.contract import DEFAULT_GROUP_FILMS
from marquee_gateway.answers import Answer

LEFT_OUT: dict[str, str] = {}
"""Proto fields no /v1 answer carries, and why: none, /v1 passes on everything the services say."""

RETURN = "revenue / budget, 0 when either is 0"
REASON = rpb.Recommendation
TOY_STORY = shared_pb2.MovieRef(id=862, title="Toy Story", year=1995, release_date="1995-10-30")
TOY_STORY_2 = shared_pb2.MovieRef(id=863, title="Toy Story 2", year=1999, release_date="1999-10-30")
HEAT = shared_pb2.MovieRef(id=949, title="Heat", year=1995, release_date="1995-12-15")
ANIMATION = ["Animation", "Comedy", "Family"]
MONSTERS_INC = shared_pb2.MovieRef(id=585, title="Monsters, Inc.", year=2001, release_date="2001-11-01")
LEON = shared_pb2.MovieRef(id=101, title="Leon: The Professional", year=1994, release_date="1994-09-14")
TERMINATOR_2 = shared_pb2.MovieRef(id=280, title="Terminator 2: Judgment Day", year=1991, release_date="1991-07-01")
AMELIE = shared_pb2.MovieRef(id=194, title="Amélie", year=2001, release_date="2001-04-25")
GROUP_FILMS = (
    f"its most-voted films first (ties: lowest id first), at most `limit` ({DEFAULT_GROUP_FILMS} unless asked); "
    "the count says how many there are in all"
)


class MovieRef(Answer):
    proto = shared_pb2.MovieRef
    id: int
    title: str
    year: int
    release_date: str = Field(description="YYYY-MM-DD")


class Person(Answer):
    proto = pb.Person
    id: int
    name: str


class CastCredit(Answer):
    proto = pb.CastCredit
    person_id: int
    name: str
    character: str
    order: int


class Country(Answer):
    proto = pb.Country
    iso_3166_1: str
    name: str


class Language(Answer):
    proto = pb.Language
    iso_639_1: str
    name: str


class Collection(Answer):
    proto = pb.Collection
    id: int
    name: str


class Company(Answer):
    proto = pb.Company
    id: int
    name: str


class Movie(Answer):
    proto = pb.Movie
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
    return_ratio: float = Field(alias="return", description=RETURN)
    popularity: float
    vote_average: float
    vote_count: int
    imdb_id: str
    poster_path: str
    directors: list[Person]
    cast: list[CastCredit] = Field(description="top-billed, in billing order")
    adult: bool
    status: str
    example = pb.Movie(
        id=862, title="Toy Story", year=1995, release_date="1995-10-30", runtime=81.0,
        overview="Led by Woody, Andy's toys live happily in his room until Andy's birthday brings Buzz Lightyear "
        "onto the scene. Afraid of...",
        genres=ANIMATION, collection=pb.Collection(id=10194, name="Toy Story Collection"),
        companies=[pb.Company(id=3, name="Pixar Animation Studios")],
        countries=[pb.Country(iso_3166_1="US", name="United States of America")],
        spoken_languages=[pb.Language(iso_639_1="en", name="English")], original_language="en",
        budget=30000000, revenue=373554033, return_ratio=12.4518011, popularity=21.946943, vote_average=7.7,
        vote_count=5415, imdb_id="tt0114709", poster_path="/rhIRbceoE9lR4veEXuwCC2wARtG.jpg",
        directors=[pb.Person(id=7879, name="John Lasseter")],
        cast=[pb.CastCredit(person_id=31, name="Tom Hanks", character="Woody (voice)", order=0),
              pb.CastCredit(person_id=12898, name="Tim Allen", character="Buzz Lightyear (voice)", order=1)],
        status="Released",
    )  # fmt: skip


class SearchHit(Answer):
    proto = pb.SearchHit
    movie: MovieRef
    match: str = Field(description="EXACT, PREFIX or FUZZY")
    score: float = Field(description="0..100, higher is closer")
    vote_count: int


class SearchPage(Answer):
    proto = pb.SearchMoviesResponse
    hits: list[SearchHit]
    total_size: int
    next_page_token: str = Field(description="pass as page_token for the next page; empty on the last page")
    total_capped: bool = Field(description="more than total_size films match; refine the query to see them")
    example = pb.SearchMoviesResponse(
        hits=[
            pb.SearchHit(movie=TOY_STORY, match=pb.SearchHit.MATCH_KIND_PREFIX, score=90.0, vote_count=5415),
            pb.SearchHit(movie=TOY_STORY_2, match=pb.SearchHit.MATCH_KIND_PREFIX, score=90.0, vote_count=3914),
        ],
        total_size=5,
        next_page_token="eyJvIjoyLCJxIjoiNGU5OTAwYjZkNzgzOTJkYiJ9",
    )


class MonthCount(Answer):
    proto = pb.CountReleasesByMonthResponse
    name: str = Field(description="canonical Spanish name")
    number: int = Field(description="month 1..12")
    count: int = Field(description="films released then, all years")
    example = pb.CountReleasesByMonthResponse(name="septiembre", number=9, count=594)


class WeekdayCount(Answer):
    proto = pb.CountReleasesByWeekdayResponse
    name: str = Field(description="canonical Spanish name")
    number: int = Field(description="ISO weekday 1 (lunes) .. 7 (domingo)")
    count: int = Field(description="films released then, all years")
    example = pb.CountReleasesByWeekdayResponse(name="sábado", number=6, count=289)


class TitleScore(Answer):
    proto = pb.GetTitleScoreResponse
    movie: MovieRef
    popularity: float
    same_title: list[MovieRef] = Field(description="other films with the same title; pick one with ?year=")
    example = pb.GetTitleScoreResponse(movie=TOY_STORY, popularity=21.946943)


class TitleVotes(Answer):
    proto = pb.GetTitleVotesResponse
    movie: MovieRef
    vote_count: int
    vote_average: float
    reaches_2000_votes: bool
    same_title: list[MovieRef]
    example = pb.GetTitleVotesResponse(movie=TOY_STORY, vote_count=5415, vote_average=7.7, reaches_2000_votes=True)


class TitleRuntime(Answer):
    proto = pb.GetRuntimeResponse
    movie: MovieRef
    runtime: float | None = Field(description="minutes; null when the data has none")
    same_title: list[MovieRef]
    example = pb.GetRuntimeResponse(movie=TOY_STORY, runtime=81.0)


class TitleReturn(Answer):
    proto = pb.GetMovieReturnResponse
    movie: MovieRef
    budget: int
    revenue: int
    return_ratio: float = Field(alias="return")
    same_title: list[MovieRef]
    example = pb.GetMovieReturnResponse(movie=TOY_STORY, budget=30000000, revenue=373554033, return_ratio=12.4518011)


class ActorFilm(Answer):
    proto = pb.ActorFilm
    movie: MovieRef
    character: str
    return_ratio: float = Field(alias="return")


class Actor(Answer):
    proto = pb.GetActorResponse
    name: str
    person_ids: list[int]
    movie_count: int = Field(description="films acted in, less those the person directed")
    total_return: float
    average_return: float
    films: list[ActorFilm]
    example = pb.GetActorResponse(
        name="Tom Hanks", person_ids=[31], movie_count=1, total_return=12.4518011, average_return=12.4518011,
        films=[pb.ActorFilm(movie=TOY_STORY, character="Woody (voice)", return_ratio=12.4518011)],
    )  # fmt: skip


class DirectorFilm(Answer):
    proto = pb.DirectorFilm
    movie: MovieRef
    title: str
    release_date: str
    return_ratio: float = Field(alias="return")
    budget: int
    revenue: int
    profit: int = Field(description="revenue - budget")


class Director(Answer):
    proto = pb.GetDirectorResponse
    name: str
    person_ids: list[int]
    movie_count: int
    total_return: float
    films: list[DirectorFilm]
    example = pb.GetDirectorResponse(
        name="Michael Mann", person_ids=[638], movie_count=1, total_return=3.123946966666667,
        films=[pb.DirectorFilm(movie=HEAT, title="Heat", release_date="1995-12-15", return_ratio=3.123946966666667,
                               budget=60000000, revenue=187436818, profit=127436818)],
    )  # fmt: skip


class CollectionStats(Answer):
    proto = pb.GetCollectionResponse
    name: str
    collection_id: int
    movie_count: int
    total_revenue: int
    average_revenue: float
    films: list[MovieRef]
    example = pb.GetCollectionResponse(
        name="Toy Story Collection", collection_id=10194, movie_count=2, total_revenue=870920902,
        average_revenue=435460451.0, films=[TOY_STORY, TOY_STORY_2],
    )  # fmt: skip


class CompanyStats(Answer):
    proto = pb.GetCompanyResponse
    name: str
    company_ids: list[int]
    movie_count: int = Field(description="its films in all")
    total_revenue: int
    films: list[MovieRef] = Field(description=GROUP_FILMS)
    example = pb.GetCompanyResponse(
        name="Pixar Animation Studios", company_ids=[3], movie_count=4, total_revenue=1796996017,
        films=[MONSTERS_INC, TOY_STORY],
    )  # fmt: skip


class CountryCount(Answer):
    proto = pb.CountByCountryResponse
    name: str
    iso_3166_1: str
    count: int = Field(description="films produced there, in all")
    films: list[MovieRef] = Field(description=GROUP_FILMS)
    example = pb.CountByCountryResponse(name="France", iso_3166_1="FR", count=375, films=[LEON, TERMINATOR_2])


class LanguageCount(Answer):
    proto = pb.CountByLanguageResponse
    iso_639_1: str
    name: str
    english_name: str
    count: int = Field(description="films whose original language it is, in all")
    films: list[MovieRef] = Field(description=GROUP_FILMS)
    example = pb.CountByLanguageResponse(
        iso_639_1="fr", name="Français", english_name="French", count=169, films=[LEON, AMELIE]
    )


class ResolvedSeed(Answer):
    proto = rpb.ResolvedSeed
    kind: str = Field(description="MOVIE_ID, TITLE or TEXT")
    movie: MovieRef | None
    same_title: list[MovieRef]
    text: str


class Recommendation(Answer):
    proto = rpb.Recommendation
    movie: MovieRef
    genres: list[str]
    score: float = Field(description="blended score used for the ranking, higher is better")
    similarity: float = Field(description="cosine similarity of the film vectors, -1..1")
    reasons: list[str]
    shared_genres: list[str]


class Recommendations(Answer):
    proto = rpb.RecommendResponse
    seed: ResolvedSeed
    recommendations: list[Recommendation]
    matched: int = Field(description="films that passed the filters (capped by the search width)")
    popularity: float = Field(description="how much this answer favoured well-known films, 0..1: the request's "
                              "`popularity` or the service's default")  # fmt: skip
    example = rpb.RecommendResponse(
        seed=rpb.ResolvedSeed(kind=rpb.ResolvedSeed.KIND_MOVIE_ID, movie=TOY_STORY),
        recommendations=[
            rpb.Recommendation(movie=TOY_STORY_2, genres=ANIMATION, score=1.9962985515594482,
                               similarity=0.8054729700088501, shared_genres=ANIMATION,
                               reasons=[REASON.REASON_TEXT_SIMILARITY, REASON.REASON_SHARED_GENRES,
                                        REASON.REASON_SAME_COLLECTION]),
            rpb.Recommendation(movie=shared_pb2.MovieRef(id=585, title="Monsters, Inc.", year=2001,
                                                         release_date="2001-11-01"),
                               genres=ANIMATION, score=1.2975668907165527, similarity=0.5772045850753784,
                               reasons=[REASON.REASON_TEXT_SIMILARITY, REASON.REASON_SHARED_GENRES],
                               shared_genres=ANIMATION),
        ],
        matched=100,
        popularity=0.6,
    )  # fmt: skip


TEXT_RECOMMENDATIONS = rpb.RecommendResponse(  # /v1/recommendations' example: a text seed
    seed=rpb.ResolvedSeed(kind=rpb.ResolvedSeed.KIND_TEXT, text="a cowboy doll and a space ranger toy"),
    recommendations=[
        rpb.Recommendation(movie=shared_pb2.MovieRef(id=2157, title="Lost in Space", year=1998,
                                                     release_date="1998-04-03"),
                           genres=["Adventure", "Family", "Science Fiction"], score=0.5456134080886841,
                           similarity=0.4804401397705078, reasons=[REASON.REASON_TEXT_SIMILARITY]),
        rpb.Recommendation(movie=shared_pb2.MovieRef(id=19378, title="The Cat from Outer Space", year=1978,
                                                     release_date="1978-06-09"),
                           genres=["Comedy", "Family", "Science Fiction"], score=0.5406602025032043,
                           similarity=0.5043526291847229, reasons=[REASON.REASON_TEXT_SIMILARITY]),
    ],
    matched=100,
    popularity=0.1,
)  # fmt: skip


class ModelInfo(Answer):
    proto = rpb.GetModelInfoResponse
    release_version: str
    built_at: str
    items: int
    dimensions: int
    trees: int
    metric: str
    recall_at_10: float
    parameters: dict[str, str]
    build_seconds: float
    example = rpb.GetModelInfoResponse(
        release_version="20261126T061210620Z-d7ff1319", built_at="2026-11-26T06:12:10.620358+00:00",
        items=4995, dimensions=128, trees=40, metric="angular", recall_at_10=0.9558, build_seconds=6.48,
        parameters={"dimensions": "128", "max_features": "60000", "cast_top": "5", "genre_weight": "3",
                    "company_weight": "1", "seed": "7", "search_k": "4000", "title_weight": "2", "max_df": "0.5",
                    "recall_queries": "1000", "trees": "40", "min_df": "2", "director_weight": "2",
                    "terms": "10456", "min_recall": "0.95", "collection_weight": "3"},
    )  # fmt: skip
