"""A small in-memory cache of whole answers, in front of the routes, keyed by release.

Why it is sound: the services answer from immutable releases, so the same GET gets the same
answer from the same release. Each entry is kept under the release watcher's generation
(releases.py), which changes whenever the releases the replicas serve change; an entry of an
older generation is never served. Only answers from each upstream's target release are kept
(their `X-Marquee-Release` header says which), so once the gateway knows of a new release it
serves no cached answer from an older one. Answers (200, and the deterministic 400/404/422) are
kept at most `ttl_s` seconds; 5xx answers are never kept. Only data routes are cached
(not /healthz, /readyz, /metrics, /docs), and no answer that sets its own Cache-Control (the data
reports, and the list of every release, which changes when a release is built: routes/reports.py).
Each answer says how old it may be (`Cache-Control: public, max-age=...`), so clients and proxies
may keep it too.

The key is the path and the query parameters the matched route declares, sorted; any other
parameter is ignored (it cannot change the answer), so `?pad=<60 KB>` cannot fill the cache
with copies. GATEWAY_CACHE_TTL_S=0 turns it off; GATEWAY_CACHE_SIZE bounds the entries and
GATEWAY_CACHE_MAX_MB their bytes (least recently used go first); expired entries go at the next
put. The store is cachetools' `TTLCache`. Hits and misses are counted in
`marquee_gateway_cache_total{result}`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from cachetools import TTLCache
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from marquee_gateway.metrics import Metrics
from marquee_gateway.releases import HEADER, ReleaseWatcher, parse_header
from marquee_gateway.routes.params import query_fields

CACHED_STATUSES = frozenset({200, 400, 404, 422})
UNCACHED_PREFIXES = ("/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json")
MAX_BODY_BYTES = 256 * 1024
ENTRY_OVERHEAD = 256
"""Bytes counted for an entry beyond its key, headers and body (the objects holding them)."""


@dataclass(frozen=True)
class Entry:
    key: bytes  # weighed with the answer: a long query makes a heavier entry
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    route: Any  # the matched route, so metrics and logs still name its template on a hit
    generation: int = 0  # the release watcher's generation when it was kept

    def weight(self) -> int:
        return len(self.key) + len(self.body) + sum(len(n) + len(v) for n, v in self.headers) + ENTRY_OVERHEAD


class ResponseCache(TTLCache[bytes, Entry]):
    """Answers by key, least recently used out first (cachetools' TTLCache): each kept at most
    `ttl_s` seconds, at most `size` of them and at most `max_bytes` in all (`Entry.weight`, as
    the cache's getsizeof).

    >>> cache = ResponseCache(size=2, ttl_s=60)
    >>> cache.put(Entry(b"/a", 200, [], b"{}", None))
    >>> cache.get(b"/a").body
    b'{}'
    """

    def __init__(self, size: int, ttl_s: float, max_bytes: int = 64 << 20) -> None:
        super().__init__(maxsize=max_bytes, ttl=ttl_s, getsizeof=Entry.weight)
        self.size = size

    def put(self, entry: Entry) -> None:
        """Keep `entry` under its key, unless it alone weighs more than the whole cache may."""
        if entry.weight() > self.maxsize:
            return
        self[entry.key] = entry
        while len(self) > self.size:
            self.popitem()


class RouteKeys:
    """The cache key of a request: its path and the query parameters its route declares, sorted.

    Returns None for a request no data route matches (nothing to cache). The data routes are the API's,
    those the OpenAPI document lists: the web page's (web.py) answer files that say their own caching.
    """

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        gets = [
            route
            for route in routes
            if isinstance(route, APIRoute) and "GET" in (route.methods or ()) and route.include_in_schema
        ]
        self.routes = [(route.path_regex, frozenset(f.alias for f in query_fields(route.dependant))) for route in gets]

    def __call__(self, scope: Scope) -> bytes | None:
        declared = self._declared(scope)
        if declared is None:
            return None
        query = scope.get("query_string", b"").decode("latin-1")
        kept = sorted((k, v) for k, v in parse_qsl(query, keep_blank_values=True) if k in declared)
        return bytes(scope.get("raw_path") or scope["path"].encode()) + b"?" + urlencode(kept).encode()

    def _declared(self, scope: Scope) -> frozenset[str] | None:
        """The matched GET route's parameters: its path pattern alone decides (no scope is built),
        since this runs on every request before FastAPI routes it."""
        path = scope["path"]
        for pattern, declared in self.routes:
            if pattern.match(path):
                return declared
        return None


class CacheMiddleware:
    """Answers a repeated GET from the cache; keeps cacheable answers of the app."""

    def __init__(self, app: ASGIApp, cache: ResponseCache, metrics: Metrics, releases: ReleaseWatcher | None = None,
                 key_of: Callable[[Scope], bytes | None] | None = None) -> None:  # fmt: skip
        self.app = app
        self.key_of = key_of or (lambda scope: scope.get("raw_path", scope["path"].encode()) + b"?"
                                 + scope.get("query_string", b""))  # fmt: skip
        self.cache = cache
        self.metrics = metrics
        self.releases = releases
        self.max_age = f"public, max-age={int(cache.ttl)}".encode()
        self.hits = metrics.cache.labels("hit")
        self.misses = metrics.cache.labels("miss")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or path.startswith(UNCACHED_PREFIXES):
            await self.app(scope, receive, send)
            return
        key = self.key_of(scope)
        if key is None:
            await self.app(scope, receive, send)
            return
        generation = self.releases.generation if self.releases is not None else 0
        try:
            entry: Entry | None = self.cache[key]  # one lookup (TTLCache.get looks twice): hits are the hot path
        except KeyError:
            entry = None
        if entry is not None and entry.generation != generation:
            entry = None  # from releases no longer (all) served
        if entry is not None:
            self.hits.inc()
            if entry.route is not None:
                scope["route"] = entry.route
            await send({"type": "http.response.start", "status": entry.status, "headers": entry.headers})
            await send({"type": "http.response.body", "body": entry.body})
            return
        self.misses.inc()
        start: Message | None = None
        chunks: list[bytes] = []
        cacheable = True

        async def keep(message: Message) -> None:
            nonlocal start, cacheable
            if message["type"] == "http.response.start":
                cacheable = message["status"] in CACHED_STATUSES and self._fresh(message) and not _own_caching(message)
                if cacheable:
                    message["headers"] = [*message.get("headers", ()), (b"cache-control", self.max_age)]
                start = message
            elif message["type"] == "http.response.body" and cacheable:
                chunks.append(message.get("body", b""))
                if sum(map(len, chunks)) > MAX_BODY_BYTES:
                    cacheable = False
                elif not message.get("more_body", False) and start is not None:
                    self.cache.put(
                        Entry(
                            key,
                            start["status"],
                            list(start["headers"]),
                            b"".join(chunks),
                            scope.get("route"),
                            generation,
                        )
                    )
            await send(message)

        await self.app(scope, receive, keep)

    def _fresh(self, start: Message) -> bool:
        """Kept only when it came from each upstream's target release (see releases.py)."""
        if self.releases is None:
            return True
        for name, value in start.get("headers", ()):
            if name == HEADER:
                return self.releases.fresh(parse_header(value))
        return True


def _own_caching(start: Message) -> bool:
    """An answer that says its own Cache-Control (a data report, with its ETag) is the route's to cache:
    it is neither kept here (a kept copy would not answer If-None-Match) nor given a second header."""
    return any(name.lower() == b"cache-control" for name, _ in start.get("headers", ()))
