"""What a reader sees on a page, measured in the browser: each function returns the problems it found.

Used by tests/test_every_page.py on every page, palette and width, and by tests/test_reader_checks.py,
which injects a fault into a real page for each check and shows that the check reports it.

- `copy_every_block`, `copy_mismatches`: every copy button (code and output alike) copies exactly the
  block it sits on.
- `hangul_breaks`: no line break between two Hangul syllables, in any visible text.
- `code_column_ratio`: in code, four Hangul syllables are as wide as eight Latin letters (a terminal's two
  columns each), so printed tables line up.
- `figure_problems`: a figure shown below 75 % of its width opens full size on a tap (it is a link to its
  own file), and the palette shows the figure's variant for it, whose image differs from the other's.
- `small_text`: no visible text under 12.5 px.
- `wrapped_table_code`: (on a phone) no code in a table cell breaks across lines: the table scrolls instead.
- `covered_first_lines`: no copy button sits over the first line of its block's text.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

SMALLEST_TEXT_PX = 12.5
FIGURE_SCALE = 0.75
NOTHING_COPIED = "<the copy button put nothing on the clipboard>"


@dataclass(frozen=True)
class Copied:
    title: str | None  # the file name a titled block shows; None for an output or an untitled block
    shown: str  # the block's text as the page shows it
    copied: str  # what its copy button put on the clipboard


def copy_every_block(page) -> list[Copied]:
    """Click every copy button on the page, code and outputs alike, in page order."""
    copied = []
    blocks = page.locator(".md-typeset .highlight:has(> pre > code)")
    for index in range(blocks.count()):
        block = blocks.nth(index)
        button = block.locator(".md-code__button[data-md-type=copy]")
        if not button.count():
            continue
        block.evaluate(REVEAL)
        title = block.locator(":scope > .filename")
        shown = block.evaluate("block => block.querySelector(':scope > pre > code').textContent.replace(/\\n$/, '')")
        page.evaluate("text => navigator.clipboard.writeText(text)", NOTHING_COPIED)
        button.click()
        text = page.evaluate("navigator.clipboard.readText()")
        copied.append(Copied(title.inner_text() if title.count() else None, shown, text))
    return copied


def copy_mismatches(copied: list[Copied]) -> list[str]:
    """The blocks whose button copied other text than the block shows."""
    return [
        f"block {index} ({block.title or block.shown[:40]!r}) copied {block.copied[:40]!r}"
        for index, block in enumerate(copied, start=1)
        if block.copied != block.shown
    ]


# Open the collapsed notes (details) around the element and select, from the outermost in, the tab that
# holds it, so that it shows.
REVEAL = """element => {
  const blocks = [];
  for (let node = element; node; node = node.parentElement) {
    if (node.classList.contains('tabbed-block')) blocks.unshift(node);
    if (node.localName === 'details') node.open = true;
  }
  for (const block of blocks) {
    const index = [...block.parentElement.children].indexOf(block);
    block.closest('.tabbed-set').querySelector(':scope > .tabbed-labels').children[index].click();
  }
}"""


def hangul_breaks(page, root: str = "body", skip: str = ".md-search") -> list[str]:
    """Places where a line ends between two Hangul syllables of one word, in the visible text under root
    (outside `skip`: the search dialog, closed and zero-width on a phone, is checked with a query typed)."""
    return page.evaluate(_HANGUL_BREAKS, [root, skip])


# Each pair of adjacent syllables in a text node: a break if the second starts below where the first ends.
_HANGUL_BREAKS = """([root, skip]) => {
  const syllable = /[\\uAC00-\\uD7A3]/;
  const found = [];
  const walker = document.createTreeWalker(document.querySelector(root), NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const box = (node, offset) => {
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    return range.getClientRects()[0];
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent;
    if (!/[\\uAC00-\\uD7A3]{2}/.test(text) || !node.parentElement.checkVisibility()) continue;
    if (skip && node.parentElement.closest(skip)) continue;
    for (let i = 0; i + 1 < text.length; i++) {
      if (!syllable.test(text[i]) || !syllable.test(text[i + 1])) continue;
      const first = box(node, i), second = box(node, i + 1);
      if (first && second && first.width && second.top >= first.bottom - 1) {
        const before = text.slice(Math.max(0, i - 6), i + 1), after = text.slice(i + 1, i + 7);
        found.push(`${node.parentElement.localName}: ${before}⏎${after}`);
      }
    }
  }
  return found;
}"""


def code_column_ratio(page) -> float | None:
    """Width of four Hangul syllables over that of eight Latin letters, as a code block draws them; None for a
    page without code."""
    return page.evaluate(_COLUMN_RATIO)


_COLUMN_RATIO = """() => {
  const code = [...document.querySelectorAll('.md-typeset pre > code')].find(code => code.checkVisibility());
  if (!code) return null;
  const width = text => {
    const span = document.createElement('span');
    span.textContent = text;
    code.appendChild(span);
    const measured = span.getBoundingClientRect().width;
    span.remove();
    return measured;
  };
  return width('가나다라') / width('abcdefgh');
}"""


def figure_problems(page, dark: bool) -> list[str]:
    """Figures too small to read without a tap to open them, and palettes showing the wrong variant or none.
    Each figure is revealed first (its tab chosen, its notes opened)."""
    problems = []
    figures = page.locator(".md-typeset .exec-figure")
    for index in range(figures.count()):
        figure = figures.nth(index)
        figure.evaluate(REVEAL)
        name = f"figure {index + 1}"
        problems += [f"{name}: {problem}" for problem in figure.evaluate(_FIGURE_PROBLEMS, [dark, FIGURE_SCALE])]
        shown = figure.locator("img:visible")
        if shown.count() == 1:
            luminance = mean_luminance(shown.screenshot())
            if (luminance > 0.4) if dark else (luminance < 0.6):
                problems.append(f"{name}: mean luminance {luminance:.2f} in the {'dark' if dark else 'light'} palette")
    return problems


def mean_luminance(png: bytes) -> float:
    """From 0 (black) to 1 (white), averaged over the image's pixels."""
    grey = Image.open(io.BytesIO(png)).convert("L")
    return sum(grey.histogram()[level] * level for level in range(256)) / 255 / (grey.width * grey.height)


_FIGURE_PROBLEMS = """(figure, [dark, smallest]) => {
  const problems = [];
  const wanted = dark ? 'dark' : 'light', other = dark ? 'light' : 'dark';
  const images = Object.fromEntries(['light', 'dark'].map(v => [v, figure.querySelector(`img[src$="#only-${v}"]`)]));
  if (!images.light || !images.dark) return ['not both variants'];
  const file = img => new URL(img.getAttribute('src'), location.href).pathname;
  if (file(images.light) === file(images.dark)) problems.push('both variants are one file');
  if (!images[wanted].checkVisibility()) problems.push(`the ${wanted} variant is hidden`);
  if (images[other].checkVisibility()) problems.push(`the ${other} variant shows too`);
  const shown = images[wanted];
  const scale = shown.getBoundingClientRect().width / shown.naturalWidth;
  const link = shown.closest('a[href]');
  const opens = link && new URL(link.href).pathname === file(shown);
  if (scale < smallest && !opens) problems.push(`shown at ${scale.toFixed(2)} of its width, no tap opens it`);
  return problems;
}"""


def small_text(page) -> list[str]:
    """Visible text set smaller than 12.5 px: the element, its size and the start of its text."""
    return page.evaluate(_SMALL_TEXT, SMALLEST_TEXT_PX)


_SMALL_TEXT = """smallest => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const element = node.parentElement;
    if (!node.textContent.trim() || !element.checkVisibility({visibilityProperty: true})) continue;
    const size = parseFloat(getComputedStyle(element).fontSize);
    const text = node.textContent.trim().slice(0, 20);
    if (size < smallest) found.push(`${element.localName}.${element.className}: ${size.toFixed(1)} px ${text}`);
  }
  return [...new Set(found)];
}"""


def wrapped_table_code(page) -> list[str]:
    """Inline code in table cells that the browser broke across lines."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.md-typeset table:not([class]) td code')]
          .filter(code => code.checkVisibility() && code.getClientRects().length > 1)
          .map(code => code.textContent)"""
    )


def covered_first_lines(page) -> list[str]:
    """Code blocks whose copy button lies over the first line of their text (as it sits before any hover)."""
    return page.evaluate(_COVERED)


_COVERED = """() => {
  const found = [];
  for (const pre of document.querySelectorAll('.md-typeset pre:has(> .md-code__nav)')) {
    const code = pre.querySelector(':scope > code');
    const nav = pre.querySelector(':scope > .md-code__nav');
    if (!code || !code.checkVisibility() || !code.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(code);
    const rects = [...range.getClientRects()].filter(rect => rect.width > 0);
    if (!rects.length) continue;
    const top = Math.min(...rects.map(rect => rect.top));
    const firstLine = rects.filter(rect => rect.top < top + 2);
    const button = nav.getBoundingClientRect();
    const overlaps = rect => button.bottom > rect.top && button.top < rect.bottom
      && button.right > rect.left && button.left < rect.right;
    if (firstLine.some(overlaps)) found.push(code.textContent.trim().split('\\n')[0].slice(0, 40));
  }
  return found;
}"""
