"""The catalog's protobuf replies, built from the core's plain answers: the one place that knows both.

Fields are copied (lists counted), never worked out: what an answer says is decided in the core.
"""

from __future__ import annotations

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import shared_pb2
from marquee_catalog.figures import CalendarCount, Collection, Company, Country, Language
from marquee_catalog.movies import MovieRecord, MovieRow
from marquee_catalog.people import Actor, Director
from marquee_catalog.titles import Match, SearchPage, TitleMatch

MATCH_KIND = {
    Match.EXACT: pb.SearchHit.MATCH_KIND_EXACT,
    Match.PREFIX: pb.SearchHit.MATCH_KIND_PREFIX,
    Match.FUZZY: pb.SearchHit.MATCH_KIND_FUZZY,
}


def movie_ref(row: MovieRow) -> shared_pb2.MovieRef:
    return shared_pb2.MovieRef(id=row.id, title=row.title, year=row.release_year, release_date=row.release_date)


def movie(record: MovieRecord) -> pb.Movie:
    row = record.row
    reply = pb.Movie(
        id=row.id,
        title=row.title,
        year=row.release_year,
        release_date=row.release_date,
        overview=row.overview,
        tagline=row.tagline,
        original_language=row.original_language,
        budget=row.budget,
        revenue=row.revenue,
        popularity=row.popularity,
        vote_average=row.vote_average,
        vote_count=row.vote_count,
        imdb_id=row.imdb_id,
        poster_path=row.poster_path,
        adult=row.adult,
        status=row.status,
        return_ratio=row.ret,
        genres=record.genres,
    )
    if row.runtime is not None:
        reply.runtime = row.runtime
    if record.collection is not None:
        reply.collection.id, reply.collection.name = record.collection
    for company_id, name in record.companies:
        reply.companies.add(id=company_id, name=name)
    for code, name in record.countries:
        reply.countries.add(iso_3166_1=code, name=name)
    for code, name in record.spoken_languages:
        reply.spoken_languages.add(iso_639_1=code, name=name)
    for person_id, name in record.directors:
        reply.directors.add(id=person_id, name=name)
    for person_id, name, character, order in record.cast:
        reply.cast.add(person_id=person_id, name=name, character=character, order=order)
    return reply


def _same_title(match: TitleMatch) -> list[shared_pb2.MovieRef]:
    return [movie_ref(r) for r in match.same_title]


def title_score(match: TitleMatch) -> pb.GetTitleScoreResponse:
    row = match.movie
    return pb.GetTitleScoreResponse(movie=movie_ref(row), popularity=row.popularity, same_title=_same_title(match))


def title_votes(match: TitleMatch) -> pb.GetTitleVotesResponse:
    row = match.movie
    return pb.GetTitleVotesResponse(
        movie=movie_ref(row),
        vote_count=row.vote_count,
        vote_average=row.vote_average,
        reaches_2000_votes=row.reaches_vote_threshold,
        same_title=_same_title(match),
    )


def runtime(match: TitleMatch) -> pb.GetRuntimeResponse:
    reply = pb.GetRuntimeResponse(movie=movie_ref(match.movie), same_title=_same_title(match))
    if match.movie.runtime is not None:
        reply.runtime = match.movie.runtime
    return reply


def movie_return(match: TitleMatch) -> pb.GetMovieReturnResponse:
    row = match.movie
    return pb.GetMovieReturnResponse(
        movie=movie_ref(row),
        budget=row.budget,
        revenue=row.revenue,
        return_ratio=row.ret,
        same_title=_same_title(match),
    )


def search_page(page: SearchPage) -> pb.SearchMoviesResponse:
    hits = [
        pb.SearchHit(movie=movie_ref(h.movie), match=MATCH_KIND[h.match], score=h.score, vote_count=h.movie.vote_count)
        for h in page.hits
    ]
    return pb.SearchMoviesResponse(
        hits=hits, total_size=page.total_size, next_page_token=page.next_page_token, total_capped=page.total_capped
    )


def month(count: CalendarCount) -> pb.CountReleasesByMonthResponse:
    return pb.CountReleasesByMonthResponse(name=count.name, number=count.number, count=count.count)


def weekday(count: CalendarCount) -> pb.CountReleasesByWeekdayResponse:
    return pb.CountReleasesByWeekdayResponse(name=count.name, number=count.number, count=count.count)


def actor(answer: Actor) -> pb.GetActorResponse:
    reply = pb.GetActorResponse(
        name=answer.name,
        person_ids=answer.person_ids,
        movie_count=len(answer.films),
        total_return=answer.total_return,
        average_return=answer.average_return,
    )
    for row, character in answer.films:
        reply.films.add(movie=movie_ref(row), character=character, return_ratio=row.ret)
    return reply


def director(answer: Director) -> pb.GetDirectorResponse:
    reply = pb.GetDirectorResponse(
        name=answer.name,
        person_ids=answer.person_ids,
        movie_count=len(answer.films),
        total_return=answer.total_return,
    )
    for row in answer.films:
        reply.films.add(
            movie=movie_ref(row),
            title=row.title,
            release_date=row.release_date,
            budget=row.budget,
            revenue=row.revenue,
            profit=row.profit,
            return_ratio=row.ret,
        )
    return reply


def collection(answer: Collection) -> pb.GetCollectionResponse:
    return pb.GetCollectionResponse(
        name=answer.name,
        collection_id=answer.collection_id,
        movie_count=len(answer.films),
        total_revenue=answer.total_revenue,
        average_revenue=answer.average_revenue,
        films=[movie_ref(r) for r in answer.films],
    )


def company(answer: Company) -> pb.GetCompanyResponse:
    return pb.GetCompanyResponse(
        name=answer.name,
        company_ids=answer.company_ids,
        movie_count=answer.movie_count,
        total_revenue=answer.total_revenue,
        films=[movie_ref(r) for r in answer.films],
    )


def country(answer: Country) -> pb.CountByCountryResponse:
    return pb.CountByCountryResponse(
        name=answer.name,
        iso_3166_1=answer.iso_3166_1,
        count=answer.count,
        films=[movie_ref(r) for r in answer.films],
    )


def language(answer: Language) -> pb.CountByLanguageResponse:
    return pb.CountByLanguageResponse(
        iso_639_1=answer.iso_639_1,
        name=answer.name,
        english_name=answer.english_name,
        count=answer.count,
        films=[movie_ref(r) for r in answer.films],
    )
