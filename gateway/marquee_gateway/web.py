"""The web page for people: one HTML shell for every page path, and its files, served from memory.

The page is a client of the public /v1 API like any other (its JavaScript asks nothing else); there is
no build step and nothing is loaded from the internet. The files are in `marquee_gateway/web/`
(package data), read once when the app is made:

- the shell (`index.html`) answers `/` and every page path (`PAGES`): the page's script routes on the
  URL with the History API, so each URL can be shared and reloaded. `Cache-Control: no-cache` with an
  ETag (a reload asks, and gets 304 while the gateway serves the same files).
- every other file answers `/static/<name>.<hash>.<ext>` (the first 12 hex digits of its sha256),
  `Cache-Control: public, max-age=31536000, immutable`: a changed file gets a new name. The ES modules'
  imports of one another (`from "./api.js"`) are rewritten to those names, each module hashed after its
  imports, so a change reaches every module that depends on it.

Every answer says `X-Content-Type-Options: nosniff`; the shell's Content-Security-Policy lets it run
only the gateway's own scripts and styles and connect only to the gateway. None of these routes is in
the OpenAPI document (they are not the API).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from marquee_gateway.errors import route_error
from marquee_gateway.routes.reports import IMMUTABLE, REVALIDATE, etag_matches

WEB_DIR = Path(str(files("marquee_gateway").joinpath("web")))
SHELL = "index.html"
STATIC_URL = "/static"
PAGES = (
    "/",
    "/search",
    "/describe",
    "/data",
    "/films/{movie_id:segment}",
    "/actors/{name:text}",
    "/directors/{name:text}",
    "/collections/{name:text}",
    "/companies/{name:text}",
    "/countries/{code:text}",
    "/languages/{code:text}",
)
"""The page paths, each answered with the shell; the script shows what the path names."""
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""The shell runs only the gateway's own scripts (no inline script), and connects only to the gateway."""
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".html": "text/html; charset=utf-8",
}
HASH_DIGITS = 12
IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])\./([\w.-]+\.js)\2""")
"""A relative import of a sibling module, static or dynamic: `from "./api.js"`, `import("./film.js")`."""
PLACEHOLDER = re.compile(r"\{\{ *(static|modulepreload) *(?::([\w.-]+))? *\}\}")
"""In the shell: `{{static:app.js}}` is the file's URL; `{{modulepreload}}` a preload link per module."""


class WebFilesError(RuntimeError):
    """The web files cannot be served as they are (a missing file, an import cycle); says which."""


@dataclass(frozen=True)
class Asset:
    """One file as served: its URL, bytes, media type and ETag."""

    url: str
    body: bytes
    media_type: str
    etag: str


def hashed_name(name: str, body: bytes) -> str:
    """`name` with the start of its content's sha256 before the extension.

    >>> hashed_name("app.js", b"")
    'app.e3b0c44298fc.js'
    """
    stem, dot, ext = name.rpartition(".")
    return f"{stem}.{hashlib.sha256(body).hexdigest()[:HASH_DIGITS]}{dot}{ext}"


def imports_of(source: str) -> list[str]:
    """The sibling modules `source` imports, in order.

    >>> imports_of('import { a } from "./api.js";\\nconst f = () => import("./film.js");')
    ['api.js', 'film.js']
    """
    return [match.group(3) for match in IMPORT.finditer(source)]


