"""Publish the notebooks and the snippet files with the site, and link them: a page's own notebook under its
title, the step notebooks and the snippet files at the top of each framework tab."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Collection
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File

from tools.engine.fences import INCLUDE
from tools.engine.notebook_markdown import heading_text
from tools.engine.pages import (
    FRAMEWORKS,
    NOTEBOOK_PAGES,
    TAB,
    WITHOUT_NOTEBOOK,
    has_page_notebook,
    indented_block_end,
)

COLAB = "https://colab.research.google.com/github"  # + /<owner>/<repo>/blob/<branch>/<path>
GITHUB_REPO = re.compile(r"https://github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?")


def published_files(config: MkDocsConfig, root: Path, included: set[str]) -> list[File]:
    """notebooks/**/*.ipynb and the snippet files the pages include, copied into the site as they are."""
    paths = sorted(root.glob("notebooks/**/*.ipynb")) + [root / path for path in sorted(included)]
    return [File.generated(config, path.relative_to(root).as_posix(), abs_src_path=str(path)) for path in paths]


def colab_url(repo_url: str | None, notebook: str) -> str | None:
    """Colab opens a notebook straight from a GitHub repository, so only a GitHub repo_url gives a link."""
    repo = GITHUB_REPO.fullmatch(repo_url or "")
    if repo is None:
        return None
    return f"{COLAB}/{repo['owner']}/{repo['repo']}/blob/main/notebooks/{notebook}.ipynb"


def _relative(page: str, target: str) -> str:
    """From the page's own folder, so the link validates and survives a sub-path."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def notebook_links(page: str, notebook: str, repo_url: str | None) -> list[str]:
    links = [f"[노트북 받기]({_relative(page, f'notebooks/{notebook}.ipynb')}){{ download }}"]
    if colab := colab_url(repo_url, notebook):
        links.append(f"[Colab에서 열기]({colab})")
    return links


def links_line(page: str, notebook: str, snippet_files: list[str], repo_url: str | None) -> str:
    links = notebook_links(page, notebook, repo_url) if page in NOTEBOOK_PAGES else []
    if snippet_files:
        files = (f"[`{path}`]({_relative(page, path)}){{ download }}" for path in snippet_files)
        links.append("코드 받기: " + ", ".join(files))
    return " · ".join(links)


def with_download_links(markdown: str, page: str, repo_url: str | None, published: Collection[str] = ()) -> str:
    """Under the title of a page with a notebook of its own, links to it (or why a page has none). Each PyTorch or
    Lightning tab starts with links to the files its blocks include, and on the pages the step notebooks hold, to
    that framework's notebook.

    `published`: the notebooks the site carries (notebooks/...). A page's own notebook is linked only if it is
    there (a test's throwaway page has none); tests/test_notebooks.py checks that every page's notebook is.
    """
    if has_page_notebook(page, markdown) and f"notebooks/{page.removesuffix('.md')}.ipynb" in published:
        under_title = " · ".join(notebook_links(page, page.removesuffix(".md"), repo_url))
    else:
        under_title = WITHOUT_NOTEBOOK.get(page)
    lines = markdown.split("\n")
    result = []
    for number, line in enumerate(lines):
        result.append(line)
        if under_title and line.startswith("# ") and heading_text(line):
            result += ["", under_title]
            under_title = None
        tab = TAB.match(line)
        if tab is None or tab["label"] not in FRAMEWORKS:
            continue
        indent = len(tab["indent"])
        block = lines[number + 1 : indented_block_end(lines, number + 1, indent)]
        included = [match["path"] for match in map(INCLUDE.match, block) if match]
        if links := links_line(page, FRAMEWORKS[tab["label"]], list(dict.fromkeys(included)), repo_url):
            result += ["", " " * (indent + 4) + links]
    return "\n".join(result)
