"""What the tests and the benchmarks share: paths, a clean environment, free ports, releases built by
the real pipeline, Marquee's processes started, waited for and stopped, and the heaviest call.

    from tests.harness import FIXTURE_RAW, RunningService, build_release

    data_dir = tmp_path / "data"
    build_release(FIXTURE_RAW, data_dir)
    catalog = RunningService("marquee_catalog", "CATALOG", data_dir, "marquee.v1.CatalogService", log)
    ...
    assert catalog.stop() == 0

Nothing here asserts: a step that fails raises HarnessError saying which and why (with the end of
the process's log), so a test fails and a benchmark exits 2 on the same message. Run from the
repository's root (`python -m pytest`, `python -m bench.bench_gateway`), where `tests` is a package.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import psutil
from grpc_health.v1 import health_pb2, health_pb2_grpc

from marquee.v1 import recommender_pb2

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
"""The development files beside the project: the real 5,000-film sample (data/) and the generator that
grows it to full size (tools/synth_tmdb.py). CI has them; a user's clone does not."""
SAMPLE_RAW = ROOT / "data" / "sample"
"""The bundled real sample (5,000 films, gzip-compressed): what a fresh clone tests with."""
FIXTURE_RAW = ROOT / "tests" / "fixtures" / "raw"
HOST = "127.0.0.1"
ENV_PREFIXES = ("MARQUEE_", "CATALOG_", "RECOMMENDER_", "GATEWAY_")
START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 30.0
FAST_RECONNECT = [
    # A client waiting for a server that is still starting retries every 10-20 ms instead of after
    # gRPC's 1 s back-off, so a start-up time is the server's, not the back-off's.
    ("grpc.initial_reconnect_backoff_ms", 10),
    ("grpc.min_reconnect_backoff_ms", 10),
    ("grpc.max_reconnect_backoff_ms", 20),
]


class HarnessError(RuntimeError):
    """A release could not be built, or a process did not start; the message says which and why."""


