"""Each check of tests/reader_checks.py fails on a fault injected into a real page of the built site.

The every-page tests pass when the site is right; these show that each check would have said so if it
were not: the fault is the defect the check was written for, put back into one page.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import reader_checks

PHONE = {"width": 375, "height": 800}


@pytest.fixture
def open_page(browser, served_site) -> Iterator:
    contexts = []

    def open_page(path: str, color_scheme: str = "light", viewport: dict | None = None):
        context = browser.new_context(
            color_scheme=color_scheme,
            viewport=viewport or {"width": 1280, "height": 800},
            permissions=["clipboard-read", "clipboard-write"],
        )
        contexts.append(context)
        page = context.new_page()
        page.goto(served_site + path, wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_a_copy_button_aimed_at_the_code_above_is_reported(open_page):
    page = open_page("steps/training/")
    assert reader_checks.copy_mismatches(reader_checks.copy_every_block(page)) == []
    # The defect: the output's button named the same <pre> as the code's.
    page.evaluate(
        """() => {
          const output = document.querySelector('.exec-block > .highlight:not(:has(> .filename))');
          const code = output.previousElementSibling.querySelector('pre');
          output.querySelector('.md-code__button[data-md-type=copy]').dataset.clipboardTarget = `#${code.id} > code`;
        }"""
    )
    assert reader_checks.copy_mismatches(reader_checks.copy_every_block(page))


def test_a_link_that_breaks_korean_anywhere_is_reported(open_page):
    page = open_page("", viewport=PHONE)
    assert reader_checks.hangul_breaks(page) == []
    page.add_style_tag(content=".md-typeset a { word-break: break-all !important; }")
    page.evaluate(
        """() => document.querySelector('.md-typeset p').insertAdjacentHTML('afterend',
          '<p style="width: 5em"><a href="#">저장하고 불러오기에서 시작하기부터 봐요</a></p>')"""
    )
    assert reader_checks.hangul_breaks(page)


def test_hangul_drawn_by_a_proportional_font_in_code_is_reported(open_page):
    page = open_page("steps/training/")
    assert reader_checks.code_column_ratio(page) == pytest.approx(1.0, abs=0.01)
    page.add_style_tag(content=".md-typeset pre > code { font-family: 'Pretendard Variable', monospace !important; }")
    assert reader_checks.code_column_ratio(page) != pytest.approx(1.0, abs=0.01)


def test_a_figure_too_small_to_read_with_nothing_to_tap_is_reported(open_page):
    page = open_page("beyond/digits/", viewport=PHONE)
    assert reader_checks.figure_problems(page, dark=False) == []
    page.evaluate("() => document.querySelectorAll('.exec-figure a').forEach(link => link.removeAttribute('href'))")
    assert any("no tap opens it" in problem for problem in reader_checks.figure_problems(page, dark=False))


def test_a_white_figure_in_the_dark_palette_is_reported(open_page):
    page = open_page("beyond/digits/", color_scheme="dark")
    assert reader_checks.figure_problems(page, dark=True) == []
    page.evaluate(
        """() => document.querySelectorAll('.exec-figure').forEach(figure => {
          const light = figure.querySelector('img[src$="#only-light"]');
          figure.querySelector('img[src$="#only-dark"]').src = light.src.replace('#only-light', '#only-dark');
        })"""
    )
    page.wait_for_load_state("networkidle")
    problems = reader_checks.figure_problems(page, dark=True)
    assert any("one file" in problem for problem in problems)
    assert any("mean luminance" in problem for problem in problems)


def test_small_code_in_a_table_is_reported(open_page):
    page = open_page("differences/")
    assert reader_checks.small_text(page) == []
    page.add_style_tag(content=".md-typeset table code { font-size: 0.85em !important; }")
    assert reader_checks.small_text(page)


def test_code_that_wraps_in_a_squeezed_table_is_reported(open_page):
    page = open_page("differences/", viewport=PHONE)
    assert reader_checks.wrapped_table_code(page) == []
    page.add_style_tag(
        content=".md-typeset table:not([class]) code { white-space: normal !important;"
        " overflow-wrap: anywhere !important; } .md-typeset table:not([class]) td { min-width: 0 !important; }"
    )
    assert reader_checks.wrapped_table_code(page)


def test_a_copy_button_over_the_first_line_is_reported(open_page):
    page = open_page("steps/training/", viewport=PHONE)
    assert reader_checks.covered_first_lines(page) == []
    # The defect: a button placed over the code instead of beside its title or label.
    page.add_style_tag(content=".md-typeset .md-code__nav { top: 2.5em !important; left: 1em !important; }")
    assert reader_checks.covered_first_lines(page)
