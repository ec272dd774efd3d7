"""Every page of the guide in Chromium, in both palettes, on a desktop and a phone width.

Each (page, palette, width) is loaded once (tests/browser_pages.py `visit`) and the checks below read
that visit, so a failure's name says which page, palette and width: test_x[steps/data/-dark-375].
Screenshots land in screenshots/<palette>-<width>/ (git-ignored) for a person to look through.
"""

from __future__ import annotations

from itertools import pairwise

import pytest

from tests.browser_pages import (
    PageVisit,
    Recorder,
    choose_tab,
    copy_text,
    included_pieces,
    png_width,
    shown_tabs,
    visit,
)
from tests.conftest import ROOT, nav_pages
from tests.reader_checks import NOTHING_COPIED, copy_mismatches

PAGES = nav_pages()  # "steps/data/" -> "steps/data.md"
PALETTES = {"light": "default", "dark": "slate"}  # Playwright's color_scheme -> Material's scheme
WIDTHS = (1280, 375)
PHONE = 375
SCREENSHOTS = ROOT / "screenshots"

# Each view's tests run in one test process (pytest-xdist's loadgroup), which then loads each page once for them.
VIEWS = [
    pytest.param(palette, width, id=f"{palette}-{width}", marks=pytest.mark.xdist_group(f"{palette}-{width}"))
    for palette in PALETTES
    for width in WIDTHS
]
PAGE_VIEWS = [
    pytest.param(
        path,
        palette,
        width,
        id=f"{path or 'index'}-{palette}-{width}",
        marks=pytest.mark.xdist_group(f"{palette}-{width}"),
    )
    for path in PAGES
    for palette in PALETTES
    for width in WIDTHS
]
PHONE_VIEWS = [param for param in PAGE_VIEWS if param.values[2] == PHONE]


class Views:
    """One browser context per palette and width (made when first needed), each with one reused tab."""

    def __init__(self, browser, base_url: str) -> None:
        self.browser, self.base_url = browser, base_url
        self.tabs: dict[tuple[str, int], tuple[object, Recorder]] = {}
        self.visits: dict[tuple[str, str, int], PageVisit] = {}

    def tab(self, palette: str, width: int):
        if (palette, width) not in self.tabs:
            context = self.browser.new_context(
                color_scheme=palette,
                viewport={"width": width, "height": 800},
                permissions=["clipboard-read", "clipboard-write"],
            )
            page = context.new_page()
            self.tabs[palette, width] = (page, Recorder(page))
        return self.tabs[palette, width][0]

    def visit(self, path: str, palette: str, width: int) -> PageVisit:
        if (path, palette, width) not in self.visits:
            page = self.tab(palette, width)
            name = (path.strip("/") or "index").replace("/", "-")
            screenshot = SCREENSHOTS / f"{palette}-{width}" / f"{name}.png"
            self.visits[path, palette, width] = visit(
                page, self.tabs[palette, width][1], self.base_url + path, screenshot
            )
        return self.visits[path, palette, width]

    def close(self) -> None:
        for page, _ in self.tabs.values():
            page.context.close()


@pytest.fixture(scope="module")
def views(browser, served_site):
    views = Views(browser, served_site)
    yield views
    views.close()


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_no_console_error(views, path, palette, width):
    assert views.visit(path, palette, width).console_errors == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_every_request_succeeds(views, path, palette, width):
    result = views.visit(path, palette, width)
    assert result.requested > 1, "the page, its styles and scripts were requested"
    assert result.failed_requests == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_no_request_to_another_host(views, path, palette, width):
    assert views.visit(path, palette, width).foreign_requests == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_palette_follows_the_system_scheme(views, path, palette, width):
    assert views.visit(path, palette, width).color_scheme == PALETTES[palette]


