"""Settings every gRPC service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    """host, port, data dir, workers, log level and drain grace, read from the environment."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

    host: str = "[::]"
    port: int = Field(50051, ge=0, le=65535)
    data_dir: Path = Field(Path("var/data"), validation_alias=AliasChoices("MARQUEE_DATA_DIR"))
    workers: int = Field(1, ge=1, le=64, description="server processes sharing the port (SO_REUSEPORT)")
    max_concurrent_rpcs: int | None = Field(None, ge=1)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    grace_s: float = Field(5.0, ge=0, le=60, description="drain time on SIGTERM, under compose's 10 s")
    release_poll_s: float = Field(
        2.0, ge=0, le=3600, description="how often `current` is checked for a new release to swap to; 0 turns it off"
    )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"
