"""Every executed block of every page, read from the pages' Markdown before any page renders, grouped into sessions.

A session (a fence's `session=`; a block without one is a session of its own) is the unit the
engine runs and caches, as a notebook is for jupyter-cache: all its blocks run, in page order,
in one process, and a page shows the outputs of that one run.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.engine.fences import executed_python_fences
from tools.engine.sources import MissingSnippet, SnippetPiece, piece_of
from tools.engine.terminal import COLUMNS

TIMEOUT_ENV = "GUIDE_EXEC_TIMEOUT"  # seconds a block may run before it is stopped (a fence's timeout= wins)
DEFAULT_TIMEOUT = 300.0
WIDTHS = range(20, 1001)  # terminal columns a fence's width= may ask for


class PlanError(ValueError):
    """A page asks for something the engine cannot run; the message names the page and line."""


@dataclass(frozen=True)
class RunOptions:
    """Fence options for running a block. width and workdir change what it prints, so they are part of the
    cache key; timeout does not (a block past it fails, and failures are never cached). The others (title,
    hl_defs, source, ...) only change how the page shows the block."""

    width: int = COLUMNS  # the terminal's columns
    workdir: str | None = None  # run in this folder, relative to the project root
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def of(cls, attributes: dict[str, str], root: Path) -> RunOptions:
        width = attributes.get("width") or str(COLUMNS)
        if not width.isdigit() or int(width) not in WIDTHS:
            raise ValueError(f"width={width!r}: give the terminal's columns, a whole number from 20 to 1000")
        timeout = attributes.get("timeout") or os.environ.get(TIMEOUT_ENV) or str(DEFAULT_TIMEOUT)
        try:
            seconds = float(timeout)
        except ValueError:
            seconds = math.nan
        if not seconds > 0 or math.isinf(seconds):
            raise ValueError(f"timeout={timeout!r}: give the seconds a block may run, a number above 0")
        workdir = attributes.get("workdir") or None
        if workdir is not None and not ((root / workdir).resolve().is_relative_to(root) and (root / workdir).is_dir()):
            raise ValueError(f"workdir={workdir!r}: give a folder inside the project, relative to its root")
        return cls(int(width), workdir, seconds)

    def keyed(self) -> dict[str, Any]:
        return {"width": self.width, "workdir": self.workdir}


@dataclass(frozen=True)
class ExecutedBlock:
    page: str  # the page's path under docs/, e.g. steps/run.md
    line: int  # of its fence in the page
    number: int  # its place among the page's executed blocks, from 1 (the page's anchor block-N)
    piece: SnippetPiece
    options: RunOptions

    @property
    def where(self) -> str:
        return f"docs/{self.page}:{self.line}"


@dataclass
class Session:
    name: str
    page: str
    blocks: list[ExecutedBlock] = field(default_factory=list)


def page_blocks(root: Path, page: str, markdown: str) -> tuple[list[tuple[str, ExecutedBlock]], list[str]]:
    """(session name, block) for each executed fence of a page, and the problems found, each `docs/page:line: ...`."""
    blocks, problems = [], []
    for number, fence in enumerate(executed_python_fences(markdown), start=1):
        where = f"docs/{page}:{fence.line}"
        if len(fence.includes) != 1:
            continue  # the hooks' fence check reports it
        include = fence.includes[0]
        try:
            piece = piece_of(root, include.path, include.section)
            options = RunOptions.of(fence.attributes, root)
        except (MissingSnippet, ValueError) as problem:
            problems.append(f"{where}: {problem}")
            continue
        name = fence.attributes.get("session") or f"{page}:{fence.line}"
        blocks.append((name, ExecutedBlock(page, fence.line, number, piece, options)))
    return blocks, problems


def sessions_of(root: Path, pages: Iterable[tuple[str, str]]) -> list[Session]:
    """Every page's sessions, from (page under docs/, its Markdown); PlanError lists every problem at once."""
    sessions: dict[str, Session] = {}
    problems = []
    for page, markdown in pages:
        blocks, found = page_blocks(root, page, markdown)
        problems += found
        for name, block in blocks:
            session = sessions.setdefault(name, Session(name, page))
            if session.page != page:
                problems.append(
                    f"{block.where}: session {name!r} is also used on docs/{session.page}: a session belongs to one"
                    " page (its blocks run in page order), so give each page its own session names"
                )
                continue
            session.blocks.append(block)
    if problems:
        raise PlanError("\n".join(problems))
    return list(sessions.values())
