"""Two ranking hints for the site search, added to the index that Material's search plugin wrote.

Material 9's search (lunr) ranks a section by how often the query's words occur in its title and text.
Two hidden fields add what those counts cannot tell:

- `terms`: the terms a section sets in bold. The guide bolds a term where it introduces it
  (**옵티마이저**), so that section ranks above pages that only mention the term. A bold sentence
  ("**더 할 일이 없어요.**") is emphasis, not a term, and is left out.
- `names`: the identifiers with a capital letter in a section's code (`Trainer`, `DataLoader`). Search
  folds case, so without them a page that repeats the variable `trainer` ties with the page about `Trainer`.

The glossary (docs/glossary.md) also lists, in a row's meaning, the other spellings readers search for
("다른 표기: 에포크."). They go into the `terms` field of the section the row's "더 보기" link points to,
with the row's own terms, so 에포크 finds the page that introduces 에폭 first, and the glossary after it.
The rows are read by glossary_tooltips.glossary_rows, as the tooltips read them.

Material indexes every field named in the index's config.fields and splits it with the same separator;
its result list shows only the title and the text, so previews do not change.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from tools.engine.glossary_tooltips import glossary_rows

# title: 1000, text: 1 (Material's defaults). A section that introduces a term (bold) weighs like one titled
# with it: with a weaker boost, a later page whose heading or dense text mentions the term ranked above the
# page that explains it (데이터로더, 체크포인트, 정확도 once the pages under beyond/ came).
BOOSTS = {"terms": 1000.0, "names": 1.0}
SENTENCE_END = re.compile(r"[.!?。]\s*$")
CODE = re.compile(r"<code>(.*?)</code>", re.S)
IDENTIFIER = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*")


class _BoldSpans(HTMLParser):
    """The bold spans of a page's article, outside code blocks, by section (page URL, then "#" heading id)."""

    def __init__(self, page_url: str):
        super().__init__(convert_charrefs=True)
        self.section = page_url
        self.page_url = page_url
        self.spans: dict[str, list[str]] = {}
        self.in_article = False
        self.bold_depth = 0
        self.pre_depth = 0
        self.current: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "article" and "md-content__inner" in (attributes.get("class") or ""):
            self.in_article = True
        if not self.in_article:
            return
        if re.fullmatch(r"h[2-6]", tag) and attributes.get("id"):
            self.section = f"{self.page_url}#{attributes['id']}"
        elif tag == "pre":
            self.pre_depth += 1
        elif tag in ("strong", "b"):
            self.bold_depth += 1
            if self.bold_depth == 1:
                self.current = []

    def handle_endtag(self, tag):
        if not self.in_article:
            return
        if tag == "article":
            self.in_article = False
        elif tag == "pre":
            self.pre_depth -= 1
        elif tag in ("strong", "b") and self.bold_depth:
            self.bold_depth -= 1
            if self.bold_depth == 0 and not self.pre_depth:
                self.spans.setdefault(self.section, []).append("".join(self.current).strip())

    def handle_data(self, data):
        if self.bold_depth:
            self.current.append(data)


def bold_terms(page_html: str, page_url: str) -> dict[str, list[str]]:
    """Section location -> the bold spans there that are terms, not sentences."""
    parser = _BoldSpans(page_url)
    parser.feed(page_html)
    parser.close()
    return {
        section: terms
        for section, spans in parser.spans.items()
        if (terms := [span for span in spans if span and not SENTENCE_END.search(span)])
    }


def capitalised_names(section_text: str) -> list[str]:
    """Identifiers with a capital letter inside the <code> elements of an index entry's text."""
    code = " ".join(html.unescape(match) for match in CODE.findall(section_text))
    return [name for name in IDENTIFIER.findall(code) if any(letter.isupper() for letter in name)]


OTHER_SPELLINGS = re.compile(r"다른 표기: (?P<spellings>[^.|\n]*)\.")
MORE = re.compile(r"\[더 보기\]\((?P<target>[^)]+)\)")


def glossary_spellings(glossary_markdown: str) -> dict[str, list[str]]:
    """Index location -> the terms and other spellings of each glossary row that has both other spellings
    and a "더 보기" link there (steps/training.md -> "steps/training/", notebooks.md#x -> "notebooks/#x")."""
    found: dict[str, list[str]] = {}
    for terms, meaning in glossary_rows(glossary_markdown):
        spellings, more = OTHER_SPELLINGS.search(meaning), MORE.search(meaning)
        if not (spellings and more):
            continue
        page, _, anchor = more["target"].partition("#")
        location = "" if page == "index.md" else page.removesuffix(".md") + "/"
        words = [*terms, *(spelling.strip() for spelling in spellings["spellings"].split(","))]
        found.setdefault(f"{location}#{anchor}" if anchor else location, []).extend(words)
    return found


def _page_file(page_url: str) -> str:
    """The site-relative HTML file of a page's URL: "" -> "index.html", "steps/data/" -> "steps/data/index.html"."""
    return f"{page_url}index.html" if page_url == "" or page_url.endswith("/") else page_url


def add_ranking_fields(site_dir: Path, glossary: Path | None, pages: Mapping[str, str]) -> None:
    """Add the `terms` and `names` fields to site_dir/search/search_index.json, if the search plugin wrote one.

    pages: the site's HTML files as the build wrote them, site-relative path ("steps/data/index.html") -> text."""
    index_file = site_dir / "search" / "search_index.json"
    if not index_file.is_file():
        return
    index = json.loads(index_file.read_text(encoding="utf-8"))
    terms: dict[str, list[str]] = {}
    for page_url in {doc["location"].split("#")[0] for doc in index["docs"]}:
        if (page := pages.get(_page_file(page_url))) is not None:
            terms.update(bold_terms(page, page_url))
    spellings = glossary_spellings(glossary.read_text(encoding="utf-8")) if glossary else {}
    for location, words in spellings.items():
        terms[location] = terms.get(location, []) + words
    for doc in index["docs"]:
        doc.pop("terms", None)
        doc.pop("names", None)
        if doc["location"] in terms:
            doc["terms"] = " / ".join(terms[doc["location"]])
        if names := capitalised_names(doc["text"]):
            doc["names"] = " ".join(names)
    index["config"]["fields"].update({name: {"boost": boost} for name, boost in BOOSTS.items()})
    index_file.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
