"""The catalog's life as a process: health, reflection, logs, start-up errors, SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import threading
import time
from pathlib import Path
from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from marquee.v1 import catalog_pb2 as pb
from marquee.v1 import catalog_pb2_grpc
from marquee_catalog.servicer import CatalogServicer
from marquee_server.rpc import Service, create_server, load_and_serve
from tests.harness import RunningService, free_port, run


def test_reflection_lists_the_catalog_and_health_services(catalog_process: RunningService) -> None:
    with grpc.insecure_channel(catalog_process.target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        replies = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        names = {s.name for reply in replies for s in reply.list_services_response.service}
    assert {"marquee.v1.CatalogService", "grpc.health.v1.Health"} <= names


def test_each_call_is_logged_as_one_json_line_with_method_code_and_duration(catalog_process: RunningService) -> None:
    with grpc.insecure_channel(catalog_process.target) as channel:
        stub = catalog_pb2_grpc.CatalogServiceStub(channel)
        stub.CountReleasesByWeekday(pb.CountReleasesByWeekdayRequest(day="domingo"))
        with pytest.raises(grpc.RpcError):
            stub.GetCompany(pb.GetCompanyRequest(name="No Such Company Ltd"))
    wanted = [("CountReleasesByWeekday", "OK"), ("GetCompany", "NOT_FOUND")]
    deadline = time.monotonic() + 5
    while True:  # the log is written by another process: give it a moment
        calls = [json.loads(line) for line in catalog_process.log_lines() if '"msg": "call"' in line]
        if [(c["method"], c["code"]) for c in calls[-2:]] == wanted or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert [(c["method"], c["code"]) for c in calls[-2:]] == wanted
    assert all(isinstance(c["duration_ms"], float) for c in calls[-2:])


def test_a_missing_release_stops_start_up_with_a_clear_message(tmp_path: Path) -> None:
    result = run("marquee_catalog", timeout=60, CATALOG_HOST="127.0.0.1", CATALOG_PORT=str(free_port()),
                 MARQUEE_DATA_DIR=str(tmp_path))  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"cannot serve: no release in {tmp_path}: {tmp_path / 'current'} does not exist; "
        "run the pipeline first (python -m marquee_etl)\n"
    )


def test_sigterm_drains_and_exits_cleanly(fixture_data_dir: Path, tmp_path: Path) -> None:
    service = RunningService(
        "marquee_catalog", "CATALOG", fixture_data_dir, "marquee.v1.CatalogService", tmp_path / "catalog.log"
    )
    service.process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=30) == 0
    messages = [json.loads(line)["msg"] for line in service.log_lines()]
    assert messages[-3:] == ["draining", "stopping", "stopped"]


def test_health_is_not_serving_and_calls_are_unavailable_until_the_release_is_loaded(fixture_data_dir: Path) -> None:
    async def scenario() -> None:
        servicer = CatalogServicer(fixture_data_dir)
        loaded = threading.Event()

        opener = servicer.holder.opener

        def slow_open(folder: Path, manifest: dict[str, Any], swapping: bool) -> Any:
            loaded.wait(10)
            return opener(folder, manifest, swapping)

        servicer.holder.opener = slow_open
        service = Service(
            "marquee.v1.CatalogService",
            lambda server: catalog_pb2_grpc.add_CatalogServiceServicer_to_server(servicer, server),
            servicer.holder,
        )
        server, port, health = await create_server("127.0.0.1:0", [service])
        loading = asyncio.create_task(load_and_serve([service], health))
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                check = health_pb2_grpc.HealthStub(channel).Check
                catalog = catalog_pb2_grpc.CatalogServiceStub(channel)
                request = health_pb2.HealthCheckRequest(service="marquee.v1.CatalogService")
                assert (await check(request)).status == health_pb2.HealthCheckResponse.NOT_SERVING
                with pytest.raises(grpc.aio.AioRpcError) as err:
                    await catalog.GetMovie(pb.GetMovieRequest(movie_id=1))
                assert err.value.code() == grpc.StatusCode.UNAVAILABLE
                loaded.set()
                await loading
                assert (await check(request)).status == health_pb2.HealthCheckResponse.SERVING
                assert (await catalog.GetMovie(pb.GetMovieRequest(movie_id=1))).movie.title == "Alpha"
        finally:
            loaded.set()
            await server.stop(0)

    asyncio.run(scenario())


def test_a_second_server_on_a_taken_port_stops_with_one_line(catalog_process: RunningService) -> None:
    result = run("marquee_catalog", timeout=60, CATALOG_HOST="127.0.0.1", CATALOG_PORT=str(catalog_process.port),
                 MARQUEE_DATA_DIR="/nonexistent")  # fmt: skip
    assert result.returncode == 2
    assert result.stderr == (
        f"cannot serve: cannot listen on 127.0.0.1:{catalog_process.port}: the port is in use by another process\n"
    )
