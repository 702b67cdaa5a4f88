"""A service serves only a verified release: each kind of damage stops a start with one line and
exit 2, and is refused at a swap while the old release keeps serving. Real processes, real files."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import numpy as np
import pytest

from marquee.v1 import (
    catalog_pb2,
    catalog_pb2_grpc,
    recommender_pb2,
    recommender_pb2_grpc,
    release_pb2,
    release_pb2_grpc,
)
from marquee_common.release import sha256_file
from marquee_etl.release import point_current
from tests.harness import RunningService, free_port, run

pytestmark = pytest.mark.slow

Damage = Callable[[Path], None]
"""Damages the release folder it is given (named for its version)."""


def clone(data_dir: Path, source: Path, version: str) -> Path:
    """A copy of the release `source` under another version: every file, hash and size stays right."""
    folder = data_dir / "releases" / version
    shutil.copytree(source, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    return folder


def edit_manifest(folder: Path, change: Callable[[dict], None]) -> None:
    manifest = json.loads((folder / "manifest.json").read_text())
    change(manifest)
    (folder / "manifest.json").write_text(json.dumps(manifest))


def rehash(folder: Path, name: str) -> None:
    """The manifest made to agree with a file changed on purpose (so that a later check must catch it)."""

    def change(manifest: dict) -> None:
        manifest["files"][name] = {"bytes": (folder / name).stat().st_size, "sha256": sha256_file(folder / name)}

    edit_manifest(folder, change)


def truncate(name: str) -> Damage:
    def damage(folder: Path) -> None:
        path = folder / name
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])

    return damage


def corrupt(name: str) -> Damage:
    """Same size, bytes changed in the middle."""

    def damage(folder: Path) -> None:
        data = bytearray((folder / name).read_bytes())
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
        (folder / name).write_bytes(bytes(data))

    return damage


def wrong_hash(name: str) -> Damage:
    def damage(folder: Path) -> None:
        edit_manifest(folder, lambda m: m["files"][name].update(sha256="0" * 64))

    return damage


def missing(name: str) -> Damage:
    return lambda folder: (folder / name).unlink()


def bad_json_manifest(folder: Path) -> None:
    (folder / "manifest.json").write_text('{"version": "cut short', encoding="utf-8")


def nan_vectors(folder: Path) -> None:
    vectors = np.load(folder / "model" / "vectors.npy")
    np.save(folder / "model" / "vectors.npy", np.full_like(vectors, np.nan), allow_pickle=False)
    rehash(folder, "model/vectors.npy")


def edited_dimensions(folder: Path) -> None:
    edit_manifest(folder, lambda m: m["model"].update(dimensions=m["model"]["dimensions"] + 1))


def genres_without_names(folder: Path) -> None:
    import polars as pl

    pl.read_parquet(folder / "genres.parquet").drop("name").write_parquet(folder / "genres.parquet")
    rehash(folder, "genres.parquet")


SERVICES = {
    "catalog": ("marquee_catalog", "CATALOG", "marquee.v1.CatalogService"),
    "recommender": ("marquee_recommender", "RECOMMENDER", "marquee.v1.RecommenderService"),
}
# (service, damage, the file named, words of the reason)
CASES = [
    ("recommender", truncate("model/index.ann"), "model/index.ann", "bytes where the manifest says"),
    ("recommender", corrupt("model/index.ann"), "model/index.ann", "sha256 differs from the manifest's"),
    ("recommender", truncate("model/vectors.npy"), "model/vectors.npy", "bytes where the manifest says"),
    ("recommender", truncate("model/films.json"), "model/films.json", "bytes where the manifest says"),
    ("recommender", wrong_hash("model/neighbours.npy"), "model/neighbours.npy", "sha256 differs"),
    ("recommender", nan_vectors, "model/vectors.npy", "values are NaN or infinite"),
    ("recommender", edited_dimensions, "model/vectors.npy", "shape (8, "),  # 8 films, one dimension fewer than said
    ("recommender", missing("model/items.npy"), "model/items.npy", "missing"),
    ("recommender", bad_json_manifest, "manifest.json", "not valid JSON"),
    ("catalog", truncate("movies.parquet"), "movies.parquet", "bytes where the manifest says"),
    ("catalog", corrupt("cast.parquet"), "cast.parquet", "sha256 differs from the manifest's"),
    ("catalog", wrong_hash("genres.parquet"), "genres.parquet", "sha256 differs"),
    ("catalog", genres_without_names, "genres.parquet", "lacks column(s) name"),
    ("catalog", missing("crew.parquet"), "crew.parquet", "missing"),
    ("catalog", bad_json_manifest, "manifest.json", "not valid JSON"),
]
IDS = [f"{service}-{file}-{words.split()[0]}" for service, _, file, words in CASES]


def start(service: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    module, prefix, _ = SERVICES[service]
    settings = {f"{prefix}_HOST": "127.0.0.1", f"{prefix}_PORT": str(free_port()), "MARQUEE_DATA_DIR": str(data_dir)}
    return run(module, timeout=60, **settings)


@pytest.fixture
def damaged_dir(fixture_data_dir: Path, tmp_path: Path) -> Callable[[Damage], tuple[Path, str]]:
    """A data folder whose current release is a copy of the fixture's, damaged."""

    def make(damage: Damage) -> tuple[Path, str]:
        data_dir = tmp_path / "data"
        version = "20990101T000000000Z-damaged"
        folder = clone(data_dir, (fixture_data_dir / "current").resolve(), version)
        damage(folder)
        point_current(data_dir, version)
        return data_dir, version

    return make


