"""OpenAPI examples: one real answer per route, as the gateway gave it on the bundled sample's release.

Long lists (a film's cast, an actor's films) and the overview are cut short here.
"""

from __future__ import annotations

from typing import Any

from marquee_gateway.errors import ERROR_RESPONSES

EXAMPLES: dict[str, Any] = {
    "movie": {
        "id": 862,
        "title": "Toy Story",
        "year": 1995,
        "release_date": "1995-10-30",
        "runtime": 81.0,
        "overview": "Led by Woody, Andy's toys live happily in his room until Andy's birthday brings Buzz "
        "Lightyear onto the scene. Afraid of...",
        "tagline": "",
        "genres": ["Animation", "Comedy", "Family"],
        "collection": {"id": 10194, "name": "Toy Story Collection"},
        "companies": [{"id": 3, "name": "Pixar Animation Studios"}],
        "countries": [{"iso_3166_1": "US", "name": "United States of America"}],
        "spoken_languages": [{"iso_639_1": "en", "name": "English"}],
        "original_language": "en",
        "budget": 30000000,
        "revenue": 373554033,
        "return": 12.4518011,
        "popularity": 21.946943,
        "vote_average": 7.7,
        "vote_count": 5415,
        "imdb_id": "tt0114709",
        "poster_path": "/rhIRbceoE9lR4veEXuwCC2wARtG.jpg",
        "directors": [{"id": 7879, "name": "John Lasseter"}],
        "cast": [
            {"person_id": 31, "name": "Tom Hanks", "character": "Woody (voice)", "order": 0},
            {"person_id": 12898, "name": "Tim Allen", "character": "Buzz Lightyear (voice)", "order": 1},
        ],
        "adult": False,
        "status": "Released",
    },
    "search": {
        "hits": [
            {
                "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
                "match": "PREFIX",
                "score": 90.0,
                "vote_count": 5415,
            },
            {
                "movie": {"id": 863, "title": "Toy Story 2", "year": 1999, "release_date": "1999-10-30"},
                "match": "PREFIX",
                "score": 90.0,
                "vote_count": 3914,
            },
        ],
        "total_size": 5,
        "next_page_token": "bzoy",
    },
    "similar": {
        "seed": {
            "kind": "MOVIE_ID",
            "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
            "same_title": [],
            "text": "",
        },
        "recommendations": [
            {
                "movie": {"id": 863, "title": "Toy Story 2", "year": 1999, "release_date": "1999-10-30"},
                "genres": ["Animation", "Comedy", "Family"],
                "score": 1.4775830417871476,
                "similarity": 0.8054729700088501,
                "reasons": ["TEXT_SIMILARITY", "SHARED_GENRES", "SAME_COLLECTION"],
                "shared_genres": ["Animation", "Comedy", "Family"],
            },
            {
                "movie": {"id": 54825, "title": "Creature Comforts", "year": 1989, "release_date": "1989-07-15"},
                "genres": ["Animation", "Comedy", "Family"],
                "score": 1.0311039462685585,
                "similarity": 0.7514564990997314,
                "reasons": ["TEXT_SIMILARITY", "SHARED_GENRES"],
                "shared_genres": ["Animation", "Comedy", "Family"],
            },
        ],
        "matched": 99,
    },
    "recommendations": {
        "seed": {"kind": "TEXT", "movie": None, "same_title": [], "text": "a cowboy doll and a space ranger toy"},
        "recommendations": [
            {
                "movie": {"id": 19378, "title": "The Cat from Outer Space", "year": 1978, "release_date": "1978-06-09"},
                "genres": ["Comedy", "Family", "Science Fiction"],
                "score": 0.5333986822515726,
                "similarity": 0.5043526291847229,
                "reasons": ["TEXT_SIMILARITY"],
                "shared_genres": [],
            },
            {
                "movie": {"id": 2157, "title": "Lost in Space", "year": 1998, "release_date": "1998-04-03"},
                "genres": ["Adventure", "Family", "Science Fiction"],
                "score": 0.5325787402689457,
                "similarity": 0.4804401397705078,
                "reasons": ["TEXT_SIMILARITY"],
                "shared_genres": [],
            },
        ],
        "matched": 100,
    },
    "releases": {
        "agree": True,
        "upstreams": {
            "catalog": {
                "version": "20261201T152208318Z-d7ff1319",
                "agree": True,
                "replicas": [
                    {
                        "address": "127.0.0.1:50051",
                        "version": "20261201T152208318Z-d7ff1319",
                        "built_at": "2026-12-01T15:22:08.318440+00:00",
                        "loaded_at": "2026-12-01T15:24:31.102Z",
                        "verification": "ok: 9 files hashed, 9 tables' columns, 1 probe",
                        "swaps": 1,
                        "failed_swaps": 0,
                        "last_failed_swap": None,
                        "error": None,
                    }
                ],
            },
            "recommender": {
                "version": "20261201T152208318Z-d7ff1319",
                "agree": True,
                "replicas": [
                    {
                        "address": "127.0.0.1:50052",
                        "version": "20261201T152208318Z-d7ff1319",
                        "built_at": "2026-12-01T15:22:08.318440+00:00",
                        "loaded_at": "2026-12-01T15:24:31.245Z",
                        "verification": "ok: 16 files hashed, 12 arrays checked, 17 probes",
                        "swaps": 1,
                        "failed_swaps": 0,
                        "last_failed_swap": None,
                        "error": None,
                    }
                ],
            },
        },
    },
    "model": {
        "release_version": "20261126T061210620Z-d7ff1319",
        "built_at": "2026-11-26T06:12:10.620358+00:00",
        "items": 4995,
        "dimensions": 128,
        "trees": 40,
        "metric": "angular",
        "recall_at_10": 0.9558,
        "parameters": {
            "dimensions": "128",
            "max_features": "60000",
            "cast_top": "5",
            "genre_weight": "3",
            "company_weight": "1",
            "seed": "7",
            "search_k": "4000",
            "title_weight": "2",
            "max_df": "0.5",
            "recall_queries": "1000",
            "trees": "40",
            "min_df": "2",
            "director_weight": "2",
            "terms": "10456",
            "min_recall": "0.95",
            "collection_weight": "3",
        },
        "build_seconds": 6.48,
    },
    "month": {"name": "septiembre", "number": 9, "count": 594},
    "weekday": {"name": "sábado", "number": 6, "count": 289},
    "score": {
        "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
        "popularity": 21.946943,
        "same_title": [],
    },
    "votes": {
        "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
        "vote_count": 5415,
        "vote_average": 7.7,
        "reaches_2000_votes": True,
        "same_title": [],
    },
    "runtime": {
        "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
        "runtime": 81.0,
        "same_title": [],
    },
    "return": {
        "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
        "budget": 30000000,
        "revenue": 373554033,
        "return": 12.4518011,
        "same_title": [],
    },
    "actor": {
        "name": "Tom Hanks",
        "person_ids": [31],
        "movie_count": 1,
        "total_return": 12.4518011,
        "average_return": 12.4518011,
        "films": [
            {
                "movie": {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
                "character": "Woody (voice)",
                "return": 12.4518011,
            }
        ],
    },
    "director": {
        "name": "Michael Mann",
        "person_ids": [638],
        "movie_count": 1,
        "total_return": 3.123946966666667,
        "films": [
            {
                "movie": {"id": 949, "title": "Heat", "year": 1995, "release_date": "1995-12-15"},
                "title": "Heat",
                "release_date": "1995-12-15",
                "return": 3.123946966666667,
                "budget": 60000000,
                "revenue": 187436818,
                "profit": 127436818,
            }
        ],
    },
    "collection": {
        "name": "Toy Story Collection",
        "collection_id": 10194,
        "movie_count": 2,
        "total_revenue": 870920902,
        "average_revenue": 435460451.0,
        "films": [
            {"id": 862, "title": "Toy Story", "year": 1995, "release_date": "1995-10-30"},
            {"id": 863, "title": "Toy Story 2", "year": 1999, "release_date": "1999-10-30"},
        ],
    },
    "company": {"name": "Pixar Animation Studios", "company_ids": [3], "movie_count": 4, "total_revenue": 1796996017},
    "country": {"name": "France", "iso_3166_1": "FR", "count": 375},
    "language": {"iso_639_1": "fr", "name": "Français", "english_name": "French", "count": 169},
    "cantidad_mes": {
        "mes": "septiembre",
        "cantidad": 594,
        "mensaje": "594 cantidad de películas fueron estrenadas en el mes de septiembre",
    },
    "cantidad_dia": {
        "dia": "lunes",
        "cantidad": 247,
        "mensaje": "247 cantidad de películas fueron estrenadas en los días lunes",
    },
    "peliculas_mes": {"mes": "septiembre", "cantidad": 594},
    "peliculas_dia": {"dia": "lunes", "cantidad": 247},
    "score_titulo": {
        "titulo": "Toy Story",
        "anio": 1995,
        "score": 21.946943,
        "mensaje": "La película Toy Story fue estrenada en el año 1995 con un score/popularidad de 21.95",
    },
    "votos_titulo": {
        "titulo": "Toy Story",
        "anio": 1995,
        "votos": 5415,
        "promedio": 7.7,
        "mensaje": "La película Toy Story fue estrenada en el año 1995. La misma cuenta con un "
        "total de 5415 valoraciones, con un promedio de 7.7",
    },
    "get_actor": {
        "actor": "Tom Hanks",
        "cantidad_peliculas": 1,
        "retorno_total": 12.4518011,
        "retorno_promedio": 12.4518011,
        "mensaje": "El actor Tom Hanks ha participado de 1 cantidad de filmaciones, el mismo ha "
        "conseguido un retorno de 12.45 con un promedio de 12.45 por filmación",
    },
    "get_director": {
        "director": "Michael Mann",
        "retorno_total": 3.123946966666667,
        "peliculas": [
            {
                "titulo": "Heat",
                "fecha_lanzamiento": "1995-12-15",
                "retorno": 3.123946966666667,
                "costo": 60000000,
                "ganancia": 127436818,
            }
        ],
    },
    "recomendacion": {
        "lista recomendada": [
            "Toy Story 2",
            "Creature Comforts",
            "Meet the Deedles",
            "Oliver & Company",
            "A Close Shave",
        ]
    },
    "peliculas_idioma": {
        "idioma": "Français",
        "cantidad": 169,
        "mensaje": "169 cantidad de películas fueron estrenadas en idioma Français",
    },
    "peliculas_duracion": {
        "pelicula": "Heat",
        "duracion": 170.0,
        "anio": 1995,
        "mensaje": "Heat. Duración: 170 minutos. Año: 1995",
    },
    "franquicia": {
        "franquicia": "Toy Story Collection",
        "cantidad": 2,
        "ganancia_total": 870920902,
        "ganancia_promedio": 435460451.0,
        "mensaje": "La franquicia Toy Story Collection posee 2 películas, una ganancia total de "
        "870920902 y una ganancia promedio de 435460451.00",
    },
    "peliculas_pais": {"pais": "France", "cantidad": 375, "mensaje": "Se produjeron 375 películas en el país France"},
    "productoras_exitosas": {
        "productora": "Pixar Animation Studios",
        "revenue_total": 1796996017,
        "cantidad": 4,
        "mensaje": "La productora Pixar Animation Studios ha tenido un revenue de 1796996017 con 4 películas",
    },
    "productoras": {"productora": "Pixar Animation Studios", "ganancia_total": 1796996017, "cantidad": 4},
    "retorno": {
        "pelicula": "Heat",
        "inversion": 60000000,
        "ganancia": 187436818,
        "ganacia": 187436818,
        "retorno": 3.123946966666667,
        "anio": 1995,
    },
}


def documented(name: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: its example answer and the error answers."""
    ok: dict[str, Any] = {"description": "the answer"}
    if name in EXAMPLES:
        ok["content"] = {"application/json": {"example": EXAMPLES[name]}}
    return {200: ok, **ERROR_RESPONSES}
