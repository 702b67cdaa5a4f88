"""Each part declares what it imports, and installs nothing it does not use.

Read from the parts' own pyproject.toml files and sources (imports parsed, not run): every
third-party or first-party import of a part is installed by its declared requirements (extras
followed, `marquee_common`'s modules one by one), and every requirement it declares is imported.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from functools import cache
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.harness import ROOT

FOLDERS = {
    "marquee-common": ROOT / "common",
    "marquee-proto": ROOT / "proto",
    "marquee-server": ROOT / "services/server",
    "marquee-etl": ROOT / "etl",
    "marquee-catalog": ROOT / "services/catalog",
    "marquee-recommender": ROOT / "services/recommender",
    "marquee-gateway": ROOT / "gateway",
}
PARTS = ["marquee-etl", "marquee-catalog", "marquee-recommender", "marquee-gateway", "marquee-server"]
RUNTIME_ONLY = {
    # uvicorn picks up uvloop and httptools when installed (its faster event loop and HTTP parser);
    # docs.py serves fastapi-offline's static files, found with importlib.resources.
    "marquee-gateway": {"uvloop", "httptools", "fastapi-offline"},
}


def _package_dir(dist: str) -> Path:
    folder = FOLDERS[dist]
    return folder / ("marquee" if dist == "marquee-proto" else dist.replace("-", "_"))


@cache
def _requirements(dist: str, extras: frozenset[str] = frozenset()) -> list[Requirement]:
    """A distribution's requirements: first-party ones from its pyproject.toml, others as installed."""
    if dist in FOLDERS:
        project = tomllib.loads((FOLDERS[dist] / "pyproject.toml").read_text(encoding="utf-8"))["project"]
        optional = project.get("optional-dependencies", {})
        return [Requirement(r) for r in project["dependencies"] + [r for e in sorted(extras) for r in optional[e]]]
    found = []
    for line in metadata.requires(dist) or ():
        req = Requirement(line)
        if req.marker is None or any(req.marker.evaluate({"extra": e}) for e in extras or {""}):
            found.append(req)
    return found


def _installed_by(dist: str) -> set[str]:
    """Every distribution that `dist`'s declared requirements install, extras followed."""
    installed: set[str] = set()
    done: set[tuple[str, frozenset[str]]] = set()
    todo = [(dist, frozenset[str]())]
    while todo:
        item = todo.pop()
        if item in done:
            continue
        done.add(item)
        for req in _requirements(*item):
            installed.add(canonicalize_name(req.name))
            todo.append((canonicalize_name(req.name), frozenset(req.extras)))
    return installed


def _imports(path: Path) -> set[str]:
    """Absolute imports of one file: `marquee_common.x` kept whole, anything else by its top name."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules = [node.module]
        for module in modules:
            top = module.split(".")[0]
            if top not in sys.stdlib_module_names:
                names.add(module if top == "marquee_common" and module != "marquee_common" else top)
    return names


@cache
def _needs(module: str) -> frozenset[str]:
    """What importing one `marquee_common` module needs installed, its own imports followed."""
    path = _package_dir("marquee-common") / (module.removeprefix("marquee_common.") + ".py")
    needed: set[str] = set()
    for name in _imports(path):
        needed |= _needs(name) if name.startswith("marquee_common.") else _distributions(name)
    return frozenset(needed)


@cache
def _distributions(top: str) -> frozenset[str]:
    dists = _top_names().get(top)
    assert dists, f"no installed distribution provides {top!r}"
    return frozenset(canonicalize_name(d) for d in dists)


@cache
def _top_names() -> dict[str, list[str]]:
    return metadata.packages_distributions()


def _part_imports(dist: str) -> set[str]:
    own = dist.replace("-", "_")
    files = [p for p in _package_dir(dist).rglob("*.py") if "_pb2" not in p.name]
    return {name for path in files for name in _imports(path) if name != own}


@pytest.mark.parametrize("part", PARTS)
def test_every_import_of_a_part_is_installed_by_its_own_requirements(part: str) -> None:
    installed = _installed_by(part)
    missing = set()
    for name in _part_imports(part):
        if name.startswith("marquee_common."):
            missing |= {f"{d} (for {name})" for d in _needs(name) | {"marquee-common"} if d not in installed}
        elif not _distributions(name) & installed:
            missing.add(f"{'/'.join(sorted(_distributions(name)))} (for {name})")
    assert not missing, f"{part} imports what its pyproject.toml does not install: {sorted(missing)}"


@pytest.mark.parametrize("part", PARTS)
def test_a_part_declares_nothing_it_does_not_import(part: str) -> None:
    imported: set[str] = set()
    for name in _part_imports(part):
        imported |= {"marquee-common"} if name.startswith("marquee_common.") else _distributions(name)
    needed_by_common = set().union(*(_needs(n) for n in _part_imports(part) if n.startswith("marquee_common.")))
    unused = []
    for req in _requirements(part):
        key = canonicalize_name(req.name)
        if key not in imported and key not in RUNTIME_ONLY.get(part, set()):
            unused.append(key)
        for extra in sorted(req.extras):
            extra_dists = {canonicalize_name(r.name) for r in _requirements(key, frozenset({extra}))}
            extra_dists -= {canonicalize_name(r.name) for r in _requirements(key)}
            if not extra_dists & needed_by_common:
                unused.append(f"{key}[{extra}]")
    assert not unused, f"{part} declares what it never imports: {unused}"


def test_the_gateway_installs_no_grpc_server_plumbing_nor_array_code() -> None:
    installed = _installed_by("marquee-gateway")
    assert not {"marquee-server", "grpcio-reflection", "numpy", "rapidfuzz", "pystemmer"} & installed


@pytest.mark.parametrize("part", ["marquee-etl", "marquee-catalog", "marquee-recommender", "marquee-gateway"])
def test_an_image_copies_and_installs_the_first_party_distributions_its_part_needs_and_no_other(part: str) -> None:
    dockerfile = (FOLDERS[part] / "Dockerfile").read_text(encoding="utf-8")
    wanted = {FOLDERS[d].relative_to(ROOT).as_posix() for d in _installed_by(part) | {part} if d in FOLDERS}
    copied = set(re.findall(r"^COPY (?!--)(\S+) \1$", dockerfile, re.MULTILINE))
    [installed] = re.findall(r"pip install ((?:\./\S+ ?)+)", dockerfile)
    assert copied == wanted
    assert {path.removeprefix("./") for path in installed.split()} == wanted
