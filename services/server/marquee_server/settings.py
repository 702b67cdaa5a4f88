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
    max_concurrent_rpcs: int = Field(
        64, ge=1, le=10_000, description="calls in flight beyond which a call is refused with RESOURCE_EXHAUSTED"
    )
    work_threads: int = Field(4, ge=1, le=64, description="threads running the heavy calls off the event loop")
    drain_s: float = Field(
        1.0, ge=0, le=30, description="on SIGTERM, time answering as NOT_SERVING before the server stops accepting"
    )
    max_connection_age_s: float = Field(
        30.0, ge=0, le=86400, description="connections are closed after this (with grace_s): clients re-resolve"
    )
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    grace_s: float = Field(
        5.0, ge=0, le=60, description="time to finish accepted calls on SIGTERM, under compose's 10 s"
    )
    release_poll_s: float = Field(
        2.0, ge=0, le=3600, description="how often `current` is checked for a new release to swap to; 0 turns it off"
    )

    max_report_mb: float = Field(
        16.0, gt=0, le=1024, description="largest data report GetReleaseReport sends, in MB; a larger one is refused"
    )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"
