"""Glossary tooltips: a term of docs/glossary.md shows its meaning wherever it appears on the site.

The glossary's tables are the one source: each row's 용어 cell names one or more terms ("훈련 세트,
검증 세트", "레이어(층)", "점수(로짓)": every name counts), and its 뜻 cell, as plain text, becomes the
tooltip. `add_tooltips` wraps a term in `<abbr title="뜻">`, which Material's `content.tooltips` feature
shows as a tooltip.

Why not the Markdown `abbr` extension with the glossary appended to every page: it matches whole words
with \\b, and a Korean particle follows its noun with no space (시드를, 모델이), so \\b never falls between
them. Measured on the guide's pages on 2026-11-27: of 770 occurrences of 14 common terms, 488 (63%) are
followed by a particle and would get no tooltip. Here a term matches when no Hangul or Latin letter comes
before it and what follows it is nothing Hangul, or only particles and endings (시드를, 모델이에요,
검증 세트로는), or a 하다/되다/시키다 ending (검증해요, 정규화된). A longer Hangul word that merely starts
with a term (모델링, 시드값) is left alone.

Only the first occurrence of each glossary row (a term or its other names) in a section is wrapped (a
section runs from one heading to the next, and each tab of a tab set, which a reader sees one at a time,
is one): a dotted underline under every 모델 would make pages hard to read. Text inside code, links,
headings, existing abbreviations, tab labels, admonition titles, file names and run-time labels is never
wrapped, nor is a word a page marks with `<span class="no-tooltip">` (a word used in another sense). On
the glossary page the term cells are not wrapped, and a term defined in a table gets no tooltip elsewhere
in that table's section: its row is right there.
"""

from __future__ import annotations

import functools
import html
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

GLOSSARY_PAGE = "glossary.md"
HANGUL = "가-힣"

# Particles and endings that may follow a noun, as pieces: a tail made only of these is accepted
# (으로+는, 이+에요, 이+었+어요, 들+을 ...). Longer pieces first, so the alternation prefers them.
_PARTICLES = sorted(
    (
        "이 가 을 를 은 는 와 과 의 에 로 으로 도 만 서 게 까지 부터 처럼 보다 나 이나 랑 이랑 고 며 면 라 라서 "
        "지만 인 일 란 라는 라고 에요 예요 였 었 어요 죠 다 야 들 께 한테 밖에 조차 마저 대로 씩 마다 만큼 뿐 "
        "요 든 든지 엔 로서 로써 끼리 와의 과의 이라 이란 이죠 이지만 이며 이고 이면"
    ).split(),
    key=len,
    reverse=True,
)
# A noun made into a verb: 검증해요, 검증할, 정규화된, 훈련시켜요.
_VERB_START = "하한할함합해했되된될됨돼됐시"
_TAIL = rf"(?=(?:{'|'.join(_PARTICLES)})*(?![{HANGUL}])|들?[{_VERB_START}])"

