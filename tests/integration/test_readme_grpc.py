"""The README's gRPC examples, run as a reader would against the services on the bundled sample.

grpcurl is not installable on this machine (no registry here carries it), so its lines are replayed
the way grpcurl reads them: the JSON body parsed into the method's request type by its proto field
names, sent to `package.Service/Method` on the named port. The Python example runs as it is
written, with only its address pointed at the test's catalog; the figures it prints are compared
with the README's text block, and those with the raw files.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import descriptor_pool, json_format, symbol_database

from marquee.v1 import catalog_pb2, recommender_pb2, release_pb2  # noqa: F401  registers the services
from tests.harness import ROOT, SAMPLE_RAW, RunningService
from tests.oracle import Oracle

README = (ROOT / "README.md").read_text(encoding="utf-8")
SECTION = README[README.index("\n## gRPC\n") : README.index("\n## The data\n")]


def blocks(kind: str) -> list[str]:
    return re.findall(rf"```{kind}\n(.*?)```", SECTION, flags=re.S)


@pytest.fixture(scope="module")
def targets(sample_data_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    logs = tmp_path_factory.mktemp("readme-logs")
    catalog = RunningService("marquee_catalog", "CATALOG", sample_data_dir, "marquee.v1.CatalogService",
                             logs / "catalog.log")  # fmt: skip
    try:
        recommender = RunningService("marquee_recommender", "RECOMMENDER", sample_data_dir,
                                     "marquee.v1.RecommenderService", logs / "recommender.log")  # fmt: skip
        try:
            yield {"localhost:50051": catalog.target, "localhost:50052": recommender.target}
        finally:
            recommender.stop()
    finally:
        catalog.stop()


def grpcurl(line: str, targets: dict[str, str]) -> object:
    """Replay one `grpcurl -plaintext -d JSON HOST METHOD` line; the answer, or the RpcError."""
    words = shlex.split(line)
    assert words[:2] == ["grpcurl", "-plaintext"] and words[2] == "-d", line
    body, address, path = words[3], words[4], words[5]
    service_name, method_name = path.rsplit("/", 1)
    method = descriptor_pool.Default().FindServiceByName(service_name).methods_by_name[method_name]
    database = symbol_database.Default()
    request_class = database.GetSymbol(method.input_type.full_name)
    response_class = database.GetSymbol(method.output_type.full_name)
    request = json_format.Parse(body, request_class())
    with grpc.insecure_channel(targets[address]) as channel:
        call = channel.unary_unary(f"/{path}", request_class.SerializeToString, response_class.FromString)
        return call(request, timeout=10)


def test_every_grpcurl_line_of_the_readme_names_a_real_method_and_is_answered(targets: dict[str, str]) -> None:
    lines = [line for block in blocks("sh") for line in block.splitlines() if line.startswith("grpcurl")]
    assert len(lines) == 5
    answers = [grpcurl(line, targets) for line in lines]
    votes, similar, search, company, release = answers
    pixar = Oracle.load(SAMPLE_RAW).company("Pixar Animation Studios")
    assert company.movie_count == len(pixar)  # type: ignore[attr-defined]
    assert [f.id for f in company.films] == Oracle.most_voted(pixar, 2)  # type: ignore[attr-defined]
    assert (votes.movie.title, votes.vote_count) == ("Toy Story", 5415)  # type: ignore[attr-defined]
    assert len(similar.recommendations) == 3  # type: ignore[attr-defined]
    assert search.hits[0].movie.title == "Toy Story" and search.next_page_token  # type: ignore[attr-defined]
    assert release.version  # type: ignore[attr-defined]


def test_the_python_example_prints_what_the_readme_says(targets: dict[str, str], tmp_path: Path) -> None:
    (code,) = blocks("python")
    (said,) = blocks("text")
    script = tmp_path / "example.py"
    script.write_text(code.replace("localhost:50051", targets["localhost:50051"]), encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    for figure in ("vote_count: 5415", "vote_average: 7.7", 'name: "septiembre"', "number: 9"):
        assert figure in said and figure in run.stdout, figure
    count = int(re.search(r"name: \"septiembre\", number: 9, count: (\d+)", said).group(1))  # type: ignore[union-attr]
    assert f"count: {count}" in run.stdout
    assert count == Oracle.load(SAMPLE_RAW).month_counts()[9]  # the README's figure is the raw files'
    error_line = run.stdout.strip().splitlines()[-1]
    assert error_line == said.strip().splitlines()[-1].split("-> ", 1)[1]