@pytest.mark.parametrize(("path", "palette", "width"), PHONE_VIEWS)
def test_phone_width_never_scrolls_the_page_sideways(views, path, palette, width):
    result = views.visit(path, palette, width)
    scroll_width, client_width = result.page_scroll
    assert client_width == width
    assert scroll_width <= client_width, f"the page is {scroll_width} px wide in a {client_width} px window"
    assert result.clipped_boxes == [], "wide code and tables must scroll inside their own box"


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_axe_finds_no_serious_or_critical_violation(views, path, palette, width):
    violations = views.visit(path, palette, width).severe_violations
    assert violations == [], "\n".join(violations)


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_copy_buttons_copy_the_snippet_shown(views, path, palette, width):
    # The page's Markdown says which file or section each titled block shows, in page order.
    expected = [(str(piece.path), copy_text(piece)) for piece in included_pieces(ROOT / "docs" / PAGES[path], ROOT)]
    visit = views.visit(path, palette, width)
    copied = [(block.title, block.copied) for block in visit.copied if (block.title or "").startswith("snippets/")]
    assert all(text != NOTHING_COPIED for _, text in copied), "every copy button copies"
    assert [title for title, _ in copied] == [title for title, _ in expected]
    for (title, text), (_, wanted) in zip(copied, expected, strict=True):
        assert text == wanted, f"the copy button of {title} copied other text"


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_every_copy_button_copies_its_own_block(views, path, palette, width):
    """Outputs included: each output's button once copied the code above it."""
    assert copy_mismatches(views.visit(path, palette, width).copied) == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_no_line_break_between_two_hangul_syllables(views, path, palette, width):
    assert views.visit(path, palette, width).hangul_breaks == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_hangul_in_code_is_two_latin_columns_wide(views, path, palette, width):
    ratio = views.visit(path, palette, width).code_column_ratio
    assert ratio is None or ratio == pytest.approx(1.0, abs=0.01), f"4 Hangul / 8 Latin = {ratio:.3f}"


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_every_figure_reads_in_this_palette_and_width(views, path, palette, width):
    assert views.visit(path, palette, width).figure_problems == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_no_text_smaller_than_12_5_px(views, path, palette, width):
    assert views.visit(path, palette, width).small_text == []


@pytest.mark.parametrize(("path", "palette", "width"), PHONE_VIEWS)
def test_code_in_tables_never_breaks_on_a_phone(views, path, palette, width):
    assert views.visit(path, palette, width).wrapped_table_code == []


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_no_copy_button_covers_the_first_line(views, path, palette, width):
    assert views.visit(path, palette, width).covered_first_lines == []


def test_the_reader_checks_have_something_to_measure(views):
    """Guards the checks above that pass vacuously: figures, outputs and tables are on the pages measured."""
    visits = [views.visit(path, "dark", PHONE) for path in ("beyond/digits/", "glossary/", "steps/training/")]
    assert sum(1 for block in visits[0].copied if block.title is None) >= 2, "outputs with copy buttons"
    assert all(visit.code_column_ratio is not None for visit in (visits[0], visits[2]))


@pytest.mark.parametrize(("path", "palette", "width"), PAGE_VIEWS)
def test_screenshot_written(views, path, palette, width):
    screenshot = views.visit(path, palette, width).screenshot
    assert screenshot.is_file()
    assert png_width(screenshot) == width


def test_some_pages_have_titled_code_blocks_and_tabs(views):
    # Guards the two checks above that pass vacuously on a page with no code blocks or tabs.
    assert sum(len(included_pieces(ROOT / "docs" / source, ROOT)) for source in PAGES.values()) >= 20
    assert len(pages_with_tabs()) >= 2


def pages_with_tabs() -> list[str]:
    return [path for path, source in PAGES.items() if '=== "Lightning"' in (ROOT / "docs" / source).read_text()]


@pytest.mark.parametrize(("palette", "width"), VIEWS)
def test_tab_choice_follows_to_the_next_page_and_survives_a_reload(views, palette, width):
    """On each page with tabs, choose the tab the previous page did not; the next page and its reload show it."""
    page = views.tab(palette, width)
    tabbed = pages_with_tabs()
    page.goto(views.base_url + tabbed[0], wait_until="networkidle")
    page.evaluate("localStorage.clear()")
    page.reload(wait_until="networkidle")
    assert set(shown_tabs(page)) == {"PyTorch"}, f"{tabbed[0]}: with nothing chosen, the first tab shows"
    choice = "Lightning"
    for previous, path in pairwise(tabbed):
        choose_tab(page, choice)
        assert set(shown_tabs(page)) == {choice}, f"{previous}: choosing {choice} switches every tab set"
        page.goto(views.base_url + path, wait_until="networkidle")
        assert set(shown_tabs(page)) == {choice}, f"{path}, after choosing {choice} on {previous}"
        page.reload(wait_until="networkidle")
        assert set(shown_tabs(page)) == {choice}, f"{path} reloaded, after choosing {choice} on {previous}"
        choice = "PyTorch" if choice == "Lightning" else "Lightning"
    page.evaluate("localStorage.clear()")