_SKIPPED_TAGS = frozenset(
    "code pre kbd samp var a abbr h1 h2 h3 h4 h5 h6 script style svg button label summary th textarea title".split()
)
# "no-tooltip" is for a page: <span class="no-tooltip">테스트</span> where a word is not the glossary's sense
# (브라우저 테스트, a software test).
_SKIPPED_CLASSES = frozenset({"filename", "exec-time", "tabbed-labels", "admonition-title", "headerlink", "no-tooltip"})
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
# Comments and raw-text elements whole, then any tag (a quoted attribute may hold ">").
_TOKEN = re.compile(r"<!--.*?-->|<(script|style|svg|pre)\b.*?</\1\s*>|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>", re.S | re.I)
_TAG = re.compile(r"<(/?)([A-Za-z][\w:-]*)")
_CLASS = re.compile(r"""\sclass\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_SECTION_START = re.compile(r"<h[1-6]\b|<div\b[^>]*\bclass=\"[^\"]*\btabbed-block\b", re.I)


@dataclass(frozen=True)
class Entry:
    terms: tuple[str, ...]
    meaning: str  # the 뜻 cell as plain text


def split_terms(cell: str) -> list[str]:
    """The names in a 용어 cell: "훈련 세트, 검증 세트" -> two; "레이어(층)" -> 레이어 and 층."""
    terms = []
    for part in (part.strip() for part in cell.split(",")):
        if match := re.fullmatch(r"(.+?)\s*\((.+)\)", part):
            terms += [match[1].strip(), match[2].strip()]
        elif part:
            terms.append(part)
    return terms


def plain_text(markdown: str) -> str:
    """A glossary cell as a tooltip shows it: no "([더 보기](...))" pointer, links as their text, no code
    marks or emphasis, entities decoded."""
    text = re.sub(r"\s*\(\[[^\]]*\]\([^)]*\)\)", "", markdown)  # a parenthesised link: a pointer elsewhere
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"(`+)(.+?)\1", r"\2", text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*", r"\1", text)
    return " ".join(html.unescape(text).split())


def glossary_rows(markdown: str) -> list[tuple[tuple[str, ...], str]]:
    """(terms, 뜻 cell as written) of every row of every table whose header has 용어 and 뜻 columns.

    The one reader of the glossary's tables: the tooltips take the meaning as plain text, and the search
    index (search_index.py) the other spellings and the "더 보기" link in it."""
    rows = []
    columns: dict[str, int] | None = None
    for line in markdown.splitlines():
        if not line.startswith("|"):
            columns = None
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if columns is None:
            columns = {name: index for index, name in enumerate(cells)} if {"용어", "뜻"} <= set(cells) else {}
        elif columns and not set(line) <= set("|-: "):
            rows.append((tuple(split_terms(cells[columns["용어"]])), cells[columns["뜻"]]))
    return rows


def parse_glossary(markdown: str) -> list[Entry]:
    """Every row of every table whose header has 용어 and 뜻 columns, its meaning as plain text."""
    return [Entry(terms, plain_text(meaning)) for terms, meaning in glossary_rows(markdown)]


@dataclass(frozen=True)
class Glossary:
    meanings: dict[str, str]  # term (its spaces normalised to one) -> meaning
    pattern: re.Pattern[str]

    @classmethod
    def from_entries(cls, entries: list[Entry]) -> Glossary:
        meanings = {}
        for entry in entries:
            for term in entry.terms:
                meanings[" ".join(term.split())] = entry.meaning
        # Longest first: "훈련 세트" before "훈련". A space in a term matches any whitespace (a line break).
        alternatives = "|".join(
            r"\s+".join(map(re.escape, term.split())) for term in sorted(meanings, key=len, reverse=True)
        )
        if not meanings:
            return cls({}, re.compile(r"(?!)"))  # matches nothing
        pattern = re.compile(rf"(?<![{HANGUL}A-Za-z0-9_])(?:{alternatives})(?![A-Za-z0-9_]){_TAIL}")
        return cls(meanings, pattern)


@functools.lru_cache(maxsize=4)
def _load(path: str, modified_ns: int | None) -> Glossary:
    if modified_ns is None:
        return Glossary.from_entries([])
    return Glossary.from_entries(parse_glossary(Path(path).read_text(encoding="utf-8")))


def load_glossary(docs_dir: str | Path) -> Glossary:
    """docs/glossary.md, read again whenever it changes (under `mkdocs serve` too); a site without one
    (the tests' small projects) gets no tooltips."""
    path = Path(docs_dir) / GLOSSARY_PAGE
    return _load(str(path), path.stat().st_mtime_ns if path.exists() else None)


def _skips(tag: str) -> bool:
    name = _TAG.match(tag)[2].lower()
    if name in _SKIPPED_TAGS:
        return True
    if match := _CLASS.search(tag):
        return bool(_SKIPPED_CLASSES & set((match[1] or match[2] or "").split()))
    return False


def _defined_per_section(page_html: str, glossary: Glossary) -> list[set[str]]:
    """The meanings whose terms each section of the glossary page defines (a table row's first cell)."""
    starts = [0, *(match.start() for match in _SECTION_START.finditer(page_html)), len(page_html)]
    defined = []
    for start, end in itertools.pairwise(starts):
        cells = re.findall(r"<tr>\s*<td\b[^>]*>(.*?)</td>", page_html[start:end], re.S)
        names = (match[0] for cell in cells for match in glossary.pattern.finditer(re.sub(r"<[^>]+>", "", cell)))
        defined.append({glossary.meanings[" ".join(name.split())] for name in names})
    return defined


def add_tooltips(page_html: str, src_uri: str, glossary: Glossary) -> str:
    """`page_html` with the first occurrence of each glossary term per section wrapped in <abbr title>."""
    on_glossary_page = src_uri == GLOSSARY_PAGE
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # open elements: (name, skipped)
    term_cell = False  # in a term cell of the glossary's own table: never wrapped
    skipped = 0  # how many open elements say "do not wrap in here"
    # On the glossary page a term gets no tooltip in the section whose table defines it: its row is there.
    defined = _defined_per_section(page_html, glossary) if on_glossary_page else []
    section = 0
    seen: set[str] = set(defined[0]) if defined else set()
    cell_in_row = 0

    def wrap(match: re.Match[str]) -> str:
        meaning = glossary.meanings[" ".join(match[0].split())]
        if meaning in seen:  # by meaning: 레이어 and 층, or 훈련 세트 and 검증 세트, share one row
            return match[0]
        seen.add(meaning)
        # tabindex: a keyboard reaches the term too, and Material shows its tooltip on focus as on hover.
        return f'<abbr title="{html.escape(meaning, quote=True)}" tabindex="0">{match[0]}</abbr>'

    position = 0
    for token in _TOKEN.finditer(page_html):
        text = page_html[position : token.start()]
        if text:
            out.append(text if skipped else glossary.pattern.sub(wrap, text))
        position = token.end()
        tag = token[0]
        out.append(tag)
        if tag.startswith("<!--") or not (parsed := _TAG.match(tag)):
            continue
        closing, name = parsed[1] == "/", parsed[2].lower()
        if closing:
            while stack:
                open_name, open_skipped = stack.pop()
                skipped -= open_skipped
                if open_name == name:
                    break
            term_cell = term_cell and name != "td"
            continue
        if _SECTION_START.match(tag):
            section += 1
            seen = set(defined[section]) if defined else set()
        if name == "tr":
            cell_in_row = 0
        if name in ("td", "th"):
            cell_in_row += 1
        if name in _VOID_TAGS or tag.endswith("/>") or tag.lower().endswith(f"</{name}>"):
            continue  # nothing inside to wrap (raw-text elements came whole, closing tag included)
        if name == "td":
            term_cell = on_glossary_page and cell_in_row == 1
        skip = _skips(tag) or (name == "td" and term_cell)
        stack.append((name, skip))
        skipped += skip
    rest = page_html[position:]
    out.append(rest if skipped else glossary.pattern.sub(wrap, rest))
    return "".join(out)


def add_glossary_tooltips(page_html: str, src_uri: str, docs_dir: str | Path) -> str:
    """What tools/engine/hooks.py calls for every page (on_page_content)."""
    return add_tooltips(page_html, src_uri, load_glossary(docs_dir))