@pytest.mark.parametrize(("service", "damage", "file", "words"), CASES, ids=IDS)
def test_a_damaged_release_stops_the_start_with_one_line(service, damage, file, words, damaged_dir) -> None:
    data_dir, version = damaged_dir(damage)
    result = start(service, data_dir)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"cannot serve release {version}: {file}: "), line
    assert words in line


@pytest.mark.parametrize("service", ["catalog", "recommender"])
def test_current_pointing_nowhere_stops_the_start_with_one_line(service: str, tmp_path: Path) -> None:
    (tmp_path / "releases").mkdir()
    (tmp_path / "current").symlink_to("releases/20990101T000000000Z-gone")
    result = start(service, tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "cannot serve release 20990101T000000000Z-gone: current: points at releases/20990101T000000000Z-gone, "
        "which does not exist\n"
    )


def release_info(target: str, service: str) -> release_pb2.GetReleaseInfoResponse:
    with grpc.insecure_channel(target) as channel:
        return release_pb2_grpc.ReleaseServiceStub(channel).GetReleaseInfo(release_pb2.GetReleaseInfoRequest())


def answer(target: str, service: str) -> tuple[str, object]:
    """(the release named in the answer's metadata, the answer) of a call every release can answer."""
    with grpc.insecure_channel(target) as channel:
        if service == "catalog":
            reply, call = catalog_pb2_grpc.CatalogServiceStub(channel).GetMovie.with_call(
                catalog_pb2.GetMovieRequest(movie_id=1)
            )
        else:
            reply, call = recommender_pb2_grpc.RecommenderServiceStub(channel).Recommend.with_call(
                recommender_pb2.RecommendRequest(text="alpha collection story", limit=3)
            )
        return dict(call.initial_metadata())["marquee-release"], reply


def wait_for(condition: Callable[[], bool], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


SWAP_DAMAGES = {
    "catalog": [(truncate("movies.parquet"), "movies.parquet"), (corrupt("cast.parquet"), "cast.parquet"),
                (bad_json_manifest, "manifest.json"), (missing("crew.parquet"), "crew.parquet")],
    "recommender": [(corrupt("model/index.ann"), "model/index.ann"), (nan_vectors, "model/vectors.npy"),
                    (truncate("model/neighbours.npy"), "model/neighbours.npy"),
                    (wrong_hash("model/films.json"), "model/films.json")],
}  # fmt: skip


@pytest.mark.parametrize("service", ["catalog", "recommender"])
def test_a_damaged_release_is_refused_at_a_swap_and_the_old_one_keeps_serving(
    service: str, fixture_data_dir: Path, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    good = clone(data_dir, (fixture_data_dir / "current").resolve(), "20990101T000000000Z-good").name
    point_current(data_dir, good)
    module, prefix, name = SERVICES[service]
    running = RunningService(module, prefix, data_dir, name, tmp_path / f"{service}.log", RELEASE_POLL_S="0.1")
    try:
        assert answer(running.target, service)[0] == good
        for number, (damage, file) in enumerate(SWAP_DAMAGES[service], 1):
            version = f"20990102T00000000{number}Z-damaged"
            damage(clone(data_dir, data_dir / "releases" / good, version))
            point_current(data_dir, version)
            wait_for(lambda v=version: release_info(running.target, service).last_failed_swap.version == v)
            info = release_info(running.target, service)
            assert info.version == good and info.failed_swaps == number and info.swaps == 0
            assert info.last_failed_swap.reason.startswith(f"{file}: "), info.last_failed_swap.reason
            assert answer(running.target, service)[0] == good
        # A current pointing nowhere is refused the same way.
        (data_dir / "current").unlink()
        (data_dir / "current").symlink_to("releases/20990103T000000000Z-gone")
        wait_for(lambda: release_info(running.target, service).failed_swaps == len(SWAP_DAMAGES[service]) + 1)
        assert release_info(running.target, service).last_failed_swap.reason.startswith("current: points at")
        # A sound release is then taken, without a restart.
        fine = clone(data_dir, data_dir / "releases" / good, "20990104T000000000Z-fine").name
        point_current(data_dir, fine)
        wait_for(lambda: release_info(running.target, service).version == fine)
        info = release_info(running.target, service)
        assert info.swaps == 1 and info.verification.startswith("ok: ")
        assert answer(running.target, service)[0] == fine
        assert running.process.poll() is None
        refused = [json.loads(line) for line in running.log_lines() if '"swap refused"' in line]
        assert len(refused) == len(SWAP_DAMAGES[service]) + 1
    finally:
        assert running.stop() == 0
