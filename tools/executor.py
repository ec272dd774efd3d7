"""Run Python code blocks as the snippet files they came from, for markdown-exec.

Registered as markdown-exec's "python" formatter (its public `formatters` map);
markdown-exec's `base_format` still renders the source and the result.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from markdown_exec import ExecutionError, base_format, code_block

from tools.capture import captured_output
from tools.snippet_sources import SnippetPiece, locate
from tools.terminal import COLUMNS, render_terminal

log = logging.getLogger("mkdocs.plugins.snippet-exec")


def definition_lines(lines: tuple[str, ...], names: list[str]) -> list[int]:
    """1-based numbers of the lines that define (`def name(`) each of `names`."""
    found = {name: n for n, line in enumerate(lines, start=1) for name in names if f"def {name}(" in line}
    missing = [name for name in names if name not in found]
    if missing:
        raise ValueError(f"hl_defs names no definition in the block: {', '.join(missing)}")
    return sorted(found.values())


@dataclass(frozen=True)
class BlockTiming:
    page: str
    block: str
    seconds: float


class SnippetRunner:
    """Executes blocks in named sessions that live for one build."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.sessions: dict[str, dict[str, Any]] = {}
        self.current_page = ""
        self.timings: list[BlockTiming] = []

    def start_build(self) -> None:
        self.sessions.clear()
        self.timings.clear()
        # Snippets import each other; a rebuild must see edited files, not cached modules.
        for name in [name for name in sys.modules if name == "snippets" or name.startswith("snippets.")]:
            del sys.modules[name]

    def format_python(self, **kwargs: Any) -> str:
        piece = locate(kwargs["code"], self.root)
        if piece is None:
            log.error("a Python code block is not an include of a file or section under snippets/:\n%s", kwargs["code"])
            return code_block("text", "이 코드 블록은 snippets/ 파일에서 가져온 것이 아니에요.")
        extra = kwargs.setdefault("extra", {})
        extra.setdefault("title", str(piece.path))
        if "hl_defs" in extra:
            extra["hl_lines"] = " ".join(map(str, definition_lines(piece.lines, extra.pop("hl_defs").split())))
        try:
            output, failure = self.run(piece, kwargs.get("session")), None
        except ExecutionError as error:
            output, failure = "", error
        if not output:
            kwargs["result"] = ""  # no empty output box under code that prints nothing

        def replay(code: str, **options: Any) -> str:
            if failure:
                raise failure
            return output

        return base_format(language="python", run=replay, **kwargs)

    def run(self, piece: SnippetPiece, session: str | None) -> str:
        namespace = self._namespace(session, piece)
        compiled = compile(piece.positioned_source(), str(self.root / piece.path), "exec")
        start = time.perf_counter()
        with captured_output(COLUMNS) as buffer:
            try:
                exec(compiled, namespace)
            except Exception as error:
                failure = error
            else:
                failure = None
        self.timings.append(BlockTiming(self.current_page, piece.label, time.perf_counter() - start))
        if failure is not None:
            self._report(piece, failure)
        return render_terminal(buffer.getvalue())

    def _namespace(self, session: str | None, piece: SnippetPiece) -> dict[str, Any]:
        namespace = self.sessions.setdefault(session, {}) if session else {}
        # Not "__main__": the files' `if __name__ == "__main__":` parts are included by section instead.
        module_name = f"snippet_session_{session or 'none'}".replace("-", "_")
        sys.modules.setdefault(module_name, ModuleType(module_name))
        namespace.update(__name__=module_name, __file__=str(self.root / piece.path))
        return namespace

    def _report(self, piece: SnippetPiece, error: Exception) -> None:
        frames = traceback.extract_tb(error.__traceback__)
        own = [frame for frame in frames if Path(frame.filename).is_relative_to(self.root / "snippets")]
        where = own[-1] if own else frames[-1]
        location = f"{Path(where.filename).relative_to(self.root) if own else where.filename}:{where.lineno}"
        trace = "".join(traceback.format_exception(error))
        log.error("%s: %s: %s (block from %s)", location, type(error).__name__, error, piece.label)
        raise ExecutionError(code_block("python", trace)) from error
