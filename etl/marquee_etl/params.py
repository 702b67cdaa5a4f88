"""The model's settings, apart from the model code: the pipeline reads them (to know whether a
build would repeat an existing release) without importing scikit-learn."""

from __future__ import annotations

from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from marquee_common import viewers


class ModelParams(BaseSettings):
    """Model settings; each can be set as MARQUEE_MODEL_<NAME> (e.g. MARQUEE_MODEL_DIMENSIONS=128).

    Defaults were chosen with bench/quality_recommender.py's sweeps (see bench/README.md).
    """

    model_config = SettingsConfigDict(env_prefix="MARQUEE_MODEL_", frozen=True, extra="ignore")

    dimensions: int = 128  # SVD components per film vector
    trees: int = 40  # Annoy trees: more trees, better recall, bigger index
    search_k: int = 0  # Annoy nodes inspected per query; 0 means trees * 100
    min_df: int = 2  # a term must appear in this many films
    max_df: float = 0.5  # ... and in at most this share of them
    max_features: int = 60_000  # vocabulary cap, most frequent terms kept
    title_weight: int = 2  # times the title's words count in a film's document
    genre_weight: int = 3  # times each genre token counts
    collection_weight: int = 3
    director_weight: int = 2
    cast_top: int = 5  # top-billed actors that become tokens
    company_weight: int = 1
    neighbours: int = 100  # nearest films listed per film at build time (by-film queries skip the index)
    recall_queries: int = 1000  # films queried to measure recall@10
    min_recall: float = 0.95  # the build fails below this
    seed: int = 7

    @classmethod
    def from_env(cls) -> ModelParams:
        """The settings from the environment; one ValueError line naming each variable that is wrong."""
        try:
            return cls()
        except ValidationError as exc:
            wrong = [
                f"MARQUEE_MODEL_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}" for e in exc.errors()
            ]
            raise ValueError("; ".join(wrong)) from None

    @property
    def effective_search_k(self) -> int:
        return self.search_k or self.trees * 100


class ViewersParams(BaseSettings):
    """Viewers' model settings; each can be set as MARQUEE_VIEWERS_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="MARQUEE_VIEWERS_", frozen=True, extra="ignore")

    k: int = Field(100, ge=1)  # films kept per film
    shrink: float = Field(0.0, ge=0)  # added to the similarity's denominator: weak evidence counts less
    alpha: float = Field(0.0, ge=0, le=1)  # exponent of n_j (1 - alpha of n_i): 0.5 the cosine, 0 the share of
    # i's likers who liked j; 0 and no shrink measured best (viewers.py's docstring)
    prior: float = Field(100.0, ge=0)  # viewers' worth of the films' popularity in every score:
    # (co + prior x p_j) / (n_i + prior), p_j the share of viewers who liked j (viewers.py's docstring)
    holdout: float = Field(0.2, gt=0, lt=1)  # share of viewers held out to measure
    seed: int = 7
    folds: int = Field(4, ge=2, le=20)  # folds of the training viewers the blend is chosen in
    block: int = Field(512, ge=1)  # films per block of X^T X (memory: block x films floats)

    @classmethod
    def from_env(cls) -> ViewersParams:
        try:
            return cls()
        except ValidationError as exc:
            wrong = [
                f"MARQUEE_VIEWERS_{'_'.join(map(str, e['loc'])).upper()}={e['input']!r}: {e['msg']}"
                for e in exc.errors()
            ]
            raise ValueError("; ".join(wrong)) from None

    def recorded(self) -> dict[str, Any]:
        """The parameters as the manifest records them (and the build fingerprint compares them)."""
        return {"liked": viewers.LIKED, "min_viewers": viewers.MIN_VIEWERS, **self.model_dump()}
