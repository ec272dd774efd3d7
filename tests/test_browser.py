"""Open the built site in headless Chromium: it fetches nothing from other hosts, and search works in Korean."""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest
from playwright.sync_api import sync_playwright

from tools.chromium import LAUNCH_ARGS, candidates, find_chromium

PAGES = [
    "",
    "differences/",
    "steps/data/",
    "steps/model/",
    "steps/training/",
    "steps/run/",
    "summary/",
    "dataset/",
    "timings/",
]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served_site(site):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    chromium = find_chromium()
    if chromium is None:
        looked = ", ".join(candidates()) or "nowhere"
        pytest.fail(f"no Chromium starts (looked at: {looked}); `make browser` installs one and says what it tried")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def test_pages_request_nothing_from_other_hosts(served_site, browser):
    page = browser.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    for path in PAGES:
        page.goto(served_site + path, wait_until="networkidle")
    own_host = urlparse(served_site).netloc
    foreign = [
        url for url in requested if urlparse(url).scheme in ("http", "https") and urlparse(url).netloc != own_host
    ]
    assert requested, "the pages were loaded"
    assert foreign == []
    page.close()


def search_results(browser, served_site: str, query: str) -> list[str]:
    page = browser.new_page()
    page.goto(served_site, wait_until="networkidle")
    page.keyboard.press("s")  # Material's shortcut for the search box
    page.fill("input.md-search__input", query)
    page.keyboard.press("End")  # Material searches on key events, which fill() alone does not send
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    links = page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")
    page.close()
    return links


def test_search_finds_an_identifier_glued_to_a_korean_particle(served_site, browser):
    # The glossary names Adam only as "`Adam`을". (test_site checks the separator splits such
    # words; this checks a reader's search reaches the page.)
    links = search_results(browser, served_site, "Adam")
    assert any("/glossary/" in link for link in links), links


def test_search_finds_korean_words(served_site, browser):
    links = search_results(browser, served_site, "검증")
    assert any("/glossary/" in link for link in links), links
