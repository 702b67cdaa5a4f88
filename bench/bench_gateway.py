"""Drive the HTTP gateway with 32 keep-alive connections, and the notebook way beside it.

    python -m bench.bench_gateway [--data DIR] [--release-dir DIR] [--seconds N]
                                  [--routes movie,recomendacion] [--modes cache,nocache,nobatch]
                                  [--gateway-workers N] [--catalog-workers N] [--recommender-workers N]

Why: Marquee promises that the whole stack (gateway -> gRPC catalog / recommender), on the
full-size data and this 2-core machine with the load generator on it too, answers at least
1,000 requests/s on `/v1/movies/{id}` and at least 500 on `/recomendacion/{titulo}`, with a
p99 of at most 50 ms and no error. And that this is far ahead of the assignment's usual
solution: a FastAPI route that reads the CSV file with pandas on every request.

How, in one run:

* The full-size raw CSVs are in `--data` (made there with the shared generator when missing,
  as bench_pipeline.py does); a release is built from them by the real pipeline into
  `--release-dir` (kept between runs; `--rebuild` makes a new one).
* The stack is started as `make run` starts it (scripts/run_stack.py: catalog, recommender,
  gateway as processes on 127.0.0.1, free ports), with GATEWAY_WORKERS / CATALOG_WORKERS /
  RECOMMENDER_WORKERS from the options, and is ready when /readyz answers 200. It runs once
  per mode: `cache` is the gateway as configured by default (its answer cache on,
  GATEWAY_CACHE_TTL_S=60, and concurrent requests gathered into Batch* calls,
  GATEWAY_BATCH_SIZE=16), `nocache` turns the cache off (GATEWAY_CACHE_TTL_S=0) so that
  every request goes through gRPC to the services, and `nobatch` also turns the gathering off
  (GATEWAY_BATCH_SIZE=1): one gRPC call per request. The targets are held in the `nocache`
  mode, where every request does the whole work; the other two are shown for comparison (with
  the cache on, the throughput is the cache's, and the p99 is that of the few misses queued
  behind thousands of hits a second on a saturated gateway).
* The load generator is this process: asyncio (uvloop when installed), `--connections`
  HTTP/1.1 keep-alive connections, each sending its next request as soon as the previous
  answer is complete (a closed loop), requests pre-encoded. Paths cycle over real inputs
  from the release, half from the 2,000 most-voted films and half uniform over all of them:
  film ids for `/v1/movies/{id}`, titles for `/recomendacion/{titulo}` (20,000 of each), so
  a cache sees popular films again and again, and most of the others once.
* With the answer cache on, the share of answers it gave (warm-up and window) is printed.
* Each route gets `--warmup` seconds, then `--seconds` measured: requests/s is the count of
  answers completed in the window over its length; latency is from writing the request to
  having the whole answer, nearest-rank p50/p99 and the max. An error is any status other
  than 200, a body that is not the route's shape (checked on every 50th answer) or a broken
  connection. The CPU each process used (psutil, children included) is shown per route.
* The notebook way: a tiny FastAPI app (this file, `--serve-notebook`), one uvicorn process,
  whose route reads `movies_metadata.csv` with `pandas.read_csv` on every request and picks
  the row by id, as the bootcamp solutions do; driven by the same generator, same
  connections, on the same ids. The ratio of requests/s is printed.

Exit status: 0 when every target passes in the nocache mode, 1 when one fails, 2 when the
set-up fails.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.support import BenchError, add_data_options, ensure_data, machine, percentile
from scripts.run_stack import Stack, StackConfig, StackError
from tests.harness import HOST, ROOT, HarnessError, build_release, free_port

POPULAR = 2000
CHECK_EVERY = 50
MODES = {  # mode -> (label, gateway settings, held to the targets)
    "cache": ("cache on", {}, False),
    "nocache": ("cache off", {"GATEWAY_CACHE_TTL_S": "0"}, True),
    "nobatch": ("cache off, no batching", {"GATEWAY_CACHE_TTL_S": "0", "GATEWAY_BATCH_SIZE": "1"}, False),
}
TARGETS = {  # route -> (requests/s at least, p99 ms at most)
    "movie": (1000.0, 50.0),
    "recomendacion": (500.0, 50.0),
}


# -- the load generator ------------------------------------------------------------------------


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection answering one request at a time (Content-Length bodies)."""

    def __init__(self) -> None:
        self.buffer = bytearray()
        self.transport: Any = None  # uvloop's transports are not asyncio.Transport subclasses
        self.waiter: asyncio.Future[tuple[int, bytes]] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        waiter = self.waiter
        if waiter is None or waiter.done():
            return
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = bytes(self.buffer[:end]).lower()
        at = head.find(b"\r\ncontent-length:")
        if at < 0:
            waiter.set_exception(ConnectionError("answer without Content-Length"))
            return
        stop = head.find(b"\r\n", at + 2)
        length = int(head[at + 17 : stop if stop >= 0 else len(head)])
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        status = int(head[9:12])
        body = bytes(self.buffer[end + 4 : total])
        del self.buffer[:total]
        waiter.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        if self.waiter is not None and not self.waiter.done():
            self.waiter.set_exception(exc or ConnectionError("connection closed"))

    async def request(self, data: bytes) -> tuple[int, bytes]:
        assert self.transport is not None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return await self.waiter


