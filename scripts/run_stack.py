"""Run the whole stack on 127.0.0.1 without Docker: what `make run` calls.

    python scripts/run_stack.py [--data-dir DIR] [--raw DIR] [--log-dir DIR] [--timeout S]

1. Builds a release from the raw files (MARQUEE_RAW_DIR, default data/sample) when
   `$MARQUEE_DATA_DIR/current` (default var/data) does not exist.
2. Starts the catalog, the recommender and the gateway as processes on 127.0.0.1, with the
   environment variables the compose file uses: CATALOG_PORT (50051), RECOMMENDER_PORT
   (50052), GATEWAY_PORT (8000), GATEWAY_CATALOG_TARGET and GATEWAY_RECOMMENDER_TARGET
   (derived from the ports), MARQUEE_DATA_DIR. Any other CATALOG_*, RECOMMENDER_* or
   GATEWAY_* variable set in the shell (workers, log level) passes through. MARQUEE_REPLICAS=N
   (default 1) starts N processes of each service, the n-th 10 * (n - 1) ports above the first
   (50051, 50061, ...), and lists them all in the gateway's targets.
3. Waits until GET /readyz answers 200; on a timeout or an early exit it says which part
   failed and shows the end of its log. Each part logs to <log-dir>/<part>.log.
4. Prints the URLs, then runs until Ctrl-C or SIGTERM (or a part exits), and stops every
   part: SIGTERM, a grace period, then SIGKILL.

Exit status: 0 after a clean stop, 1 when a part failed, 2 on bad usage (a port in use...).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
STOP_GRACE_S = 10.0
TAIL_LINES = 25


class StackError(Exception):
    """A part could not start or did not become ready; the message says which and why."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Part:
    """One process of the stack."""

    name: str
    module: str
    port: int
    env: dict[str, str]
    log: Path
    grpc_service: str | None = None  # checked over the gRPC health protocol when set
    process: subprocess.Popen[bytes] | None = None

    def exited(self) -> int | None:
        return None if self.process is None else self.process.poll()

    def tail(self, lines: int = TAIL_LINES) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return "(no log)"
        return "\n".join(f"    {line}" for line in text[-lines:]) or "    (empty log)"


@dataclass
class StackConfig:
    data_dir: Path
    raw_dir: Path
    log_dir: Path
    catalog_port: int = 50051
    recommender_port: int = 50052
    gateway_port: int = 8000
    replicas: int = 1  # processes of each service; replica n listens 10 * (n - 1) ports above the first
    env: dict[str, str] = field(default_factory=dict)  # extra variables for every part

    def ports(self, first: int) -> list[int]:
        return [first + 10 * n for n in range(self.replicas)]

    @classmethod
    def from_env(
        cls, data_dir: Path | None = None, raw_dir: Path | None = None, log_dir: Path | None = None
    ) -> StackConfig:
        env = os.environ
        return cls(
            data_dir=(data_dir or Path(env.get("MARQUEE_DATA_DIR") or ROOT / "var" / "data")).resolve(),
            raw_dir=(raw_dir or Path(env.get("MARQUEE_RAW_DIR") or ROOT / "data" / "sample")).resolve(),
            log_dir=(log_dir or ROOT / "var" / "log").resolve(),
            catalog_port=int(env.get("CATALOG_PORT", "50051")),
            recommender_port=int(env.get("RECOMMENDER_PORT", "50052")),
            gateway_port=int(env.get("GATEWAY_PORT", "8000")),
            replicas=int(env.get("MARQUEE_REPLICAS", "1")),
        )


