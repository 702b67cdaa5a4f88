"""The whole stack as real processes on 127.0.0.1: catalog and recommender (RunningService) over
a release built from tests/fixtures/raw, and the gateway in front of them."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ENV_PREFIXES, RunningService, free_port

READY_TIMEOUT_S = 60.0


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
