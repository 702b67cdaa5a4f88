"""`python scripts/run_stack.py` (what `make run` calls): builds a missing release, starts the three
processes, waits for /readyz, prints the URLs, and stops everything on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from tests.harness import FIXTURE_RAW, ROOT, clean_env, free_port

pytestmark = pytest.mark.slow
SCRIPT = ROOT / "scripts" / "run_stack.py"


def run_stack(args: list[str], **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        env=clean_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 180) -> list[str]:
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return lines
    raise AssertionError(f"{marker!r} not printed; output:\n" + "\n".join(lines))


def test_run_stack_builds_a_release_serves_every_part_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    ports = {"CATALOG_PORT": free_port(), "RECOMMENDER_PORT": free_port(), "GATEWAY_PORT": free_port()}
    data = tmp_path / "data"
    process = run_stack(
        ["--data-dir", str(data), "--raw", str(FIXTURE_RAW), "--log-dir", str(tmp_path / "logs")],
        **{k: str(v) for k, v in ports.items()},
    )
    try:
        lines = read_until(process, "Marquee is ready")
        lines += [process.stdout.readline().rstrip() for _ in range(3)]  # type: ignore[union-attr]
        assert (data / "current" / "manifest.json").is_file()
        base = f"http://127.0.0.1:{ports['GATEWAY_PORT']}"
        assert any(f"{base}/docs" in line for line in lines)
        assert httpx.get(f"{base}/readyz").status_code == 200
        assert httpx.get(f"{base}/cantidad_filmaciones_mes/septiembre").json()["cantidad"] == 3
        children = psutil.Process(process.pid).children()
        assert len(children) == 3
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert '"catalog": 0' in output and '"recommender": 0' in output and '"gateway": 0' in output
    assert not any(child.is_running() and child.status() != psutil.STATUS_ZOMBIE for child in children)
    for name in ("catalog", "recommender", "gateway"):
        assert (tmp_path / "logs" / f"{name}.log").stat().st_size > 0


def test_run_stack_refuses_a_port_in_use_with_a_clear_message(fixture_data_dir: Path, tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = run_stack(
            ["--data-dir", str(fixture_data_dir), "--log-dir", str(tmp_path)],
            CATALOG_PORT=str(free_port()),
            RECOMMENDER_PORT=str(free_port()),
            GATEWAY_PORT=str(port),
        )
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 2
    assert f"gateway port {port}" in output and "GATEWAY_PORT" in output


def test_run_stack_names_the_part_that_failed_and_shows_its_log(tmp_path: Path) -> None:
    empty = tmp_path / "no-release"
    (empty / "current").mkdir(parents=True)  # a release folder without manifest: the services refuse it
    process = run_stack(
        ["--data-dir", str(empty), "--log-dir", str(tmp_path / "logs"), "--timeout", "60"],
        CATALOG_PORT=str(free_port()),
        RECOMMENDER_PORT=str(free_port()),
        GATEWAY_PORT=str(free_port()),
    )
    output, _ = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "exited with status" in output and "last lines of" in output
    assert "manifest" in output


def test_run_stack_starts_replicas_of_each_service_behind_the_gateway(fixture_data_dir: Path, tmp_path: Path) -> None:
    ports = {"CATALOG_PORT": free_port(), "RECOMMENDER_PORT": free_port(), "GATEWAY_PORT": free_port()}
    process = run_stack(
        ["--data-dir", str(fixture_data_dir), "--log-dir", str(tmp_path / "logs")],
        MARQUEE_REPLICAS="2",
        **{k: str(v) for k, v in ports.items()},
    )
    try:
        read_until(process, "Marquee is ready")
        assert len(psutil.Process(process.pid).children()) == 5
        releases = httpx.get(f"http://127.0.0.1:{ports['GATEWAY_PORT']}/v1/releases").json()
        for name in ("catalog", "recommender"):
            addresses = sorted(r["address"] for r in releases["upstreams"][name]["replicas"])
            first = ports[f"{name.upper()}_PORT"]
            assert addresses == sorted([f"127.0.0.1:{first}", f"127.0.0.1:{first + 10}"])
        assert releases["agree"] is True
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert '"catalog-2": 0' in output and '"recommender-2": 0' in output
