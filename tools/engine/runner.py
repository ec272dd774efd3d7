"""Run every session whose cache entry is missing or stale, in parallel, each in a fresh worker that ends with it.

Before any page renders, the hooks hand over every session of the site. A session whose entry is in
the cache, with every input it recorded unchanged, is served from there; the others run now, as many
cores' worth at a time as GUIDE_EXEC_JOBS says (default: the number of cores), in the order
schedule.py gives. Rendering a page waits only for its own sessions. A session runs whole or not at
all: its blocks run in page order in its own worker; a block that fails ends the session, and the
blocks after it are reported as not run because of it. A block past its timeout is stopped with
every process its session started, after faulthandler has written where it was stuck.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import importlib.metadata
import logging
import os
import re
import shutil
import signal
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from tools.engine import processes
from tools.engine.cache import BlockRun, ExecCache, SessionRun
from tools.engine.cache_key import InputHashes, data_fingerprint, environment_fingerprint, session_key
from tools.engine.machine_paths import stable_names, without_machine_paths
from tools.engine.plan import ExecutedBlock, Session
from tools.engine.schedule import Cores, Schedule
from tools.engine.worker import (
    STACK_FILE,
    Block,
    BlockResult,
    CapturedFigure,
    Failure,
    SessionEnd,
    WorkerSetup,
    output_file,
    serve,
    shown_output,
)

log = logging.getLogger("mkdocs.plugins.snippet-exec")
JOBS_ENV = "GUIDE_EXEC_JOBS"  # sessions run at once; default the number of cores
STACK_GRACE = 3.0  # seconds past a block's timeout for faulthandler's dump of where it was stuck
FINISH_TIMEOUT = 120.0  # seconds a worker may take to hand over its outputs once its blocks ran
STACK_FRAME = re.compile(r'^\s+File "(?P<file>.+)", line (?P<line>\d+) in (?P<function>\S+)')


def job_count() -> int:
    jobs = os.environ.get(JOBS_ENV) or str(os.cpu_count() or 1)
    if not jobs.isdigit() or int(jobs) < 1:
        raise ValueError(f"{JOBS_ENV}={jobs!r}: give how many sessions may run at once, a whole number from 1")
    return int(jobs)


@dataclass(frozen=True)
class BlockOutcome:
    output: str  # as the page shows it
    seconds: float
    figures: tuple[CapturedFigure, ...] = ()
    failure: Failure | None = None  # this block failed
    not_run: str = ""  # where the earlier block that failed is, when this one never ran because of it


@dataclass(frozen=True)
class SessionOutcome:
    blocks: tuple[BlockOutcome, ...]  # one per block of the session, in page order
    device: str
    torch_version: str
    ran: bool  # False: served from the cache


class WorkerStopped(Exception):
    """The worker gave no answer: it ran past the block's timeout, or its process ended."""

    def __init__(self, exit_code: int | None) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code  # None: a timeout


class Worker:
    """A session's process (tools/engine/worker.py) and the ends of the pipes that talk to it."""

    live: ClassVar[set[Worker]] = set()  # ended at exit or on SIGTERM/SIGHUP, if a build could not end them itself

    def __init__(self, context, setup: WorkerSetup) -> None:
        self.connection, theirs = context.Pipe()
        lifeline, self.lifeline = context.Pipe(duplex=False)  # the worker ends when this end closes
        # Not a daemon: a block may start processes of its own (a daemon process may not).
        self.process = context.Process(target=serve, args=(theirs, lifeline, setup))
        self.process.start()
        theirs.close()
        lifeline.close()
        Worker.live.add(self)

    def run(self, number: int, block: Block) -> BlockResult:
        self.connection.send((number, block))
        return self._answer(number, block.timeout + STACK_GRACE)

    def finish(self) -> SessionEnd:
        self.connection.send(None)
        return self._answer(None, FINISH_TIMEOUT)

    def _answer(self, number: int | None, timeout: float):
        if not self.connection.poll(timeout):
            raise WorkerStopped(None)
        try:
            answered, pid, answer = self.connection.recv()
        except (EOFError, OSError):  # the process ended (os._exit, a crash): its exit code says how
            self.process.join()
            raise WorkerStopped(self.process.exitcode) from None
        if (answered, pid) != (number, self.process.pid):
            raise RuntimeError(f"the worker answered for block {answered} (process {pid}), not {number}")
        return answer

    def end(self, wait: float = 0) -> None:
        """End the worker and every process its blocks started, whatever state they are in, after letting it
        end by itself for `wait` seconds (a worker that finished its session ends its descendants and exits)."""
        self.process.join(wait)
        processes.end_tree(self.process.pid)
        self.process.join()
        for end in (self.connection, self.lifeline):
            end.close()
        Worker.live.discard(self)


def end_every_worker() -> None:
    for worker in list(Worker.live):
        with contextlib.suppress(Exception):
            worker.end()


atexit.register(end_every_worker)


