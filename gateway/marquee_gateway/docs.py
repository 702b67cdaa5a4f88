"""/docs (Swagger UI) and /redoc, with every file they load served by the gateway itself.

FastAPI's own pages load Swagger UI and ReDoc from a public CDN (and ReDoc's fonts from Google), so
they are blank without the internet. The same pages here name only local URLs: the JavaScript, CSS
and icon that the pinned `fastapi-offline` package ships, served under /docs/assets/ (outside the
answer cache, like everything under /docs). Swagger UI is also told not to send the document to its
online validator.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS_URL = "/docs/assets"
ASSETS = Path(str(files("fastapi_offline").joinpath("static")))
"""swagger-ui-bundle.js, swagger-ui.css, redoc.standalone.js, favicon.png."""
SWAGGER_PARAMETERS = {"validatorUrl": None}


def install(app: FastAPI) -> None:
    """Add /docs, /redoc and their assets to `app`, made with docs_url=None and redoc_url=None."""
    openapi_url = app.openapi_url or "/openapi.json"
    title = app.title
    favicon = f"{ASSETS_URL}/favicon.png"

    async def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title} - Swagger UI",
            swagger_js_url=f"{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=favicon,
            swagger_ui_parameters={**(app.swagger_ui_parameters or {}), **SWAGGER_PARAMETERS},
        )

    async def redoc() -> HTMLResponse:
        return get_redoc_html(
            openapi_url=openapi_url,
            title=f"{title} - ReDoc",
            redoc_js_url=f"{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=favicon,
            with_google_fonts=False,
        )

    app.mount(ASSETS_URL, StaticFiles(directory=ASSETS), name="docs-assets")
    app.add_api_route("/docs", swagger_ui, include_in_schema=False)
    app.add_api_route("/redoc", redoc, include_in_schema=False)
