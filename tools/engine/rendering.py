"""Show a block's printed output as text on the page, never as Markdown or HTML.

markdown-exec puts a text result in a Markdown fence, which printed text can
close (a line of backticks) and then inject live HTML after it. So the engine
writes the output block itself, escaped, in the markup the highlight extension
gives a text result, and hands it to markdown-exec as HTML (its `html` option),
which inserts it without reading it as Markdown.
"""

from html import escape


def output_html(output: str) -> str:
    """The output block under an executed source; "" for no output, so no empty box is drawn.

    A plain str, not markupsafe's Markup: markdown-exec adds it to Markdown strings,
    and "text" + Markup("") would escape the text.
    """
    if not output:
        return ""
    # quote=False: Pygments, which draws the other blocks, leaves quotes as they are.
    return f'<div class="highlight"><pre><span></span><code>{escape(output, quote=False)}\n</code></pre></div>'
