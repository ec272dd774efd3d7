"""Run Python code blocks as the snippet files they came from, for markdown-exec.

Registered as markdown-exec's "python" formatter (its public `formatters` map);
markdown-exec's `base_format` still renders the source and the result. Outputs
are cached by everything that can change them (cache_key.py), so a block
whose inputs did not change is rendered from .cache/ without running. The figures a
block draws are shown under its output (rendering.figures_html); the hooks write their
files into the site (figure_files).
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.metadata
import logging
import os
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any, ClassVar

from markdown_exec import ExecutionError, base_format, code_block
from markupsafe import Markup, escape

from tools.engine.cache import CachedRun, ExecCache
from tools.engine.cache_key import block_key, data_fingerprint, environment_fingerprint, package_of
from tools.engine.rendering import figure_path, figures_html, output_html
from tools.engine.sources import SnippetPiece, locate
from tools.engine.terminal import COLUMNS, render_terminal
from tools.engine.worker import Block, CapturedFigure, Failure, Result, context, serve

log = logging.getLogger("mkdocs.plugins.snippet-exec")
TIMEOUT_ENV = "GUIDE_EXEC_TIMEOUT"  # seconds a block may run before it is stopped (a fence's timeout= wins)
DEFAULT_TIMEOUT = 300.0
WORKERS = context()


def definition_lines(lines: tuple[str, ...], names: list[str]) -> list[int]:
    """1-based numbers of the lines that define (`def name(`) each of `names`."""
    found = {name: n for n, line in enumerate(lines, start=1) for name in names if f"def {name}(" in line}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"hl_defs names no definition in the block: {', '.join(missing)}")
    return sorted(found.values())


def run_time_label(run: CachedRun) -> str:
    seconds = f"{run.seconds:.2f}" if run.seconds < 1 else f"{run.seconds:.1f}"
    return f"실행 {seconds}초 · {run.device} · torch {run.torch_version}"


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
class RunOptions:
    """Fence options for running a block. width and workdir change what it prints, so they are part of the
    cache key; the others (title, hl_defs, source, ...) only change how the page shows it."""

    width: int = COLUMNS  # the terminal's columns
    workdir: str | None = None  # run in this folder, relative to the project root
    timeout: float = DEFAULT_TIMEOUT  # seconds before the block's worker is ended

    @classmethod
    def of(cls, options: dict[str, Any]) -> RunOptions:
        # markdown-exec passes fence attributes it does not know, such as timeout, in "extra".
        timeout = options.get("extra", {}).get("timeout") or os.environ.get(TIMEOUT_ENV) or DEFAULT_TIMEOUT
        return cls(int(options.get("width") or COLUMNS), options.get("workdir") or None, float(timeout))

    def keyed(self) -> dict[str, Any]:
        keyed = {"width": self.width, "workdir": self.workdir}
        return {name: value for name, value in keyed.items() if value != getattr(RunOptions, name)}


@dataclass
class Session:
    last_key: str = ""
    worker: Worker | None = None  # started when a block of the session must run
    # Blocks rendered from the cache, not run in this session's worker: a later block
    # that must run needs their definitions, so they run first, quietly.
    pending: list[tuple[SnippetPiece, RunOptions]] = field(default_factory=list)


class Worker:
    """A session's process (tools/engine/worker.py) and the end of the pipe that talks to it."""

    live: ClassVar[set[Worker]] = set()  # ended at exit, if a build could not end them itself

    def __init__(self) -> None:
        self.connection, theirs = WORKERS.Pipe()
        # Not a daemon: a block may start processes of its own (a daemon process may not).
        self.process = WORKERS.Process(target=serve, args=(theirs,))
        self.process.start()
        theirs.close()
        Worker.live.add(self)

    def run(self, block: Block, timeout: float) -> Result | None:
        """The block's result, or None if it ran past `timeout` (the worker is then ended)."""
        self.connection.send(block)
        if not self.connection.poll(timeout):
            self.stop(kill=True)
            return None
        try:
            return self.connection.recv()
        except (EOFError, OSError):  # the worker died (os._exit in the block, a crash): its exit code says how
            self.process.join()
            died = Failure("WorkerExit", f"the process ended with code {self.process.exitcode}", [], "")
            return Result("", died, "CPU")

    def stop(self, kill: bool = False) -> None:
        if not kill and self.process.is_alive():
            with contextlib.suppress(OSError):
                self.connection.send(None)
            self.process.join(5)
        # The worker leads its own process group: this ends it if it still runs, and whatever
        # its blocks started and left running (a background process) even if it has exited.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.join()
        self.connection.close()
        Worker.live.discard(self)


