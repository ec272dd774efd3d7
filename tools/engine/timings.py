"""The computation-times table: every executed block, slowest first, linked to the block."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import escape
from mkdocs.utils import get_relative_url

from tools.engine.formatter import BlockTiming

MARKER = "<!-- computation-times -->"


def _seconds(value: float) -> str:
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def computation_times_html(timings: Iterable[BlockTiming], from_url: str) -> str:
    ordered = sorted(timings, key=lambda timing: (-timing.seconds, timing.page, timing.anchor))
    rows = "\n".join(
        f"<tr><td>{_seconds(t.seconds)}초</td>"
        f'<td><a href="{escape(get_relative_url(t.page_url, from_url))}#{t.anchor}">'
        f"{escape(t.page_title)} · 블록 {t.anchor.removeprefix('block-')}</a></td>"
        f"<td><code>{escape(t.block)}</code></td></tr>"
        for t in ordered
    )
    total = sum(t.seconds for t in ordered)
    return (
        # Material styles only tables without a class, wrapped as it wraps Markdown tables.
        '<div class="md-typeset__scrollwrap"><div class="md-typeset__table"><table>\n'
        "<thead><tr><th>실행 시간</th><th>블록</th><th>코드</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody>\n"
        f"<tfoot><tr><td>{_seconds(total)}초</td><td>모두 {len(ordered)}개 블록</td><td></td></tr></tfoot>\n"
        "</table></div></div>"
    )
