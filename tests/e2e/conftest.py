"""The whole stack as real processes on 127.0.0.1: catalog and recommender (RunningService) over
a release built from tests/fixtures/raw, and the gateway in front of them."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from marquee.v1 import recommender_pb2 as pb
from tests.conftest import ENV_PREFIXES, RunningService, free_port

READY_TIMEOUT_S = 60.0


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


class RunningGateway:
    """`python -m marquee_gateway` on a free port, ready once GET /readyz answers 200."""

    def __init__(self, catalog: RunningService, recommender: RunningService, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        clean = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
        clean.update(
            {
                "GATEWAY_HOST": "127.0.0.1",
                "GATEWAY_PORT": str(self.port),
                "GATEWAY_CATALOG_TARGET": f"dns:///{catalog.target}",
                "GATEWAY_RECOMMENDER_TARGET": f"dns:///{recommender.target}",
                **env,
            }
        )
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "marquee_gateway"], env=clean, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        last = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the gateway exited with {self.process.returncode}:\n{self.tail()}")
            try:
                reply = httpx.get(f"{self.url}/readyz", timeout=2)
                if reply.status_code == 200:
                    return
                last = f"{reply.status_code} {reply.text}"
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(0.1)
        raise TimeoutError(f"/readyz not 200 after {READY_TIMEOUT_S} s (last: {last}):\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=30)


def heavy_batch() -> pb.BatchRecommendRequest:
    """100 free-text requests of 190 characters, limit 50: about the heaviest call the API allows."""
    text = ("a cowboy doll and a space ranger toy who become friends on an adventure " * 3)[:190]
    return pb.BatchRecommendRequest(requests=[pb.RecommendRequest(text=text, limit=50)] * 100)


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
