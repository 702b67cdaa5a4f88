"""Slow and excess connections, handled below the application, where uvicorn reads requests.

- A request whose headers are not complete within `header_timeout_s` of its first byte (or of the
  connection, for the first request) is answered 408 and its connection closed: a client sending
  one header line a minute cannot hold a socket for ever (slowloris).
- Beyond `max_connections` open connections, a new one is answered 503 and closed at once.

Both answers carry the gateway's one error body. `GuardedProtocol` is uvicorn's own HTTP protocol
(httptools) with these two guards, so parsing stays uvicorn's; its limits are class settings,
set by `configure` in each process (GATEWAY_HEADER_TIMEOUT_S, GATEWAY_MAX_CONNECTIONS).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from marquee_gateway.errors import error_body, error_code

END_OF_HEADERS = b"\r\n\r\n"
LINGER_S = 2.0
"""How long what a refused client still sends is read and dropped before the connection is closed."""


class GuardedProtocol(HttpToolsProtocol):
    header_timeout_s = 10.0
    max_connections = 1000
    open_connections = 0

    @classmethod
    def configure(cls, header_timeout_s: float, max_connections: int) -> None:
        cls.header_timeout_s = header_timeout_s
        cls.max_connections = max_connections

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(cast(asyncio.Transport, transport))  # a TCP server's transport, as uvicorn expects
        self._guard_timer: asyncio.TimerHandle | None = None
        self._guard_tail = b""
        self._guard_waiting = False
        self._guard_between = False
        self.lingering = False
        GuardedProtocol.open_connections += 1
        self._guard_counted = True
        if GuardedProtocol.open_connections > self.max_connections:
            self.refuse(503, f"the gateway already holds {self.max_connections} connections; retry shortly")
            return
        self._guard_arm()

    def connection_lost(self, exc: Exception | None) -> None:
        if getattr(self, "_guard_counted", False):
            GuardedProtocol.open_connections -= 1
            self._guard_counted = False
        self._guard_disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            return  # answered already: what the client still sends is read and dropped
        if self._guard_between:  # the first bytes of the next request on a kept-alive connection
            self._guard_between = False
            self._guard_arm()
        if self._guard_waiting:
            seen = self._guard_tail + data
            if END_OF_HEADERS in seen:
                self._guard_disarm()
            else:
                self._guard_tail = seen[-(len(END_OF_HEADERS) - 1) :]
        super().data_received(data)

    def eof_received(self) -> None:
        if self.lingering:
            self.transport.close()
            return
        super().eof_received()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._guard_between = True

    def refuse(self, status: int, message: str) -> None:
        """Answer `status` with the gateway's error body before any app sees the request, and close.

        Half-close now, close after LINGER_S at most: closing at once with the client's bytes unread
        would reset the connection, which can destroy the answer before the client reads it.
        """
        body = json.dumps(error_body(error_code(status), message), separators=(",", ":")).encode()
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n".encode()]
        head += [name + b": " + value + b"\r\n" for name, value in self.server_state.default_headers]
        head += [b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body), b"connection: close\r\n"]
        self.transport.write(b"".join(head) + b"\r\n" + body)
        self.lingering = True
        self._guard_disarm()
        if self.transport.can_write_eof():
            self.transport.write_eof()
            self.loop.call_later(LINGER_S, self.transport.close)
        else:  # pragma: no cover - TCP transports can
            self.transport.close()

    def _guard_arm(self) -> None:
        self._guard_disarm()
        self._guard_waiting = True
        self._guard_tail = b""
        self._guard_timer = self.loop.call_later(self.header_timeout_s, self._guard_expire)

    def _guard_disarm(self) -> None:
        self._guard_waiting = False
        timer = getattr(self, "_guard_timer", None)
        if timer is not None:
            timer.cancel()
            self._guard_timer = None

    def _guard_expire(self) -> None:
        self._guard_timer = None
        if self._guard_waiting and not self.transport.is_closing():
            self.refuse(408, f"the request's headers did not arrive within {self.header_timeout_s:g} s")
