"""tools/engine/rendering.py: printed output is shown as text, never read as Markdown or HTML."""

from __future__ import annotations

import html
import re
from pathlib import Path

import markdown
import pytest
from markdown_exec import base_format

from tests.site_html import outputs
from tests.test_build_failures import build, make_project
from tools.engine.rendering import output_html

INJECTION = "before\n" + "`" * 8 + "\n<b id=injected>x</b>\nafter"

TRICKY_OUTPUTS = [
    INJECTION,
    "`" * 9 + "\n<b id=injected>x</b>\n" + "`" * 9,
    "<script>alert(1)</script>",
    "&amp; &lt; & < > \" '",
    "**bold** _em_ [link](x) <https://example.com>\n# heading\n- item\n| a | b |",
    '--8<-- "snippets/secret.py"\n    indented\n\n\nthree blank lines above',
]


def code_text(page_html: str) -> str:
    """The text of the one <code> element in `page_html`, as a browser shows it."""
    match = re.search(r"<code>(.*?)</code>", page_html, re.S)
    assert match is not None
    assert "<" not in match[1]  # no element inside: nothing printed became a tag
    return html.unescape(match[1])


@pytest.mark.parametrize("output", TRICKY_OUTPUTS)
def test_output_is_escaped_text(output):
    block = output_html(output)
    assert block.startswith('<div class="highlight"><pre><span></span><code>')
    assert block.endswith("\n</code></pre></div>")
    assert code_text(block) == output + "\n"


def test_no_output_draws_no_block():
    assert output_html("") == ""
    assert type(output_html("")) is str  # "text" + markupsafe's Markup("") would escape the text


def test_quotes_are_left_as_pygments_leaves_them():
    assert output_html('it\'s "quoted"') == (
        '<div class="highlight"><pre><span></span><code>it\'s "quoted"\n</code></pre></div>'
    )


def markdown_exec_render(output: str, **options) -> str:
    md = markdown.Markdown(extensions=["pymdownx.superfences", "pymdownx.highlight"])
    options = {"html": bool(output), "code": "x = 1", **options}
    return base_format(language="python", run=lambda code, **_: output_html(output), md=md, **options)


@pytest.mark.parametrize("output", TRICKY_OUTPUTS)
def test_markdown_exec_inserts_the_block_untouched(output):
    """As formatter.py hands it over: the html option makes markdown-exec skip Markdown for the output."""
    rendered = markdown_exec_render(output, source="above", result="text")
    assert output_html(output) in rendered
    assert "<b" not in rendered.replace(output_html(output), "")


def test_markdown_exec_without_output_keeps_the_source_as_code():
    rendered = markdown_exec_render("", source="above", result="", extra={"title": "a.py"})
    assert "&#34;" not in rendered and "&quot;" not in rendered  # the source fence was not escaped as text
    assert "x = 1" in rendered


INJECTING_PAGE = """\
# 출력

```python exec="on" source="above" result="text" session="inject"
--8<-- "snippets/inject/show.py"
```
"""


def test_a_built_page_shows_printed_html_as_text(tmp_path):
    root = make_project(tmp_path, INJECTING_PAGE)
    snippet = root / "snippets" / "inject" / "show.py"
    snippet.parent.mkdir()
    (snippet.parent / "__init__.py").write_text("")
    snippet.write_text(f"print({INJECTION!r})\nprint('**bold** & <script>alert(1)</script>')\n", encoding="utf-8")
    result = build(root, GUIDE_EXEC_CACHE=str(tmp_path / "cache"))
    assert result.returncode == 0, result.stdout + result.stderr
    page = root / "site" / "index.html"
    source = page.read_text(encoding="utf-8")
    assert 'id="injected"' not in source and "id=injected>" not in source
    assert "<script>alert" not in source
    assert "&lt;b id=injected&gt;x&lt;/b&gt;" in source
    assert outputs(Path(page)) == [INJECTION + "\n**bold** & <script>alert(1)</script>"]
