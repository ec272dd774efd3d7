"""Open the built site in headless Chromium: it fetches nothing from other hosts, and search works in Korean."""

from __future__ import annotations

import functools
import http.server
import threading
from urllib.parse import urlparse

import pytest

from tests.conftest import nav_pages, search_results

PAGES = list(nav_pages())  # "", "differences/", ...


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


def test_search_finds_an_identifier_glued_to_a_korean_particle(served_site, browser):
    # The glossary names Adam only as "`Adam`을". (test_site checks the separator splits such
    # words; this checks a reader's search reaches the page.)
    links = search_results(browser, served_site, "Adam")
    assert any("/glossary/" in link for link in links), links


def test_search_finds_korean_words(served_site, browser):
    # 편향 (bias) appears on few pages, the glossary among them; a common word such as 검증 fills the
    # results with other pages first.
    links = search_results(browser, served_site, "편향")
    assert any("/glossary/" in link for link in links), links
