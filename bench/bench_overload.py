"""Health and light calls under the heaviest calls the API allows (issue 9: bounded work).

    python -m bench.bench_overload [--raw DIR] [--seconds 20] [--heavy 8]

Builds a release from `--raw` (default: the bundled sample) into a temporary folder, starts the
recommender as a process (its default settings), then keeps `--heavy` clients each sending
BatchRecommend calls of 100 free texts of 190 characters with limit 50, back to back, for
`--seconds`. Meanwhile one client asks the health service every 50 ms and another asks for a
film's recommendations (by id) every 50 ms. Prints the latency of each (p50, p99, max), how the
heavy calls ended (OK, RESOURCE_EXHAUSTED), and the target: health answers within 100 ms (max).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

from bench.support import exit_status, machine, percentile, verdict
from marquee.v1 import recommender_pb2 as pb
from marquee.v1 import recommender_pb2_grpc
from tests.harness import SAMPLE_RAW, RunningService, build_release, heavy_batch

SERVICE = "marquee.v1.RecommenderService"


def measure(args: argparse.Namespace, work: Path) -> bool:
    build_release(args.raw, work)
    server = RunningService("marquee_recommender", "RECOMMENDER", work, SERVICE, work / "recommender.log")
    target = server.target
    request = health_pb2.HealthCheckRequest(service=SERVICE)
    try:
        batch = heavy_batch()
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
        server.stop()
    print("\n".join(machine(("grpcio", "numpy"))))
    print(f"{args.heavy} clients of BatchRecommend (100 texts x 190 chars, limit 50) for {args.seconds:.0f} s: "
          f"{dict(heavy)}")  # fmt: skip
    for name, values in (("health Check", health_ms), ("Recommend by id", light_ms)):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"  {name:<16} n={len(values):<5} p50 {p50:7.1f} ms  p99 {p99:7.1f} ms  "
              f"max {max(values, default=float('nan')):7.1f} ms")  # fmt: skip
    if light_errors:
        print(f"  Recommend by id errors: {dict(light_errors)}")
    ok = bool(health_ms) and max(health_ms) <= 100
    print(f"{verdict(ok)}  health answers within 100 ms under this load (max {max(health_ms, default=0):.1f} ms)")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--raw", type=Path, default=SAMPLE_RAW)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--heavy", type=int, default=8)
    args = parser.parse_args(argv)
    return exit_status("bench_overload", lambda work: measure(args, work))


if __name__ == "__main__":
    raise SystemExit(main())
