"""Read what a built page shows: headings, code blocks and their outputs, tabs, requests."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

_BLOCK = re.compile(
    r'<div class="highlight">(?:<span class="filename">(?P<filename>[^<]*)</span>)?<pre>(?P<body>.*?)</pre>', re.S
)
_HEADING_ID = re.compile(r'<h[1-6] id="(?P<id>[^"]+)"')
_TAB_LABELS = re.compile(r'<div class="tabbed-labels">(?P<labels>.*?)</div>', re.S)
_REQUESTED = re.compile(
    r'<(?:script|img|iframe|source)\b[^>]*\bsrc="(?P<src>[^"]+)"|<link\b[^>]*\bhref="(?P<href>[^"]+)"'
)


_EXEC_ANCHOR = re.compile(r'<div class="exec-block"><span class="exec-anchor" id="block-\d+"></span>\s*$')


@dataclass(frozen=True)
class CodeBlock:
    filename: str | None  # the title bar: the snippet file of an executed source, or a label (터미널)
    text: str
    highlighted_lines: tuple[str, ...]
    is_output: bool  # a block with no file name right under an executed source
    executed: bool = False  # an executed source: the first block of an engine's exec-block


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def code_blocks(page: Path) -> list[CodeBlock]:
    blocks: list[CodeBlock] = []
    previous_end = -1
    source = page.read_text(encoding="utf-8")
    for match in _BLOCK.finditer(source):
        body = match["body"]
        highlighted = tuple(_text(line) for line in re.findall(r'<span class="hll">(.*?)\n</span>', body, re.S))
        follows_source = bool(blocks) and blocks[-1].executed
        adjacent = source[previous_end : match.start()].strip() == "</div>"
        is_output = match["filename"] is None and follows_source and adjacent
        executed = bool(_EXEC_ANCHOR.search(source, max(0, match.start() - 200), match.start()))
        blocks.append(CodeBlock(match["filename"], _text(body).strip("\n"), highlighted, is_output, executed))
        previous_end = match.end()
    return blocks


def outputs(page: Path) -> list[str]:
    """The executed results on a page, in order."""
    return [block.text for block in code_blocks(page) if block.is_output]


def outputs_by_block(page: Path) -> dict[int, str]:
    """{N: the output of the page's N-th executed block}, for the blocks that show one."""
    source = page.read_text(encoding="utf-8")
    anchors = [(match.start(), int(match[1])) for match in re.finditer(r'class="exec-anchor" id="block-(\d+)"', source)]
    found = {}
    for match in _BLOCK.finditer(source):
        before = [number for position, number in anchors if position < match.start()]
        if before and before[-1] not in found:
            found[before[-1]] = None  # the block's own source comes first
        elif before and found[before[-1]] is None and match["filename"] is None:
            found[before[-1]] = _text(match["body"]).strip("\n")
    return {number: text for number, text in found.items() if text is not None}


def heading_ids(page: Path) -> list[str]:
    return _HEADING_ID.findall(page.read_text(encoding="utf-8"))


def tab_label_sets(page: Path) -> list[list[str]]:
    return [
        [_text(label) for label in re.findall(r"<label[^>]*>(.*?)</label>", match["labels"], re.S)]
        for match in _TAB_LABELS.finditer(page.read_text(encoding="utf-8"))
    ]


def requested_urls(page: Path) -> list[str]:
    """URLs the browser fetches by itself when it opens the page (not links a reader clicks)."""
    urls = []
    for match in _REQUESTED.finditer(page.read_text(encoding="utf-8")):
        tag = match.group(0)
        if match["href"] and not re.search(r'\brel="(?:stylesheet|preload|prefetch|preconnect|icon|manifest)', tag):
            continue
        urls.append(match["src"] or match["href"])
    return urls
