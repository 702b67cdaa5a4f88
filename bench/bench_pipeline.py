"""Time Marquee's Polars pipeline against the usual pandas way, on full-size data.

    python -m bench.bench_pipeline [--data DIR] [--repeat N]

Why: Marquee's targets for the batch pipeline are (1) at least ten times faster than
the usual pandas + `ast.literal_eval` solution of the assignment, and (2) a peak memory
of at most 2048 MB on a full-size input (45,466 films, ~181 MB of credits). This
script checks both claims on the machine it runs on, in one run, so the numbers are
comparable:

* (a) `python -m marquee_etl --raw DIR --out TMP --skip-model --skip-report` (up to the catalog
  tables, as the baseline; bench_recommender.py times the model, bench_report the data report) and (b) `python -m
  bench.baseline_pandas DIR TMP` each run as a separate process, N times, alternating a, b, a, b, ... so
  that drift of the machine (other load, heat) hits both alike; each run writes into
  a fresh temp folder.
* Wall time is measured around the whole process (interpreter start and imports
  included, as a user experiences it); best and median of the N runs are reported.
* Peak memory is the process's maximum resident set size, from `/usr/bin/time -v`
  when present (the kernel's own figure, no sampling gap); otherwise psutil polls the
  process tree every 20 ms and keeps the highest summed RSS.
  `getrusage(RUSAGE_CHILDREN)` is not used: its maxrss is a maximum over all children
  ever waited for, so it cannot tell one child from the other. 1 MB is 2**20 bytes.
* The input files are read once before timing, so neither side pays for a cold page
  cache.
* The time target is judged on the medians: marquee <= pandas / 10. The memory
  target on marquee's worst run: peak <= 2048 MB.

If `--data` lacks movies_metadata.csv or credits.csv, the full-size synthetic set is
made there (or, when that folder is not writable, in ~/.cache/marquee-bench/full)
with the shared generator `synth_tmdb.py scale` (about 25 s; see --synth and
--seed-data).

Each side's per-step timings (both print `[i/n] step: X.XX s` on stderr) are shown
too, to see which step dominates, and the row count of every table each side wrote,
as a check that both built the same catalog.

Exit status: 0 when both targets pass, 1 when one fails, 2 when a run or the data
set-up fails.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import psutil

from bench.support import FILES, MB, BenchError, add_data_options, data_sizes, ensure_data, machine, verdict
from tests.harness import ROOT

GNU_TIME = Path("/usr/bin/time")
TIME_TARGET = 10.0  # marquee must be at least this many times faster
MEMORY_TARGET_MB = 2048.0
POLL_SECONDS = 0.02
STEP_LINE = re.compile(r"^\[\d+/\d+\] (.+): (\d+(?:\.\d+)?) s$")


@dataclass
class Run:
    seconds: float
    peak_mb: float
    steps: dict[str, float]
    tables: dict[str, int]


@dataclass
class Side:
    name: str
    runs: list[Run] = field(default_factory=list)

    def best(self) -> float:
        return min(r.seconds for r in self.runs)

    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def peak(self) -> float:
        return max(r.peak_mb for r in self.runs)

    def median_steps(self) -> dict[str, float]:
        names = dict.fromkeys(s for r in self.runs for s in r.steps)
        return {n: statistics.median(r.steps.get(n, 0.0) for r in self.runs) for n in names}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_data_options(parser)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side, alternating (default 3)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def warm_cache(folder: Path) -> None:
    for name in FILES:
        with (folder / name).open("rb") as handle:
            while handle.read(1 << 22):
                pass


def _tree_rss(proc: psutil.Process) -> int:
    total = 0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            total += p.memory_info().rss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total


def _run_polled(cmd: list[str], stdout: IO[str], stderr: IO[str]) -> tuple[int, float]:
    """Run `cmd`, sampling the summed RSS of its process tree; (exit code, peak MB)."""
    popen = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, cwd=ROOT)
    proc = psutil.Process(popen.pid)
    peak = 0
    while popen.poll() is None:
        try:
            peak = max(peak, _tree_rss(proc))
        except psutil.NoSuchProcess:
            break
        time.sleep(POLL_SECONDS)
    return popen.wait(), peak / MB


def _run_gnu_time(cmd: list[str], stdout: IO[str], stderr: IO[str], work: Path) -> tuple[int, float]:
    """Run `cmd` under `/usr/bin/time -v`; (exit code, peak MB from the kernel)."""
    report = work / "time.txt"
    code = subprocess.run(
        [str(GNU_TIME), "-v", "-o", str(report), *cmd],
        stdout=stdout,
        stderr=stderr,
        cwd=ROOT,
        check=False,
    ).returncode
    found = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report.read_text())
    if found is None:
        raise BenchError(f"no maximum RSS in /usr/bin/time's report: {report.read_text()!r}")
    return code, int(found.group(1)) * 1024 / MB


def parquet_rows(folder: Path) -> dict[str, int]:
    import pyarrow.parquet as pq  # installed with pandas' Parquet support

    return {p.stem: pq.ParquetFile(p).metadata.num_rows for p in sorted(folder.glob("*.parquet"))}


def run_once(name: str, data: Path) -> Run:
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        work = Path(tmp)
        out = work / "out"
        if name == "marquee":
            cmd = [
                sys.executable,
                "-m",
                "marquee_etl",
                "--raw",
                str(data),
                "--out",
                str(out),
                "--skip-model",  # up to the catalog tables, like the baseline; the model has its own bench
                "--skip-report",  # ... and so has the data report (bench_report)
            ]
        else:
            cmd = [sys.executable, "-m", "bench.baseline_pandas", str(data), str(out)]
        with (
            (work / "stdout").open("w+") as stdout,
            (work / "stderr").open("w+") as stderr,
        ):
            started = time.perf_counter()
            if GNU_TIME.is_file():
                code, peak = _run_gnu_time(cmd, stdout, stderr, work)
            else:
                code, peak = _run_polled(cmd, stdout, stderr)
            seconds = time.perf_counter() - started
            stderr.seek(0)
            err = stderr.read()
        if code != 0:
            raise BenchError(f"{name} exited with {code}: {err.strip()[-2000:]}")
        steps = {}
        for line in err.splitlines():
            if found := STEP_LINE.match(line.strip()):
                steps[found.group(1)] = float(found.group(2))
        tables = parquet_rows(out / "current" if name == "marquee" else out)
        return Run(seconds=seconds, peak_mb=peak, steps=steps, tables=tables)


def report(marquee: Side, pandas: Side, data: Path, repeat: int) -> bool:
    how = "/usr/bin/time -v" if GNU_TIME.is_file() else "psutil, 20 ms polling"
    lines = [
        "",
        "Marquee pipeline (Polars) vs the usual pandas + ast.literal_eval baseline",
        *machine(("polars", "pandas", "pyarrow")),
        f"data:     {data} ({data_sizes(data)})",
        f"runs:     {repeat} of each, alternating; wall time of the whole process; peak RSS via {how}",
        "",
        f"{'':<22}{'best s':>10}{'median s':>10}{'peak MB':>10}",
    ]
    for side in (marquee, pandas):
        lines.append(f"{side.name:<22}{side.best():>10.2f}{side.median():>10.2f}{side.peak():>10.0f}")
    best_ratio = marquee.best() / pandas.best()
    median_ratio = marquee.median() / pandas.median()
    lines.append(
        f"{'marquee / pandas':<22}{best_ratio:>10.3f}{median_ratio:>10.3f}{marquee.peak() / pandas.peak():>10.2f}"
    )
    lines.append(f"{'speed-up (x)':<22}{1 / best_ratio:>10.1f}{1 / median_ratio:>10.1f}")
    for side in (marquee, pandas):
        lines += ["", f"{side.name} steps, median s, as it reports them:"]
        lines += [f"  {n:<44}{s:>8.2f}" for n, s in side.median_steps().items()]
    lines += ["", f"rows written (last run){'':<21}{'marquee':>10}{'pandas':>10}"]
    m_rows, p_rows = marquee.runs[-1].tables, pandas.runs[-1].tables
    for table in dict.fromkeys([*m_rows, *p_rows]):
        m, p = m_rows.get(table), p_rows.get(table)
        note = "" if m == p or m is None or p is None else "  differs"
        lines.append(f"  {table:<42}{'-' if m is None else f'{m:,}':>10}{'-' if p is None else f'{p:,}':>10}{note}")
    time_ok = median_ratio <= 1 / TIME_TARGET
    memory_ok = marquee.peak() <= MEMORY_TARGET_MB
    lines += [
        "",
        "targets:",
        f"  time:   marquee median <= pandas median / {TIME_TARGET:g}     "
        f"{median_ratio:.3f} <= {1 / TIME_TARGET:.3f}   {verdict(time_ok)}",
        f"  memory: marquee peak <= {MEMORY_TARGET_MB:.0f} MB{'':<18}"
        f"{marquee.peak():>5.0f} <= {MEMORY_TARGET_MB:<5.0f}  {verdict(memory_ok)}",
    ]
    print("\n".join(lines), flush=True)
    return time_ok and memory_ok


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        data = ensure_data(args.data, args.synth, args.seed_data)
        warm_cache(data)
        marquee, pandas = Side("marquee (polars)"), Side("pandas baseline")
        for i in range(args.repeat):
            for side, name in ((marquee, "marquee"), (pandas, "pandas")):
                print(f"run {i + 1}/{args.repeat}: {name} ...", end=" ", flush=True)
                run = run_once(name, data)
                side.runs.append(run)
                print(f"{run.seconds:.2f} s, peak {run.peak_mb:.0f} MB", flush=True)
    except BenchError as exc:
        print(f"bench_pipeline: error: {exc}", file=sys.stderr)
        return 2
    return 0 if report(marquee, pandas, data, args.repeat) else 1


if __name__ == "__main__":
    raise SystemExit(main())
