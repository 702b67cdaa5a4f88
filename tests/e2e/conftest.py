"""The whole stack as real processes on 127.0.0.1: catalog and recommender over a release built from
tests/fixtures/raw, and the gateway in front of them (RunningService and RunningGateway, from
tests/harness.py); a load of keep-alive HTTP clients."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import httpx
import pytest

from tests.harness import RunningGateway, RunningService


@dataclass
class Answer:
    path: str
    started: float
    status: int
    header: str
    body: dict | None
    error: str = ""


class Load:
    """`connections` threads, each with its own keep-alive connection, sending `paths` in turn,
    for at most `max_seconds` (or until the `with` block ends); every answer is kept."""

    def __init__(self, url: str, paths: Sequence[str], connections: int = 16, max_seconds: float = 120) -> None:
        self.url = url
        self.paths = paths
        self.max_seconds = max_seconds
        self.stop = threading.Event()
        self.answers: list[Answer] = []
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(connections)]

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(30)

    def _run(self, n: int) -> None:
        deadline = time.monotonic() + self.max_seconds
        with httpx.Client(base_url=self.url, timeout=10) as client:
            i = n
            while not self.stop.is_set() and time.monotonic() < deadline:
                path = self.paths[i % len(self.paths)]
                i += 1
                started = time.monotonic()
                try:
                    reply = client.get(path)
                except httpx.HTTPError as exc:
                    self.answers.append(Answer(path, started, 0, "", None, repr(exc)))
                    continue
                body = reply.json() if reply.headers.get("content-type", "").startswith("application/json") else None
                self.answers.append(Answer(path, started, reply.status_code,
                                           reply.headers.get("x-marquee-release", ""), body))  # fmt: skip


@pytest.fixture(scope="session")
def gateway_process(
    catalog_process: RunningService, recommender_process: RunningService, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningGateway]:
    gateway = RunningGateway(catalog_process, recommender_process, tmp_path_factory.mktemp("logs") / "gateway.log")
    yield gateway
    gateway.stop()


@pytest.fixture(scope="session")
def api(gateway_process: RunningGateway) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=gateway_process.url, timeout=10) as client:
        yield client
