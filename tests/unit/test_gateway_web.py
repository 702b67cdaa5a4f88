"""The web page as the gateway serves it (marquee_gateway/web.py): one shell for every page path, its files
under content-hashed names, a strict Content-Security-Policy, nothing from elsewhere, and a script that
asks only the public /v1 API. (The page itself is driven in a browser by tests/e2e/test_web_page.py.)"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import shutil
import tomllib
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from marquee.v1 import recommender_pb2 as rpb
from marquee_gateway.web import CSP, HASH_DIGITS, PAGES, STATIC_URL, WEB_DIR, Site, WebFilesError
from tests.harness import ROOT

if TYPE_CHECKING:
    from starlette.testclient import TestClient

PAGE_URLS = ["/", "/search?q=toy", "/describe?text=a%20cowboy", "/data", "/films/862", "/films/abc", "/films/",
             "/actors/Tom%20Hanks", "/actors/AC%2FDC", "/directors/Michael%20Mann", "/collections/Toy%20Story",
             "/companies/Pixar", "/countries/US", "/languages/en"]  # fmt: skip
MAX_PAGE_BYTES = 200 * 1024
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
SITE = Site.load()
SOURCES = {path.name: path.read_text(encoding="utf-8") for path in WEB_DIR.iterdir() if path.is_file()}
SCRIPTS = {name: text for name, text in SOURCES.items() if name.endswith(".js")}


def test_every_page_path_is_named_in_the_list_of_pages() -> None:
    patterns = [re.compile("^" + re.sub(r"\{[^}]+\}", ".*", page) + "$") for page in PAGES]
    for url in PAGE_URLS:
        assert any(p.match(url.split("?")[0]) for p in patterns), url


@pytest.mark.parametrize("url", PAGE_URLS)
def test_every_page_path_answers_the_same_shell_with_a_strict_policy(client: TestClient, url: str) -> None:
    reply = client.get(url)
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    assert reply.content == SITE.shell.body
    assert reply.headers["content-security-policy"] == CSP
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["cache-control"] == "no-cache" and reply.headers["etag"] == SITE.shell.etag


def test_the_policy_runs_only_the_gateways_own_scripts_and_connects_only_to_it() -> None:
    rules = dict(rule.strip().split(" ", 1) for rule in CSP.split(";"))
    assert rules["default-src"] == "'none'"
    assert rules["script-src"] == rules["style-src"] == rules["connect-src"] == "'self'"
    assert "unsafe" not in CSP and "http" not in CSP


def test_a_reload_of_the_shell_is_answered_304_while_it_is_unchanged(client: TestClient) -> None:
    reply = client.get("/films/862", headers={"If-None-Match": SITE.shell.etag})
    assert reply.status_code == 304 and reply.content == b""
    assert client.get("/films/862", headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_of_a_page_answers_its_headers_without_a_body(client: TestClient) -> None:
    reply = client.head("/films/862")
    assert reply.status_code == 200 and reply.content == b""
    assert reply.headers["content-length"] == str(len(SITE.shell.body))


def test_the_shell_has_no_inline_script_and_names_only_files_the_gateway_serves(client: TestClient) -> None:
    html = SITE.shell.body.decode()
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all('src="' in attrs and body.strip() == "" for attrs, body in scripts)
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert "style=" not in html
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    files = [url for url in urls if url.startswith(STATIC_URL)]
    assert {SITE.urls[name] for name in ("app.js", "style.css", "favicon.svg")} <= set(files)
    for url in urls:
        assert url.startswith(("/", "#")) and not url.startswith("//"), url
    for url in files:
        reply = client.get(url)
        assert reply.status_code == 200, url
        assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"


@pytest.mark.parametrize("url", sorted(SITE.assets))
def test_every_file_is_served_under_its_content_hash_and_kept_for_a_year(client: TestClient, url: str) -> None:
    asset = SITE.assets[url]
    assert hashlib.sha256(asset.body).hexdigest()[:HASH_DIGITS] in url
    reply = client.get(url)
    assert reply.status_code == 200 and reply.content == asset.body
    assert reply.headers["content-type"] == asset.media_type
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert client.get(url, headers={"If-None-Match": reply.headers["etag"]}).status_code == 304


@pytest.mark.parametrize("url", ["/static/app.js", "/static/nothing.0123456789ab.css", "/static/"])
def test_a_file_the_page_does_not_have_is_404_with_the_error_body(client: TestClient, url: str) -> None:
    reply = client.get(url)
    assert reply.status_code == 404
    assert reply.json()["error"]["code"] == "NOT_FOUND"


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"  # what a browser's navigation sends


def test_a_browser_asking_for_a_path_that_is_no_page_gets_the_page_as_404(client: TestClient) -> None:
    reply = client.get("/film/862", headers={"Accept": BROWSER})
    assert reply.status_code == 404 and reply.headers["content-type"].startswith("text/html")
    assert reply.content == client.get("/").content  # the shell, whose script says "No such page"
    assert reply.headers["content-security-policy"] == CSP and reply.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("url", "accept"), [("/film/862", "*/*"), ("/film/862", "application/json"),
                                             ("/v1/nothing", BROWSER), ("/static/nothing.css", BROWSER)])  # fmt: skip
def test_programs_and_api_paths_keep_the_json_error_body(client: TestClient, url: str, accept: str) -> None:
    reply = client.get(url, headers={"Accept": accept})
    assert reply.status_code == 404 and reply.headers["content-type"] == "application/json"
    assert reply.json()["error"]["code"] == "NOT_FOUND"


def test_every_import_of_a_served_module_names_a_served_module() -> None:
    for url, asset in SITE.assets.items():
        if url.endswith(".js"):
            for imported in re.findall(r"""from\s*["']\./([^"']+)["']""", asset.body.decode()):
                assert f"{STATIC_URL}/{imported}" in SITE.assets, (url, imported)


def test_a_changed_module_renames_itself_and_every_module_that_imports_it(tmp_path: Path) -> None:
    copy = tmp_path / "web"
    shutil.copytree(WEB_DIR, copy)
    (copy / "api.js").write_text(SOURCES["api.js"] + "\n// changed\n", encoding="utf-8")
    changed = Site.load(copy)
    assert changed.urls["api.js"] != SITE.urls["api.js"]
    assert changed.urls["app.js"] != SITE.urls["app.js"]  # app.js imports api.js
    assert changed.urls["style.css"] == SITE.urls["style.css"]
    assert changed.shell.etag != SITE.shell.etag


def test_a_module_cycle_or_a_missing_module_is_refused_saying_which(tmp_path: Path) -> None:
    copy = tmp_path / "web"
    shutil.copytree(WEB_DIR, copy)
    (copy / "dom.js").write_text('import { go } from "./app.js";\n' + SOURCES["dom.js"], encoding="utf-8")
    with pytest.raises(WebFilesError, match=r"cycle: .*app\.js -> .*dom\.js -> app\.js"):
        Site.load(copy)
    (copy / "dom.js").write_text('import { x } from "./nowhere.js";\n' + SOURCES["dom.js"], encoding="utf-8")
    with pytest.raises(WebFilesError, match="names nowhere.js"):
        Site.load(copy)


def test_the_page_asks_only_the_public_v1_api() -> None:
    callers = {name for name, text in SCRIPTS.items() if re.search(r"(?<![.\w])fetch\(", text)}  # the global one
    assert callers == {"api.js"}
    for name, text in SCRIPTS.items():
        assert not re.search(r"XMLHttpRequest|WebSocket|EventSource|sendBeacon|\beval\(|new Function", text), name
    asked = re.findall(r"getJson\(\s*[`\"']([^`\"']*)", SCRIPTS["api.js"])
    assert len(asked) >= 14
    assert all(path.startswith("/v1/") for path in asked), asked


def test_no_file_of_the_page_names_an_address_elsewhere() -> None:
    for name, text in SOURCES.items():
        addresses = set(re.findall(r"[a-z]+://[^\s\"'`)]+", text))
        assert addresses <= {SVG_NAMESPACE}, (name, addresses)  # the namespace of SVG elements, never fetched


def test_the_page_weighs_at_most_200_kb_before_the_first_search() -> None:
    # Every file is loaded up front (the modules are preloaded), so this is the whole page.
    assert SITE.weight() <= MAX_PAGE_BYTES


def test_the_page_paths_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = set(client.get("/openapi.json").json()["paths"])
    assert not paths & {re.sub(r":\w+\}", "}", page) for page in PAGES}
    assert not [path for path in paths if path.startswith(STATIC_URL)]


def test_every_reason_the_recommender_gives_has_a_readable_label() -> None:
    labels = dict(re.findall(r"^\s+([A-Z_]+): \"([a-z ]+)\",$", SCRIPTS["cards.js"], re.M))
    reasons = {name.removeprefix("REASON_") for name in rpb.Recommendation.Reason.keys()} - {"UNSPECIFIED"}
    assert reasons == set(labels), labels
    assert labels["SAME_COLLECTION"] == "same collection" and labels["TEXT_SIMILARITY"] == "similar story"


def test_the_gateway_package_ships_every_file_of_the_page() -> None:
    project = tomllib.loads((ROOT / "gateway" / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = project["tool"]["setuptools"]["package-data"]["marquee_gateway"]
    for name in SOURCES:
        assert any(fnmatch.fnmatch(f"web/{name}", pattern) for pattern in patterns), name


def test_the_page_and_its_files_are_neither_kept_nor_counted_by_the_answer_cache(client: TestClient) -> None:
    for _ in range(2):
        assert client.get("/films/862").status_code == 200
        assert client.get(SITE.urls["app.js"]).status_code == 200
    text = client.get("/metrics").text
    assert 'marquee_gateway_cache_total{result="miss"} 0.0' in text
    assert 'marquee_gateway_cache_total{result="hit"} 0.0' in text
