"""The processes a build starts: the workers' fork server, its clean environment, and ending a worker whole.

Workers fork from a server that imported torch and Lightning once (multiprocessing's forkserver), so
each starts in milliseconds. The server starts as a plain `python`, under the workers' environment (worker_environment):
nothing of the builder's shell or interpreter flags but a short allowlist reaches the code the pages run. A worker is a
subreaper (Linux), so whatever its blocks start stays among its descendants, even a process that
left its group with start_new_session=True; ending a worker ends all of them.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.util
import os
import sys
from collections.abc import Iterator

import psutil

# Imported once by the fork server, so that no worker pays for them. (A missing one is skipped.)
# tools.engine.figures brings matplotlib and its pyplot, Agg and SVG backends.
PRELOAD = ["torch", "torchvision", "pytorch_lightning", "torchmetrics", "mkdocs.__main__", "tools.engine.figures"]
PRELOAD_ENV = "GUIDE_EXEC_PRELOAD"  # modules to preload instead, separated by commas (the tests' small projects)
THREADS_ENV = "GUIDE_EXEC_THREADS"  # torch's threads in each worker; default 1
PASS_ENV = "GUIDE_EXEC_ENV"  # names of further variables the workers receive, separated by commas (keyed)
# What the code needs from the builder's environment; every value is part of the cache key.
PASSED = ("HOME", "TMPDIR", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES")
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h


def thread_count() -> int:
    """On a shared 2-core machine, competing thread pools made training 10 to 100 times slower; the
    guide's small model gains nothing from more, so builds use one unless told otherwise."""
    return int(os.environ.get(THREADS_ENV) or 1)


def preloaded() -> list[str]:
    """What the fork server imports before it forks any worker (an import may print, so it is keyed)."""
    chosen = os.environ.get(PRELOAD_ENV)
    return PRELOAD if chosen is None else [name.strip() for name in chosen.split(",") if name.strip()]


def worker_environment() -> dict[str, str]:
    """The environment every worker, and every process its blocks start, runs with."""
    threads = str(thread_count())
    environment = {
        "PATH": os.pathsep.join([os.path.dirname(sys.executable), "/usr/local/bin", "/usr/bin", "/bin"]),
        "LANG": "C.UTF-8",
        "TZ": "UTC",
        "PYTHONHASHSEED": "0",  # set and dict orders the same in every build
        "PYTHONUNBUFFERED": "1",  # a child's prints reach the page in the order they were made
        "OMP_NUM_THREADS": threads,
        "MKL_NUM_THREADS": threads,
    }
    extra = [name.strip() for name in os.environ.get(PASS_ENV, "").split(",") if name.strip()]
    environment.update({name: os.environ[name] for name in (*PASSED, *extra) if name in os.environ})
    return environment


@contextlib.contextmanager
def _plain_python(environment: dict[str, str]) -> Iterator[None]:
    """While the fork server starts: this environment, and none of the build's own interpreter flags (-X dev,
    -W, -O, -X importtime ...), which multiprocessing would pass on to it and so to every worker."""
    saved_environment, saved_flags = dict(os.environ), multiprocessing.util._args_from_interpreter_flags
    os.environ.clear()
    os.environ.update(environment)
    multiprocessing.util._args_from_interpreter_flags = list  # called with no argument: []
    try:
        yield
    finally:
        multiprocessing.util._args_from_interpreter_flags = saved_flags
        os.environ.clear()
        os.environ.update(saved_environment)


def context() -> multiprocessing.context.BaseContext:
    """Where workers come from: the fork server, started now (a plain `python` with the workers' environment) if it
    is not running."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")  # slower: every worker imports the libraries itself
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(preloaded())
    with _plain_python(worker_environment()):
        multiprocessing.forkserver.ensure_running()  # a no-op when it runs: all this counts only when it starts
    return forkserver


def become_subreaper() -> None:
    """Orphaned descendants become this process's children, not init's (Linux; elsewhere nothing happens)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def end_tree(pid: int) -> None:
    """Kill a process and all its descendants: frozen first, so none can start another meanwhile."""
    try:
        root = psutil.Process(pid)
        tree = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.suspend()
    with contextlib.suppress(psutil.NoSuchProcess):
        tree += root.children(recursive=True)  # started between the listing and the freeze
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()


def end_descendants() -> None:
    """Kill every process this one started, directly or not (a worker, as its session ends)."""
    for child in psutil.Process().children():
        end_tree(child.pid)
