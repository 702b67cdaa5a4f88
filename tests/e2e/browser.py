"""What the browser tests share: Debian's chromium, driven by Playwright for Python, never a browser
Playwright downloads (MARQUEE_CHROMIUM, default /usr/bin/chromium), and where screenshots go
(MARQUEE_SCREENSHOTS, default var/screenshots)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.harness import ROOT

CHROMIUM = Path(os.environ.get("MARQUEE_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(os.environ.get("MARQUEE_SCREENSHOTS", ROOT / "var" / "screenshots"))
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-default-apps", "--no-first-run", "--disable-sync", "--metrics-recording-only"]  # fmt: skip


def require_chromium() -> None:
    """Skip, saying why, where Debian's chromium is not installed (a user's machine; CI installs it)."""
    if not CHROMIUM.is_file():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
