"""Run Python code blocks as the snippet files they came from, for markdown-exec.

Registered as markdown-exec's "python" formatter (its public `formatters` map);
markdown-exec's `base_format` still renders the source and the result. Outputs
are cached by everything that can change them (cache_key.py), so a block
whose inputs did not change is rendered from .cache/ without running.
"""

from __future__ import annotations

import importlib.metadata
import logging
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from markdown_exec import ExecutionError, base_format, code_block
from markupsafe import Markup, escape

from tools.engine.cache import CachedRun, ExecCache
from tools.engine.cache_key import block_key, data_fingerprint, environment_fingerprint
from tools.engine.capture import captured_output
from tools.engine.sources import SnippetPiece, locate
from tools.engine.terminal import COLUMNS, render_terminal

log = logging.getLogger("mkdocs.plugins.snippet-exec")


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


def _device() -> str:
    torch = sys.modules.get("torch")  # a block that never imported torch ran on the CPU
    if torch is not None and torch.cuda.is_available():
        return f"GPU ({torch.cuda.get_device_name(0)})"
    return "CPU"


@dataclass(frozen=True)
class BlockTiming:
    page: str  # source path, e.g. steps/run.md
    page_title: str
    page_url: str
    anchor: str
    block: str  # snippet file[:section]
    seconds: float


@dataclass
class Session:
    namespace: dict[str, Any] = field(default_factory=dict)
    last_key: str = ""
    # Blocks rendered from the cache, not run in this namespace yet: a later block
    # that must run needs their definitions, so they run first, quietly.
    pending: list[SnippetPiece] = field(default_factory=list)


class SnippetRunner:
    """Executes blocks in named sessions that live for one build."""

    def __init__(self, root: Path, cache: ExecCache, *, refresh: bool = False, execute: bool = True) -> None:
        self.root = root
        self.cache = cache
        self.refresh = refresh  # run every block, ignoring (but refilling) the cache
        self.execute = execute  # False only to benchmark the site without any execution
        self.sessions: dict[str, Session] = {}
        self.page = ("", "", "")  # (source path, title, url) of the page being rendered
        self.blocks_on_page = 0
        self.timings: list[BlockTiming] = []
        self.ran = self.from_cache = 0

    def start_build(self) -> None:
        self.sessions.clear()
        self.timings.clear()
        self.ran = self.from_cache = 0
        self.environment = environment_fingerprint(self.root)
        self.data = data_fingerprint(self.root)
        # Snippets import each other; a rebuild must see edited files, not cached modules.
        for name in [name for name in sys.modules if name == "snippets" or name.startswith("snippets.")]:
            del sys.modules[name]

    def start_page(self, source_path: str, title: str, url: str) -> None:
        self.page = (source_path, title, url)
        self.blocks_on_page = 0

    def format_python(self, **kwargs: Any) -> str:
        piece = locate(kwargs["code"], self.root)
        if piece is None:
            log.error("a Python code block is not an include of a file or section under snippets/:\n%s", kwargs["code"])
            return code_block("text", "이 코드 블록은 snippets/ 파일에서 가져온 것이 아니에요.")
        extra = kwargs.setdefault("extra", {})
        extra.setdefault("title", str(piece.path))
        if "hl_defs" in extra:
            extra["hl_lines"] = " ".join(map(str, definition_lines(piece.lines, extra.pop("hl_defs").split())))
        if not self.execute:
            return base_format(language="python", run=lambda code, **_: "", **{**kwargs, "result": ""})
        self.blocks_on_page += 1
        anchor = f"block-{self.blocks_on_page}"
        try:
            run = self._output_of(piece, kwargs)
        except ExecutionError as error:
            return base_format(language="python", run=_raising(error), **kwargs)
        self.timings.append(BlockTiming(*self.page, anchor, piece.label, run.seconds))
        if not run.output:
            kwargs["result"] = ""  # no empty output box under code that prints nothing
        rendered = base_format(language="python", run=lambda code, **_: run.output, **kwargs)
        label = f'<p class="exec-time">{escape(run_time_label(run))}</p>'
        return Markup(f'<div class="exec-block" id="{anchor}">\n{rendered}\n{label}\n</div>')

    def _output_of(self, piece: SnippetPiece, options: dict[str, Any]) -> CachedRun:
        name = options.get("session")
        session = self.sessions.setdefault(name, Session()) if name else Session()
        key_options = {k: v for k, v in options.items() if k not in ("code", "md")}
        key = block_key(session.last_key, "\n".join(piece.lines), key_options, self.root, self.environment, self.data)
        session.last_key = key
        cached = None if self.refresh else self.cache.get(key)
        if cached is not None:
            self.from_cache += 1
            session.pending.append(piece)
            return cached
        for earlier in session.pending:
            self.run(earlier, name, session.namespace)
        session.pending.clear()
        start = time.perf_counter()
        output = self.run(piece, name, session.namespace)
        run = CachedRun(output, time.perf_counter() - start, _device(), importlib.metadata.version("torch"))
        self.cache.put(key, run)
        self.ran += 1
        return run

    def run(self, piece: SnippetPiece, session: str | None, namespace: dict[str, Any]) -> str:
        # Not "__main__": the files' `if __name__ == "__main__":` parts are included by section instead.
        module_name = f"snippet_session_{session or 'none'}".replace("-", "_")
        sys.modules.setdefault(module_name, ModuleType(module_name))
        namespace.update(__name__=module_name, __file__=str(self.root / piece.path))
        compiled = compile(piece.positioned_source(), str(self.root / piece.path), "exec")
        with captured_output(COLUMNS) as buffer:
            try:
                exec(compiled, namespace)
            except Exception as error:
                failure = error
            else:
                failure = None
        if failure is not None:
            self._report(piece, failure)
        return render_terminal(buffer.getvalue())

    def _report(self, piece: SnippetPiece, error: Exception) -> None:
        frames = traceback.extract_tb(error.__traceback__)
        own = [frame for frame in frames if Path(frame.filename).is_relative_to(self.root / "snippets")]
        where = own[-1] if own else frames[-1]
        location = f"{Path(where.filename).relative_to(self.root) if own else where.filename}:{where.lineno}"
        trace = "".join(traceback.format_exception(error))
        log.error("%s: %s: %s (block from %s)", location, type(error).__name__, error, piece.label)
        raise ExecutionError(code_block("python", trace)) from error
