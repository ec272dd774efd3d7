"""Page Markdown as Jupyter reads it: admonitions as quotes, links that work inside the notebook.

A link to a page the notebook holds becomes a link to that page's heading in the
notebook (Jupyter's heading anchors: the heading's text, spaces replaced by "-");
a link to anything else keeps only its text, since the notebook travels without
the site.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import unquote

from pymdownx.slugs import slugify

ADMONITION = re.compile(r'^(?:!!!|\?\?\?\+?) +(?P<kind>[\w-]+)(?: +[\w-]+)*(?: +"(?P<title>[^"]*)")? *$')
HEADING = re.compile(r"^#{1,6} +(?P<text>.+?)(?: +#+)? *$")
# A code span is matched first, so that a link written inside one stays as it is.
CODE_OR_LINK = re.compile(r"(?P<code>(`+).+?\2)|(?<!!)\[(?P<text>[^\]]+)\]\((?P<target>[^)\s]+)\)")
URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
MKDOCS_SLUG = slugify(case="lower")  # as mkdocs.yml configures the toc extension


def admonition_head(title: str | None, kind: str) -> list[str]:
    """The lines that open the blockquote an admonition becomes: its title in bold (the type's if untitled)."""
    title = kind.capitalize() if title is None else title
    return [f"> **{title}**", ">"] if title else []


def plain_text(inline: str) -> str:
    """Inline Markdown as it reads: code spans, links and emphasis reduced to their text."""
    text = CODE_OR_LINK.sub(lambda m: m["code"].strip("`") if m["code"] else m["text"], inline)
    return re.sub(r"\*\*|__", "", text)


def jupyter_anchor(heading: str) -> str:
    return plain_text(heading).replace(" ", "-")


def page_anchors(page_headings: list[str]) -> dict[str | None, str]:
    """{the site's anchor of each heading: the notebook's}, and None: the page title's notebook anchor."""
    anchors: dict[str | None, str] = {None: jupyter_anchor(page_headings[0])}
    for heading in page_headings:
        anchors.setdefault(MKDOCS_SLUG(plain_text(heading), "-"), jupyter_anchor(heading))
    return anchors


def heading_text(line: str) -> str | None:
    match = HEADING.match(line)
    return match["text"] if match else None


def rewrite_links(line: str, page: str, anchors: dict[str, dict[str | None, str]]) -> str:
    """Links for a notebook built from the pages in `anchors` ({page: page_anchors(...)})."""

    def rewrite(match: re.Match[str]) -> str:
        if match["code"] or URL_SCHEME.match(match["target"]):
            return match[0]
        path, _, fragment = match["target"].partition("#")
        target_page = posixpath.normpath(posixpath.join(posixpath.dirname(page), path)) if path else page
        if target_page not in anchors:
            return match["text"]
        targets = anchors[target_page]
        return f"[{match['text']}](#{targets.get(unquote(fragment), targets[None])})"

    return CODE_OR_LINK.sub(rewrite, line)
