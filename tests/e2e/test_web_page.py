"""The web page used as a person would: Debian's chromium, driven by Playwright, against the stack as
`make run` starts it (scripts/run_stack.py: catalog, recommender and gateway over a release of the
bundled sample, on free ports), at desktop and at phone width, with the keyboard alone too.

What each test expects is worked out from the raw sample (tests/oracle.py) or asked of the API itself,
never read from the page. Playwright never downloads a browser here: it drives the installed one
(MARQUEE_CHROMIUM, default /usr/bin/chromium). Screenshots are written to MARQUEE_SCREENSHOTS (default
var/screenshots), web-*-desktop.png and web-*-phone.png. Accessibility is checked with axe-core
(vendored, test-only: tests/e2e/vendor/axe-core), which must find no serious or critical violation.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import playwright.sync_api
import pytest

from tests.e2e.browser import BROWSER_ARGS, CHROMIUM, SCREENSHOTS, require_chromium
from tests.harness import HOST, ROOT, SAMPLE_RAW, clean_env, free_port
from tests.oracle import Film, Oracle

pytestmark = pytest.mark.slow

AXE = ROOT / "tests" / "e2e" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_PAGE_BYTES = 200 * 1024
WAIT_MS = 20_000
TOY_STORY, HEAT = "Toy Story", "Heat"
TEXT = "a cowboy doll and a space ranger toy"
MISSPELT = "Toy Stroyy Forever"  # no title matches it, even loosely; the catalog still has a guess
PAGE_TYPES = {  # name -> (path, what shows the page is complete)
    "home": ("/", "h1"),
    "film": ("/films/862", ".similar .cards"),
    "search": ("/search?q=toy", ".cards"),
    "describe": (f"/describe?text={quote(TEXT)}", ".cards"),
    "actor": ("/actors/Tom%20Hanks", ".cards"),
    "director": ("/directors/John%20Lasseter", ".cards"),
    "collection": ("/collections/Toy%20Story%20Collection", ".cards"),
    "company": ("/companies/Pixar%20Animation%20Studios", ".cards"),
    "country": ("/countries/US", ".cards"),
    "language": ("/languages/en", ".cards"),
    "data": ("/data", "#all-heading"),
    "not-found": ("/films/999999999", ".error"),
}


@dataclass
class Stack:
    url: str
    release: str
    data_dir: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """`python scripts/run_stack.py` (what `make run` runs) over the bundled sample, on free ports."""
    require_chromium()
    work = tmp_path_factory.mktemp("web-page")
    ports = {"CATALOG_PORT": free_port(), "RECOMMENDER_PORT": free_port(), "GATEWAY_PORT": free_port()}
    output = work / "run_stack.out"
    command = [sys.executable, str(ROOT / "scripts" / "run_stack.py"), "--data-dir", str(work / "data"),
               "--raw", str(SAMPLE_RAW), "--log-dir", str(work / "logs")]  # fmt: skip
    with output.open("w") as out:
        process = subprocess.Popen(command, env=clean_env(**{k: str(v) for k, v in ports.items()}), stdout=out,
                                   stderr=subprocess.STDOUT)  # fmt: skip
    try:
        deadline = time.monotonic() + 300
        while "Marquee is ready" not in output.read_text():
            assert process.poll() is None and time.monotonic() < deadline, output.read_text()[-4000:]
            time.sleep(0.5)
        release = (work / "data" / "current").resolve().name
        yield Stack(f"http://{HOST}:{ports['GATEWAY_PORT']}", release, work / "data")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def oracle() -> Oracle:
    return Oracle.load(SAMPLE_RAW)


@pytest.fixture(scope="module")
def sync_api() -> Any:
    return playwright.sync_api  # a development dependency: a missing one is an error, not a skip


@pytest.fixture(scope="module")
def browser(sync_api: Any) -> Iterator[Any]:
    sync_api.expect.set_options(timeout=WAIT_MS)
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Tab:
    """A page in its own browser context, with what it asked for and what went wrong in it."""

    page: Any
    base: str
    asked: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str, ready: str | None = None, status: int = 200) -> Any:
        reply = self.page.goto(self.base + path, wait_until="load")
        assert reply is not None and reply.status == status, path
        if ready:
            self.page.locator(ready).first.wait_for()
        return self.page

    def main_text(self) -> str:
        return str(self.page.locator("main").inner_text())


@pytest.fixture
def open_tab(browser: Any, stack: Stack) -> Iterator[Callable[..., Tab]]:
    tabs: list[Tab] = []

    def make(viewport: dict[str, int] = DESKTOP) -> Tab:
        context = browser.new_context(viewport=viewport)
        tab = Tab(context.new_page(), stack.url)
        tab.page.set_default_timeout(WAIT_MS)
        tab.page.on("request", lambda request: tab.asked.append(request))
        # An API answer of 4xx/5xx is logged by chromium as "Failed to load resource": that is the page
        # being told no, which it must show in words (tested); anything else (a script error, a refusal
        # by the Content-Security-Policy) is a fault of the page.
        tab.page.on("console", lambda m: tab.errors.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource") else None)  # fmt: skip
        tab.page.on("pageerror", lambda exc: tab.errors.append(str(exc)))
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        assert tab.errors == [], tab.errors
        tab.page.context.close()


def screenshot(page: Any, name: str, full_page: bool = False) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"web-{name}.png"), full_page=full_page)


def nested(oracle: Oracle, film: Film, column: str) -> list[dict[str, Any]]:
    return oracle.nested(film, column)


def type_in_search(tab: Tab, words: str) -> Any:
    """Types `words` in the search box and waits for the suggestions they get."""
    box = tab.page.get_by_role("combobox", name="Find a film by its title")
    box.click()
    box.fill("")
    box.press_sequentially(words, delay=30)
    tab.page.locator(f"#suggestions[data-for='{words}']").wait_for(state="attached")
    return box


def similar_titles(page: Any) -> list[str]:
    return list(page.locator(".similar .cards .card-title").all_inner_texts())


def wait_similar(page: Any, sync_api: Any) -> None:
    sync_api.expect(page.locator(".similar [role=status]")).to_have_text(
        re.compile(r"most similar|No film similar|could not be listed")
    )


def money(n: int) -> str:
    return f"${n:,}"


# -- search as you type ---------------------------------------------------------------------------


def test_typing_toy_sto_offers_toy_story_with_its_year_and_votes(open_tab: Callable[..., Tab], oracle: Oracle,
                                                                   sync_api: Any) -> None:  # fmt: skip
    tab = open_tab()
    tab.open("/", "h1")
    box = type_in_search(tab, "toy sto")
    [toy_story] = [f for f in oracle.by_title(TOY_STORY) if f.released.year == 1995]
    option = tab.page.get_by_role("option", name=f"{TOY_STORY}, 1995 · {toy_story.votes:,} votes", exact=True)
    sync_api.expect(option).to_be_visible()
    sync_api.expect(box).to_have_attribute("aria-expanded", "true")
    screenshot(tab.page, "suggestions-desktop")
    phone = open_tab(PHONE)
    phone.open("/", "h1")
    type_in_search(phone, "toy sto")
    sync_api.expect(phone.page.get_by_role("option").first).to_be_visible()
    assert phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone.page, "suggestions-phone")
    # One letter is too few: no suggestions.
    box.fill("t")
    sync_api.expect(tab.page.locator("#suggestions")).to_be_hidden()
    sync_api.expect(box).to_have_attribute("aria-expanded", "false")


def test_enter_opens_the_best_match_and_the_arrows_choose_another(open_tab: Callable[..., Tab], oracle: Oracle,
                                                                   stack: Stack, sync_api: Any) -> None:  # fmt: skip
    hits = httpx.get(f"{stack.url}/v1/movies", params={"query": "toy story", "page_size": 8}).json()["hits"]
    second = oracle.films[hits[1]["movie"]["id"]]
    tab = open_tab()
    tab.open("/", "h1")
    toy_story = oracle.by_title(TOY_STORY)[0]
    box = type_in_search(tab, "toy story")
    box.press("Enter")
    sync_api.expect(tab.page).to_have_url(f"{tab.base}/films/{toy_story.id}")
    sync_api.expect(tab.page.locator("h1")).to_have_text(TOY_STORY)
    tab.page.go_back()
    sync_api.expect(tab.page.locator("h1")).to_have_text("Find a film")
    box = type_in_search(tab, "toy story")
    options = tab.page.get_by_role("option")
    sync_api.expect(options).to_have_count(len(hits))
    box.press("ArrowDown")
    box.press("ArrowDown")
    sync_api.expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    sync_api.expect(box).to_have_attribute("aria-activedescendant", "suggestion-1")
    box.press("Enter")
    sync_api.expect(tab.page).to_have_url(f"{tab.base}/films/{second.id}")
    tab.page.reload()  # the URL can be shared: it opens the same film
    sync_api.expect(tab.page.locator("h1")).to_have_text(second.title)


def test_films_a_title_year_and_votes_cannot_tell_apart_are_told_apart_by_id(open_tab: Callable[..., Tab],
                                                                            sync_api: Any) -> None:  # fmt: skip
    # The full-size data repeats films under new ids: the same title, year and votes, several times.
    hit = {"movie": {"id": 862, "title": TOY_STORY, "year": 1995, "release_date": "1995-10-30"}, "match": "EXACT",
           "score": 100.0, "vote_count": 5415}  # fmt: skip
    twin = {**hit, "movie": {**hit["movie"], "id": 1000862}}
    page = {"hits": [hit, twin], "total_size": 2, "next_page_token": "", "total_capped": False}
    tab = open_tab()
    tab.page.route(re.compile(r"/v1/movies\?"), lambda route: route.fulfill(json=page))
    tab.open("/", "h1")
    type_in_search(tab, "toy sto")
    sync_api.expect(tab.page.get_by_role("option")).to_have_text(
        ["Toy Story, 1995 · 5,415 votes · id 862", "Toy Story, 1995 · 5,415 votes · id 1000862"]
    )


def test_a_title_nothing_matches_offers_did_you_mean_links(open_tab: Callable[..., Tab], stack: Stack,
                                                            sync_api: Any) -> None:  # fmt: skip
    guesses = httpx.get(f"{stack.url}/v1/titles/{quote(MISSPELT)}/votes").json()["error"]["suggestions"]
    assert guesses and httpx.get(f"{stack.url}/v1/movies", params={"query": MISSPELT}).json()["hits"] == []
    tab = open_tab()
    tab.open("/", "h1")
    box = type_in_search(tab, MISSPELT)
    note = tab.page.locator("#search-note")
    sync_api.expect(note).to_contain_text(f"No film matches “{MISSPELT}”")
    box.press("Enter")
    sync_api.expect(tab.page).to_have_url(f"{tab.base}/search?q={quote(MISSPELT)}")
    main = tab.page.locator("main")
    sync_api.expect(main).to_contain_text("Did you mean")
    links = main.locator(".no-match a")
    assert links.all_inner_texts() == guesses
    links.first.click()
    sync_api.expect(tab.page).to_have_url(f"{tab.base}/search?q={quote(guesses[0])}")
    sync_api.expect(main.locator(".card-title").first).to_have_text(guesses[0])


# -- a film's page --------------------------------------------------------------------------------


def test_the_film_page_shows_the_films_card_from_the_data(open_tab: Callable[..., Tab], oracle: Oracle,
                                                          sync_api: Any) -> None:  # fmt: skip
    film = oracle.by_title(TOY_STORY)[0]
    tab = open_tab()
    page = tab.open(f"/films/{film.id}", ".film-facts")
    sync_api.expect(page.locator("h1")).to_have_text(film.title)
    assert page.title() == f"{film.title} ({film.released.year}) · Marquee"
    genres = ", ".join(g["name"] for g in nested(oracle, film, "genres"))
    runtime = round(float(film.raw["runtime"]))
    assert page.locator(".film-meta").inner_text() == f"{film.released.year} · {runtime} min · {genres}"
    assert page.locator(".overview").inner_text() == film.raw["overview"]
    facts = dict(zip(page.locator(".film-facts dt").all_inner_texts(), page.locator(".film-facts dd").all_inner_texts(),
                     strict=True))  # fmt: skip
    facts = {term.lower(): value for term, value in facts.items()}
    [collection] = nested(oracle, film, "belongs_to_collection")
    directors = [c["name"] for c in oracle.crew[film.id] if c["job"] == "Director"]
    assert facts["collection"] == collection["name"]
    assert facts["directed by"] == " and ".join(directors) == "John Lasseter"
    assert facts["budget"] == money(film.budget) and facts["revenue"] == money(film.revenue)
    assert facts["return"].startswith(f"{film.revenue / film.budget:.2f}×")
    assert facts["rating"] == f"{film.average} / 10 from {film.votes:,} votes"
    assert facts["spoken languages"] == " and ".join(lang["name"] for lang in nested(oracle, film, "spoken_languages"))
    assert facts["countries"] == " and ".join(c["name"] for c in nested(oracle, film, "production_countries"))
    assert facts["companies"] == " and ".join(c["name"] for c in nested(oracle, film, "production_companies"))
    cast = [c["name"] for c in sorted(oracle.cast[film.id], key=lambda c: c["order"])]
    shown = page.locator(".cast li a").all_inner_texts()
    assert shown == cast[: len(shown)] and len(shown) >= 5
    links = {
        "collection": (collection["name"], f"/collections/{quote(collection['name'])}"),
        "director": ("John Lasseter", "/directors/John%20Lasseter"),
        "actor": (cast[0], f"/actors/{quote(cast[0])}"),
    }
    for text, href in links.values():
        assert page.get_by_role("link", name=text, exact=True).first.get_attribute("href") == href
    # The poster is drawn here from the title: an inline SVG, no image from anywhere.
    assert page.locator(".film-head svg.poster").count() == 1 and page.locator("img").count() == 0
    others = sorted((f for f in oracle.collection(collection["name"]) if f.id != film.id), key=lambda f: f.released)
    sync_api.expect(page.locator(".collection li")).to_have_text([f"{f.title} ({f.released.year})" for f in others])
    page.get_by_role("link", name="John Lasseter", exact=True).click()
    sync_api.expect(page).to_have_url(f"{tab.base}/directors/John%20Lasseter")
    sync_api.expect(page.locator("h1")).to_have_text("John Lasseter")


def test_similar_films_include_toy_story_2_labelled_same_collection(open_tab: Callable[..., Tab], oracle: Oracle,
                                                                    sync_api: Any) -> None:  # fmt: skip
    film = oracle.by_title(TOY_STORY)[0]
    [sequel] = [f for f in oracle.collection("Toy Story Collection") if f.id != film.id]
    tab = open_tab()
    page = tab.open(f"/films/{film.id}", ".similar .cards")
    wait_similar(page, sync_api)
    cards = page.locator(".similar .cards > li")
    assert 1 <= cards.count() <= 10
    card = cards.filter(has=page.get_by_role("link", name=sequel.title, exact=True))
    sync_api.expect(card.locator(".reason")).to_contain_text(["same collection"])
    for label in page.locator(".similar .reason").all_inner_texts():
        assert label.split(":")[0] in {"same collection", "same director", "shared genres", "similar story"}, label
    for score in page.locator(".similar .score").all_inner_texts():
        assert re.fullmatch(r"score -?\d+\.\d\d · similarity -?\d+%", score), score
    assert film.title not in similar_titles(page)  # never the film itself
    screenshot(page, "film-desktop")


def test_a_genre_filter_changes_the_list_and_the_url(open_tab: Callable[..., Tab], oracle: Oracle,
                                                     sync_api: Any) -> None:  # fmt: skip
    film = oracle.by_title(TOY_STORY)[0]
    by_id = {f"/films/{f.id}": f for f in oracle.films.values()}
    tab = open_tab()
    page = tab.open(f"/films/{film.id}", ".similar .cards")
    wait_similar(page, sync_api)
    before = similar_titles(page)
    page.locator(".filters-box summary").click()
    page.get_by_label("Drama", exact=True).check()
    sync_api.expect(page).to_have_url(f"{tab.base}/films/{film.id}?genres=Drama")
    sync_api.expect(page.locator(".similar [role=status]")).to_contain_text("(Drama)")
    after = similar_titles(page)
    assert after and after != before
    for href in page.locator(".similar .card-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert "Drama" in [g["name"] for g in nested(oracle, by_id[href], "genres")], href
    page.get_by_label("From year").fill("1990")
    page.get_by_label("From year").press("Enter")
    sync_api.expect(page).to_have_url(f"{tab.base}/films/{film.id}?genres=Drama&year_min=1990")
    sync_api.expect(page.locator(".similar [role=status]")).to_contain_text("(Drama; from 1990)")
    for href in page.locator(".similar .card-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))"):
        assert by_id[href].released.year >= 1990, href
    filtered = similar_titles(page)
    page.reload()  # the filters are in the URL: a shared link shows the same list
    wait_similar(page, sync_api)
    sync_api.expect(page.get_by_label("Drama", exact=True)).to_be_checked()
    assert similar_titles(page) == filtered
    page.get_by_role("button", name="Clear the filters").click()
    sync_api.expect(page).to_have_url(f"{tab.base}/films/{film.id}")
    sync_api.expect(page.locator(".similar .card-title")).to_have_text(before)


def test_the_ranking_choice_asks_for_well_known_or_lesser_known_films(open_tab: Callable[..., Tab], oracle: Oracle,
                                                                      sync_api: Any) -> None:  # fmt: skip
    """Jumanji's list at "well-known films first" has more votes in all than "by similarity alone"
    (votes from the raw file), and each choice is in the URL."""
    film = oracle.by_title("Jumanji")[0]
    by_id = {f"/films/{f.id}": f for f in oracle.films.values()}
    tab = open_tab()
    page = tab.open(f"/films/{film.id}", ".similar .cards")
    wait_similar(page, sync_api)
    page.locator(".filters-box summary").click()
    votes = {}
    for label, value in (("Well-known films first", "1"), ("By similarity alone", "0")):
        page.get_by_label("Ranking").select_option(label=label)
        sync_api.expect(page).to_have_url(f"{tab.base}/films/{film.id}?popularity={value}")
        sync_api.expect(page.locator(".similar [role=status]")).to_contain_text(f"({label.lower()})")
        hrefs = page.locator(".similar .card-title a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        votes[value] = sum(by_id[href].votes for href in hrefs)
    assert votes["1"] > votes["0"]
    page.reload()
    wait_similar(page, sync_api)
    sync_api.expect(page.get_by_label("Ranking")).to_have_value("0")


# -- describe a film ------------------------------------------------------------------------------


def test_describing_a_film_in_words_lists_matching_films(open_tab: Callable[..., Tab], oracle: Oracle,
                                                         sync_api: Any) -> None:  # fmt: skip
    tab = open_tab()
    page = tab.open("/describe", "h1")
    page.get_by_label("Describe the film in your own words").fill(TEXT)
    page.get_by_role("button", name="Find films").click()
    sync_api.expect(page).to_have_url(f"{tab.base}/describe?text={quote(TEXT)}")
    cards = page.locator(".results .cards > li")
    cards.first.wait_for()
    assert cards.count() >= 5
    for link in cards.locator(".card-title a").all():
        film = oracle.films[int(link.get_attribute("href").removeprefix("/films/"))]
        assert link.inner_text() == film.title
    sync_api.expect(cards.first.locator(".reason")).to_contain_text(["similar story"])
    screenshot(page, "describe-desktop")


# -- errors in words ------------------------------------------------------------------------------


def test_a_film_id_that_does_not_exist_shows_a_clear_message(open_tab: Callable[..., Tab], oracle: Oracle,
                                                             sync_api: Any) -> None:  # fmt: skip
    missing = max(oracle.films) + 1
    tab = open_tab()
    page = tab.open(f"/films/{missing}", ".error")
    sync_api.expect(page.locator("h1")).to_have_text("No such film")
    sync_api.expect(page.get_by_role("alert")).to_contain_text(f"no movie with id {missing}")
    page = tab.open("/films/toy-story", ".error")
    sync_api.expect(page.get_by_role("alert")).to_contain_text("valid integer")
    page = tab.open("/film/862", ".error", status=404)  # not a page at all: the gateway answers the page, as 404
    sync_api.expect(page.locator("h1")).to_have_text("No such page")
    sync_api.expect(page.get_by_role("alert")).to_contain_text("no page at /film/862")


ERROR_ANSWERS = {  # what the API (or the network) says -> the words the page must show
    "503 with the error body": ({"status": 503, "content_type": "application/json",
                                 "body": '{"error": {"code": "UNAVAILABLE", "message": "the catalog service is '
                                         'unavailable; retry shortly", "suggestions": []}}'},
                                "the catalog service is unavailable; retry shortly"),
    "502 without a body it can read": ({"status": 502, "content_type": "text/plain", "body": "Bad Gateway"},
                                       "The API answered 502"),
    "504 empty": ({"status": 504, "body": ""}, "did not answer in time"),
    "200 that is not JSON": ({"status": 200, "content_type": "text/html", "body": "<html>"}, "could not be read"),
    "no answer at all": (None, "could not be reached"),
}  # fmt: skip


@pytest.mark.parametrize("answer", ERROR_ANSWERS)
def test_every_failure_of_the_api_is_shown_in_words(open_tab: Callable[..., Tab], sync_api: Any, answer: str) -> None:
    fulfil, words = ERROR_ANSWERS[answer]
    tab = open_tab()
    tab.page.route(re.compile(r"/v1/(movies/862|actors/|recommendations)"),
                   lambda route: route.abort() if fulfil is None else route.fulfill(**fulfil))  # fmt: skip
    for path in ("/films/862", "/actors/Tom%20Hanks", f"/describe?text={quote(TEXT)}"):
        page = tab.open(path)
        alert = page.get_by_role("alert")
        sync_api.expect(alert).to_contain_text(words)
        assert len(tab.main_text()) > 40  # a heading and words, never a blank page


def test_names_that_match_nothing_get_the_apis_suggestions_as_links(open_tab: Callable[..., Tab], stack: Stack,
                                                                     sync_api: Any) -> None:  # fmt: skip
    tab = open_tab()
    page = tab.open("/actors/Tom%20Hank", ".error")
    sync_api.expect(page.locator("h1")).to_have_text("No such actor")
    expected = httpx.get(f"{stack.url}/v1/actors/Tom%20Hank").json()["error"]["suggestions"]
    assert page.locator(".did-you-mean a").all_inner_texts() == expected
    page.get_by_role("link", name="Tom Hanks", exact=True).click()
    sync_api.expect(page.locator("h1")).to_have_text("Tom Hanks")
    page = tab.open("/films/862?genres=Dramaa", ".error")
    sync_api.expect(page.get_by_role("alert")).to_contain_text("no genre named 'Dramaa'")
    page.locator(".did-you-mean").get_by_role("link", name="Drama", exact=True).click()
    sync_api.expect(page.locator(".similar [role=status]")).to_contain_text("(Drama)")
    page = tab.open("/films/862?year_min=2000&year_max=1990", ".error")
    sync_api.expect(page.get_by_role("alert")).to_contain_text("year_min")


# -- people and groups ----------------------------------------------------------------------------


def test_people_and_groups_show_their_figures_and_films(open_tab: Callable[..., Tab], oracle: Oracle,
                                                        sync_api: Any) -> None:  # fmt: skip
    tab = open_tab()

    def figures(path: str) -> dict[str, str]:
        page = tab.open(path, ".figures")
        terms = page.locator(".figures dt").all_inner_texts()
        return {t.lower(): v for t, v in zip(terms, page.locator(".figures dd").all_inner_texts(), strict=True)}

    def films() -> list[str]:
        return list(tab.page.locator(".cards .card-title").all_inner_texts())

    count, total = oracle.actor("Tom Hanks")
    shown = figures("/actors/Tom%20Hanks")
    assert shown["films"].startswith(f"{count} ") and shown["total return"] == f"{total:.2f}×"
    assert TOY_STORY in films()
    directed = oracle.director("John Lasseter")
    shown = figures("/directors/John%20Lasseter")
    assert shown["films"] == str(len(directed)) and films() == [f.title for f in directed]
    collection = sorted(oracle.collection("Toy Story Collection"), key=lambda f: f.released)
    shown = figures("/collections/Toy%20Story")  # without the word "Collection" too
    sync_api.expect(tab.page.locator("h1")).to_have_text("Toy Story Collection")
    assert shown["films"] == str(len(collection)) and films() == [f.title for f in collection]
    assert shown["total revenue"] == money(sum(f.revenue for f in collection))
    pixar = oracle.company("Pixar Animation Studios")
    shown = figures("/companies/Pixar%20Animation%20Studios")
    assert shown["films produced"] == str(len(pixar)) and shown["total revenue"] == money(sum(f.revenue for f in pixar))
    assert figures("/countries/US")["films produced there"] == f"{oracle.country('US'):,}"
    sync_api.expect(tab.page.locator("h1")).to_have_text("United States of America (US)")
    assert figures("/languages/en")["films in it originally"] == f"{oracle.language('en'):,}"
    sync_api.expect(tab.page.locator("h1")).to_have_text("English")


@pytest.mark.parametrize(
    ("path", "films_of"),
    [
        ("/companies/Pixar%20Animation%20Studios", lambda o: o.company("Pixar Animation Studios")),
        ("/countries/FR", lambda o: o.country_films("FR")),
        ("/languages/fr", lambda o: o.language_films("fr")),
    ],
)
def test_a_group_page_lists_its_most_voted_films_with_links_to_them(
    open_tab: Callable[..., Tab], oracle: Oracle, sync_api: Any, path: str, films_of: Callable[[Oracle], list[Film]]
) -> None:
    films = films_of(oracle)
    expected = [oracle.films[i] for i in oracle.most_voted(films, 20)]  # the API's default: 20
    page = open_tab().open(path, ".cards")
    titles = page.locator(".cards .card-title a")
    sync_api.expect(titles).to_have_text([f.title for f in expected])
    assert [titles.nth(i).get_attribute("href") for i in range(len(expected))] == [f"/films/{f.id}" for f in expected]
    note = (
        f"The {len(expected)} most-voted of {len(films):,} films."
        if len(expected) < len(films)
        else f"All {len(films)} films, the most-voted first."
    )
    sync_api.expect(page.locator("section .note")).to_have_text(note)


# -- the data -------------------------------------------------------------------------------------


def test_the_data_page_shows_the_release_serving_now_and_links_its_report(open_tab: Callable[..., Tab], stack: Stack,
                                                                          sync_api: Any) -> None:  # fmt: skip
    manifest = json.loads((stack.data_dir / "current" / "manifest.json").read_text(encoding="utf-8"))
    tab = open_tab()
    page = tab.open("/data", "#all-heading")
    serving = page.locator("section", has=page.locator("#serving-heading"))
    sync_api.expect(serving.locator(".figures")).to_contain_text(stack.release)
    terms = serving.locator(".figures dt").all_inner_texts()
    shown = {t.lower(): v for t, v in zip(terms, serving.locator(".figures dd").all_inner_texts(), strict=True)}
    assert shown["version"] == stack.release
    assert shown["built at"] == manifest["created_at"][:16].replace("T", " ") + " UTC"
    assert shown["films"] == f"{manifest['evaluation']['films']:,}"
    assert shown["recall at 10"] == f"{manifest['model']['recall_at_10']:.4f}"
    with page.expect_navigation():
        serving.get_by_role("link", name="The data report of the release serving now").click()
    assert page.url == f"{tab.base}/v1/releases/current/report"
    sync_api.expect(page.locator("h1")).to_have_text(f"Data report: release {stack.release}")


def test_the_data_page_lists_every_release_with_its_report(open_tab: Callable[..., Tab], stack: Stack,
                                                           sync_api: Any) -> None:  # fmt: skip
    listed = httpx.get(f"{stack.url}/v1/releases/all").json()
    versions = [r["version"] for r in listed["releases"]]
    # every release the pipeline wrote into the data folder, newest first
    written = sorted((p.name for p in (stack.data_dir / "releases").iterdir() if not p.name.startswith(".")),
                     reverse=True)  # fmt: skip
    assert versions == written and stack.release in versions
    tab = open_tab()
    page = tab.open("/data", ".releases")
    cards = page.locator(".releases > li")
    sync_api.expect(cards.locator("h3")).to_have_count(len(versions))
    served = cards.filter(has_text=stack.release)
    sync_api.expect(served.locator(".badge")).to_contain_text(["serving now", "current"])
    manifest = json.loads((stack.data_dir / "current" / "manifest.json").read_text(encoding="utf-8"))
    terms = served.locator("dt").all_inner_texts()
    shown = {t.lower(): v for t, v in zip(terms, served.locator("dd").all_inner_texts(), strict=True)}
    assert shown["films"] == f"{manifest['evaluation']['films']:,}"
    for key, value in manifest["evaluation"]["quality"].items():
        label = {"collection_hit_at_5": "collection hit at 5", "genre_jaccard_at_10": "genre jaccard at 10",
                 "recall_at_10": "recall at 10"}[key]  # fmt: skip
        assert shown[label] == f"{value:.4f}", label
    html = served.get_by_role("link", name="HTML")
    assert html.get_attribute("href") == f"/v1/releases/{stack.release}/report"
    with page.expect_navigation():
        html.click()
    sync_api.expect(page.locator("h1")).to_have_text(f"Data report: release {stack.release}")


def test_without_the_list_of_releases_the_data_page_still_shows_the_release_serving_now(
    open_tab: Callable[..., Tab], stack: Stack, sync_api: Any
) -> None:
    tab = open_tab()
    tab.page.route("**/v1/releases/all", lambda route: route.fulfill(
        status=404, content_type="application/json",
        body='{"error": {"code": "NOT_FOUND", "message": "no route GET /v1/releases/all; the routes are listed at '
             '/docs", "suggestions": []}}'))  # fmt: skip
    page = tab.open("/data", "#all-heading")
    sync_api.expect(page.locator("main")).to_contain_text("The list of every release is unavailable")
    sync_api.expect(page.locator(".figures")).to_contain_text(stack.release)
    assert page.get_by_role("link", name="its data report").get_attribute("href") == "/v1/releases/current/report"


# -- the quality of the page itself ---------------------------------------------------------------


def test_keyboard_alone_finds_a_film_and_opens_a_similar_one(open_tab: Callable[..., Tab], oracle: Oracle,
                                                             sync_api: Any) -> None:  # fmt: skip
    tab = open_tab()
    page = tab.open("/", "h1")
    keyboard = page.keyboard

    def focused() -> dict[str, str]:
        return dict(
            page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
            return {tag: e.tagName, id: e.id, text: e.textContent.trim().slice(0, 60),
                    href: e.getAttribute('href') || '', outline: s.outlineStyle, width: s.outlineWidth}; }""")
        )

    def visible_focus() -> dict[str, str]:
        now = focused()
        assert now["outline"] != "none" and float(now["width"].removesuffix("px")) >= 2, now
        return now

    keyboard.press("Tab")
    assert visible_focus()["text"] == "Skip to the content"
    keyboard.press("Tab")
    assert visible_focus()["text"] == "Marquee"
    keyboard.press("Tab")
    assert visible_focus()["id"] == "q"
    keyboard.type("toy sto", delay=30)
    listbox = page.get_by_role("listbox")
    page.locator("#suggestions[data-for='toy sto']").wait_for(state="attached")
    sync_api.expect(listbox).to_be_visible()
    keyboard.press("Escape")
    sync_api.expect(listbox).to_be_hidden()
    keyboard.press("ArrowDown")  # opens the list again, on the first film
    sync_api.expect(listbox).to_be_visible()
    first = page.get_by_role("option").first
    sync_api.expect(first).to_have_attribute("aria-selected", "true")
    assert first.evaluate("e => getComputedStyle(e).backgroundColor") != "rgba(0, 0, 0, 0)"  # the choice shows
    keyboard.press("ArrowUp")  # from the first to the last
    sync_api.expect(page.get_by_role("option").last).to_have_attribute("aria-selected", "true")
    keyboard.press("Home")
    keyboard.press("Enter")
    film = oracle.by_title(TOY_STORY)[0]
    sync_api.expect(page).to_have_url(f"{tab.base}/films/{film.id}")
    sync_api.expect(page.locator("h1")).to_be_focused()  # the new page's heading takes the focus
    wait_similar(page, sync_api)
    for _ in range(80):
        keyboard.press("Tab")
        now = visible_focus()
        if now["tag"] == "A" and page.evaluate("document.activeElement.closest('.similar .cards') !== null"):
            break
    else:
        raise AssertionError("Tab never reached the similar films")
    keyboard.press("Enter")
    sync_api.expect(page).to_have_url(f"{tab.base}{now['href']}")
    sync_api.expect(page.locator("h1")).to_have_text(now["text"])


