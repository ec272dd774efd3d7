"""Visit a built page in Chromium and record what a reader's browser would meet there.

One visit per page, palette and width loads the page once and gathers everything the checks in
tests/test_every_page.py look at: console errors, requests, sideways scrolling, the colour scheme
Material chose, axe-core's findings, a screenshot, and what each copy button puts on the clipboard.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from axe_playwright_python.sync_playwright import Axe

from tests import reader_checks
from tests.reader_checks import Copied
from tools.engine.fences import fences
from tools.engine.sources import SnippetPiece, piece_of

SEVERE_IMPACTS = ("serious", "critical")
_AXE = Axe()


class Recorder:
    """Listens to one browser tab: console errors, failed or refused requests, and every URL it asks for."""

    def __init__(self, page) -> None:
        self.console_errors: list[str] = []
        self.failed_requests: list[str] = []
        self.requested: list[str] = []
        page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))
        page.on("request", lambda request: self.requested.append(request.url))
        page.on("requestfailed", lambda request: self.failed_requests.append(f"{request.url} ({request.failure})"))
        page.on(
            "response",
            lambda response: (
                response.status >= 400 and self.failed_requests.append(f"{response.url} (HTTP {response.status})")
            ),
        )

    def reset(self) -> None:
        self.console_errors.clear()
        self.failed_requests.clear()
        self.requested.clear()


@dataclass
class PageVisit:
    console_errors: list[str]
    failed_requests: list[str]
    foreign_requests: list[str]
    requested: int
    color_scheme: str | None  # body's data-md-color-scheme: "default" (light) or "slate" (dark)
    page_scroll: tuple[int, int]  # the document's (scrollWidth, clientWidth)
    clipped_boxes: list[str]  # code blocks and tables wider than their box that cannot scroll
    severe_violations: list[str]
    screenshot: Path
    copied: list[Copied] = field(default_factory=list)  # every copy button's block and clipboard text, in order
    hangul_breaks: list[str] = field(default_factory=list)
    code_column_ratio: float | None = None  # None: the page has no code block
    figure_problems: list[str] = field(default_factory=list)
    small_text: list[str] = field(default_factory=list)
    wrapped_table_code: list[str] = field(default_factory=list)
    covered_first_lines: list[str] = field(default_factory=list)


def visit(page, recorder: Recorder, url: str, screenshot: Path) -> PageVisit:
    """Load url with no tab choice stored and record everything about it."""
    own_host = urlparse(url).netloc
    if urlparse(page.url).netloc == own_host:  # a tab choice stored by an earlier visit changes which tabs show
        page.evaluate("localStorage.clear()")
    recorder.reset()
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    scheme = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
    scroll = page.evaluate("[document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]")
    clipped = page.evaluate(_CLIPPED_BOXES)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=screenshot, full_page=True)
    violations = severe_violations(page)
    settle(page)
    measured = {
        "hangul_breaks": reader_checks.hangul_breaks(page),
        "code_column_ratio": reader_checks.code_column_ratio(page),
        "figure_problems": reader_checks.figure_problems(page, dark=scheme == "slate"),
        "small_text": reader_checks.small_text(page),
        "wrapped_table_code": reader_checks.wrapped_table_code(page),
        "covered_first_lines": reader_checks.covered_first_lines(page),
    }
    copied = reader_checks.copy_every_block(page)  # after axe: the "copied" notice fading out is no state to judge
    page.wait_for_load_state("networkidle")
    return PageVisit(
        console_errors=list(recorder.console_errors),
        failed_requests=list(recorder.failed_requests),
        foreign_requests=[
            address
            for address in recorder.requested
            if urlparse(address).scheme not in ("data", "blob") and urlparse(address).netloc != own_host
        ],
        requested=len(recorder.requested),
        color_scheme=scheme,
        page_scroll=(scroll[0], scroll[1]),
        clipped_boxes=clipped,
        severe_violations=violations,
        screenshot=screenshot,
        copied=copied,
        **measured,
    )


def severe_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page, with every tab of every tab set shown in turn.

    axe checks only what shows, and a tab set shows one tab at a time.
    """
    settle(page)
    found = _severe(_AXE.run(page, context={"exclude": [[".tabbed-set"]]}).response)
    for label in page.evaluate(_TAB_LABELS):
        choose_tab(page, label)
        settle(page)
        found += [f"(tab {label}) {finding}" for finding in _severe(_AXE.run(page, context=".tabbed-set").response)]
    return found


def settle(page) -> None:
    """Wait for running CSS transitions and animations to end: colours caught halfway are no real state."""
    page.evaluate(_SETTLE)


# A transition that another replaces is cancelled (its promise rejects): wait for its successor too.
_SETTLE = """async () => {
  const running = () => document.getAnimations()
    .filter(animation => animation.playState === 'running')
    .filter(animation => animation.effect?.getComputedTiming().endTime !== Infinity);
  for (let round = 0; round < 20 && running().length; round++) {
    await Promise.all(running().map(animation => animation.finished.catch(() => null)));
  }
}"""


def _severe(axe_response: dict) -> list[str]:
    return [
        f"{violation['id']} ({violation['impact']}) at {node['target']}: "
        + " ".join(node.get("failureSummary", "").split())
        for violation in axe_response["violations"]
        if violation["impact"] in SEVERE_IMPACTS
        for node in violation["nodes"]
    ]


# Wider than its box and not scrollable there means content cut off (or, unboxed, the page scrolling).
_CLIPPED_BOXES = """() => [...document.querySelectorAll('.md-typeset :is(pre > code, .md-typeset__scrollwrap, table)')]
  .filter(box => box.scrollWidth > box.clientWidth + 1)
  .filter(box => !['auto', 'scroll'].includes(getComputedStyle(box).overflowX))
  .map(box => `${box.localName} in #${box.closest('[id]')?.id}: ${box.scrollWidth} px in ${box.clientWidth}`)"""

_TAB_LABELS = """() => [...new Set([...document.querySelectorAll('.tabbed-labels > label')]
  .map(label => label.textContent.trim()))]"""


def included_pieces(markdown: Path, root: Path) -> list[SnippetPiece]:
    """The snippet file or section of each fence's `--8<--` include in a page's Markdown, in order."""
    fenced = fences(markdown.read_text(encoding="utf-8"))
    return [piece_of(root, include.path, include.section) for fence in fenced for include in fence.includes]


def copy_text(piece: SnippetPiece) -> str:
    """What the copy button should put on the clipboard for a block showing this piece.

    Material copies the block's text with trailing whitespace trimmed (String.trimEnd in its bundle),
    so the file's final newline is not copied; everything else, blank lines included, is.
    """
    return "\n".join(piece.lines).rstrip()


def shown_tabs(page) -> list[str]:
    """The label of the tab each tab set on the page shows."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.tabbed-set')].map(set => {
             const inputs = [...set.querySelectorAll(':scope > input')];
             const index = inputs.findIndex(input => input.checked);
             return set.querySelector(':scope > .tabbed-labels').children[index].textContent.trim();
           })"""
    )


def choose_tab(page, label: str) -> None:
    """Click the first tab labelled `label`, as a reader would."""
    page.locator(".tabbed-labels > label").filter(has_text=re.compile(f"^{re.escape(label)}$")).first.click()


def png_width(path: Path) -> int:
    """The pixel width in a PNG file's header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">I", header[16:20])[0]
