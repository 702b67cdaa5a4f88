"""The gateway's unit tests share one app over in-process fakes: `fakes` and `client`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.unit.gateway_fakes import Fakes, gateway_client

if TYPE_CHECKING:
    from starlette.testclient import TestClient


@pytest.fixture
def fakes() -> Fakes:
    return Fakes()


@pytest.fixture
def client(fakes: Fakes) -> Iterator[TestClient]:
    with gateway_client(fakes) as client:
        yield client
