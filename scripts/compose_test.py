"""`make compose-test`: the compose file, run for real on a Docker engine, end to end.

    python scripts/compose_test.py [--keep]

1. Installs what is missing (Debian's docker.io, docker-compose, mmdebstrap; as root) and starts
   the engine when none runs.
2. Uses python:3.11.14-slim-bookworm when it is there or can be pulled; otherwise builds the
   bases from Debian's packages (scripts/build_base_image.sh) and passes them as build arguments.
3. `docker-compose up -d --build` under a project of its own, on a free published port; waits until
   every service is healthy and /readyz answers 200.
4. Checks through the published port: /readyz, a film, a search, /recomendacion/Toy%20Story, an
   error body; then `run --rm etl` on changed raw files (Toy Story's vote count) is served by the
   running services without a restart; then `--scale recommender=2` spreads requests over both.
5. `down -v --remove-orphans` and checks that nothing of the project is left.

Prints each check as it passes. Exit status: 0 all passed, 1 a check failed, 0 with "SKIPPED:"
when no engine can run here (outside CI; in CI, CI=true, that is a failure, 1). Bounded: every
wait has a limit, the whole run at most 20 minutes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.harness import free_port

ROOT = Path(__file__).resolve().parents[1]
PROJECT = "marquee-compose-test"
OFFICIAL_BASE = "python:3.11.14-slim-bookworm"
DEADLINE_S = 20 * 60
STARTED = time.monotonic()


class Failed(Exception):
    """A check failed; the message says which and what was seen."""


def say(line: str) -> None:
    print(f"[compose-test {time.monotonic() - STARTED:6.1f} s] {line}", flush=True)


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 600, check: bool = True,
        quiet: bool = False) -> subprocess.CompletedProcess[str]:  # fmt: skip
    left = DEADLINE_S - (time.monotonic() - STARTED)
    if left <= 0:
        raise Failed(f"over the {DEADLINE_S // 60}-minute bound before: {' '.join(args)}")
    done = subprocess.run(list(args), env=env, capture_output=True, text=True, timeout=min(timeout, left),
                          check=False)  # fmt: skip
    if check and done.returncode != 0:
        raise Failed(f"{' '.join(args)} exited {done.returncode}:\n{(done.stdout + done.stderr)[-3000:]}")
    if not quiet and done.returncode != 0:
        say(f"({' '.join(args[:3])} exited {done.returncode})")
    return done


def ensure_tools() -> str | None:
    """None when docker, docker-compose and mmdebstrap are there (installed if need be); else why not."""
    missing = [p for p, cmd in (("docker.io", "docker"), ("docker-compose", "docker-compose"),
                                ("mmdebstrap", "mmdebstrap")) if shutil.which(cmd) is None]  # fmt: skip
    if not missing:
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return f"{', '.join(missing)} missing and cannot be installed here (needs root and apt-get)"
    say(f"installing {', '.join(missing)} ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run("apt-get", "update", "-qq", env=env, timeout=300)
    run("apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing, env=env, timeout=600)
    return None


def ensure_engine() -> str | None:
    if run("docker", "info", check=False, quiet=True, timeout=30).returncode == 0:
        return None
    if os.geteuid() != 0 or shutil.which("dockerd") is None:
        return "no Docker engine runs, and this user cannot start one"
    say("starting dockerd ...")
    log = ROOT / "var" / "dockerd.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    subprocess.Popen(["dockerd"], stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(60):
        if run("docker", "info", check=False, quiet=True, timeout=10).returncode == 0:
            return None
        time.sleep(1)
    return f"dockerd did not start within 60 s; see {log}"


def bases() -> dict[str, str]:
    """The build arguments: the official base when it can be had, else bases built from Debian's packages."""
    if run("docker", "image", "inspect", OFFICIAL_BASE, check=False, quiet=True).returncode == 0:
        return {}
    if run("docker", "pull", OFFICIAL_BASE, check=False, quiet=True, timeout=60).returncode == 0:
        return {}
    wanted = {"MARQUEE_BUILD_IMAGE": "marquee-build:bookworm", "MARQUEE_BASE_IMAGE": "marquee-base:bookworm"}
    if any(run("docker", "image", "inspect", tag, check=False, quiet=True).returncode != 0 for tag in wanted.values()):
        say(f"{OFFICIAL_BASE} cannot be pulled: building the bases from Debian's packages ...")
        run(str(ROOT / "scripts" / "build_base_image.sh"), timeout=900)
    return wanted


