"""markdown-exec's Python formatter: each block's source, and what it printed and drew in its session's run.

Registered through markdown-exec's public `formatters` map; its `base_format` renders the source and
the result. Nothing runs here: the hooks planned every session before any page renders
(tools/engine/plan.py) and the runner ran them or found them in the cache (runner.py); the fences
carry their number on the page (fences.with_block_numbers), so each block is found by that number,
never by searching for its text. The figures a block drew go under its output (rendering.figures_html);
the hooks write their files into the site (figure_files).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown_exec import ExecutionError, base_format, code_block
from markupsafe import Markup, escape

from tools.engine.fences import NOTEBOOK_OPTION
from tools.engine.plan import ExecutedBlock, Session
from tools.engine.rendering import figure_path, figures_html, output_html
from tools.engine.runner import BlockOutcome, SessionOutcome, SessionRunner
from tools.engine.sources import same_code

log = logging.getLogger("mkdocs.plugins.snippet-exec")
BLOCK_ATTRIBUTE = "guide_block"  # the number the hooks give each executed fence of a page


def definition_lines(lines: tuple[str, ...], names: list[str]) -> list[int]:
    """1-based numbers of the lines that define (`def name(`) each of `names`."""
    found = {name: n for n, line in enumerate(lines, start=1) for name in names if f"def {name}(" in line}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"hl_defs names no definition in the block: {', '.join(missing)}")
    return sorted(found.values())


def run_time_label(block: BlockOutcome, session: SessionOutcome) -> str:
    seconds = f"{block.seconds:.2f}" if block.seconds < 1 else f"{block.seconds:.1f}"
    return f"실행 {seconds}초 · {session.device} · torch {session.torch_version}"


def _raising(error: ExecutionError):
    def run(code: str, **options: Any) -> str:
        raise error  # base_format logs it and renders the traceback into the page

    return run


@dataclass(frozen=True)
class BlockTiming:
    page: str  # source path, e.g. steps/run.md
    page_title: str
    page_url: str
    anchor: str
    block: str  # snippet file[:section]
    seconds: float


@dataclass(frozen=True)
class Placed:
    """An executed block and where its output is: its session, and its place in it."""

    block: ExecutedBlock
    session: Session
    index: int


class BlockFormatter:
    def __init__(self, root: Path, runner: SessionRunner | None) -> None:
        self.root = root
        self.runner = runner  # None: execution is off, sources only
        self.placed: dict[tuple[str, int], Placed] = {}
        self.page = ("", "", "")  # (source path, title, url) of the page being rendered
        self.formatted: set[int] = set()  # numbers of the page's blocks markdown-exec handed over
        self.timings: list[BlockTiming] = []
        self.figure_files: dict[str, str] = {}  # path in the site -> SVG, for every figure shown this build
        self.ran = self.cached = self.failed = 0  # blocks

    def start_build(self, sessions: list[Session]) -> None:
        self.placed = {
            (block.page, block.number): Placed(block, session, index)
            for session in sessions
            for index, block in enumerate(session.blocks)
        }
        self.timings.clear()
        self.figure_files.clear()
        self.ran = self.cached = self.failed = 0

    def start_page(self, source_path: str, title: str, url: str) -> None:
        self.page = (source_path, title, url)
        self.formatted = set()

    def missing_on_page(self) -> list[ExecutedBlock]:
        """The page's executed blocks that markdown-exec never handed to the formatter."""
        return [
            placed.block
            for (page, number), placed in sorted(self.placed.items())
            if page == self.page[0] and number not in self.formatted
        ]

    def format_python(self, **kwargs: Any) -> str:
        """Any failure, the engine's own included, is logged with where it happened (so `--strict` fails
        the build) and shown on the page: none reaches markdown-exec, which would render the fence as plain
        text and let the build pass."""
        where = f"docs/{self.page[0]}"
        try:
            placed = self._placed(kwargs)
            where = f"{placed.block.piece.label} (in {placed.block.where})"
            return self._format(placed, **kwargs)
        except Exception as error:
            log.error("%s: %s: %s", where, type(error).__name__, error)
            return code_block("text", f"{where}: {type(error).__name__}: {error}")

    def _placed(self, options: dict[str, Any]) -> Placed:
        number = options.get("extra", {}).pop(BLOCK_ATTRIBUTE, None)
        placed = self.placed.get((self.page[0], int(number))) if number else None
        if placed is None:
            raise LookupError("markdown-exec ran a Python block that the engine did not find among the page's fences")
        if not same_code(options["code"], placed.block.piece):
            raise LookupError(f"the block's code is not {placed.block.piece.label} as the page includes it")
        self.formatted.add(placed.block.number)
        return placed

    def _format(self, placed: Placed, **kwargs: Any) -> str:
        block = placed.block
        extra = kwargs.setdefault("extra", {})
        extra.setdefault("title", str(block.piece.path))
        # Left on the shown fence, an option Pygments' fence does not know makes it print the code as paragraphs.
        extra.pop(NOTEBOOK_OPTION, None)
        if "hl_defs" in extra:
            extra["hl_lines"] = " ".join(map(str, definition_lines(block.piece.lines, extra.pop("hl_defs").split())))
        if self.runner is None:
            return base_format(language="python", run=lambda code, **_: "", **{**kwargs, "result": ""})
        session = self.runner.outcome(placed.session.name)
        outcome = session.blocks[placed.index]
        if outcome.not_run or outcome.failure:
            self.failed += 1
            return base_format(language="python", run=_raising(self._failed(placed, outcome)), **kwargs)
        if session.ran:
            self.ran += 1
        else:
            self.cached += 1
        anchor = f"block-{block.number}"
        self.timings.append(BlockTiming(*self.page, anchor, block.piece.label, outcome.seconds))
        if not outcome.output:
            kwargs["result"] = ""  # no empty output box under code that prints nothing
        # The output goes in as escaped HTML (html=True), never as Markdown that printed text could break out of.
        html_options = {**kwargs, "html": bool(outcome.output)}
        rendered = base_format(language="python", run=lambda code, **_: output_html(outcome.output), **html_options)
        label = f'<p class="exec-time">{escape(run_time_label(outcome, session))}</p>'
        figures = "".join(f"{html}\n" for html in [figures_html(outcome.figures, self.page[2])] if html)
        self.figure_files.update(
            (figure_path(svg), svg) for figure in outcome.figures for svg in (figure.svg, figure.dark_svg)
        )
        # The anchor is an empty element, not the wrapper's id: Material names each code block's <pre> after its
        # nearest ancestor with an id, and the code and its output would share one name (and one copy text).
        anchor_html = f'<span class="exec-anchor" id="{anchor}"></span>'
        return Markup(f'<div class="exec-block">{anchor_html}\n{rendered}\n{figures}{label}\n</div>')

    def _failed(self, placed: Placed, outcome: BlockOutcome) -> ExecutionError:
        """Log the failure with where it happened; the error the page shows instead of an output."""
        block = placed.block
        if outcome.not_run:
            log.error(
                "%s: not run: an earlier block of session %r failed at %s (block from %s)",
                block.where,
                placed.session.name,
                outcome.not_run,
                block.piece.label,
            )
            return ExecutionError(
                code_block("text", f"앞 블록이 실패해서 이 블록은 실행하지 않았어요: {outcome.not_run}")
            )
        failure = outcome.failure
        location = self.runner.location(failure, block)
        log.error("%s: %s: %s (block from %s)", location, failure.kind, failure.message, block.piece.label)
        shown = "\n\n".join(
            part for part in (outcome.output, failure.trace or f"{failure.kind}: {failure.message}") if part
        )
        if failure.kind == "Timeout":
            stopped = f"{location}: 실행 시간 {block.options.timeout:g}초를 넘겨 멈췄어요."
            shown = f"{stopped} 그때까지의 출력과 멈춘 곳이에요:\n\n{shown}"
        # A traceback reads best highlighted as Python; a stack dump (a timeout, a crash) is plain text.
        return ExecutionError(code_block("text" if failure.kind in ("Timeout", "WorkerExit") else "python", shown))
