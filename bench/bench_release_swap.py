"""Memory and time of a release swap, at full size (issue 8).

    python -m bench.bench_release_swap [--data /tmp/marquee-full] [--work DIR]

1. Builds release A from the full-size raw files and release B from the same files with one
   film's vote count changed (a real new input), promotes A.
2. Starts the catalog and the recommender on A (RELEASE_POLL_S=0.2) and lets them settle.
3. Promotes B with `python -m marquee_etl releases promote`, and samples each service's RSS
   every 10 ms until it serves B (GetReleaseInfo), then for 3 s more.
4. Starts fresh processes on B for the comparison.

Prints, per service: RSS on A, peak RSS during the swap, RSS after it, RSS of a fresh start
on B; the swap time (from the promote command to serving B) and the load time the service
reports. Targets: peak <= RSS on A + fresh RSS on B; after <= fresh RSS on B x 1.10.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

import grpc
import psutil

from bench.support import add_data_options, ensure_data, machine, verdict
from marquee.v1 import release_pb2, release_pb2_grpc
from tests.harness import HOST, RunningService, etl, free_port

SERVICES = {  # name -> (module, settings prefix, health service)
    "catalog": ("marquee_catalog", "CATALOG", "marquee.v1.CatalogService"),
    "recommender": ("marquee_recommender", "RECOMMENDER", "marquee.v1.RecommenderService"),
}


def run_etl(*args: str) -> None:
    done = etl(*args)
    if done.returncode != 0:
        raise SystemExit(f"marquee_etl {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-3000:]}")


def changed_copy(data: Path, out: Path) -> Path:
    """The raw files with the first film's vote count plus one: new inputs, the same model quality."""
    out.mkdir(parents=True, exist_ok=True)
    credits = out / "credits.csv"
    if not credits.exists():
        credits.symlink_to(data / "credits.csv")
    with (data / "movies_metadata.csv").open(newline="", encoding="utf-8") as src, \
            (out / "movies_metadata.csv").open("w", newline="", encoding="utf-8") as dst:  # fmt: skip
        reader, writer = csv.reader(src), csv.writer(dst)
        header = next(reader)
        writer.writerow(header)
        votes = header.index("vote_count")
        for number, row in enumerate(reader):
            if number == 0 and len(row) == len(header):
                row[votes] = str(int(float(row[votes] or 0)) + 1)
            writer.writerow(row)
    return out


class Service(RunningService):
    """A service that looks for a new release every 0.2 s, asked which one it serves."""

    def __init__(self, name: str, data_dir: Path, log: Path) -> None:
        module, prefix, service = SERVICES[name]
        self.name = name
        port = free_port()
        self.channel = grpc.insecure_channel(f"{HOST}:{port}")
        self.releases = release_pb2_grpc.ReleaseServiceStub(self.channel)
        super().__init__(module, prefix, data_dir, service, log, port=port, RELEASE_POLL_S="0.2")

    def info(self) -> release_pb2.GetReleaseInfoResponse | None:
        try:
            return self.releases.GetReleaseInfo(release_pb2.GetReleaseInfoRequest(), timeout=2)
        except grpc.RpcError:
            return None

    def wait_version(self, version: str, timeout: float = 300) -> release_pb2.GetReleaseInfoResponse:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            info = self.info()
            if info is not None and info.version == version:
                return info
            time.sleep(0.05)
        raise SystemExit(f"{self.name} did not serve {version} within {timeout} s")

    def settle(self, seconds: float = 5) -> float:
        """RSS once start-up's background work (the catalog's suggestion buckets) is done."""
        time.sleep(seconds)
        return self.rss_mb()

    def stop(self, timeout: float = 30) -> int | None:
        self.channel.close()
        return super().stop(timeout)


class Sampler:
    """Peak RSS of some processes, sampled every 10 ms in a thread."""

    def __init__(self, services: list[Service]) -> None:
        self.services = services
        self.peak = {s.name: 0.0 for s in services}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            for service in self.services:
                try:
                    self.peak[service.name] = max(self.peak[service.name], service.rss_mb())
                except psutil.Error:
                    pass
            time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_data_options(parser)
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temporary one)")
    args = parser.parse_args(argv)
    data = ensure_data(args.data, args.synth, args.seed_data)
    work = args.work or Path(tempfile.mkdtemp(prefix="marquee-swap-"))
    out = work / "data"
    shutil.rmtree(out, ignore_errors=True)
    print("\n".join(machine(("polars", "numpy", "annoy", "grpcio"))))
    print(f"data: {data}; work: {work}")
    started = time.perf_counter()
    run_etl("--raw", str(data), "--out", str(out))
    version_a = Path(os.readlink(out / "current")).name
    run_etl("--raw", str(changed_copy(data, work / "raw-b")), "--out", str(out))
    version_b = Path(os.readlink(out / "current")).name
    run_etl("releases", "--out", str(out), "rollback")
    print(f"releases built in {time.perf_counter() - started:.1f} s: A {version_a}, B {version_b}")

    services = [Service(name, out, work / f"{name}-a.log") for name in SERVICES]
    rows = {}
    try:
        for service in services:
            service.wait_version(version_a)
        before = {s.name: s.settle() for s in services}
        sampler = Sampler(services)
        sampler.thread.start()
        promoted = time.monotonic()
        run_etl("releases", "--out", str(out), "promote", version_b)
        swapped = {}
        for service in services:
            info = service.wait_version(version_b)
            swapped[service.name] = (time.monotonic() - promoted, info.load_seconds)
        time.sleep(3)
        sampler.stop.set()
        sampler.thread.join()
        after = {s.name: s.rss_mb() for s in services}
        for service in services:
            rows[service.name] = [before[service.name], sampler.peak[service.name], after[service.name]]
    finally:
        for service in services:
            service.stop()
    fresh_services = [Service(name, out, work / f"{name}-b.log") for name in SERVICES]
    try:
        for service in fresh_services:
            service.wait_version(version_b)
        for service in fresh_services:
            rows[service.name].append(service.settle())
    finally:
        for service in fresh_services:
            service.stop()

    print(f"\n{'service':<12} {'RSS on A':>9} {'peak':>9} {'after':>9} {'fresh B':>9} {'swap s':>7} "
          f"{'load s':>7}   targets")  # fmt: skip
    ok = True
    for name, (on_a, peak, after_swap, fresh) in rows.items():
        took, load = swapped[name]
        peak_ok = peak <= on_a + fresh
        after_ok = after_swap <= fresh * 1.10
        ok &= peak_ok and after_ok
        print(f"{name:<12} {on_a:>8.0f}M {peak:>8.0f}M {after_swap:>8.0f}M {fresh:>8.0f}M {took:>7.2f} {load:>7.2f}   "
              f"peak <= A + B ({on_a + fresh:.0f}M): {verdict(peak_ok)}; "
              f"after <= 1.10 x fresh ({fresh * 1.1:.0f}M): {verdict(after_ok)} "
              f"({after_swap / fresh - 1:+.1%})")  # fmt: skip
    print("swap s: from the promote command until the service answers from B (poll 0.2 s + verify + load);"
          " load s: verify and load, as the service reports it")  # fmt: skip
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
