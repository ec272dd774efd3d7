"""Run each session's blocks in a process of its own, as a notebook runs cells in its kernel.

A session's worker is forked from a server that imported the heavy libraries once
(multiprocessing's forkserver), so it starts in milliseconds. It runs every block of its
session in a fresh `__main__` module, as `python file.py` would: nothing leaks between
sessions, objects defined in a block pickle by reference, and a hang or an exit ends only
the worker. Output is captured at the file-descriptor level, so threads, child processes
and subprocesses write into the block that was running. The figures a block leaves open are
rendered after it (tools/engine/figures.py, matplotlib's backend in the worker) and returned with
its output.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import sys
import tempfile
import traceback
import types
from dataclasses import dataclass
from multiprocessing.connection import Connection

from tools.engine.capture import install_noise_filters

# Imported once by the fork server, so that no worker pays for them. (A missing one is skipped.)
# tools.engine.figures brings matplotlib and its pyplot, Agg and SVG backends.
PRELOAD = ["torch", "torchvision", "pytorch_lightning", "torchmetrics", "mkdocs.__main__", "tools.engine.figures"]
THREADS_ENV = "GUIDE_EXEC_THREADS"  # torch's threads in each worker; default 1


def thread_count() -> int:
    """On a shared 2-core machine, competing thread pools made training 10 to 100 times slower; the
    guide's small model gains nothing from more, so builds use one unless told otherwise."""
    return int(os.environ.get(THREADS_ENV) or 1)


@dataclass(frozen=True)
class Block:
    filename: str  # the snippet file, absolute
    source: str  # its included lines at their own line numbers
    columns: int
    workdir: str | None
    figures: bool = True  # render the figures it leaves open (False: a block re-run unshown; they are closed)


@dataclass(frozen=True)
class Failure:
    kind: str  # the exception's class name
    message: str
    frames: list[tuple[str, int]]  # (filename, line) from the outermost call in
    trace: str  # as Python prints it


@dataclass(frozen=True)
class CapturedFigure:
    alt: str  # the figure's suptitle: what it shows, in words
    svg: str  # the figure, text drawn as paths


@dataclass(frozen=True)
class Result:
    output: str  # everything written to stdout and stderr, in order
    failure: Failure | None
    device: str  # "CPU", or "GPU (name)" when the block left CUDA in use
    figures: tuple[CapturedFigure, ...] = ()  # the figures it left open, in the order they were made


def context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # slower: every worker imports the libraries itself
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)
    return forkserver


def serve(connection: Connection) -> None:
    """The worker's loop: run each Block received, answer with its Result; stop on None."""
    os.setsid()  # its own process group, so a timeout can end the children it started too
    os.environ["OMP_NUM_THREADS"] = str(thread_count())  # for processes the blocks start
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(thread_count())
    main = types.ModuleType("__main__")
    sys.modules["__main__"] = main
    sys.stdout.reconfigure(line_buffering=True)  # as on a terminal: stdout and stderr interleave by line
    install_noise_filters()
    figures = _figures()
    while (block := connection.recv()) is not None:
        connection.send(run_block(block, main.__dict__, figures))


def _figures() -> types.ModuleType | None:
    """tools.engine.figures, set up as matplotlib's backend; None where matplotlib is not installed."""
    try:
        from tools.engine import figures
    except ImportError:
        return None
    figures.setup()
    return figures


def run_block(block: Block, namespace: dict, figures: types.ModuleType | None = None) -> Result:
    namespace["__file__"] = block.filename
    os.environ.update(COLUMNS=str(block.columns), LINES="50")
    failure = None
    drawn: tuple[CapturedFigure, ...] = ()
    with tempfile.TemporaryFile() as capture:
        saved = _redirect(capture.fileno())
        previous = os.getcwd()
        try:
            if block.workdir:
                os.chdir(block.workdir)
            with figures.running(block.filename) if figures else contextlib.nullcontext():
                exec(compile(block.source, block.filename, "exec", dont_inherit=True), namespace)
        except BaseException as error:  # SystemExit too: it ends the block, not the build
            failure = _failure(error)
        finally:
            os.chdir(previous)
            if figures:  # while the output is still captured: a warning drawing a figure is the block's
                try:
                    drawn, figure_failure = figures.capture(render=block.figures and failure is None)
                except Exception as error:  # the engine's own fault: fail the block, never the worker
                    drawn, figure_failure = (), _failure(error)
                failure = failure or figure_failure
            _restore(saved)
        capture.seek(0)
        output = capture.read().decode("utf-8", errors="replace")
    return Result(output, failure, _device(), drawn)


def _redirect(target: int) -> tuple[int, int]:
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    os.dup2(target, 1)
    os.dup2(target, 2)
    return saved


def _restore(saved: tuple[int, int]) -> None:
    sys.stdout.flush()
    sys.stderr.flush()
    for fd, original in zip((1, 2), saved, strict=True):
        os.dup2(original, fd)
        os.close(original)


def _failure(error: BaseException) -> Failure:
    inside = error.__traceback__.tb_next if error.__traceback__ else None  # without run_block's own frame
    frames = [(frame.filename, frame.lineno or 0) for frame in traceback.extract_tb(inside)]
    trace = "".join(traceback.format_exception(type(error), error, inside))
    return Failure(type(error).__name__, str(error), frames, trace)


def _device() -> str:
    torch = sys.modules.get("torch")  # a block that never imported torch ran on the CPU
    if torch is not None and torch.cuda.is_initialized():
        return f"GPU ({torch.cuda.get_device_name(0)})"
    return "CPU"