def test_every_input_has_a_label(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    for path, ready in (("/films/862", ".similar .cards"), ("/describe", "textarea")):
        page = tab.open(path, ready)
        page.locator("details.filters-box").evaluate_all("els => els.forEach(e => e.open = true)")
        unlabelled = page.evaluate("""() => [...document.querySelectorAll('input, textarea, select')]
            .filter(e => !(e.labels && e.labels.length && e.labels[0].textContent.trim()))
            .map(e => e.outerHTML)""")  # fmt: skip
        assert unlabelled == [], path


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_no_page_type_has_a_serious_or_critical_accessibility_violation(open_tab: Callable[..., Tab],
                                                                        name: str) -> None:  # fmt: skip
    path, ready = PAGE_TYPES[name]
    tab = open_tab()
    page = tab.open(path, ready)
    if name == "film":
        page.locator(".filters-box summary").click()
    if name == "home":
        type_in_search(tab, "toy sto")  # with the suggestions open
    page.evaluate(AXE.read_text(encoding="utf-8"))  # over the DevTools protocol: the page's CSP does not apply
    violations = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}})).violations
            .map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' '))}))""",
        AXE_TAGS,
    )
    assert [v for v in violations if v["impact"] in ("serious", "critical")] == [], violations


@pytest.mark.parametrize("name", PAGE_TYPES)
def test_at_phone_width_no_page_scrolls_sideways(open_tab: Callable[..., Tab], name: str) -> None:
    path, ready = PAGE_TYPES[name]
    for label, viewport in (("phone", PHONE), ("desktop", DESKTOP)):
        tab = open_tab(viewport)
        page = tab.open(path, ready)
        if name == "film":
            page.locator(".filters-box summary").click()
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], (name, label)
        screenshot(page, f"{name}-{label}", full_page=True)


def test_the_page_before_the_first_search_weighs_at_most_200_kb_and_loads_nothing_from_elsewhere(
    open_tab: Callable[..., Tab], stack: Stack
) -> None:
    tab = open_tab()
    page = tab.open("/", "h1")
    page.wait_for_load_state("networkidle")
    weight = 0
    for request in tab.asked:
        assert request.url.startswith(stack.url + "/"), request.url
        sizes = request.sizes()
        weight += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    assert {r.resource_type for r in tab.asked} >= {"document", "script", "stylesheet"}
    assert 10_000 < weight <= MAX_PAGE_BYTES, weight