class Site:
    """The shell and the static files of the web page, read once, with their hashed URLs.

    >>> site = Site.load()
    >>> site.shell.body.startswith(b"<!DOCTYPE html>") and site.assets[site.urls["app.js"]].media_type
    'text/javascript; charset=utf-8'
    """

    def __init__(self, shell: Asset, assets: Mapping[str, Asset], urls: Mapping[str, str]) -> None:
        self.shell = shell
        self.assets = dict(assets)  # by URL
        self.urls = dict(urls)  # file name -> URL

    @classmethod
    def load(cls, folder: Path = WEB_DIR) -> Site:
        sources = {path.name: path.read_bytes() for path in sorted(folder.iterdir()) if path.is_file()}
        if SHELL not in sources:
            raise WebFilesError(f"{folder} has no {SHELL}")
        template = sources.pop(SHELL)
        bodies: dict[str, bytes] = {}
        urls: dict[str, str] = {}

        def settle(name: str, chain: tuple[str, ...] = ()) -> str:
            """The URL of `name`, its imports' URLs settled (and written into it) first."""
            if name in urls:
                return urls[name]
            if name in chain:
                raise WebFilesError(f"the web modules import one another in a cycle: {' -> '.join((*chain, name))}")
            if name not in sources:
                raise WebFilesError(f"{chain[-1] if chain else SHELL} names {name}, which is not in {folder}")
            body = sources[name]
            if name.endswith(".js"):
                text = body.decode("utf-8")
                for imported in imports_of(text):
                    settle(imported, (*chain, name))
                rewritten = IMPORT.sub(
                    lambda m: f"{m.group(1)}{m.group(2)}./{_base(urls[m.group(3)])}{m.group(2)}", text
                )
                body = rewritten.encode("utf-8")
            bodies[name] = body
            urls[name] = f"{STATIC_URL}/{hashed_name(name, body)}"
            return urls[name]

        for name in sources:
            settle(name)
        modules = [urls[name] for name in sorted(sources) if name.endswith(".js")]

        def fill(match: re.Match[str]) -> str:
            if match.group(1) == "modulepreload":
                return "".join(f'<link rel="modulepreload" href="{url}">' for url in modules)
            return settle(match.group(2) or "")

        shell_body = PLACEHOLDER.sub(fill, template.decode("utf-8")).encode("utf-8")
        shell = Asset("/", shell_body, MEDIA_TYPES[".html"], _etag(shell_body))
        assets = {urls[name]: Asset(urls[name], body, _media_type(name), _etag(body)) for name, body in bodies.items()}
        return cls(shell, assets, urls)

    def weight(self) -> int:
        """Bytes of the shell and every file it loads (all of them: the modules are preloaded)."""
        return len(self.shell.body) + sum(len(asset.body) for asset in self.assets.values())


def _base(url: str) -> str:
    return url.rsplit("/", 1)[-1]


def _etag(body: bytes) -> str:
    return f'"{hashlib.sha256(body).hexdigest()}"'


def _media_type(name: str) -> str:
    return MEDIA_TYPES.get(name[name.rfind(".") :], "application/octet-stream")


def answer(asset: Asset, cache: str, if_none_match: str | None, headers: Mapping[str, str] | None = None) -> Response:
    """The file, or 304 when the client holds it (If-None-Match)."""
    common = {"ETag": asset.etag, "Cache-Control": cache, "X-Content-Type-Options": "nosniff"}
    if etag_matches(if_none_match, asset.etag):
        return Response(status_code=304, headers=common)
    return Response(asset.body, media_type=asset.media_type, headers={**common, **(headers or {})})


def install(app: FastAPI, site: Site | None = None) -> Site:
    """Add the page paths and /static/ to `app` (after the API's routes: an API path never reaches them)."""
    site = site or Site.load()
    shell_headers = {"Content-Security-Policy": CSP, "Referrer-Policy": "same-origin"}

    async def page(request: Request) -> Response:
        return answer(site.shell, REVALIDATE, request.headers.get("if-none-match"), shell_headers)

    async def static(request: Request) -> Response:
        asset = site.assets.get(request.url.path)
        if asset is None:
            raise StarletteHTTPException(404)
        return answer(asset, IMMUTABLE, request.headers.get("if-none-match"))

    handlers: list[tuple[str, Callable[[Request], Coroutine[Any, Any, Response]]]] = [
        *((path, page) for path in PAGES),
        (f"{STATIC_URL}/{{name:segment}}", static),
    ]
    for path, handler in handlers:
        app.add_api_route(path, handler, methods=["GET"], include_in_schema=False, response_class=Response)

    async def no_such_page(request: Request, exc: Exception) -> Response:
        """A browser asking for a path that is neither a page nor the API gets the page, as 404 (its
        script says "No such page" in words); programs, and anything under /v1/ or /static/, get the
        JSON error body as before."""
        if (isinstance(exc, StarletteHTTPException) and exc.status_code == 404 and request.method in ("GET", "HEAD")
                and "text/html" in request.headers.get("accept", "")
                and not request.url.path.startswith(("/v1/", f"{STATIC_URL}/"))):  # fmt: skip
            headers = {**shell_headers, "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
            return Response(site.shell.body, status_code=404, media_type=site.shell.media_type, headers=headers)
        return await route_error(request, exc)

    app.add_exception_handler(StarletteHTTPException, no_such_page)
    return site