def clean_env(**settings: str) -> dict[str, str]:
    """This shell's environment without any Marquee setting, plus `settings`: nothing leaks into a run."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    env.update(settings)
    return env


def free_port(host: str = HOST) -> int:
    """A port nothing listens on now (the kernel's pick)."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def run(module: str, *args: str, timeout: float = 600, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m <module> ARGS` to its end, as a user runs it: a clean environment plus `env`, its
    output captured. `run("marquee_catalog", timeout=60, MARQUEE_DATA_DIR="/nowhere").returncode == 2`"""
    return subprocess.run([sys.executable, "-m", module, *args], env=clean_env(**env), capture_output=True, text=True,
                          timeout=timeout, check=False)  # fmt: skip


def etl(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The pipeline's command: `etl("releases", "--out", str(out), "rollback")`."""
    return run("marquee_etl", *args, **env)


def build_release(raw: Path, out: Path, **settings: str) -> Path:
    """Run the pipeline as a user would, with its default settings plus `settings`
    (MARQUEE_MODEL_TREES="20"); return the `current` folder it wrote into `out`, resolved."""
    done = etl("--raw", str(raw), "--out", str(out), **settings)
    if done.returncode != 0:
        raise HarnessError(f"marquee_etl exited with {done.returncode}: {done.stderr.strip()[-2000:]}")
    return (out / "current").resolve()


class Process:
    """`python -m <module>` with a clean environment plus `env`; its stdout and stderr go to `log`."""

    def __init__(self, module: str, log: Path, env: dict[str, str]) -> None:
        self.module = module
        self.log = log
        self.exit_code: int | None = None
        with log.open("wb") as out:
            self.started = time.perf_counter()
            self.process = subprocess.Popen(
                [sys.executable, "-m", module], env=clean_env(**env), stdout=out, stderr=subprocess.STDOUT
            )
        self.ps = psutil.Process(self.process.pid)

    def check_alive(self, doing: str) -> None:
        if self.process.poll() is not None:
            raise HarnessError(f"{self.module} exited with {self.process.returncode} while {doing}:\n{self.tail()}")

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int | None:
        """SIGTERM, then wait for the drain: the exit code, or None when it had to be killed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            self.exit_code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            self.exit_code = None
        return self.exit_code

    def rss_mb(self) -> float:
        """Resident memory now, in MB (2**20 bytes)."""
        return float(self.ps.memory_info().rss) / 2**20

    def log_lines(self) -> list[str]:
        return self.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def log_entries(self) -> Iterator[dict[str, Any]]:
        """The JSON objects of the log, one a line; other lines (a traceback) are skipped."""
        for line in self.log_lines():
            if line.startswith("{"):
                try:
                    yield json.loads(line)
                except json.JSONDecodeError:
                    continue

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log_lines()[-lines:])


class RunningService(Process):
    """A gRPC service (`marquee_catalog`, `marquee_recommender`) on `host`:`port` (a free port by
    default) serving the releases in `data_dir`, ready once its health service reports `service`
    SERVING. `settings` are more settings by their name after the prefix (RELEASE_POLL_S="0.2").

    `first_answer_s` and `serving_s` time the start from Popen to the first health answer of any
    status and to SERVING, polled every `poll_s`."""

    def __init__(self, module: str, prefix: str, data_dir: Path, service: str, log: Path, host: str = HOST,
                 port: int | None = None, *, poll_s: float = 0.1, **settings: str) -> None:  # fmt: skip
        self.port = port or free_port(host)
        self.target = f"{host}:{self.port}"
        env = {f"{prefix}_HOST": host, f"{prefix}_PORT": str(self.port), "MARQUEE_DATA_DIR": str(data_dir)}
        super().__init__(module, log, {**env, **{f"{prefix}_{name}": value for name, value in settings.items()}})
        self.first_answer_s = 0.0
        self.serving_s = 0.0
        try:
            self.wait_serving(service, poll_s)
        except BaseException:
            self.stop()
            raise

    def health(self, service: str, channel: grpc.Channel | None = None) -> int | None:
        """The status `service` has in the health service now (health_pb2.HealthCheckResponse.SERVING...),
        None when the server does not answer."""
        if channel is None:
            with grpc.insecure_channel(self.target) as own:
                return self.health(service, own)
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=1)
        except grpc.RpcError:
            return None
        return int(reply.status)

    def wait_serving(self, service: str, poll_s: float, timeout: float = START_TIMEOUT_S) -> None:
        with grpc.insecure_channel(self.target, options=FAST_RECONNECT) as channel:
            while True:
                if time.perf_counter() - self.started > timeout:
                    what = service or self.module
                    raise HarnessError(f"{what} at {self.target} not SERVING after {timeout:.0f} s:\n{self.tail()}")
                self.check_alive("starting")
                status = self.health(service, channel)
                if status is not None and not self.first_answer_s:
                    self.first_answer_s = time.perf_counter() - self.started
                if status == health_pb2.HealthCheckResponse.SERVING:
                    self.serving_s = time.perf_counter() - self.started
                    return
                time.sleep(poll_s)


class RunningGateway(Process):
    """`python -m marquee_gateway` on a free port in front of `catalog` and `recommender`, ready once
    GET /readyz answers 200. `env`: more settings by their full name (GATEWAY_CACHE_TTL_S="0")."""

    def __init__(self, catalog: RunningService, recommender: RunningService, log: Path, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        upstreams = {"GATEWAY_CATALOG_TARGET": f"dns:///{catalog.target}",
                     "GATEWAY_RECOMMENDER_TARGET": f"dns:///{recommender.target}"}  # fmt: skip
        super().__init__(
            "marquee_gateway", log, {"GATEWAY_HOST": HOST, "GATEWAY_PORT": str(self.port), **upstreams, **env}
        )
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            self.check_alive("starting")
            try:
                reply = httpx.get(f"{self.url}/readyz", timeout=2)
                if reply.status_code == 200:
                    return
                last = f"{reply.status_code} {reply.text}"
            except httpx.TransportError as exc:
                last = repr(exc)
            time.sleep(0.1)
        raise HarnessError(f"/readyz not 200 after {timeout:.0f} s (last: {last}):\n{self.tail()}")


def heavy_batch() -> recommender_pb2.BatchRecommendRequest:
    """100 free-text requests of 190 characters, limit 50: about the heaviest call the API allows."""
    text = ("a cowboy doll and a space ranger toy who become friends on an adventure " * 3)[:190]
    return recommender_pb2.BatchRecommendRequest(requests=[recommender_pb2.RecommendRequest(text=text, limit=50)] * 100)