def get(url: str, timeout: float = 10) -> tuple[int, dict[str, str], Any]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status, dict(reply.headers), json.loads(reply.read() or b"null")
    except urllib.error.HTTPError as exc:
        body = exc.read()
        return exc.code, dict(exc.headers), json.loads(body) if body.startswith(b"{") else body.decode()


def wait_for(what: str, test: Any, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = test()
            if last:
                return last
        except (OSError, urllib.error.URLError, ValueError) as exc:
            last = exc
        time.sleep(1)
    raise Failed(f"{what}: not within {timeout:.0f} s (last: {last!r})")


def changed_raw(folder: Path) -> Path:
    """The bundled sample with Toy Story's vote count set to 6,415 (5,415 in Kaggle's file)."""
    folder.mkdir()
    shutil.copy(ROOT / "data" / "sample" / "credits.csv.gz", folder / "credits.csv.gz")
    text = gzip.decompress((ROOT / "data" / "sample" / "movies_metadata.csv.gz").read_bytes()).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    for row in rows[1:]:
        if len(row) == len(header) and row[header.index("id")] == "862":
            row[header.index("vote_count")] = "6415"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    (folder / "movies_metadata.csv").write_text(out.getvalue(), encoding="utf-8")
    folder.chmod(0o755)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def scenario(compose: list[str], env: dict[str, str], base: str, work: Path) -> None:
    say("building the four images and starting the stack (docker-compose up -d --build) ...")
    run(*compose, "up", "-d", "--build", env=env, timeout=1500)
    wait_for("/readyz 200", lambda: get(f"{base}/readyz", 5)[0] == 200, 300)
    states = run(*compose, "ps", env=env).stdout
    if "unhealthy" in states or "Exit 1" in states:
        raise Failed(f"a service is not healthy:\n{states}")
    say("PASS every service healthy, /readyz 200")
    status, headers, movie = get(f"{base}/v1/movies/862")
    if status != 200 or movie["title"] != "Toy Story" or movie["vote_count"] != 5415:
        raise Failed(f"/v1/movies/862: {status} {str(movie)[:300]}")
    first = headers.get("x-marquee-release", "")
    say(f"PASS a film: /v1/movies/862 is Toy Story, 5,415 votes ({first})")
    status, _, page = get(f"{base}/v1/movies?query=toy%20story")
    if status != 200 or "Toy Story" not in [hit["movie"]["title"] for hit in page["hits"]]:
        raise Failed(f"/v1/movies?query=toy story: {status} {str(page)[:300]}")
    say("PASS a search: /v1/movies?query=toy story finds Toy Story")
    status, _, recs = get(f"{base}/recomendacion/Toy%20Story")
    titles = json.dumps(recs)
    if status != 200 or "Toy Story 2" not in titles:
        raise Failed(f"/recomendacion/Toy%20Story: {status} {titles[:300]}")
    say("PASS /recomendacion/Toy%20Story answers, Toy Story 2 among them")
    status, _, error = get(f"{base}/v1/titles/Toy%20Stroy/votes")
    if status != 404 or set(error) != {"error"} or error["error"]["suggestions"][:1] != ["Toy Story"]:
        raise Failed(f"/v1/titles/Toy Stroy/votes: {status} {str(error)[:300]}")
    say("PASS an error body: 404 NOT_FOUND with the suggestion 'Toy Story'")

    started = {name: run("docker", "inspect", "-f", "{{.State.StartedAt}}", name).stdout.strip()
               for name in (f"{PROJECT}_catalog_1", f"{PROJECT}_recommender_1")}  # fmt: skip
    say("new data: docker-compose run --rm etl on the sample with Toy Story's vote count changed ...")
    run(*compose, "run", "--rm", "etl", env={**env, "MARQUEE_RAW_DIR": str(changed_raw(work / "raw-b"))}, timeout=600)
    wait_for("Toy Story's new vote count served", lambda: get(f"{base}/v1/movies/862?fresh=1")[2]["vote_count"] == 6415
             and get(f"{base}/v1/releases")[2]["agree"], 120)  # fmt: skip
    for name, at in started.items():
        if run("docker", "inspect", "-f", "{{.State.StartedAt}}", name).stdout.strip() != at:
            raise Failed(f"{name} was restarted")
    _, headers, _ = get(f"{base}/v1/movies/862")
    say(f"PASS the new release is served without a restart: 6,415 votes ({headers.get('x-marquee-release')})")
    status, _, report = get(f"{base}/v1/releases/current/report.json")
    films = ((report or {}).get("changes") or {}).get("films") if status == 200 else None
    if not films or films["changed_by_field"] != {"vote_count": 1} or films["added"] or films["removed"]:
        raise Failed(f"/v1/releases/current/report.json: {status} {json.dumps(films)[:300]}")
    with urllib.request.urlopen(f"{base}/v1/releases/current/report", timeout=30) as reply:
        kind, page_html = reply.headers.get("content-type", ""), reply.read().decode()
    if not kind.startswith("text/html") or "What changed" not in page_html or "<script" in page_html:
        raise Failed(f"/v1/releases/current/report: {kind} {page_html[:300]}")
    say("PASS the data report: HTML from the gateway; its JSON says one film changed (vote_count) since the last")

    say("scaling: docker-compose up -d --scale recommender=2 ...")
    run(*compose, "up", "-d", "--no-recreate", "--scale", "recommender=2", env=env, timeout=300)
    second = f"{PROJECT}_recommender_2"

    def healthy() -> bool:
        return (
            run("docker", "inspect", "-f", "{{.State.Health.Status}}", second, check=False, quiet=True).stdout.strip()
            == "healthy"
        )

    wait_for("the second recommender healthy", healthy, 180)

    def calls(name: str) -> int:
        return run("docker", "logs", name, check=False, quiet=True).stdout.count('"msg": "call"')

    def spread() -> bool:
        for movie_id in (949, 8844, 15602, 31357, 11862, 710, 9087, 12110, 21032, 10858, 1408, 524):
            get(f"{base}/v1/movies/{movie_id}/similar?limit=3&n={time.monotonic()}")
            get(f"{base}/v1/recommendations?text=heist%20crew%20{movie_id}")
        return calls(second) > 0 and calls(f"{PROJECT}_recommender_1") > 0

    wait_for("requests reach both recommenders", spread, 120)
    say(f"PASS --scale recommender=2 spreads requests: {calls(f'{PROJECT}_recommender_1')} and "
        f"{calls(second)} calls")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", action="store_true", help="leave the stack up at the end (for a look)")
    args = parser.parse_args(argv)
    in_ci = os.environ.get("CI") == "true"
    why = ensure_tools() or ensure_engine()
    if why:
        print(f"compose-test: SKIPPED: {why}", flush=True)
        return 1 if in_ci else 0
    env = {**os.environ, **bases()}
    port = free_port()
    env["GATEWAY_PUBLISHED_PORT"] = str(port)
    env.pop("MARQUEE_RAW_DIR", None)
    compose = ["docker-compose", "-p", PROJECT, "-f", str(ROOT / "docker-compose.yml")]
    work = Path(tempfile.mkdtemp(prefix="marquee-compose-test-"))
    status = 0
    try:
        scenario(compose, env, f"http://127.0.0.1:{port}", work)
    except (Failed, subprocess.TimeoutExpired, KeyError, TypeError) as exc:  # an answer of another shape too
        print(f"compose-test: FAILED: {exc}", flush=True)
        print(run(*compose, "logs", "--tail", "30", env=env, check=False, quiet=True).stdout[-6000:], flush=True)
        status = 1
    finally:
        if not args.keep:
            run(*compose, "down", "-v", "--remove-orphans", env=env, check=False, quiet=True, timeout=300)
            left = run("docker", "ps", "-a", "-q", "--filter", f"label=com.docker.compose.project={PROJECT}",
                       check=False, quiet=True).stdout.split()  # fmt: skip
            volumes = [v for v in run("docker", "volume", "ls", "-q", check=False, quiet=True).stdout.split()
                       if v.startswith(PROJECT.replace("-", ""))]  # fmt: skip
            if left or volumes:
                print(f"compose-test: FAILED: left behind: containers {left}, volumes {volumes}", flush=True)
                status = 1
            elif status == 0:
                say("PASS down -v leaves no container, network or volume of the project")
        shutil.rmtree(work, ignore_errors=True)
    if status == 0:
        say("all compose checks passed")
    return status


if __name__ == "__main__":
    sys.exit(main())
