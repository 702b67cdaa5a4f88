"""The compose file and Dockerfiles, checked statically (no Docker engine here), and the
healthcheck script the images run, checked against a real server."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.harness import ROOT, RunningService

DOCKERFILES = sorted(p.relative_to(ROOT) for p in ROOT.glob("**/Dockerfile") if ".venv" not in p.parts)


@pytest.fixture(scope="module")
def compose() -> dict:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose (Debian package docker-compose) is needed; .ci/run installs it"
    result = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


def test_compose_runs_the_pipeline_once_then_the_catalog_on_its_release(compose: dict) -> None:
    services = compose["services"]
    assert {"etl", "catalog"} <= set(services)
    assert services["catalog"]["depends_on"]["etl"]["condition"] == "service_completed_successfully"
    assert services["etl"]["restart"] == "no"


@pytest.mark.parametrize("name", ["catalog", "recommender"])
def test_grpc_services_read_the_release_volume_read_only_and_publish_no_port(compose: dict, name: str) -> None:
    service = compose["services"][name]
    volumes = {v["source"]: v for v in service["volumes"]} if isinstance(service["volumes"][0], dict) else {}
    mounts = [str(v) for v in service["volumes"]]
    assert volumes.get("marquee-data", {}).get("read_only") or any(m.endswith(":/data:ro") for m in mounts)
    assert "ports" not in service and "container_name" not in service
    assert service["depends_on"]["etl"]["condition"] == "service_completed_successfully"
    assert compose["networks"]["backend"]["internal"] is True


def test_the_catalog_healthcheck_asks_the_grpc_health_protocol(compose: dict) -> None:
    test = compose["services"]["catalog"]["healthcheck"]["test"]
    assert test[:4] == ["CMD", "python", "-m", "marquee_server.healthcheck"]


def test_the_raw_folder_comes_from_marquee_raw_dir_with_the_sample_as_default(compose: dict) -> None:
    etl = compose["services"]["etl"]
    sources = [v["source"] if isinstance(v, dict) else str(v).split(":")[0] for v in etl["volumes"]]
    assert str(ROOT / "data" / "sample") in sources


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=str)
def test_hadolint_passes(dockerfile: Path) -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(ROOT / dockerfile)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_there_is_a_dockerfile_per_part() -> None:
    assert {
        Path("etl/Dockerfile"),
        Path("services/catalog/Dockerfile"),
        Path("services/recommender/Dockerfile"),
    } <= set(DOCKERFILES)


def test_the_healthcheck_script_exits_zero_only_when_serving(catalog_process: RunningService) -> None:
    def probe(port: int, service: str) -> int:
        return subprocess.run(
            [sys.executable, "-m", "marquee_server.healthcheck", str(port), service],
            capture_output=True,
            timeout=30,
            check=False,
        ).returncode

    assert probe(catalog_process.port, "marquee.v1.CatalogService") == 0
    assert probe(catalog_process.port, "marquee.v1.NoSuchService") == 1


def test_the_stack_has_four_services_and_only_the_gateway_publishes_a_port(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"etl", "catalog", "recommender", "gateway"}
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"gateway"}
    ports = services["gateway"]["ports"]
    assert any("8000" in str(p.get("published", p) if isinstance(p, dict) else p) for p in ports)


def test_the_gateway_starts_when_both_grpc_services_are_healthy(compose: dict) -> None:
    gateway = compose["services"]["gateway"]
    assert gateway["depends_on"] == {
        "catalog": {"condition": "service_healthy"},
        "recommender": {"condition": "service_healthy"},
    }
    env = gateway["environment"]
    assert env["GATEWAY_CATALOG_TARGET"].startswith("dns:///catalog")
    assert env["GATEWAY_RECOMMENDER_TARGET"].startswith("dns:///recommender")


def test_grpc_services_can_be_scaled_no_fixed_names(compose: dict) -> None:
    for name in ("catalog", "recommender"):
        assert "container_name" not in compose["services"][name]