def target(ports: list[int]) -> str:
    """The gateway's gRPC target for the replicas of one service: each address listed when several."""
    if len(ports) == 1:
        return f"dns:///{HOST}:{ports[0]}"
    return "ipv4:" + ",".join(f"{HOST}:{port}" for port in ports)


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM if the runner itself is killed (Linux)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def port_free(port: int) -> bool:
    """Nothing listens on `port`. SO_REUSEADDR, as the servers bind: the TIME_WAIT connections a
    stopped stack leaves for a minute do not make the port busy."""
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def grpc_status(port: int, service: str) -> str:
    """The health status a gRPC server on HOST:port reports for `service`, or why it could not say."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    try:
        with grpc.insecure_channel(f"{HOST}:{port}") as channel:
            reply = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service), timeout=1)
    except grpc.RpcError as exc:
        return str(exc.code().name)  # type: ignore[attr-defined]
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))


def http_get(url: str, timeout: float = 2.0) -> tuple[int, str]:
    """(status, body) of a GET; status 0 when nothing answered."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc)


class Stack:
    """The three processes, started, watched and stopped together."""

    def __init__(self, config: StackConfig, only: Sequence[str] | None = None) -> None:
        """`only` names the parts to run (all three by default; the benchmark may leave one out)."""
        self.config = config
        c = config
        shared = {
            **os.environ,
            **c.env,
            "MARQUEE_DATA_DIR": str(c.data_dir),
            "PYTHONUNBUFFERED": "1",
        }
        self.parts = [
            Part(
                name if n == 0 else f"{name}-{n + 1}",
                f"marquee_{name}",
                port,
                {**shared, f"{name.upper()}_HOST": HOST, f"{name.upper()}_PORT": str(port)},
                c.log_dir / (f"{name}.log" if n == 0 else f"{name}-{n + 1}.log"),
                service,
            )
            for name, first, service in (("catalog", c.catalog_port, "marquee.v1.CatalogService"),
                                         ("recommender", c.recommender_port, "marquee.v1.RecommenderService"))
            for n, port in enumerate(c.ports(first))
        ]  # fmt: skip
        self.parts += [
            Part(
                "gateway",
                "marquee_gateway",
                c.gateway_port,
                {
                    **shared,
                    "GATEWAY_HOST": HOST,
                    "GATEWAY_PORT": str(c.gateway_port),
                    "GATEWAY_CATALOG_TARGET": target(c.ports(c.catalog_port)),
                    "GATEWAY_RECOMMENDER_TARGET": target(c.ports(c.recommender_port)),
                },
                c.log_dir / "gateway.log",
            ),
        ]
        if only is not None:
            self.parts = [p for p in self.parts if p.name.split("-")[0] in only]

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.config.gateway_port}"

    def part(self, name: str) -> Part:
        return next(p for p in self.parts if p.name == name)

    def ensure_release(self, out: IO[str] = sys.stderr) -> None:
        """Build a release from the raw folder when the data folder has none."""
        if (self.config.data_dir / "current").exists():
            return
        print(
            f"no release in {self.config.data_dir}: building one from {self.config.raw_dir} ...", file=out, flush=True
        )
        env = {k: v for k, v in os.environ.items() if k not in ("MARQUEE_RAW_DIR", "MARQUEE_DATA_DIR")}
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "marquee_etl",
                "--raw",
                str(self.config.raw_dir),
                "--out",
                str(self.config.data_dir),
            ],
            env=env,
            check=False,
        )
        if done.returncode != 0:
            raise StackError(f"the pipeline failed (exit {done.returncode}); its output is above")

    def start(self) -> None:
        busy = [f"{p.name} port {p.port}" for p in self.parts if not port_free(p.port)]
        if busy:
            raise StackError(
                f"already in use on {HOST}: {', '.join(busy)}; stop what holds it or choose other ports "
                "(CATALOG_PORT, RECOMMENDER_PORT, GATEWAY_PORT)",
                status=2,
            )
        self.config.log_dir.mkdir(parents=True, exist_ok=True)
        for part in self.parts:
            with part.log.open("wb") as log:
                part.process = subprocess.Popen(
                    [sys.executable, "-m", part.module],
                    env=part.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # Ctrl-C reaches the runner only; it stops the parts in order
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None,
                )

    def dead(self) -> Part | None:
        """The first part whose process has exited, if any."""
        return next((p for p in self.parts if p.exited() is not None), None)

    def diagnose(self) -> str:
        """Which part is not ready, and the end of its log."""
        lines: list[str] = []
        for part in self.parts:
            code = part.exited()
            if code is not None:
                state = f"exited with status {code}"
            elif part.grpc_service:
                state = grpc_status(part.port, part.grpc_service)
            else:
                status, body = http_get(f"{self.base_url}/readyz")
                state = f"/readyz {status} {body.strip()[:300]}"
            ok = state in ("SERVING",) or state.startswith("/readyz 200")
            lines.append(f"  {part.name:<12} {state}")
            if not ok:
                lines.append(f"  last lines of {part.log}:\n{part.tail()}")
        return "\n".join(lines)

    def wait_ready(self, timeout: float, stop: Callable[[], bool] = lambda: False, probe: str = "/readyz") -> float:
        """Poll `probe` until 200; return the seconds it took. StackError on a dead part or a timeout."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if stop():
                raise StackError("interrupted while starting", status=130)
            dead = self.dead()
            if dead is not None:
                raise StackError(f"{dead.name} exited with status {dead.exited()} while starting:\n{self.diagnose()}")
            status, _ = http_get(f"{self.base_url}{probe}", timeout=1.0)
            if status == 200:
                return time.monotonic() - started
            time.sleep(0.2)
        raise StackError(f"{probe} did not answer 200 within {timeout:.0f} s:\n{self.diagnose()}")

    def stop(self, grace: float = STOP_GRACE_S) -> dict[str, int | None]:
        """SIGTERM every part (the gateway first), wait up to `grace` s, then SIGKILL. Exit codes by part."""
        running = [p for p in reversed(self.parts) if p.process is not None and p.process.poll() is None]
        for part in running:
            assert part.process is not None
            part.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for part in running:
            assert part.process is not None
            try:
                part.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                part.process.kill()
                part.process.wait()
        return {p.name: (None if p.process is None else p.process.returncode) for p in self.parts}

    def urls(self) -> list[str]:
        base = self.base_url
        c = self.config
        return [
            f"web page      {base}/",
            f"API docs      {base}/docs",
            f"example       {base}/v1/titles/Toy%20Story/votes",
            f"assignment    {base}/cantidad_filmaciones_mes/septiembre",
            f"readiness     {base}/readyz      metrics {base}/metrics",
            f"catalog gRPC  {', '.join(f'{HOST}:{p}' for p in c.ports(c.catalog_port))}   recommender gRPC "
            f"{', '.join(f'{HOST}:{p}' for p in c.ports(c.recommender_port))} (reflection on)",
            f"logs          {c.log_dir}/{{catalog,recommender,gateway}}.log",
            f"data          {c.data_dir}/current -> {(c.data_dir / 'current').resolve().name}",
        ]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="run_stack.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, help="release folder (env MARQUEE_DATA_DIR; default var/data)")
    parser.add_argument("--raw", type=Path, help="raw CSV folder (env MARQUEE_RAW_DIR; default data/sample)")
    parser.add_argument("--log-dir", type=Path, help="where each part's log goes (default var/log)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for /readyz (default 120)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    stack = Stack(StackConfig.from_env(args.data_dir, args.raw, args.log_dir))
    stopping: list[int] = []

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.append(signum)

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.ensure_release()
        stack.start()
        took = stack.wait_ready(args.timeout, stop=lambda: bool(stopping))
    except StackError as exc:
        print(f"run_stack: {exc}", file=sys.stderr, flush=True)
        stack.stop()
        return exc.status
    print(f"Marquee is ready ({took:.1f} s). Ctrl-C stops it.", flush=True)
    for line in stack.urls():
        print(f"  {line}", flush=True)
    status = 0
    while not stopping:
        dead = stack.dead()
        if dead is not None:
            print(f"run_stack: {dead.name} exited with status {dead.exited()}:\n{dead.tail()}", file=sys.stderr)
            status = 1
            break
        time.sleep(0.5)
    print("stopping ...", file=sys.stderr, flush=True)
    codes = stack.stop()
    print("stopped: " + json.dumps(codes), file=sys.stderr, flush=True)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
