"""Type every query of tests/search_queries.py into a built site's search box in Chromium; print what came first.

    python tools/search_table.py SITE_DIR    # exits 1 if a query's first result is not its page

The queries go through Material's own search box and worker, as a reader's do; the site is served on
127.0.0.1 and nothing else is asked for. tests/test_search.py runs the same table against the test build.
"""

from __future__ import annotations

import functools
import http.server
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

if __name__ == "__main__":  # run as a script: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.search_queries import QUERIES, Query

# Material's search box reports each answer in .md-search-result__meta, in one of its translations.
# Before a query, the results on show are marked stale; the answer has come when the meta holds one of
# those texts and, unless nothing matched, the first result is a new one.
MARK_STALE = """() => {
    window.searchAnswered = false;
    if (!window.searchWatch) {
        window.searchWatch = new MutationObserver(() => { window.searchAnswered = true; });
        const meta = document.querySelector(".md-search-result__meta");
        window.searchWatch.observe(meta, {childList: true, characterData: true, subtree: true});
    }
    for (const item of document.querySelectorAll(".md-search-result__item")) item.dataset.stale = "1";
}"""
ANSWERED = """() => {
    if (!window.searchAnswered) return false;
    const t = JSON.parse(document.getElementById("__config").textContent).translations;
    const text = document.querySelector(".md-search-result__meta").textContent.trim();
    if (text === t["search.result.none"]) return !document.querySelector(".md-search-result__item[data-stale]");
    const counted = new RegExp("^" + t["search.result.other"].replace("#", "\\\\d+") + "$");
    const first = document.querySelector(".md-search-result__item");
    return (text === t["search.result.one"] || counted.test(text)) && first !== null && !first.dataset.stale;
}"""
# Each result group (li) starts with the link to its page; its sections' links follow.
RESULT_PAGES = """() => [...document.querySelectorAll(".md-search-result__item:not([data-stale])")]
    .map(item => item.querySelector("a").href)"""


class SearchBox:
    """A page of the site with Material's search box open, asked one query after another."""

    def __init__(self, browser, base: str):
        self.base = base
        self.page = browser.new_page()
        self.page.goto(base, wait_until="networkidle")
        self.page.keyboard.press("s")  # Material's shortcut for the search box

    def pages(self, query: str) -> list[str]:
        """The pages of the results for query, as URLs below the site root, best first."""
        self.page.evaluate(MARK_STALE)
        self.page.fill("input.md-search__input", query)
        self.page.keyboard.press("End")  # Material searches on key events, which fill() alone does not send
        self.page.wait_for_function(ANSWERED, timeout=15_000)
        base_path = urlsplit(self.base).path
        return [urlsplit(link).path.removeprefix(base_path) for link in self.page.evaluate(RESULT_PAGES)]

    def close(self) -> None:
        self.page.close()


@dataclass(frozen=True)
class Row:
    query: Query
    pages: list[str]  # the pages of the results, best first

    @property
    def hit(self) -> bool:
        return bool(self.pages) and self.pages[0] == self.query.first


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def served(site: Path) -> Iterator[str]:
    """The built site on 127.0.0.1; yields its address."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def run(browser, base: str, queries: Sequence[Query] = QUERIES) -> list[Row]:
    box = SearchBox(browser, base)
    try:
        return [Row(query, box.pages(query.text)) for query in queries]
    finally:
        box.close()


def shown(page: str | None) -> str:
    return "(없음)" if page is None else f"/{page}"


def table(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table, with a last line counting the hits."""
    lines = [
        "| 검색어 | 종류 | 먼저 나와야 할 페이지 | 첫 결과 | 결과 (처음 10개까지) | |",
        "| --- | --- | --- | --- | ---: | --- |",
    ]
    for row in rows:
        first = row.pages[0] if row.pages else None
        verdict = "hit" if row.hit else "**MISS**"
        lines.append(
            f"| `{row.query.text}` | {row.query.kind} | {shown(row.query.first)} | {shown(first)} "
            f"| {len(row.pages)} | {verdict} |"
        )
    hits = sum(row.hit for row in rows)
    lines.append(f"\n{hits} of {len(rows)} queries put their page first.")
    return "\n".join(lines)


def main(arguments: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    from tools.chromium import LAUNCH_ARGS, find_chromium

    if len(arguments) != 1 or not (Path(arguments[0]) / "search" / "search_index.json").is_file():
        print("usage: python tools/search_table.py SITE_DIR  (a built site, with search/search_index.json)")
        return 2
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium found: `make browser` installs one")
        return 2
    with sync_playwright() as playwright, served(Path(arguments[0])) as base:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        rows = run(browser, base)
        browser.close()
    print(table(rows))
    return 0 if all(row.hit for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
