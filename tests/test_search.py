"""Korean search in the built site, asked through Material's own search box in Chromium.

How it works (README, 한국어 검색): the separator in mkdocs.yml drops the particle or ending at the end of
a word, in the index and in the query alike, so 검증을 and 검증은 both search for 검증; identifiers stay
whole (DataLoader is not split into Data and Loader); tools/engine/search_index.py adds two hidden
ranking fields (bold terms, capitalised identifiers in code) that the result previews never show.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests import reader_checks
from tests.search_queries import IDENTIFIER, NOUN, NOUN_PARTICLE, OTHER_SPELLING, PARTICLE_FORMS, QUERIES, READING
from tools.search_table import Row, SearchBox, served, table


@pytest.fixture(scope="module")
def search_box(site, browser):
    with served(site) as base:
        box = SearchBox(browser, base)
        yield box
        box.close()


def index(site: Path) -> dict:
    return json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))


def words(separator: re.Pattern[str], text: str) -> list[str]:
    return [word for word in separator.split(text) if word]


# The query table


def test_the_table_covers_every_kind_of_query():
    kinds = {query.kind for query in QUERIES}
    assert len(QUERIES) >= 20
    assert {NOUN, NOUN_PARTICLE, READING, IDENTIFIER, OTHER_SPELLING} <= kinds


def test_each_query_puts_its_page_first(search_box, capsys):
    rows = [Row(query, search_box.pages(query.text)) for query in QUERIES]
    with capsys.disabled():
        print("\n" + table(rows))
    assert [row.query.text for row in rows if not row.hit] == [], table(rows)


@pytest.mark.parametrize(("noun", "page", "forms"), PARTICLE_FORMS, ids=[noun for noun, _, _ in PARTICLE_FORMS])
def test_a_particle_after_the_noun_changes_no_result(search_box, noun, page, forms):
    found = search_box.pages(noun)
    assert page in found[:2], found
    for form in forms:
        assert search_box.pages(form) == found, form


def test_search_finds_an_identifier_glued_to_a_korean_particle(search_box):
    # The glossary names Adam only as "`Adam`을".
    assert "glossary/" in search_box.pages("Adam")


def test_search_finds_a_rare_korean_word(search_box):
    # 편향 (bias) appears on few pages, the glossary among them.
    assert "glossary/" in search_box.pages("편향")


# What a reader sees


def test_previews_mark_the_noun_without_its_particle_and_show_no_hidden_field(search_box, site):
    search_box.pages("검증을")
    marks = search_box.page.eval_on_selector_all(".md-search-result mark", "marks => marks.map(m => m.textContent)")
    assert "검증" in marks
    assert all(mark.startswith("검증") and not mark.endswith("을") for mark in marks), marks
    shown = search_box.page.inner_text(".md-search-result__list")
    # Values that never occur in a page's text: several bold terms joined by " / ", several names in a row.
    docs = index(site)["docs"]
    hidden = [doc["terms"] for doc in docs if " / " in doc.get("terms", "")]
    hidden += [doc["names"] for doc in docs if len(doc.get("names", "").split()) >= 3]
    assert len(hidden) > 10, "the index has the hidden fields"
    assert [value for value in hidden if value in shown] == []


def test_a_result_marks_the_noun_on_its_page(search_box, browser):
    search_box.pages("체크포인트를")
    link = search_box.page.eval_on_selector(".md-search-result__item a", "a => a.href")
    assert "/more/saving/" in link and "h=" in link, link
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(link, wait_until="networkidle")
    marks = page.eval_on_selector_all("article mark[data-md-highlight]", "marks => marks.map(m => m.textContent)")
    page.close()
    assert marks and set(marks) == {"체크포인트"}, marks
    assert errors == []


# The separator and the hidden fields, as the build wrote them


def test_the_separator_drops_particles_and_endings_and_keeps_identifiers_whole(site):
    config = index(site)["config"]
    assert config["lang"] == ["ko"]
    separator = re.compile(config["separator"])
    assert words(separator, "DataLoader를 Lightning으로 PyTorch와 training_step에서 trainer.fit") == [
        *("DataLoader", "Lightning", "PyTorch", "training_step", "trainer", "fit")
    ]
    assert words(separator, "검증 검증을 검증은 검증에서는 검증이에요") == ["검증"] * 5
    assert words(separator, "체크포인트를 옵티마이저가 저장하기 저장해요 반복문·검증") == [
        *("체크포인트", "옵티마이저", "저장", "저장", "반복문", "검증")
    ]
    # 도 ends 정확도 and is also a particle: 정확도, 정확도가 and 정확도를 all become 정확, alike in index and query.
    assert words(separator, "정확도 정확도가 정확도를") == ["정확"] * 3
    # A word of two syllables keeps its last one (결과, 평가); a listed one-syllable noun loses its particle.
    assert words(separator, "결과 평가 차이 훅이 값을 이 가이드") == [
        *("결과", "평가", "차이", "훅", "값", "이", "가이드")
    ]


def test_cutting_a_cut_word_again_changes_nothing(site):
    # Material's page highlighter splits the query's terms with the separator again; a term cut twice
    # would lose letters (or leave an empty pattern that marks every letter).
    separator = re.compile(index(site)["config"]["separator"])
    text = " ".join(
        doc["title"] + " " + re.sub(r"<[^>]+>", " ", doc["text"]) for doc in index(site)["docs"] if doc["text"]
    )
    cut_again = {word: words(separator, word) for word in set(words(separator, text))}
    assert {word: again for word, again in cut_again.items() if again != [word]} == {}


def test_the_index_carries_bold_terms_and_capitalised_names(site):
    docs = {doc["location"]: doc for doc in index(site)["docs"]}
    fields = index(site)["config"]["fields"]
    assert fields["terms"]["boost"] > fields["text"]["boost"] and fields["names"]["boost"] > 0
    assert "옵티마이저" in docs["steps/training/"]["terms"].split(" / ")
    assert "더 할 일이 없어요." not in docs["steps/run/"].get("terms", "")  # a bold sentence is not a term
    assert "Trainer" in docs["steps/run/"]["names"].split()
    assert "trainer" not in docs["steps/run/"]["names"].split()


@pytest.mark.parametrize("width", [1280, 375])
def test_search_results_never_break_a_korean_word(served_site, browser, width):
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_site, wait_until="networkidle")
        if width < 960:  # on a phone the search box opens from its icon
            page.click("label[for=__search]")
        else:
            page.keyboard.press("s")  # Material's shortcut for the search box
        page.fill("input.md-search__input", "체크포인트")
        page.keyboard.press("End")  # Material searches on key events, which fill() alone does not send
        page.wait_for_selector(".md-search-result__item", timeout=15_000)
        assert page.locator(".md-search-result__item").count() > 3
        assert reader_checks.hangul_breaks(page, ".md-search-result", skip="") == []
    finally:
        context.close()
