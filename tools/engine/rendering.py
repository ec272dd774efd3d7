"""Show a block's printed output as text on the page, never as Markdown or HTML.

markdown-exec puts a text result in a Markdown fence, which printed text can
close (a line of backticks) and then inject live HTML after it. So the engine
writes the output block itself, escaped, in the markup the highlight extension
gives a text result, and hands it to markdown-exec as HTML (its `html` option),
which inserts it without reading it as Markdown. The figures a block drew go under its output
as images of SVG files the build writes into the site (figures_html).
"""

import hashlib
import re
from collections.abc import Iterable
from html import escape

from mkdocs.utils import get_relative_url

from tools.engine.worker import CapturedFigure


def output_html(output: str) -> str:
    """The output block under an executed source; "" for no output, so no empty box is drawn.

    A plain str, not markupsafe's Markup: markdown-exec adds it to Markdown strings,
    and "text" + Markup("") would escape the text.
    """
    if not output:
        return ""
    # quote=False: Pygments, which draws the other blocks, leaves quotes as they are.
    return f'<div class="highlight"><pre><span></span><code>{escape(output, quote=False)}\n</code></pre></div>'


FIGURES_DIR = "figures"  # in the site: one file per figure, named by its content
_SVG_SIZE = re.compile(r'<svg\b[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"')


def figure_path(svg: str) -> str:
    """Where a figure is written in the site, relative to the site's root: named by its bytes."""
    return f"{FIGURES_DIR}/{hashlib.sha256(svg.encode('utf-8')).hexdigest()}.svg"


def figures_html(figures: Iterable[CapturedFigure], page_url: str) -> str:
    """The figures under a block's output; "" for none.

    Each figure is two images, as Material shows a light and a dark image (`#only-light`, `#only-dark`): the
    palette's CSS hides the other. Each is a link to its own file (relative to the page, so the site works
    under any sub-path), which a phone opens full size on a tap, and is described by the figure's suptitle.
    Lazy: a browser fetches neither the variant the palette hides nor a figure far below what is on screen.
    """
    html = []
    for figure in figures:
        images = "".join(
            _linked_image(svg, figure.alt, variant, page_url)
            for svg, variant in ((figure.svg, "light"), (figure.dark_svg, "dark"))
        )
        html.append(f'<p class="exec-figure">{images}</p>')
    return "\n".join(html)


def _linked_image(svg: str, alt: str, variant: str, page_url: str) -> str:
    src = escape(get_relative_url(figure_path(svg), page_url))
    size = ""
    if found := _SVG_SIZE.search(svg):  # in CSS pixels: the page keeps its place while it loads
        width, height = (round(float(points) * 4 / 3) for points in found.groups())
        size = f' width="{width}" height="{height}"'
    return (
        f'<a class="exec-figure__{variant}" href="{src}">'
        f'<img src="{src}#only-{variant}" alt="{escape(alt)}"{size} loading="lazy"></a>'
    )
