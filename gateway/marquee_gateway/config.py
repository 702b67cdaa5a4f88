"""The gateway's settings, from GATEWAY_* environment variables."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    """Built once in `main()` (or by the app factory of each worker) and passed down.

    >>> GatewaySettings(port=8080).catalog_target
    'dns:///127.0.0.1:50051'
    """

    model_config = SettingsConfigDict(env_prefix="GATEWAY_", frozen=True, extra="ignore")

    host: str = "0.0.0.0"
    port: int = Field(8000, ge=0, le=65535)
    catalog_target: str = Field("dns:///127.0.0.1:50051", description="gRPC target of the catalog service")
    recommender_target: str = Field("dns:///127.0.0.1:50052", description="gRPC target of the recommender")
    deadline_s: float = Field(2.0, gt=0, le=60, description="deadline of every upstream call")
    retry_attempts: int = Field(3, ge=1, le=5, description="attempts of a call that failed UNAVAILABLE")
    batch_size: int = Field(
        16, ge=1, le=100, description="most requests gathered into one Batch* upstream call; 1 turns batching off"
    )
    cache_ttl_s: float = Field(60.0, ge=0, le=86400, description="keep answers this long; 0 turns the cache off")
    cache_size: int = Field(10_000, ge=0, le=1_000_000, description="answers kept per worker process")
    cache_max_mb: float = Field(64.0, gt=0, le=4096, description="bytes of answers kept per worker process, in MB")
    workers: int = Field(1, ge=1, le=64, description="uvicorn worker processes sharing the port")
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    grace_s: float = Field(5.0, ge=0, le=60, description="drain time on SIGTERM, under compose's 10 s")
    header_timeout_s: float = Field(
        10.0, gt=0, le=300, description="a request's headers must arrive within this, or 408 and the connection closes"
    )
    max_connections: int = Field(
        1000, ge=1, le=100_000, description="open connections per worker process; beyond, 503 and closed"
    )
    max_url_bytes: int = Field(
        8192, ge=256, le=65535, description="longest request target (path and query) answered; longer is 414"
    )  # at most 65535: httptools cannot parse a longer URL
    max_header_bytes: int = Field(
        16384, ge=1024, le=1_048_576, description="most bytes of header lines in one request; more is 431"
    )
    drain_s: float = Field(
        1.0, ge=0, le=30, description="on SIGTERM, time answering (with /readyz 503) before it stops accepting"
    )
    release_poll_s: float = Field(
        2.0, ge=0, le=3600, description="how often every replica is asked which release it serves; 0 turns it off"
    )
