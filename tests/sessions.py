"""Run blocks as a build runs them, without a build: sessions of snippet files in real workers.

A test writes each block as a snippet file under a temporary project folder and hands the runner a
session of them (tools/engine/runner.py): the blocks run in one fresh worker forked from this test
process's fork server, as a build runs a session, and the test reads the SessionOutcome: each block's
output, figures, failure, or why it did not run.
"""

from __future__ import annotations

import itertools
import sys
import textwrap
from pathlib import Path

from tools.engine.cache import ExecCache
from tools.engine.plan import ExecutedBlock, RunOptions, Session
from tools.engine.runner import SessionOutcome, SessionRunner
from tools.engine.sources import piece_of

_written = itertools.count(1)


def session(root: Path, *codes: str, columns: int = 100, timeout: float = 120, name: str = "") -> Session:
    """A session of one block per code, each the whole of a file snippets/case/block_N.py (dedented)."""
    folder = root / "snippets" / "case"
    folder.mkdir(parents=True, exist_ok=True)
    made = Session(name or f"session-{next(_written)}", "index.md")
    for number, code in enumerate(codes, start=1):
        path = folder / f"block_{next(_written)}.py"
        path.write_text(textwrap.dedent(code), encoding="utf-8")
        piece = piece_of(root, path.relative_to(root).as_posix(), None)
        made.blocks.append(ExecutedBlock("index.md", number, number, piece, RunOptions(columns, None, timeout)))
    return made


def runner(root: Path) -> SessionRunner:
    return SessionRunner(root, ExecCache(root / ".cache" / "exec"), refresh=True, ignored=(sys.prefix,))


def run(*sessions: Session, root: Path) -> list[SessionOutcome]:
    """Run the sessions (at once, as many as GUIDE_EXEC_JOBS allows) and return their outcomes in order."""
    started = runner(root)
    started.start(list(sessions))
    try:
        return [started.outcome(made.name) for made in sessions]
    finally:
        started.finish()


def run_blocks(root: Path, *codes: str, **options) -> SessionOutcome:
    """One session of these blocks, run."""
    return run(session(root, *codes, **options), root=root)[0]
