"""The recommender's settings, from RECOMMENDER_* environment variables (and MARQUEE_DATA_DIR)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from marquee_recommender.index import Weights
from marquee_server.settings import ServiceSettings

_DEFAULT = Weights()


class RecommenderSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="RECOMMENDER_", frozen=True, extra="ignore")

    port: int = Field(50052, ge=0, le=65535)
    width: int = Field(100, ge=10, le=5000, description="Annoy candidates per request before filters widen it")
    weight_genre: float = Field(_DEFAULT.genre, ge=0)
    weight_collection: float = Field(_DEFAULT.collection, ge=0)
    weight_director: float = Field(_DEFAULT.director, ge=0)
    popularity: float = Field(
        _DEFAULT.popularity, ge=0, le=1,
        description="how much the ranking favours well-known films when a request does not say: 0..1",
    )  # fmt: skip
    text_popularity: float = Field(
        _DEFAULT.text_popularity, ge=0, le=1,
        description="the same, for a request by free text",
    )  # fmt: skip
    weight_viewers: float = Field(
        _DEFAULT.viewers, ge=0, description="times the viewers' similarity, for a release built with ratings"
    )
    similarity_reason: float = Field(_DEFAULT.similarity_reason, ge=-1, le=1)
    learned_blend: bool = Field(
        _DEFAULT.learned_blend,
        description="rank film seeds of a release built with ratings by the blend the pipeline learned from them "
        "(false: by these settings' weights, as a request that sets popularity is)",
    )

    def weights(self) -> Weights:
        return Weights(
            genre=self.weight_genre,
            collection=self.weight_collection,
            director=self.weight_director,
            popularity=self.popularity,
            text_popularity=self.text_popularity,
            viewers=self.weight_viewers,
            similarity_reason=self.similarity_reason,
            learned_blend=self.learned_blend,
        )
