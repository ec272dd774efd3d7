"""The site as the Pages workflow publishes it: absolute addresses, repository links, and a sub-path.

GitHub Pages serves a project site under /<repository>/, so the published build is served here
under /lightning-guide/ by a server that answers like GitHub Pages, and opened in headless Chromium.
"""

from __future__ import annotations

import http.client
import http.server
import mimetypes
import re
import threading
import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page

from tests.conftest import REPO_URL, SITE_URL, nav_pages, search_results
from tests.site_html import requested_urls

PREFIX = urlsplit(SITE_URL).path  # /lightning-guide/
PAGES = nav_pages()  # URL below the site root -> file under docs/
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)">')
EDIT_LINK = re.compile(r'<a href="([^"]*)"[^>]*\brel="edit"')
HEADER_REPOSITORY_LINK = re.compile(r'<div class="md-header__source">\s*<a href="([^"]*)"([^>]*)>')


def html(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


# The build with SITE_URL and REPO_URL set, and without them


def test_every_page_names_its_canonical_url(published_site):
    assert CANONICAL.findall(html(published_site, "steps/data/")) == [
        "https://guide-user.github.io/lightning-guide/steps/data/"
    ]
    for url in PAGES:
        assert CANONICAL.findall(html(published_site, url)) == [SITE_URL + url], url


def test_sitemap_lists_every_page_under_the_site_url(published_site):
    namespace = {"sitemap": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    sitemap = ElementTree.parse(published_site / "sitemap.xml")
    listed = [loc.text for loc in sitemap.getroot().iterfind("sitemap:url/sitemap:loc", namespace)]
    assert sorted(listed) == sorted(SITE_URL + url for url in PAGES)


def test_every_page_links_to_the_repository_and_to_its_source_for_editing(published_site):
    for url, source in PAGES.items():
        page = html(published_site, url)
        (header_link,) = HEADER_REPOSITORY_LINK.findall(page)
        assert header_link[0] == REPO_URL, url
        # On data-md-component="source" Material's script asks api.github.com for stars and forks
        # (overrides/partials/source.html leaves it out; the browser tests below see no such request).
        assert "data-md-component" not in header_link[1], url
        assert re.search(r'class="md-source__repository">\s*guide-user/lightning-guide\s*<', page), url
        assert EDIT_LINK.findall(page) == [f"{REPO_URL}/edit/main/docs/{source}"], url


def test_the_404_page_loads_everything_from_the_site_path(published_site):
    page = published_site / "404.html"
    text = page.read_text(encoding="utf-8")
    assert "<h1>404 - 페이지를 찾을 수 없어요</h1>" in text
    urls = requested_urls(page)
    assert any(url.endswith(".css") for url in urls) and any(url.endswith(".js") for url in urls), urls
    assert [url for url in urls if not url.startswith(PREFIX)] == []
    links = re.findall(r'<a href="([^"]*)"', text)
    site_links = [link for link in links if not link.startswith(("https://", "#"))]
    assert len(site_links) > len(PAGES), "the header and the navigation link to the pages"
    assert [link for link in site_links if not link.startswith(PREFIX)] == []


def test_a_local_build_has_no_canonical_url_repository_or_edit_link(site):
    for url in PAGES:
        page = html(site, url)
        assert CANONICAL.findall(page) == [], url
        assert EDIT_LINK.findall(page) == [], url
        assert 'class="md-source"' not in page, url
    # Without a site URL the 404 page's assets hang off the server's root, as `mkdocs serve` serves them.
    assert "/stylesheets/extra.css" in requested_urls(site / "404.html")


# The published build under /lightning-guide/, in Chromium


class GitHubPagesHandler(http.server.BaseHTTPRequestHandler):
    """Serves `site` under PREFIX as GitHub Pages serves a project site.

    A folder's URL serves its index.html (one without the trailing slash is redirected to it),
    a missing path under PREFIX answers 404 with the site's 404.html, anything else a bare 404.
    """

    site: Path

    def do_GET(self):
        self.respond(send_body=True)

    def do_HEAD(self):
        self.respond(send_body=False)

    def respond(self, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path != PREFIX.rstrip("/") and not path.startswith(PREFIX):
            return self.send(404, b"not a page of this site\n", "text/plain", send_body)
        target = (self.site / path.removeprefix(PREFIX.rstrip("/")).lstrip("/")).resolve()
        if target.is_dir() and target.is_relative_to(self.site):
            if not path.endswith("/"):
                self.send_response(301)
                self.send_header("Location", path + "/")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            target = target / "index.html"
        if target.is_file() and target.is_relative_to(self.site):
            content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return self.send(200, target.read_bytes(), content_type, send_body)
        return self.send(404, (self.site / "404.html").read_bytes(), "text/html", send_body)

    def send(self, status: int, body: bytes, content_type: str, send_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def pages_server(published_site) -> Iterator[str]:
    """The published build served on 127.0.0.1 under PREFIX; yields the site's address."""
    handler = type("Handler", (GitHubPagesHandler,), {"site": published_site.resolve()})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    server.shutdown()
    server.server_close()


@dataclass
class Traffic:
    """What a page asked for and what went wrong while it was open."""

    requests: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)  # URL -> status of its response
    failures: list[str] = field(default_factory=list)  # requests that got no response
    console_errors: list[str] = field(default_factory=list)  # "text at URL"

    def watch(self, page: Page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("response", lambda response: self.statuses.update({response.url: response.status}))
        page.on("requestfailed", lambda request: self.failures.append(f"{request.url}: {request.failure}"))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(f"{message.text} at {message.location['url']}")

    def outside(self, base: str) -> list[str]:
        """Requests that leave the site (data: and blob: URLs never leave the page)."""
        return [url for url in self.requests if urlsplit(url).scheme in ("http", "https") and not url.startswith(base)]

    def unsuccessful(self, *allowed: str) -> list[str]:
        return [f"{url}: {status}" for url, status in self.statuses.items() if status >= 400 and url not in allowed]


@contextmanager
def watched_page(browser: Browser) -> Iterator[tuple[Page, Traffic]]:
    page = browser.new_page()
    page.set_default_timeout(15_000)
    traffic = Traffic()
    traffic.watch(page)
    try:
        yield page, traffic
    finally:
        page.close()


def status_of(base: str, path: str) -> tuple[int, str | None]:
    """Status and Location header of a plain GET, redirects not followed."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def test_the_server_serves_the_site_only_under_its_sub_path(pages_server):
    # Otherwise the browser tests below could not see a URL that forgot the sub-path.
    assert status_of(pages_server, PREFIX + "steps/data/") == (200, None)
    assert status_of(pages_server, PREFIX + "steps/data") == (301, PREFIX + "steps/data/")
    assert status_of(pages_server, "/steps/data/")[0] == 404
    assert status_of(pages_server, "/assets/stylesheets/")[0] == 404
    assert status_of(pages_server, PREFIX + "steps/nothing/")[0] == 404


def test_every_page_loads_everything_from_the_site_under_its_sub_path(pages_server, browser):
    with watched_page(browser) as (page, traffic):
        for url in PAGES:
            response = page.goto(pages_server + url, wait_until="networkidle")
            assert response.status == 200, url
        requested = {urlsplit(url).path.removeprefix(PREFIX) for url in traffic.requests}
        assert any(path.endswith(".css") for path in requested), requested
        assert any(path.startswith("assets/javascripts/bundle.") for path in requested), requested
        assert any(path.startswith("assets/javascripts/workers/search.") for path in requested), requested
        assert "search/search_index.json" in requested, requested
        assert traffic.outside(pages_server) == []
        assert traffic.unsuccessful() == []
        assert traffic.failures == []
        assert traffic.console_errors == []


def test_search_works_under_the_sub_path(pages_server, browser):
    links = search_results(browser, pages_server, "검증")
    assert links, "search found something"
    assert [link for link in links if not link.startswith(pages_server)] == []
    with watched_page(browser) as (page, _):
        assert page.goto(links[0]).status == 200, links[0]


def test_a_missing_page_answers_with_the_404_page_under_the_sub_path(pages_server, browser):
    missing = pages_server + "no/such/page/"
    with watched_page(browser) as (page, traffic):
        response = page.goto(missing, wait_until="networkidle")
        assert response.status == 404
        assert page.title().startswith("페이지를 찾을 수 없어요")
        assert page.inner_text("article h1") == "404 - 페이지를 찾을 수 없어요"
        assert any(url.endswith(".css") for url in traffic.requests) and any(
            url.endswith(".js") for url in traffic.requests
        ), traffic.requests
        assert traffic.outside(pages_server) == []
        assert traffic.unsuccessful(missing) == []
        assert traffic.failures == []
        # Chromium reports the page's own status as a console error; nothing else may fail.
        own_status = f"Failed to load resource: the server responded with a status of 404 (Not Found) at {missing}"
        assert [error for error in traffic.console_errors if error != own_status] == []
        # Material's stylesheet applied (its header sticks to the top): the page is not bare HTML.
        assert page.eval_on_selector(".md-header", "header => getComputedStyle(header).position") == "sticky"
        home = page.eval_on_selector("a.md-header__button.md-logo", "a => a.href")
        assert home == pages_server
        assert page.goto(home).status == 200
