"""The data report looked at in a real browser (Debian's chromium, driven by Playwright), through the
real gateway and catalog, as a person opens it: at desktop and at phone width.

Two releases of the bundled sample are built by the real pipeline, the second from changed data,
so the served report has a "What changed" section. Playwright never downloads a browser here: it
drives the installed one (MARQUEE_CHROMIUM, default /usr/bin/chromium). Screenshots are written to
MARQUEE_SCREENSHOTS (default var/screenshots) for a person to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import sync_playwright

from tests.e2e.browser import BROWSER_ARGS, CHROMIUM, SCREENSHOTS, require_chromium
from tests.harness import SAMPLE_RAW, RunningGateway, RunningService, build_release
from tests.report_releases import changed_raw

pytestmark = pytest.mark.slow

SECTIONS = ["The input", "Numbers", "Categories", "Dates", "Relations", "People", "The model", "What changed",
            "How to read this report"]  # fmt: skip


@dataclass
class Stack:
    url: str
    first: str
    second: str


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    require_chromium()
    work = tmp_path_factory.mktemp("report-browser")
    data = work / "data"
    first = build_release(SAMPLE_RAW, data).name
    second = build_release(changed_raw(work), data).name
    logs = work / "logs"
    logs.mkdir()
    catalog = RunningService("marquee_catalog", "CATALOG", data, "marquee.v1.CatalogService", logs / "catalog.log")
    try:
        recommender = RunningService("marquee_recommender", "RECOMMENDER", data, "marquee.v1.RecommenderService",
                                     logs / "recommender.log")  # fmt: skip
        try:
            gateway = RunningGateway(catalog, recommender, logs / "gateway.log")
            try:
                yield Stack(gateway.url, first, second)
            finally:
                gateway.stop()
        finally:
            recommender.stop()
    finally:
        catalog.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            yield launched
        finally:
            launched.close()


def open_report(browser: Any, url: str, width: int, height: int = 900) -> tuple[Any, list[str], list[str]]:
    """(the page, every URL it asked for, its console errors) once `url` has loaded."""
    page = browser.new_page(viewport={"width": width, "height": height})
    asked: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    reply = page.goto(url, wait_until="load")
    assert reply is not None and reply.status == 200
    return page, asked, errors


def test_the_served_report_shows_every_section_and_plot_and_loads_nothing_else(browser: Any, stack: Stack) -> None:
    page, asked, errors = open_report(browser, f"{stack.url}/v1/releases/current/report", 1280)
    assert asked == [f"{stack.url}/v1/releases/current/report"]  # no script, font or image from anywhere
    assert errors == []
    assert page.locator("h1").inner_text() == f"Data report: release {stack.second}"
    assert page.locator("h2").all_inner_texts() == SECTIONS
    plots = page.locator("figure svg")
    assert plots.count() >= 30  # 23 of the release and 7 overlays of what changed
    for box in plots.evaluate_all("els => els.map(e => e.getBoundingClientRect().toJSON())"):
        assert box["width"] > 300 and box["height"] > 150
    for caption in page.locator("figure .caption").all_inner_texts():
        assert len(caption) > 20  # every plot says what it shows
    for svg_id in plots.evaluate_all("els => els.map(e => e.getAttribute('aria-labelledby'))"):
        assert page.locator(f"[id='{svg_id}']").count() == 1
    changed = page.locator("#changes ~ p").first.inner_text()
    assert re.search(rf"Release {stack.second} against its predecessor {stack.first}: 0 films added, [\d,]+ removed",
                     changed)  # fmt: skip
    assert page.get_by_text("Drift of the numeric fields").is_visible()
    months = page.locator("table", has_text="Films per month").locator("tbody tr")
    assert months.count() == 12
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report-desktop.png"))
    page.locator("#changes").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "report-desktop-changes.png"))
    page.close()


def test_the_predecessor_and_the_json_are_one_click_away(browser: Any, stack: Stack) -> None:
    page, _, _ = open_report(browser, f"{stack.url}/v1/releases/current/report", 1280)
    with page.expect_navigation():
        page.get_by_role("link", name=stack.first).first.click()
    assert page.url == f"{stack.url}/v1/releases/{stack.first}/report"
    assert page.locator("h1").inner_text() == f"Data report: release {stack.first}"
    assert "no predecessor" in page.locator("#changes ~ p").first.inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="report.json").first.click()
    assert page.url == f"{stack.url}/v1/releases/{stack.first}/report.json"
    assert '"format_version":1' in page.content()
    page.close()


def test_at_phone_width_the_page_fits_and_the_plots_shrink(browser: Any, stack: Stack) -> None:
    page, _, errors = open_report(browser, f"{stack.url}/v1/releases/current/report", 390, 844)
    assert errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # wide tables scroll inside themselves
    widths = page.locator("figure svg").evaluate_all("els => els.map(e => e.getBoundingClientRect().width)")
    assert all(0 < width <= 390 for width in widths)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report-phone.png"))
    page.close()
