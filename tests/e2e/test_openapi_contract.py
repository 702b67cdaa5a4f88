"""The OpenAPI document is the contract: schemathesis, with every one of its checks, against the running stack.

It reads /openapi.json from the gateway process and sends what the document allows (each answer must be
2xx, 404 when nothing matches, or documented) and what it forbids (each must be refused 4xx), every
answer checked against its declared status, content type and schema, plus methods the document does
not list (405 with Allow) and repeated parameters. Bounded: MAX_EXAMPLES cases per operation and phase,
a fixed seed (a failure reproduces with the command in its report), on 127.0.0.1 only.

Rules between parameters, which OpenAPI cannot state, are in tests/e2e/schemathesis_hooks.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harness import ROOT, RunningGateway

pytestmark = pytest.mark.slow

MAX_EXAMPLES = 30
SEED = 20261201
TIMEOUT_S = 300
CONFIG = ROOT / "tests" / "e2e" / "schemathesis.toml"


def test_the_running_gateway_keeps_every_promise_of_its_openapi_document(
    gateway_process: RunningGateway, tmp_path: Path
) -> None:
    command = [
        sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "--no-color",
        "run", f"{gateway_process.url}/openapi.json",
        "--checks", "all",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--generation-database", "none",
        "--request-timeout", "10",
        "--workers", "2",
    ]  # fmt: skip
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.e2e.schemathesis_hooks", "PYTHONPATH": str(ROOT)}
    # In a scratch folder: schemathesis keeps its crash files in the working directory.
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-12000:]
    counts = re.search(r"(\d+) generated, (\d+) passed", report)
    assert counts is not None, report[-4000:]
    generated, passed = map(int, counts.groups())
    assert generated == passed and generated > 500, report[-4000:]
    for phase in ("Examples", "Coverage", "Fuzzing", "Stateful"):
        assert re.search(rf"✅\s+{phase}", report), f"phase {phase} did not pass:\n{report[-4000:]}"