@dataclass
class Result:
    name: str
    seconds: float
    latencies: list[float] = field(default_factory=list)  # seconds, answers completed in the window
    errors: Counter[str] = field(default_factory=Counter)
    cpu: dict[str, float] = field(default_factory=dict)  # process -> share of one core, over the run
    hit_share: float | None = None  # answers from the gateway's cache, warm-up and window

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        """Nearest-rank percentile in milliseconds."""
        return percentile(self.latencies, p) * 1000

    @property
    def error_count(self) -> int:
        return sum(self.errors.values())


async def drive(
    port: int,
    paths: list[str],
    connections: int,
    warmup: float,
    seconds: float,
    check: Callable[[bytes], bool],
    name: str,
) -> Result:
    """Closed-loop load: every connection sends its next request when its answer is complete."""
    loop = asyncio.get_running_loop()
    requests = [f"GET {p} HTTP/1.1\r\nHost: {HOST}:{port}\r\n\r\n".encode() for p in paths]
    result = Result(name, seconds)
    start = time.perf_counter() + warmup
    end = start + seconds

    async def worker(index: int) -> None:
        position = index * (len(requests) // connections)
        conn: Connection | None = None
        while True:
            now = time.perf_counter()
            if now >= end:
                break
            if conn is None:
                try:
                    _, conn = await loop.create_connection(Connection, HOST, port)
                except OSError as exc:
                    if now >= start:
                        result.errors[type(exc).__name__] += 1
                    await asyncio.sleep(0.05)
                    continue
            data = requests[position % len(requests)]
            position += 1
            sent = time.perf_counter()
            try:
                status, body = await conn.request(data)
            except (OSError, ConnectionError) as exc:
                if sent >= start:
                    result.errors[type(exc).__name__] += 1
                conn = None
                continue
            done = time.perf_counter()
            if start <= sent and done <= end:
                if status != 200:
                    result.errors[f"HTTP {status}"] += 1
                elif position % CHECK_EVERY == 0 and not check(body):
                    result.errors["bad body"] += 1
                else:
                    result.latencies.append(done - sent)
        if conn is not None and conn.transport is not None:
            conn.transport.close()

    await asyncio.gather(*(worker(i) for i in range(connections)))
    return result


def run_async(main: Any) -> Any:
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


def run_load(*args: Any, **kwargs: Any) -> Result:
    return run_async(drive(*args, **kwargs))  # type: ignore[no-any-return]


def cache_counts(port: int) -> dict[str, float]:
    """The gateway's cache hits and misses so far, from its /metrics."""
    with urllib.request.urlopen(f"http://{HOST}:{port}/metrics", timeout=5) as reply:
        text = reply.read().decode()
    counts = {"hit": 0.0, "miss": 0.0}
    for line in text.splitlines():
        if line.startswith("marquee_gateway_cache_total{"):
            labels, _, value = line.rpartition(" ")
            for result in counts:
                if f'result="{result}"' in labels:
                    counts[result] = float(value)
    return counts


# -- inputs, release, stack --------------------------------------------------------------------


def release_in(raw: Path, out: Path, rebuild: bool) -> Path:
    """The release kept in `out`, built from `raw` first when there is none or `rebuild`."""
    if rebuild or not (out / "current").exists():
        print(f"building a release from {raw} into {out} ...", flush=True)
        return build_release(raw, out)
    return (out / "current").resolve()


def pick_inputs(release: Path, count: int, seed: int = 7) -> tuple[list[int], list[str]]:
    """`count` film ids and `count` titles, each half from the most-voted films, half uniform."""
    import polars as pl

    movies = pl.read_parquet(release / "movies.parquet", columns=["id", "title", "vote_count"])
    movies = movies.filter(pl.col("title").str.strip_chars() != "")
    popular = movies.sort("vote_count", descending=True).head(POPULAR)
    rng = random.Random(seed)

    def mix(column: str) -> list[Any]:
        hot, everything = popular[column].to_list(), movies[column].to_list()
        return [rng.choice(hot) if i % 2 else rng.choice(everything) for i in range(count)]

    return mix("id"), mix("title")


def quoted(text: str) -> str:
    return urllib.parse.quote(text, safe="")


def is_movie(body: bytes) -> bool:
    data = json.loads(body)
    return isinstance(data, dict) and isinstance(data.get("id"), int) and "title" in data


def is_recommendation(body: bytes) -> bool:
    data = json.loads(body)
    titles = data.get("lista recomendada") if isinstance(data, dict) else None
    return isinstance(titles, list) and len(titles) == 5


# -- the notebook way --------------------------------------------------------------------------


def notebook_app(csv: Path) -> Any:
    """What the assignment's solutions do: read the CSV on every request."""
    import pandas as pd
    from fastapi import FastAPI, HTTPException

    app = FastAPI()

    @app.get("/movies/{movie_id}")
    def movie(movie_id: int) -> dict[str, Any]:
        df = pd.read_csv(csv, low_memory=False)
        row = df[df["id"] == str(movie_id)]
        if row.empty:
            raise HTTPException(status_code=404, detail="not found")
        record: dict[str, Any] = json.loads(row.iloc[0].to_json())
        record["id"] = movie_id
        return record

    return app


def serve_notebook(csv: Path, port: int) -> None:
    import uvicorn

    uvicorn.run(notebook_app(csv), host=HOST, port=port, log_level="warning")


def wait_http(port: int, path: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the notebook app exited with {process.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=30) as reply:
                if reply.status == 200:
                    return
        time.sleep(0.2)
    raise BenchError(f"the notebook app did not answer {path} within {timeout} s")


# -- report ------------------------------------------------------------------------------------


def line(result: Result, target: tuple[float, float] | None) -> tuple[str, bool]:
    ok = True
    verdict = ""
    if target is not None:
        min_rps, max_p99 = target
        ok = result.rps >= min_rps and result.percentile(99) <= max_p99 and result.error_count == 0
        verdict = f"  target >= {min_rps:.0f}/s, p99 <= {max_p99:.0f} ms, 0 errors: {'PASS' if ok else 'FAIL'}"
    errors = ", ".join(f"{k} x{v}" for k, v in result.errors.items()) or "0"
    text = (
        f"{result.name:<34} {result.rps:9.1f} req/s  p50 {result.percentile(50):8.2f} ms  "
        f"p99 {result.percentile(99):8.2f} ms  max {max(result.latencies, default=0) * 1000:8.2f} ms  "
        f"n={result.requests}  errors {errors}{verdict}"
    )
    return text, ok


# -- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_gateway", description=__doc__.split("\n\n")[0])
    add_data_options(parser)
    parser.add_argument("--release-dir", type=Path, default=Path(tempfile.gettempdir()) / "marquee-bench-release")
    parser.add_argument("--rebuild", action="store_true", help="build a new release even if one exists")
    parser.add_argument("--routes", default="movie,recomendacion", help="comma-separated: movie, recomendacion")
    parser.add_argument(
        "--modes",
        default=",".join(MODES),
        help="cache: the gateway as configured by default; nocache: its answer cache off; "
        "nobatch: cache off and no request gathering (GATEWAY_BATCH_SIZE=1), for comparison. All by default",
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--notebook-seconds", type=float, default=15.0, help="0 skips the notebook way")
    parser.add_argument("--gateway-workers", type=int, default=int(os.environ.get("GATEWAY_WORKERS", "1")))
    parser.add_argument("--catalog-workers", type=int, default=int(os.environ.get("CATALOG_WORKERS", "1")))
    parser.add_argument("--recommender-workers", type=int, default=int(os.environ.get("RECOMMENDER_WORKERS", "1")))
    parser.add_argument("--log-dir", type=Path, default=Path(tempfile.gettempdir()) / "marquee-bench-logs")
    parser.add_argument("--serve-notebook", type=Path, metavar="CSV", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


@dataclass
class Setup:
    raw: Path
    release: Path
    ids: list[int]
    titles: list[str]


def drive_stack(args: argparse.Namespace, setup: Setup, routes: list[str], mode: str) -> list[Result]:
    """Start the stack with the gateway settings of `mode`, drive each route, stop it."""
    import psutil

    config = StackConfig(
        data_dir=args.release_dir.resolve(),
        raw_dir=setup.raw,
        log_dir=args.log_dir.resolve(),
        catalog_port=free_port(),
        recommender_port=free_port(),
        gateway_port=free_port(),
        env={
            "GATEWAY_WORKERS": str(args.gateway_workers),
            "CATALOG_WORKERS": str(args.catalog_workers),
            "RECOMMENDER_WORKERS": str(args.recommender_workers),
            "GATEWAY_LOG_LEVEL": os.environ.get("GATEWAY_LOG_LEVEL", "info"),
            "GATEWAY_CACHE_TTL_S": os.environ.get("GATEWAY_CACHE_TTL_S", "60"),
            "GATEWAY_BATCH_SIZE": os.environ.get("GATEWAY_BATCH_SIZE", "16"),
            **MODES[mode][1],
        },
    )
    # Without the recommender route the recommender is not started, and readiness is a catalog answer.
    with_recommender = "recomendacion" in routes
    stack = Stack(config, None if with_recommender else ("catalog", "gateway"))
    results: list[Result] = []
    label_mode = MODES[mode][0]
    try:
        stack.start()
        took = stack.wait_ready(180, probe="/readyz" if with_recommender else "/v1/stats/releases/month/1")
        print(f"[{label_mode}] stack ready in {took:.1f} s (logs in {config.log_dir})", flush=True)
        tree = {p.name: psutil.Process(p.process.pid) for p in stack.parts}

        def cpu_seconds() -> dict[str, float]:
            used = {}
            for name, proc in tree.items():
                procs = [proc, *proc.children(recursive=True)]
                used[name] = sum(sum(p.cpu_times()[:2]) for p in procs)
            used["load generator"] = sum(psutil.Process().cpu_times()[:2])
            return used

        for route in routes:
            if route == "movie":
                paths, check, label = [f"/v1/movies/{i}" for i in setup.ids], is_movie, "GET /v1/movies/{id}"
            else:
                paths = [f"/recomendacion/{quoted(t)}" for t in setup.titles]
                check, label = is_recommendation, "GET /recomendacion/{titulo}"
            label = f"{label} [{label_mode}]"
            cached = config.env["GATEWAY_CACHE_TTL_S"] != "0"
            if cached:
                counted = cache_counts(config.gateway_port)
            print(f"driving {label} for {args.warmup:g} + {args.seconds:g} s ...", flush=True)
            before = cpu_seconds()
            result = run_load(config.gateway_port, paths, args.connections, args.warmup, args.seconds, check, label)
            after = cpu_seconds()
            total = args.warmup + args.seconds
            result.cpu = {k: (after[k] - before[k]) / total for k in after}
            if cached:
                now = cache_counts(config.gateway_port)
                hits, misses = (now[k] - counted[k] for k in ("hit", "miss"))
                result.hit_share = hits / max(hits + misses, 1)
            results.append(result)
    finally:
        stack.stop()
    return results


def drive_notebook(args: argparse.Namespace, setup: Setup) -> Result | None:
    port = free_port()
    csv = setup.raw / "movies_metadata.csv"
    cmd = [sys.executable, "-m", "bench.bench_gateway", "--serve-notebook", str(csv), "--port", str(port)]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, cwd=ROOT)
    try:
        wait_http(port, f"/movies/{setup.ids[0]}", process)
        label = "notebook way: GET /movies/{id}"
        print(f"driving {label} for {args.warmup:g} + {args.notebook_seconds:g} s ...", flush=True)
        paths = [f"/movies/{i}" for i in setup.ids]
        return run_load(port, paths, args.connections, args.warmup, args.notebook_seconds, is_movie, label)
    except BenchError as exc:
        print(f"notebook way failed: {exc}", file=sys.stderr)
        return None
    finally:
        process.terminate()
        process.wait(30)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.serve_notebook:
        serve_notebook(args.serve_notebook, args.port)
        return 0
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if set(routes) - set(TARGETS) or set(modes) - set(MODES) or not modes:
        print(f"routes: {sorted(TARGETS)}; modes: {', '.join(MODES)}", file=sys.stderr)
        return 2
    try:
        raw = ensure_data(args.data, args.synth, args.seed_data)
        release = release_in(raw, args.release_dir.resolve(), args.rebuild)
    except HarnessError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        return 2
    ids, titles = pick_inputs(release, 20_000)
    setup = Setup(raw, release, ids, titles)
    results: list[Result] = []
    try:
        for mode in modes:
            results += drive_stack(args, setup, routes, mode)
    except StackError as exc:
        print(f"set-up failed: {exc}", file=sys.stderr)
        print("(a release left by older code in --release-dir? run again with --rebuild)", file=sys.stderr)
        return 2
    notebook = drive_notebook(args, setup) if args.notebook_seconds > 0 else None
    report = [
        "",
        *machine(("fastapi", "uvicorn", "grpcio", "uvloop", "httptools", "pandas")),
        f"data:     {raw} -> release {release.name}",
        f"stack:    gateway workers {args.gateway_workers}, catalog workers {args.catalog_workers}, "
        f"recommender workers {args.recommender_workers}; {args.connections} connections, "
        f"{args.warmup:g} s warm-up + {args.seconds:g} s measured per route; load generator on the same cores",
        "",
    ]
    verdicts: dict[str, bool] = {}
    held = {label for label, _, counts in MODES.values() if counts}
    for result in results:
        route = "movie" if "/v1/movies" in result.name else "recomendacion"
        mode = result.name.rsplit("[", 1)[-1].rstrip("]")
        text, ok = line(result, TARGETS[route] if mode in held else None)
        report.append(text)
        cpu = ", ".join(f"{k} {v * 100:.0f}%" for k, v in result.cpu.items())
        hits = "" if result.hit_share is None else f"; answers from the gateway's cache: {result.hit_share:.0%}"
        report.append(f"    CPU (100% = one core): {cpu}{hits}")
        if mode in held:
            verdicts[mode] = verdicts.get(mode, True) and ok
    if notebook is not None:
        report.append(line(notebook, None)[0])
        for result in results:
            if "/v1/movies" in result.name and notebook.rps > 0:
                report.append(f"ratio {result.name}: {result.rps / notebook.rps:,.0f} x the notebook way's requests/s")
    report.append("")
    report += [f"targets with the {mode}: {'PASS' if ok else 'FAIL'}" for mode, ok in verdicts.items()]
    if not verdicts:
        report.append("no target held: the targets are held in the nocache mode")
    print("\n".join(report), flush=True)
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
