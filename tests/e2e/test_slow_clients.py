"""Slow and excess clients cannot hold the gateway: unfinished headers are answered 408 and closed
after GATEWAY_HEADER_TIMEOUT_S, connections beyond GATEWAY_MAX_CONNECTIONS 503 at once, each with
the JSON error body. Real gateway process, raw sockets on 127.0.0.1, bounded in count and time."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.harness import RunningGateway, RunningService

pytestmark = pytest.mark.slow
LIMIT = 20
SLOW = 30


def read_all(sock: socket.socket, timeout: float) -> bytes:
    sock.settimeout(timeout)
    data = b""
    try:
        while chunk := sock.recv(4096):
            data += chunk
    except TimeoutError:
        return data + b"<still open>"
    return data


def body_of(answer: bytes) -> dict[str, object]:
    return json.loads(answer.split(b"\r\n\r\n", 1)[1])  # type: ignore[no-any-return]


def test_unfinished_headers_time_out_and_excess_connections_are_refused(
    catalog_process: RunningService, recommender_process: RunningService, tmp_path: Path
) -> None:
    gateway = RunningGateway(catalog_process, recommender_process, tmp_path / "gateway.log",
                             GATEWAY_HEADER_TIMEOUT_S="1", GATEWAY_MAX_CONNECTIONS=str(LIMIT))  # fmt: skip
    sockets = []
    try:
        started = time.monotonic()
        for _ in range(SLOW):
            sock = socket.create_connection(("127.0.0.1", gateway.port))
            sock.sendall(b"GET /v1/movies/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a-header-that-never-ends")
            sockets.append(sock)
        answers = [read_all(sock, 5) for sock in sockets]
        took = time.monotonic() - started
        timed_out = [a for a in answers if a.startswith(b"HTTP/1.1 408 ")]
        refused = [a for a in answers if a.startswith(b"HTTP/1.1 503 ")]
        assert len(timed_out) == LIMIT and len(refused) == SLOW - LIMIT, answers[:3]
        assert all(not a.endswith(b"<still open>") for a in answers)  # every one closed by the gateway
        message = "the request's headers did not arrive within 1 s"
        assert body_of(timed_out[0]) == {"error": {"code": "DEADLINE_EXCEEDED", "message": message, "suggestions": []}}
        assert body_of(refused[0])["error"]["code"] == "UNAVAILABLE"  # type: ignore[index]
        assert took < 10
        # The gateway serves as before once they are gone.
        for sock in sockets:
            sock.close()
        time.sleep(0.5)
        assert httpx.get(f"{gateway.url}/v1/movies/1", timeout=5).status_code == 200
    finally:
        for sock in sockets:
            sock.close()
        gateway.stop()


def test_a_slow_but_steady_client_within_the_timeout_is_answered(
    catalog_process: RunningService, recommender_process: RunningService, tmp_path: Path
) -> None:
    gateway = RunningGateway(catalog_process, recommender_process, tmp_path / "gateway.log",
                             GATEWAY_HEADER_TIMEOUT_S="2")  # fmt: skip
    try:
        with socket.create_connection(("127.0.0.1", gateway.port)) as sock:
            for part in (b"GET /v1/movies/1 HTTP/1.1\r\n", b"Host: 127.0.0.1\r\n", b"Connection: close\r\n", b"\r\n"):
                sock.sendall(part)
                time.sleep(0.3)
            answer = read_all(sock, 5)
        assert answer.startswith(b"HTTP/1.1 200 ")
    finally:
        gateway.stop()
