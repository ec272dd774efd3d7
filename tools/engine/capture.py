"""Capture everything a code block writes, as a terminal would receive it.

markdown-exec only captures `print`; Lightning writes its progress bar to
sys.stdout and its messages through logging handlers made at import time. So
sys.stdout and sys.stderr are replaced once, for the whole build, by streams
that can be pointed at a buffer: a handler that grabbed sys.stderr while
Lightning was imported still writes into the right block's output.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

# Third-party noise that is not the reader's concern, filtered by name. A reader
# running the same file in a terminal sees these lines too; the pages say so.
NOISE_WARNINGS = [
    # torch deprecated LeafSpec; Lightning 2.6 still uses it internally.
    (FutureWarning, r"`isinstance\(treespec, LeafSpec\)` is deprecated", r"pytorch_lightning\.utilities\._pytree"),
]
NOISE_LOG_RECORDS = [
    # An advertisement for a cloud logging service, printed by every Trainer.
    ("pytorch_lightning.utilities.rank_zero", r"💡 Tip: For seamless cloud logging"),
]


class SwitchableStream(io.TextIOBase):
    """Writes to the real stream, or to a buffer while a block runs."""

    def __init__(self, real: io.TextIOBase) -> None:
        self.real = real
        self.buffer_target: io.StringIO | None = None

    @property
    def _target(self):
        return self.buffer_target if self.buffer_target is not None else self.real

    def write(self, text: str) -> int:
        return self._target.write(text)

    def flush(self) -> None:
        self._target.flush()

    def isatty(self) -> bool:
        return self._target.isatty()

    def fileno(self) -> int:
        # A buffer has no file descriptor, so no library measures the terminal the
        # build runs in: output is the same in CI and in `mkdocs serve`.
        return self._target.fileno()

    @property
    def encoding(self) -> str:
        return "utf-8" if self.buffer_target is not None else self.real.encoding


def install_switchable_streams() -> None:
    for name in ("stdout", "stderr"):
        if not isinstance(getattr(sys, name), SwitchableStream):
            setattr(sys, name, SwitchableStream(getattr(sys, name)))


class _DropMatching(logging.Filter):
    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


@contextmanager
def _noise_filtered() -> Iterator[None]:
    filters = [(logging.getLogger(name), _DropMatching(pattern)) for name, pattern in NOISE_LOG_RECORDS]
    for logger, log_filter in filters:
        logger.addFilter(log_filter)
    # catch_warnings also forgets which warnings were already shown, so each
    # block shows its warnings as a fresh `python` process would.
    with warnings.catch_warnings():
        for category, message, module in NOISE_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=category, module=module)
        try:
            yield
        finally:
            for logger, log_filter in filters:
                logger.removeFilter(log_filter)


@contextmanager
def _logging_levels_restored() -> Iterator[None]:
    """A block that quiets a logger (the summary page does) must not quiet later pages."""
    existing = [
        logging.getLogger(),
        *(logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)),
    ]
    levels = [(logger, logger.level) for logger in existing]
    try:
        yield
    finally:
        for logger, level in levels:
            logger.setLevel(level)


@contextmanager
def _terminal_size(columns: int, lines: int = 50) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in ("COLUMNS", "LINES")}
    os.environ.update(COLUMNS=str(columns), LINES=str(lines))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def captured_output(columns: int) -> Iterator[io.StringIO]:
    """Send stdout, stderr and logging (through them) into one buffer, like a tty."""
    install_switchable_streams()
    buffer = io.StringIO()
    streams = [sys.stdout, sys.stderr]
    for stream in streams:
        stream.flush()
        stream.buffer_target = buffer
    try:
        with _terminal_size(columns), _noise_filtered(), _logging_levels_restored():
            yield buffer
    finally:
        for stream in streams:
            stream.buffer_target = None
