"""Glossary tooltips (tools/engine/glossary_tooltips.py): a glossary term shows its meaning as a tooltip.

The functions are checked on made-up HTML, then on the built site (the one all the tests share, outputs
and all: a tooltip never lands in code). The expected tooltip text is recomputed from docs/glossary.md by
rendering each 뜻 cell with Markdown and keeping its text, not with the module's own functions.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml

from tests import reader_checks
from tools.engine.glossary_tooltips import (
    Entry,
    Glossary,
    add_tooltips,
    glossary_rows,
    load_glossary,
    parse_glossary,
    plain_text,
    split_terms,
)

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
ABBR = re.compile(r'<abbr title="(?P<title>[^"]*)" tabindex="0">(?P<term>[^<]*)</abbr>')
# Names that appear nowhere on the site outside the glossary, each with the reason; their row's meaning
# still shows as a tooltip through the row's other name.
NAMES_ONLY_IN_THE_GLOSSARY = {
    "로짓": "the pages say 점수 (its other name in the same row) or logits",
}


def small_glossary() -> Glossary:
    return Glossary.from_entries(
        [
            Entry(("시드",), "난수의 시작 값이에요."),
            Entry(("모델",), "입력을 받아 답을 내요."),
            Entry(("훈련",), "가중치를 고치는 과정이에요."),
            Entry(("훈련 세트", "검증 세트"), "나눈 데이터예요."),
            Entry(("레이어", "층"), "한 단계의 계산이에요."),
            Entry(("MLP",), "다층 퍼셉트론이에요."),
        ]
    )


def tooltips(page_html: str) -> list[tuple[str, str]]:
    return [(match["term"], html.unescape(match["title"])) for match in ABBR.finditer(page_html)]


# --- the glossary table -----------------------------------------------------------------------------------


def test_split_terms_reads_lists_and_parenthesised_names():
    assert split_terms("훈련 세트, 검증 세트, 테스트 세트") == ["훈련 세트", "검증 세트", "테스트 세트"]
    assert split_terms("레이어(층)") == ["레이어", "층"]
    assert split_terms("점수(로짓)") == ["점수", "로짓"]
    assert split_terms("PyTorch 코드, Lightning 코드") == ["PyTorch 코드", "Lightning 코드"]
    assert split_terms("시드") == ["시드"]


def test_plain_text_drops_markup_and_the_more_link():
    assert plain_text("`Adam`을 써요. **꼭** 봐요. ([더 보기](more/hooks.md))") == "Adam을 써요. 꼭 봐요."
    assert plain_text("[원래 글과 달라진 점](original-post.md)에서 봐요.") == "원래 글과 달라진 점에서 봐요."
    assert plain_text('같은 "무작위" 결과 &amp; 값') == '같은 "무작위" 결과 & 값'


def test_parse_glossary_reads_every_row_of_the_term_tables():
    entries = parse_glossary(
        "# 용어집\n\n| 용어 | 영어 | 뜻 |\n| --- | --- | --- |\n| 시드 | seed | 시작 값이에요. |\n"
        "| 레이어(층) | layer | `Linear` 같은 것이에요. |\n\n| 파일 | 수 |\n| --- | --- |\n| a | 1 |\n"
    )
    assert entries == [Entry(("시드",), "시작 값이에요."), Entry(("레이어", "층"), "Linear 같은 것이에요.")]


def test_the_search_index_reads_the_glossary_rows_the_tooltips_read():
    from tools.engine.search_index import glossary_spellings

    markdown = (
        "| 용어 | 영어 | 뜻 |\n| --- | --- | --- |\n"
        "| 에폭 | epoch | 한 바퀴예요. 다른 표기: 에포크. ([더 보기](steps/training.md)) |\n"
        "| 레이어(층) | layer | 층이에요. 다른 표기: 레이여. ([더 보기](steps/model.md#x)) |\n"
    )
    assert glossary_rows(markdown)[0] == (("에폭",), "한 바퀴예요. 다른 표기: 에포크. ([더 보기](steps/training.md))")
    assert [entry.terms for entry in parse_glossary(markdown)] == [terms for terms, _ in glossary_rows(markdown)]
    assert glossary_spellings(markdown) == {
        "steps/training/": ["에폭", "에포크"],
        "steps/model/#x": ["레이어", "층", "레이여"],
    }


def rendered_meanings() -> dict[str, str]:
    """Each name in a 용어 cell -> its 뜻 cell rendered by Markdown, as text, less the "(더 보기)" pointer."""

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    meanings = {}
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) != 3 or cells[0] in ("용어", "---"):
            continue
        parser = Text()
        parser.feed(markdown.markdown(cells[2]))
        text = " ".join("".join(parser.parts).split()).removesuffix(" (더 보기)")
        for name in re.split(r",\s*|\(|\)", cells[0]):
            if name.strip():
                meanings[name.strip()] = text
    return meanings


def test_the_module_reads_the_same_terms_and_meanings_as_markdown_renders():
    glossary = load_glossary(ROOT / "docs")
    assert glossary.meanings == rendered_meanings()
    assert {"시드", "레이어", "층", "점수", "훈련 세트", "테스트 세트", "혼동 행렬"} <= glossary.meanings.keys()


# --- wrapping terms in HTML -------------------------------------------------------------------------------


def test_a_term_followed_by_a_particle_gets_the_tooltip():
    page = add_tooltips("<p>시드를 고정하면 모델이에요. MLP는 작아요.</p>", "x.md", small_glossary())
    assert page == (
        '<p><abbr title="난수의 시작 값이에요." tabindex="0">시드</abbr>를 고정하면 '
        '<abbr title="입력을 받아 답을 내요." tabindex="0">모델</abbr>이에요. '
        '<abbr title="다층 퍼셉트론이에요." tabindex="0">MLP</abbr>는 작아요.</p>'
    )


@pytest.mark.parametrize(
    ("text", "wrapped"),
    [
        ("시드", ["시드"]),
        ("시드.", ["시드"]),
        ("(시드)", ["시드"]),
        ("시드로는", ["시드"]),
        ("모델들을", ["모델"]),
        ("훈련해요", ["훈련"]),
        ("훈련된", ["훈련"]),
        ("훈련 세트로", ["훈련 세트"]),  # the longer term, not 훈련
        ("훈련\n세트로", ["훈련\n세트"]),  # a line break inside a term
        ("시드값", []),  # a longer word
        ("모델링", []),
        ("재훈련", []),  # Hangul before it
        ("XMLP", []),
        ("MLPs", []),
    ],
)
def test_what_counts_as_an_occurrence(text, wrapped):
    assert [term for term, _ in tooltips(add_tooltips(f"<p>{text}</p>", "x.md", small_glossary()))] == wrapped


@pytest.mark.parametrize(
    "fragment",
    [
        "<pre><code>시드를 고정</code></pre>",
        "<p><code>시드</code>를</p>",
        '<p><a href="x.html">시드를 고정</a></p>',
        '<h2 id="x">시드를 고정<a class="headerlink" href="#x">¶</a></h2>',
        '<p><abbr title="다른 뜻">시드</abbr>를</p>',
        '<div class="tabbed-labels"><label for="a">시드</label></div>',
        '<p class="admonition-title">시드</p>',
        '<div class="highlight"><span class="filename">시드.py</span><pre>x</pre></div>',
        '<p class="exec-time">실행 0.1초 · 시드</p>',
        "<script>let a = '<b>'; // 시드를</script>",
        '<p>브라우저 <span class="no-tooltip">모델</span>이에요</p>',
    ],
)
def test_no_tooltip_inside_code_links_headings_or_labels(fragment):
    assert add_tooltips(fragment, "x.md", small_glossary()) == fragment


def test_text_after_a_skipped_element_is_wrapped_again():
    page = add_tooltips("<p><code>시드</code>를 <a href='x'>모델</a> 모델로</p>", "x.md", small_glossary())
    assert tooltips(page) == [("모델", "입력을 받아 답을 내요.")]
    assert page.endswith('<a href=\'x\'>모델</a> <abbr title="입력을 받아 답을 내요." tabindex="0">모델</abbr>로</p>')


def test_first_occurrence_per_section_and_per_tab():
    page = add_tooltips(
        "<p>시드를 쓰고 다시 시드를 써요. 레이어(층)를 쌓아요.</p>"
        '<h2 id="a">다음</h2><p>시드예요.</p>'
        '<div class="tabbed-block"><p>시드</p></div><div class="tabbed-block"><p>시드와 시드</p></div>',
        "x.md",
        small_glossary(),
    )
    # 레이어 and 층 are one row: one tooltip. Then one 시드 per section and per tab.
    assert [term for term, _ in tooltips(page)] == ["시드", "레이어", "시드", "시드", "시드"]


def test_a_site_without_a_glossary_gets_no_tooltips(tmp_path):
    glossary = load_glossary(tmp_path)
    assert glossary.meanings == {}
    assert add_tooltips("<p>시드를 고정해요</p>", "x.md", glossary) == "<p>시드를 고정해요</p>"


def test_titles_are_escaped():
    glossary = Glossary.from_entries([Entry(("시드",), 'a "b" <c> & d')])
    page = add_tooltips("<p>시드</p>", "x.md", glossary)
    assert page == '<p><abbr title="a &quot;b&quot; &lt;c&gt; &amp; d" tabindex="0">시드</abbr></p>'


def test_the_glossary_page_does_not_tooltip_its_own_terms():
    table = (
        '<h2 id="data">데이터</h2><table><thead><tr><th>용어</th><th>뜻</th></tr></thead><tbody>'
        "<tr><td>시드</td><td>시드는 시작 값이에요. 모델이 써요. 훈련 세트와 검증 세트예요.</td></tr>"
        "<tr><td>훈련 세트, 검증 세트</td><td>훈련 세트와 검증 세트, 시드예요.</td></tr>"
        '</tbody></table><h2 id="next">다음</h2><p>시드</p>'
    )
    page = add_tooltips(table, "glossary.md", small_glossary())
    # 모델 in a definition; 시드 in the next section. 훈련 세트 is defined in this table, even if in a later row.
    assert [term for term, _ in tooltips(page)] == ["모델", "시드"]
    assert "<td>시드</td>" in page and "<td>훈련 세트, 검증 세트</td>" in page
    # Elsewhere the same table would get tooltips in its term cells.
    assert "<td><abbr" in add_tooltips(table, "other.md", small_glossary())


# --- the built site ---------------------------------------------------------------------------------------


def page_pages(site_dir: Path) -> dict[str, str]:
    return {
        path.parent.relative_to(site_dir).as_posix(): path.read_text(encoding="utf-8")
        for path in site_dir.rglob("index.html")
    }


def test_tooltips_are_on_in_the_theme():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert "content.tooltips" in config["theme"]["features"]


def test_a_built_page_shows_the_meaning_around_a_term_and_its_particle(site):
    training = (site / "steps" / "training" / "index.html").read_text(encoding="utf-8")
    seed = html.escape(rendered_meanings()["시드"], quote=True)
    assert f'<abbr title="{seed}" tabindex="0">시드</abbr>를' in training


def test_every_title_is_the_glossary_meaning_of_its_term(site):
    meanings = rendered_meanings()
    found = 0
    for name, page in page_pages(site).items():
        for term, title in tooltips(page):
            assert title == meanings[" ".join(term.split())], (name, term)
            found += 1
    assert found > 300


def test_no_tooltip_in_code_links_or_headings_of_the_built_site(site):
    inside = re.compile(
        r"<(pre|code|a|h[1-6]|label)\b[^>]*>(?:(?!</\1>).)*<abbr title=", re.S
    )  # an abbr before the element closes
    for name, page in page_pages(site).items():
        content = page[page.index('<article class="md-content__inner') :]
        assert not inside.search(content), name


def test_every_glossary_row_gets_a_tooltip_somewhere_on_the_site(site):
    """Outside the glossary page; a name that never appears is reported, unless listed with its reason."""
    meanings = rendered_meanings()
    used_terms, used_meanings = set(), set()
    for name, page in page_pages(site).items():
        if name != "glossary":
            for term, title in tooltips(page):
                used_terms.add(" ".join(term.split()))
                used_meanings.add(title)
    rows_without = sorted({name for name, meaning in meanings.items() if meaning not in used_meanings})
    assert not rows_without, f"glossary rows that get no tooltip on any page: {rows_without}"
    missing = sorted(set(meanings) - used_terms - NAMES_ONLY_IN_THE_GLOSSARY.keys())
    assert not missing, f"glossary names that get no tooltip on any page: {missing}"
    assert not NAMES_ONLY_IN_THE_GLOSSARY.keys() & used_terms, "a listed name now appears: remove it from the list"


@pytest.mark.parametrize("width", [1280, 375])
def test_a_keyboard_reaches_a_term_and_its_tooltip_reads_well(served_site, browser, width):
    """Tab stops at each term; focused, it shows its meaning: Korean unbroken inside words, no text under 12.5 px."""
    context = browser.new_context(viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(served_site + "steps/training/", wait_until="networkidle")
        terms = page.locator("article abbr[title]")
        assert terms.count() > 5
        assert page.evaluate("[...document.querySelectorAll('article abbr')].every(term => term.tabIndex === 0)")
        shown = 0
        for index in range(min(terms.count(), 8)):
            page.keyboard.press("Escape")
            terms.nth(index).focus()
            tooltip = page.locator(".md-tooltip2--active, .md-tooltip2:visible").last
            tooltip.wait_for(state="visible", timeout=5_000)
            shown += 1
            assert reader_checks.hangul_breaks(page, ".md-tooltip2") == []
            assert reader_checks.small_text(page) == []
        assert shown
    finally:
        context.close()
