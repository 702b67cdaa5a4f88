"""Shared fixtures: a clean environment, releases built by the real pipeline, and services started
as real processes on 127.0.0.1 (the helpers behind them are in tests/harness.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.harness import ENV_PREFIXES, FIXTURE_RAW, SAMPLE_RAW, SHARED, RunningService, build_release

SHARED_DATA = SHARED / "data"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting leaks in from the developer's shell."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The larger development files beside the project (CI has them; a user's clone does not)."""
    if not (SHARED_DATA / "movies_metadata.csv").is_file():
        pytest.skip(f"needs the shared development data at {SHARED_DATA}, which is not beside this clone")
    return SHARED_DATA


@pytest.fixture(scope="session")
def fixture_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture-data")
    build_release(FIXTURE_RAW, out)
    return out


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the bundled sample, built by the real pipeline."""
    out = tmp_path_factory.mktemp("sample-data")
    build_release(SAMPLE_RAW, out)
    return out


@pytest.fixture(scope="session")
def catalog_process(fixture_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    log = tmp_path_factory.mktemp("logs") / "catalog.log"
    service = RunningService("marquee_catalog", "CATALOG", fixture_data_dir, "marquee.v1.CatalogService", log)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def recommender_process(fixture_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    log = tmp_path_factory.mktemp("logs") / "recommender.log"
    service = RunningService("marquee_recommender", "RECOMMENDER", fixture_data_dir, "marquee.v1.RecommenderService",
                             log)  # fmt: skip
    yield service
    service.stop()
