"""/docs and /redoc load nothing from the internet: every asset their pages name is served by the gateway."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.unit.gateway_fakes import Fakes, gateway_client

if TYPE_CHECKING:
    from starlette.testclient import TestClient

CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with gateway_client(Fakes()) as client:
        yield client


def referenced(html: str) -> list[str]:
    """Every URL the page loads: src and href attributes, and the URLs its script hands Swagger UI."""
    return re.findall(r'(?:src|href)="([^"]+)"', html) + re.findall(r"(?:url|spec-url)[:=] ?['\"]([^'\"]+)['\"]", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_pages_name_only_assets_the_gateway_serves(client: TestClient, page: str) -> None:
    reply = client.get(page)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/html")
    assert not re.search(r"https?://|//cdn|fonts\.googleapis", reply.text), "a page names an outside address"
    urls = referenced(reply.text)
    assert "/openapi.json" in urls and any(u.endswith(".js") for u in urls)
    for url in urls:
        assert url.startswith("/") and not url.startswith("//"), url
        asset = client.get(url)
        assert asset.status_code == 200, url
        suffix = url[url.rfind(".") :]
        if suffix in CONTENT_TYPES:
            assert CONTENT_TYPES[suffix] in asset.headers["content-type"], url
            assert len(asset.content) > 1000, url


def test_swagger_ui_is_told_not_to_ask_the_online_validator(client: TestClient) -> None:
    assert '"validatorUrl": null' in client.get("/docs").text
