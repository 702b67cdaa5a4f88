"""HEAD and OPTIONS for every route, and the methods a path answers in every `Allow`.

The routes are GET only, and FastAPI answers anything else 405. HTTP asks more (RFC 9110): HEAD
answers what GET would, headers only (9.3.2); OPTIONS names the methods of the path (9.3.7),
here 204 with `Allow`; a 405 lists them too (15.5.6). Neither is in the OpenAPI document, which
lists what each route does, not what HTTP gives every route.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allow_header(methods: set[str]) -> str:
    """'GET, HEAD, OPTIONS' for a GET route: HEAD goes with GET, OPTIONS with any path.

    >>> allow_header({"GET"})
    'GET, HEAD, OPTIONS'
    """
    every = {*methods, *(("HEAD",) if "GET" in methods else ()), "OPTIONS"}
    return ", ".join(sorted(every, key=lambda m: (ORDER.index(m) if m in ORDER else len(ORDER), m)))


class ImplicitMethodsMiddleware:
    """Answers OPTIONS, turns HEAD into GET without the body, and completes `Allow` on a 405."""

    def __init__(self, app: ASGIApp, routes: Sequence[BaseRoute]) -> None:
        self.app = app
        self.routes = routes  # the app's own list, filled after this is made

    def methods(self, scope: Scope) -> set[str]:
        """The methods of the routes whose path matches the request's; empty when no route's does."""
        found: set[str] = set()
        for route in self.routes:
            match, _ = route.matches(scope)
            if match != Match.NONE:
                found |= getattr(route, "methods", None) or {"GET"}  # a mount (the docs' files): GET
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            methods = self.methods(scope)
            if methods:
                headers = [(b"allow", allow_header(methods).encode()), (b"content-length", b"0")]
                await send({"type": "http.response.start", "status": 204, "headers": headers})
                await send({"type": "http.response.body", "body": b""})
                return
        head = method == "HEAD"
        if head:
            scope = {**scope, "method": "GET"}

        async def answer(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 405:
                others = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"allow"]
                message = {**message, "headers": [*others, (b"allow", allow_header(self.methods(scope)).encode())]}
            elif head and message["type"] == "http.response.body":
                message = {**message, "body": b""}  # content-length stays GET's, as RFC 9110 allows
            await send(message)

        await self.app(scope, receive, answer)
