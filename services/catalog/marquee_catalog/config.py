"""The catalog's settings, from CATALOG_* environment variables (and MARQUEE_DATA_DIR)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from marquee_server.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", frozen=True, extra="ignore")

    port: int = Field(50051, ge=0, le=65535)