def end_workers_on_signals() -> None:
    """SIGTERM or SIGHUP (a closed terminal) to the build ends every worker, and what each started, first."""
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread (mkdocs serve rebuilds elsewhere)

    def end(number: int, frame: object) -> None:
        end_every_worker()
        signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)

    for number in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(number, end)


def stopped_failure(stopped: WorkerStopped, block: Block, folder: str) -> Failure:
    """What the page and the log say of a block whose worker did not answer: where it was stuck (the stack
    faulthandler dumped on a timeout or a crash) and why it stopped."""
    try:
        stack = (Path(folder) / STACK_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        stack = ""
    if stopped.exit_code is None:
        kind, message = "Timeout", f"the block ran past its timeout of {block.timeout:g} s and was stopped"
    else:
        kind = "WorkerExit"
        how = (
            f"signal {signal.Signals(-stopped.exit_code).name}"
            if stopped.exit_code < 0
            else f"code {stopped.exit_code}"
        )
        message = f"the session's process ended with {how} while the block ran"
    return Failure(kind, message, _stuck_frames(stack), _readable(stack))


def _is_workers(match: re.Match | None) -> bool:
    return match is not None and Path(match["file"]).parent.name == "engine" and Path(match["file"]).name == "worker.py"


def _stuck_frames(stack: str) -> list[tuple[str, int]]:
    """The frames of the thread that ran the block (the one in the worker's serve loop), outermost first."""
    for thread in re.split(r"\n(?=\S)", stack):
        found = [match for match in map(STACK_FRAME.match, thread.splitlines()) if match]
        if any(_is_workers(match) and match["function"] == "serve" for match in found):
            return [(match["file"], int(match["line"])) for match in reversed(found)]
    return []


def _readable(stack: str) -> str:
    """faulthandler's dump without the engine: its own thread, the frames that called the block, the list of
    extension modules. What is left is where the block's threads were, most recent call first."""
    kept = []
    for part in re.split(r"\n(?=\S)", stack.strip()):
        lines = part.splitlines()
        frames = [STACK_FRAME.match(line) for line in lines]
        lifeline = any(_is_workers(match) and match["function"] == "_end_with_the_build" for match in frames)
        if part.startswith("Extension modules:") or lifeline:
            continue
        engine = next((index for index, match in enumerate(frames) if _is_workers(match)), len(lines))
        kept.append("\n".join(lines[:engine]))
    return "\n".join(kept).strip()


class SessionRunner:
    def __init__(self, root: Path, cache: ExecCache, *, refresh: bool, ignored: tuple[str, ...]) -> None:
        self.root = root
        self.cache = cache
        self.refresh = refresh  # run every session, ignoring (but refilling) the cache
        self.ignored = ignored  # folders inside the project that are never inputs
        self.names = stable_names(str(root))
        self.outcomes: dict[str, concurrent.futures.Future[SessionOutcome]] = {}
        self.pool: concurrent.futures.ThreadPoolExecutor | None = None
        self.cores: Cores | None = None

    def start(self, sessions: list[Session]) -> None:
        """Serve every fresh session from the cache and start running the stale ones."""
        self.began = time.time()
        environment, data = environment_fingerprint(), data_fingerprint(self.root)
        self.hashes = InputHashes(self.root)
        stale = {}
        for session in sessions:
            key = session_key(session, environment, data)
            entry = None if self.refresh else self.cache.get(key)
            if entry is not None and self.hashes.unchanged(entry.inputs):
                self.outcomes[session.name] = _done(_from_cache(entry))
            else:
                stale[session.name] = (session, key)
        if not stale:
            return
        self.schedule = Schedule(self.cache.directory, job_count())
        order = self.schedule.order(list(stale))
        self.cores = Cores(self.schedule.jobs, order, {name: self.schedule.cores(name) for name in order})
        context = processes.context()  # starts the fork server while this thread goes on to render pages
        self.pool = concurrent.futures.ThreadPoolExecutor(len(order), thread_name_prefix="session")
        for name in order:
            self.outcomes[name] = self.pool.submit(self._run_when_cores_free, context, *stale[name])

    def outcome(self, name: str) -> SessionOutcome:
        return self.outcomes[name].result()

    def finish(self) -> None:
        """Wait for every session and end its worker; remember how each ran, for the next build's schedule."""
        if self.pool is not None:
            self.pool.shutdown(wait=True)
            self.pool = None
            self.schedule.save()

    def stop(self) -> None:
        """The build failed: end every worker now."""
        if self.pool is not None:
            self.cores.stop()
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
        end_every_worker()

    def _run_when_cores_free(self, context, session: Session, key: str) -> SessionOutcome:
        with self.cores.held(session.name):
            return self._run(context, session, key)

    def _run(self, context, session: Session, key: str) -> SessionOutcome:
        started = time.time()
        folder = tempfile.mkdtemp(prefix="guide-session-")
        worker = Worker(context, WorkerSetup(str(self.root), processes.worker_environment(), folder, self.ignored))
        specs = [self._block(block) for block in session.blocks]
        results: list[BlockResult] = []
        stopped: Failure | None = None  # the failure of the block whose worker gave no answer
        stopped_after = 0.0
        end: SessionEnd | None = None
        running, since = 0, time.perf_counter()  # the block the worker answers for, and since when
        try:
            for running, spec in enumerate(specs):
                since = time.perf_counter()
                results.append(worker.run(running, spec))
                if results[-1].failure is not None:
                    break
            running = len(results) - 1  # if handing over the outputs fails, the last block that ran failed
            end = worker.finish()
        except WorkerStopped as stop:
            del results[running:]
            stopped = stopped_failure(stop, specs[running], folder)
            stopped_after = time.perf_counter() - since
        finally:
            worker.end(wait=FINISH_TIMEOUT if end else 0)
            outputs = end.outputs if end else [self._output(folder, n, spec) for n, spec in enumerate(specs)]
            shutil.rmtree(folder, ignore_errors=True)
        outcome = self._outcome(session, results, (stopped, stopped_after), outputs, end)
        if end is not None:
            self.schedule.record(session.name, time.time() - started, end.children_cpu_seconds)
        log.debug(
            "session %s: ran from %.2f s to %.2f s of the build",
            session.name,
            started - self.began,
            time.time() - self.began,
        )
        if end is not None and all(result.failure is None for result in results):
            # A block's file counts whole: a process the block spawns imports it (multiprocessing's __mp_main__).
            inputs = {**{block.piece.path.as_posix(): "module" for block in session.blocks}, **end.inputs}
            if not self._edited_since(inputs, started):  # else the hashes might not be of the code that ran
                self.cache.put(key, _entry(outcome, self.hashes.of(inputs)))
        return outcome

    def _edited_since(self, inputs: dict[str, str], started: float) -> bool:
        return any((self.root / name).stat().st_mtime > started for name in inputs if (self.root / name).exists())

    def _block(self, block: ExecutedBlock) -> Block:
        workdir = str(self.root / block.options.workdir) if block.options.workdir else None
        filename = str(self.root / block.piece.path)
        return Block(filename, block.piece.positioned_source(), block.options.width, workdir, block.options.timeout)

    def _output(self, folder: str, number: int, spec: Block) -> str:
        """What a block printed, read by the build itself when its worker could not hand it over."""
        try:
            raw = output_file(folder, number).read_bytes()
        except OSError:
            raw = b""
        return shown_output(raw, spec.columns, self.names)

    def _outcome(self, session, results, stopped, outputs, end) -> SessionOutcome:
        blocks = []
        failed = ""
        for number, block in enumerate(session.blocks):
            if failed:
                blocks.append(BlockOutcome("", 0.0, not_run=failed))
            elif number < len(results):
                result = results[number]
                blocks.append(
                    BlockOutcome(outputs[number], result.seconds, result.figures, self._shown(result.failure))
                )
            else:  # the block that stopped its worker
                failure, seconds = stopped
                blocks.append(BlockOutcome(outputs[number], seconds, failure=self._shown(failure)))
            if blocks[-1].failure is not None:
                failed = f"{self.location(blocks[-1].failure, block)} ({block.where})"
        device = end.device if end else "CPU"
        return SessionOutcome(tuple(blocks), device, importlib.metadata.version("torch"), ran=True)

    def _shown(self, failure: Failure | None) -> Failure | None:
        """The failure as a page may show it: without the builder's folders."""
        if failure is None:
            return None
        return Failure(failure.kind, failure.message, failure.frames, without_machine_paths(failure.trace, self.names))

    def location(self, failure: Failure, block: ExecutedBlock) -> str:
        """file:line of a failure: the innermost frame in the project's snippets, else the innermost frame,
        else the block's first line."""
        snippets = self.root / "snippets"
        own = [(name, line) for name, line in failure.frames if Path(name).is_relative_to(snippets)]
        if own:
            return f"{Path(own[-1][0]).relative_to(self.root)}:{own[-1][1]}"
        if failure.frames:
            name, line = failure.frames[-1]
            return f"{without_machine_paths(name, self.names)}:{line}"
        return f"{block.piece.path}:{block.piece.first_line}"


def _done(outcome: SessionOutcome) -> concurrent.futures.Future[SessionOutcome]:
    future: concurrent.futures.Future[SessionOutcome] = concurrent.futures.Future()
    future.set_result(outcome)
    return future


def _from_cache(entry: SessionRun) -> SessionOutcome:
    blocks = tuple(BlockOutcome(block.output, block.seconds, block.figures) for block in entry.blocks)
    return SessionOutcome(blocks, entry.device, entry.torch_version, ran=False)


def _entry(outcome: SessionOutcome, inputs: dict[str, list]) -> SessionRun:
    blocks = tuple(BlockRun(block.output, block.seconds, block.figures) for block in outcome.blocks)
    return SessionRun(blocks, outcome.device, outcome.torch_version, inputs)