@atexit.register
def _stop_live_workers() -> None:
    for worker in list(Worker.live):
        worker.stop(kill=True)


class SnippetRunner:
    """Executes blocks in named sessions that live for one build."""

    def __init__(self, root: Path, cache: ExecCache, *, refresh: bool = False, execute: bool = True) -> None:
        self.root = root
        self.cache = cache
        self.refresh = refresh  # run every block, ignoring (but refilling) the cache
        self.execute = execute  # False only to benchmark the site without any execution
        self.sessions: dict[str, Session] = {}
        self.page = ("", "", "")  # (source path, title, url) of the page being rendered
        self.piece: SnippetPiece | None = None  # the block being formatted, for error messages
        self.blocks_on_page = 0
        self.formatted_on_page = 0  # blocks markdown-exec handed to format_python, whatever became of them
        self.timings: list[BlockTiming] = []
        self.figure_files: dict[str, str] = {}  # path in the site -> SVG, for every figure shown this build
        self.ran = self.from_cache = 0

    def start_build(self) -> None:
        self.sessions.clear()
        self.timings.clear()
        self.figure_files.clear()
        self.ran = self.from_cache = 0
        self.environment = environment_fingerprint(self.root)
        self.data = data_fingerprint(self.root)

    def start_page(self, source_path: str, title: str, url: str) -> None:
        self.page = (source_path, title, url)
        self.blocks_on_page = self.formatted_on_page = 0

    def format_python(self, **kwargs: Any) -> str:
        """markdown-exec's formatter. Any failure, the engine's own included, is logged with where it
        happened (so `--strict` fails the build) and shown on the page: none reaches markdown-exec,
        which would render the fence as plain text and let the build pass."""
        self.piece = None
        self.formatted_on_page += 1
        try:
            return self._format(**kwargs)
        except Exception as error:
            where = self._where(error)
            log.error("%s: %s: %s", where, type(error).__name__, error)
            return code_block("text", f"{where}: {type(error).__name__}: {error}")

    def _where(self, error: Exception) -> str:
        if isinstance(error, SyntaxError) and error.filename and Path(error.filename).is_relative_to(self.root):
            return f"{Path(error.filename).relative_to(self.root)}:{error.lineno}"
        page = f"docs/{self.page[0]}"
        return f"{self.piece.label} (in {page})" if self.piece else page

    def _format(self, **kwargs: Any) -> str:
        piece = self.piece = locate(kwargs["code"], self.root)
        if piece is None:
            log.error("a Python code block is not an include of a file or section under snippets/:\n%s", kwargs["code"])
            return code_block("text", "이 코드 블록은 snippets/ 파일에서 가져온 것이 아니에요.")
        extra = kwargs.setdefault("extra", {})
        extra.setdefault("title", str(piece.path))
        if "hl_defs" in extra:
            extra["hl_lines"] = " ".join(map(str, definition_lines(piece.lines, extra.pop("hl_defs").split())))
        if not self.execute:
            return base_format(language="python", run=lambda code, **_: "", **{**kwargs, "result": ""})
        self._compiled(piece)  # a syntax error fails here, before the cache key parses the code
        self.blocks_on_page += 1
        anchor = f"block-{self.blocks_on_page}"
        try:
            run = self._output_of(piece, kwargs)
        except ExecutionError as error:
            return base_format(language="python", run=_raising(error), **kwargs)
        self.timings.append(BlockTiming(*self.page, anchor, piece.label, run.seconds))
        if not run.output:
            kwargs["result"] = ""  # no empty output box under code that prints nothing
        # The output goes in as escaped HTML (html=True), never as Markdown that printed text could break out of.
        html_options = {**kwargs, "html": bool(run.output)}
        rendered = base_format(language="python", run=lambda code, **_: output_html(run.output), **html_options)
        label = f'<p class="exec-time">{escape(run_time_label(run))}</p>'
        figures = "".join(f"{html}\n" for html in [figures_html(run.figures, self.page[2])] if html)
        self.figure_files.update((figure_path(figure.svg), figure.svg) for figure in run.figures)
        return Markup(f'<div class="exec-block" id="{anchor}">\n{rendered}\n{figures}{label}\n</div>')

    def _output_of(self, piece: SnippetPiece, options: dict[str, Any]) -> CachedRun:
        name = options.get("session")
        session = self.sessions.setdefault(name, Session()) if name else Session()
        running = RunOptions.of(options)
        code = "\n".join(piece.lines)
        package = package_of(self.root / piece.path, self.root)
        key = block_key(session.last_key, code, running.keyed(), self.root, self.environment, self.data, package)
        session.last_key = key
        cached = None if self.refresh else self.cache.get(key)
        if cached is not None:
            self.from_cache += 1
            session.pending.append((piece, running))
            return cached
        try:
            for earlier, earlier_options in session.pending:
                self.run(earlier, session, earlier_options, figures=False)
            session.pending.clear()
            start = time.perf_counter()
            output, device, figures = self.run(piece, session, running)
        finally:
            if not name:
                self._stop(session)
        run = CachedRun(output, time.perf_counter() - start, device, importlib.metadata.version("torch"), figures)
        self.cache.put(key, run)
        self.ran += 1
        return run

    def run(
        self, piece: SnippetPiece, session: Session, options: RunOptions, figures: bool = True
    ) -> tuple[str, str, tuple[CapturedFigure, ...]]:
        """(what the block left on the terminal, the device it used, the figures it drew), run in the
        session's worker. figures=False: a block re-run unshown, whose figures are closed undrawn."""
        workdir = str(self.root / options.workdir) if options.workdir else None
        block = Block(str(self.root / piece.path), piece.positioned_source(), options.width, workdir, figures)
        session.worker = session.worker or Worker()
        result = session.worker.run(block, options.timeout)
        if result is None:
            session.worker = None
            location = f"{piece.path}:{piece.line_numbers[0] if piece.line_numbers else 1}"
            log.error(
                "%s: the block ran past its timeout of %g s and was stopped (block from %s)",
                location,
                options.timeout,
                piece.label,
            )
            raise ExecutionError(code_block("text", f"{location}: 실행 시간 {options.timeout:g}초를 넘겨 멈췄어요."))
        if result.failure is not None:
            if result.failure.kind == "WorkerExit":
                self._stop(session)
            self._report(piece, result.failure)
        return render_terminal(result.output, options.width), result.device, result.figures

    def finish_build(self) -> None:
        """Every session's worker ends with the build."""
        for session in self.sessions.values():
            self._stop(session)

    def _stop(self, session: Session) -> None:
        if session.worker is not None:
            session.worker.stop()
            session.worker = None

    def _compiled(self, piece: SnippetPiece) -> CodeType:
        """The block as `python` compiles its file: at the file's line numbers, without this module's
        __future__ imports (dont_inherit). A SyntaxError names the file and line."""
        return compile(piece.positioned_source(), str(self.root / piece.path), "exec", dont_inherit=True)

    def _report(self, piece: SnippetPiece, failure: Failure) -> None:
        snippets = self.root / "snippets"
        own = [(name, line) for name, line in failure.frames if Path(name).is_relative_to(snippets)]
        if own:
            location = f"{Path(own[-1][0]).relative_to(self.root)}:{own[-1][1]}"
        elif failure.frames:
            location = f"{failure.frames[-1][0]}:{failure.frames[-1][1]}"
        else:
            location = str(piece.path)
        log.error("%s: %s: %s (block from %s)", location, failure.kind, failure.message, piece.label)
        raise ExecutionError(code_block("python", failure.trace or f"{failure.kind}: {failure.message}"))
