"""Health and light calls under the heaviest calls the API allows (issue 9: bounded work).

    python bench/bench_overload.py [--raw DIR] [--seconds 20] [--heavy 8]

Builds a release from `--raw` (default: the bundled sample) into a temporary folder, starts the
recommender as a process (its default settings), then keeps `--heavy` clients each sending
BatchRecommend calls of 100 free texts of 190 characters with limit 50, back to back, for
`--seconds`. Meanwhile one client asks the health service every 50 ms and another asks for a
film's recommendations (by id) every 50 ms. Prints the latency of each (p50, p99, max), how the
heavy calls ended (OK, RESOURCE_EXHAUSTED), and the target: health answers within 100 ms (max).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import grpc
from bench_pipeline import machine, verdict
from grpc_health.v1 import health_pb2, health_pb2_grpc

from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc

ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIXES = ("MARQUEE_", "CATALOG_", "RECOMMENDER_", "GATEWAY_")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] if ordered else float("nan")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=ROOT / "data" / "sample")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--heavy", type=int, default=8)
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith(ENV_PREFIXES)}
    work = Path(tempfile.mkdtemp(prefix="marquee-overload-"))
    subprocess.run([sys.executable, "-m", "marquee_etl", "--raw", str(args.raw), "--out", str(work)], env=env,
                   check=True, capture_output=True)  # fmt: skip
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    log = (work / "recommender.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "marquee_recommender"], stdout=log, stderr=subprocess.STDOUT,
                              env={**env, "MARQUEE_DATA_DIR": str(work), "RECOMMENDER_HOST": "127.0.0.1",
                                   "RECOMMENDER_PORT": str(port)})  # fmt: skip
    target = f"127.0.0.1:{port}"
    try:
        with grpc.insecure_channel(target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            request = health_pb2.HealthCheckRequest(service="marquee.v1.RecommenderService")
            for _ in range(600):
                try:
                    if health.Check(request, timeout=1).status == health_pb2.HealthCheckResponse.SERVING:
                        break
                except grpc.RpcError:
                    pass
                time.sleep(0.1)
        text = ("a cowboy doll and a space ranger toy who become friends on an adventure " * 3)[:190]
        batch = pb.BatchRecommendRequest(requests=[pb.RecommendRequest(text=text, limit=50)] * 100)
        stop = threading.Event()
        heavy: Counter[str] = Counter()
        lock = threading.Lock()
        health_ms: list[float] = []
        light_ms: list[float] = []
        light_errors: Counter[str] = Counter()

        def heavy_client() -> None:
            with grpc.insecure_channel(target) as channel:
                stub = recommender_pb2_grpc.RecommenderServiceStub(channel)
                while not stop.is_set():
                    try:
                        stub.BatchRecommend(batch, timeout=60)
                        outcome = "OK"
                    except grpc.RpcError as exc:
                        outcome = exc.code().name
                        time.sleep(0.05)
                    with lock:
                        heavy[outcome] += 1

        def probe(call: object, out: list[float], errors: Counter[str] | None = None) -> None:
            while not stop.is_set():
                started = time.perf_counter()
                try:
                    call()  # type: ignore[operator]
                    out.append((time.perf_counter() - started) * 1000)
                except grpc.RpcError as exc:
                    if errors is not None:
                        errors[exc.code().name] += 1
                time.sleep(0.05)

        with grpc.insecure_channel(target) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            stub = recommender_pb2_grpc.RecommenderServiceStub(channel)
            threads = [threading.Thread(target=heavy_client) for _ in range(args.heavy)]
            threads.append(threading.Thread(target=probe, args=(lambda: health.Check(request, timeout=5), health_ms)))
            threads.append(threading.Thread(target=probe, args=(
                lambda: stub.Recommend(pb.RecommendRequest(movie_id=862, limit=10), timeout=5), light_ms,
                light_errors)))  # fmt: skip
            for thread in threads:
                thread.start()
            time.sleep(args.seconds)
            stop.set()
            for thread in threads:
                thread.join(120)
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    print("\n".join(machine(("grpcio", "numpy"))))
    print(f"{args.heavy} clients of BatchRecommend (100 texts x 190 chars, limit 50) for {args.seconds:.0f} s: "
          f"{dict(heavy)}")  # fmt: skip
    for name, values in (("health Check", health_ms), ("Recommend by id", light_ms)):
        print(f"  {name:<16} n={len(values):<5} p50 {pct(values, 50):7.1f} ms  p99 {pct(values, 99):7.1f} ms  "
              f"max {max(values, default=float('nan')):7.1f} ms")  # fmt: skip
    if light_errors:
        print(f"  Recommend by id errors: {dict(light_errors)}")
    ok = bool(health_ms) and max(health_ms) <= 100
    print(f"{verdict(ok)}  health answers within 100 ms under this load (max {max(health_ms, default=0):.1f} ms)")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
