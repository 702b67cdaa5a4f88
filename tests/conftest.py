"""Shared fixtures: paths, a clean environment, releases built by the real pipeline, and
services started as real processes on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLE_RAW = ROOT / "data" / "sample"
"""The bundled real sample (5,000 films, gzip-compressed): what a fresh clone tests with."""
FIXTURE_RAW = ROOT / "tests" / "fixtures" / "raw"
ENV_PREFIXES = ("MARQUEE_", "CATALOG_", "RECOMMENDER_", "GATEWAY_")


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No setting leaks in from the developer's shell."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIXES):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The larger development files beside the project (CI has them; a user's clone does not)."""
    if not (SHARED_DATA / "movies_metadata.csv").is_file():
        pytest.skip(f"needs the shared development data at {SHARED_DATA}, which is not beside this clone")
    return SHARED_DATA


def build_release(raw: Path, out: Path) -> Path:
    """Run the pipeline as a user would; return the `current` folder it wrote."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    result = subprocess.run(
        [sys.executable, "-m", "marquee_etl", "--raw", str(raw), "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return (out / "current").resolve()


@pytest.fixture(scope="session")
def fixture_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("fixture-data")
    build_release(FIXTURE_RAW, out)
    return out


@pytest.fixture(scope="session")
def sample_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A release of the bundled sample, built by the real pipeline."""
    out = tmp_path_factory.mktemp("sample-data")
    build_release(SAMPLE_RAW, out)
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_serving(target: str, service: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{service} exited with {process.returncode}")
            try:
                reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=1)
                if reply.status == health_pb2.HealthCheckResponse.SERVING:
                    return
            except grpc.RpcError:
                pass
            time.sleep(0.1)
    raise TimeoutError(f"{service} at {target} not SERVING after {timeout} s")


class RunningService:
    def __init__(self, module: str, prefix: str, data_dir: Path, service: str, log: Path, host: str = "127.0.0.1",
                 port: int | None = None, **extra: str) -> None:  # fmt: skip
        """`extra`: more settings, by their name after the prefix (RELEASE_POLL_S="0.2")."""
        self.port = port or free_port()
        self.target = f"{host}:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
        env.update({f"{prefix}_HOST": host, f"{prefix}_PORT": str(self.port), "MARQUEE_DATA_DIR": str(data_dir)})
        env.update({f"{prefix}_{name}": value for name, value in extra.items()})
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", module], env=env, stdout=out, stderr=subprocess.STDOUT
            )
        try:
            wait_serving(self.target, service, self.process)
        except BaseException:
            self.stop()
            raise

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        return self.process.wait(timeout=30)

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="session")
def catalog_process(fixture_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    log = tmp_path_factory.mktemp("logs") / "catalog.log"
    service = RunningService("marquee_catalog", "CATALOG", fixture_data_dir, "marquee.v1.CatalogService", log)
    yield service
    service.stop()


@pytest.fixture(scope="session")
def recommender_process(fixture_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningService]:
    log = tmp_path_factory.mktemp("logs") / "recommender.log"
    service = RunningService("marquee_recommender", "RECOMMENDER", fixture_data_dir, "marquee.v1.RecommenderService",
                             log)  # fmt: skip
    yield service
    service.stop()
