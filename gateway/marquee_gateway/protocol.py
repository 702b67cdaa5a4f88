"""The HTTP/1.1 connection under the app: limits on a request's head, over connections.py's guards.

uvicorn (with httptools) reads a request's head without any limit and answers what it cannot parse
`400 text/plain "Invalid HTTP request received."`, a URL over 64 KiB included. Here a request target
(path and query) over `max_url_bytes` is answered 414 and header lines over `max_header_bytes` 431,
as soon as the limit is crossed, without reading on; whatever else the parser refuses is 400. Each
with the gateway's one error body, answered and closed as connections.py's `refuse` does.

uvicorn takes the class through its `http` option (main.py); like connections.py's, its limits are
class settings, set by `configure_head` in each process (GATEWAY_MAX_URL_BYTES, GATEWAY_MAX_HEADER_BYTES).
"""

from __future__ import annotations

import logging
from typing import Any

from marquee_gateway.connections import GuardedProtocol

log = logging.getLogger("marquee.gateway")

HEAD_SLACK_BYTES = 1024
"""The request line's method and version, on top of both limits: past that a head is too large even
while a single line of it is still arriving (the parser would buffer it whole)."""


class Refused(Exception):
    """Raised in a parser callback to stop reading a request that is answered `status`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LimitedHttpToolsProtocol(GuardedProtocol):
    """uvicorn's httptools protocol (with connections.py's guards), refusing an over-long URL (414) or
    head (431) with the JSON error body."""

    max_url_bytes = 8192
    max_header_bytes = 16384

    @classmethod
    def configure_head(cls, max_url_bytes: int, max_header_bytes: int) -> None:
        cls.max_url_bytes = max_url_bytes
        cls.max_header_bytes = max_header_bytes

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusal: Refused | None = None
        self.header_bytes = 0  # of the complete header lines of the current head, as the parser gives them
        self.in_head = False
        self.head_bytes = 0  # received since the chunk in which the current head began

    # -- counting, in the parser's callbacks ------------------------------------------------------

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.header_bytes = self.head_bytes = 0
        self.in_head = True

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.max_url_bytes:
            raise self._refuse(414, f"the URL is longer than {self.max_url_bytes} bytes; shorten it")

    def on_header(self, name: bytes, value: bytes) -> None:
        self.header_bytes += len(name) + len(value) + 4  # ': ' and the line end, as sent
        if self.header_bytes > self.max_header_bytes:
            raise self._too_large()
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self.in_head = False
        super().on_headers_complete()

    def _too_large(self) -> Refused:
        return self._refuse(431, f"the request's header lines are larger than {self.max_header_bytes} bytes")

    def _refuse(self, status: int, message: str) -> Refused:
        self.refusal = Refused(status, message)
        return self.refusal

    # -- reading and answering --------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            return  # answered already: drop what the client still sends
        was_in_head = self.in_head
        super().data_received(data)  # a Refused raised in a callback ends in send_400_response
        if self.lingering or not (was_in_head and self.in_head):
            return
        # Still in the head that an earlier chunk began: a line longer than the limits is arriving,
        # which the parser keeps whole until it ends. (The first chunk is not counted: it may end
        # the previous request too; it is at most the event loop's read size.)
        self.head_bytes += len(data)
        if self.head_bytes > self.max_url_bytes + self.max_header_bytes + HEAD_SLACK_BYTES:
            self._too_large()
            self.send_400_response("")

    def send_400_response(self, msg: str) -> None:
        """Every request refused before the app sees it: the refusal's status, else 400; the JSON body."""
        refusal, self.refusal = self.refusal, None
        if refusal is None:
            refusal = Refused(400, "the request is not valid HTTP/1.1")
        client = f"{self.client[0]}:{self.client[1]}" if self.client else None
        log.warning("request refused", extra={"status": refusal.status, "reason": refusal.message, "client": client})
        self.refuse(refusal.status, refusal.message)
