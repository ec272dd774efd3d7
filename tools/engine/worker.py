"""A session's process: it runs the session's blocks one after another and ends with the session.

The blocks run in a fresh `__main__` module, as `python file.py` would run them, so nothing leaks
between sessions and what a block defines pickles by reference. Output is captured at the
file-descriptor level into one file per block, in the session's own folder, so threads, child
processes and subprocesses write into the block that was running; a Python thread that an earlier
block started keeps writing into that block's output. Everything a block prints stays in its file,
so a block that hangs or kills the process still shows what it printed, and the stack it was stuck
in (faulthandler) says where. While it runs, the worker records the project files the session
imports and reads (an audit hook): they are the session's inputs, kept with its cached output.
"""

from __future__ import annotations

import contextlib
import faulthandler
import io
import os
import sys
import threading
import time
import traceback
import types
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from tools.engine import processes
from tools.engine.capture import install_noise_filters
from tools.engine.machine_paths import stable_names, without_machine_paths
from tools.engine.terminal import render_terminal

OUTPUT_LIMIT = 512 * 1024  # bytes one block may print: a page shows its output whole
STACK_FILE = "stack"  # in the session's folder: faulthandler's dump on a crash or a timeout
# Python's own warning filters, as `python file.py` starts with them, whatever flags the builder's Python had.
PLAIN_WARNING_FILTERS = [
    ("default", DeprecationWarning, "__main__"),
    ("ignore", DeprecationWarning, ""),
    ("ignore", PendingDeprecationWarning, ""),
    ("ignore", ImportWarning, ""),
    ("ignore", ResourceWarning, ""),
]


@dataclass(frozen=True)
class WorkerSetup:
    root: str  # the project folder: the blocks run there
    environment: dict[str, str]  # all the environment the blocks see (processes.worker_environment)
    folder: str  # the session's own folder (block outputs, stack dumps), made and removed by the build
    ignored: tuple[str, ...]  # folders inside the project that are never inputs (the venv, the cache, the site)


@dataclass(frozen=True)
class Block:
    filename: str  # the snippet file, absolute
    source: str  # its included lines at their own line numbers
    columns: int
    workdir: str | None  # absolute
    timeout: float


@dataclass(frozen=True)
class Failure:
    kind: str  # the exception's class name, or what happened to the process
    message: str
    frames: list[tuple[str, int]]  # (filename, line), outermost first
    trace: str  # as Python prints it


@dataclass(frozen=True)
class CapturedFigure:
    alt: str  # the figure's suptitle: what it shows, in words
    svg: str  # the figure, text drawn as paths
    dark_svg: str  # the same, recoloured for the dark palette (tools/engine/dark_figures.py)


@dataclass(frozen=True)
class BlockResult:
    seconds: float
    failure: Failure | None = None
    figures: tuple[CapturedFigure, ...] = ()  # the figures it left open, in the order they were made


@dataclass(frozen=True)
class SessionEnd:
    outputs: list[str]  # each block's output, as a terminal would be left showing it
    inputs: dict[str, str]  # project file -> "module" (imported) or "file" (read)
    device: str  # "CPU", or "GPU (name)" when the session used CUDA
    children_cpu_seconds: float  # of the processes its blocks started and waited for (a DDP page's ranks)


def output_file(folder: str, number: int) -> Path:
    return Path(folder) / f"block-{number}.out"


def shown_output(raw: bytes, columns: int, names: dict[str, str]) -> str:
    """What the page shows of what a block wrote: the builder's folders replaced, then replayed as a terminal."""
    return render_terminal(without_machine_paths(raw.decode("utf-8", errors="replace"), names), columns)


def serve(connection: Connection, lifeline: Connection, setup: WorkerSetup) -> None:
    """The worker's loop: run each (number, Block) received and answer with its BlockResult; on None,
    answer with the SessionEnd and end, with every process the session started."""
    os.setsid()  # its own process group, apart from the build's terminal
    processes.become_subreaper()
    threading.Thread(target=_end_with_the_build, args=(lifeline,), daemon=True).start()
    os.chdir(setup.root)
    os.environ.clear()
    os.environ.update(setup.environment)
    warnings.resetwarnings()
    for action, category, module in PLAIN_WARNING_FILTERS:
        warnings.filterwarnings(action, category=category, module=module, append=True)
    install_noise_filters()
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(processes.thread_count())
    stack = open(Path(setup.folder) / STACK_FILE, "a")  # faulthandler writes to it until the end
    faulthandler.enable(stack, all_threads=True)
    recorder = InputRecorder(setup.root, setup.ignored)
    sys.addaudithook(recorder)
    session = Session(setup.root, setup.folder, stack, _figures())
    while (message := connection.recv()) is not None:
        number, block = message
        result = session.run(number, block)
        connection.send((number, session.pid, result))
    names = stable_names(setup.root)
    outputs = [
        shown_output(session.capture.read(number), columns, names) for number, columns in enumerate(session.columns)
    ]
    used = os.times()
    end = SessionEnd(outputs, recorder.inputs(), _device(), used.children_user + used.children_system)
    connection.send((None, session.pid, end))
    processes.end_descendants()


def _end_with_the_build(lifeline: Connection) -> None:
    """The build holds the other end: if it goes away, however it ends, the session ends with it."""
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()
    processes.end_descendants()
    os._exit(1)


def _figures() -> types.ModuleType | None:
    """tools.engine.figures, set up as matplotlib's backend; None where matplotlib is not installed."""
    try:
        from tools.engine import figures
    except ImportError:
        return None
    figures.setup()
    return figures


@dataclass
class Session:
    root: str
    folder: str
    stack: io.TextIOWrapper
    figures: types.ModuleType | None
    pid: int = field(default_factory=os.getpid)
    main: types.ModuleType = field(default_factory=lambda: types.ModuleType("__main__"))
    columns: list[int] = field(default_factory=list)  # of each block run so far

    def __post_init__(self) -> None:
        sys.modules["__main__"] = self.main
        self.capture = Capture(self.folder)

    def run(self, number: int, block: Block) -> BlockResult:
        self.columns.append(block.columns)
        self.main.__file__ = block.filename
        os.environ.update(COLUMNS=str(block.columns), LINES="50")
        self.stack.truncate(0)
        self.capture.start(number)
        start = time.perf_counter()
        faulthandler.dump_traceback_later(block.timeout, file=self.stack)
        error: BaseException | None = None
        try:
            if block.workdir:
                os.chdir(block.workdir)
            with self.figures.running(block.filename) if self.figures else contextlib.nullcontext():
                exec(compile(block.source, block.filename, "exec", dont_inherit=True), self.main.__dict__)
        except BaseException as raised:  # SystemExit too: it ends the block, not the session
            error = raised
        if os.getpid() != self.pid:  # a process the block forked, leaving the block: it must never answer
            os._exit(_exit_status(error))
        faulthandler.cancel_dump_traceback_later()
        seconds = time.perf_counter() - start
        os.chdir(self.root)
        failure = _failure(error) if error is not None else None
        drawn: tuple[CapturedFigure, ...] = ()
        if self.figures:  # while the output is still captured: a warning drawing a figure is the block's
            try:
                drawn, figure_failure = self.figures.capture(render=failure is None)
            except Exception as engine_error:  # the engine's own fault: fail the block, never the worker
                drawn, figure_failure = (), _failure(engine_error)
            failure = failure or figure_failure
        self.capture.end(number)
        if failure is None and (size := self.capture.size(number)) > OUTPUT_LIMIT:
            failure = Failure(
                "OutputTooLong",
                f"the block printed {size:,} bytes; a page shows at most {OUTPUT_LIMIT:,}: print less",
                [],
                "",
            )
        return BlockResult(seconds, failure, drawn)


def _exit_status(error: BaseException | None) -> int:
    if isinstance(error, SystemExit):
        return error.code if isinstance(error.code, int) else (0 if error.code is None else 1)
    return 0 if error is None else 1


class Capture:
    """Where a session's output goes: file descriptors 1 and 2 into the running block's file, and Python's
    sys.stdout and sys.stderr, line by line, into the file of the block that started the writing thread."""

    def __init__(self, folder: str) -> None:
        self.folder = folder
        self.files: dict[int, int] = {}  # block number -> its output file, open for appending
        self.owners: dict[int, tuple[threading.Thread, int]] = {}  # thread ident -> (thread, block that started it)
        self.running = 0
        self.threads_before: set[threading.Thread] = set()
        self.lock = threading.Lock()
        sys.stdout, sys.stderr = _LineStream(self, 1), _LineStream(self, 2)

    def start(self, number: int) -> None:
        self.flush()
        self.files[number] = os.open(output_file(self.folder, number), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        os.dup2(self.files[number], 1)
        os.dup2(self.files[number], 2)
        self.running = number
        self.threads_before = set(threading.enumerate())

    def end(self, number: int) -> None:
        self.flush()
        for thread in set(threading.enumerate()) - self.threads_before:
            if thread.ident is not None:
                self.owners[thread.ident] = (thread, number)

    def target(self) -> int:
        """The output file of the block whose thread is writing (the running block for any other thread)."""
        owner = self.owners.get(threading.get_ident())
        if owner is not None and owner[0] is threading.current_thread():
            return self.files[owner[1]]
        return self.files.get(self.running, 2)

    def flush(self) -> None:
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, _LineStream):
                stream.flush()

    def size(self, number: int) -> int:
        return os.fstat(self.files[number]).st_size

    def read(self, number: int) -> bytes:
        with open(output_file(self.folder, number), "rb") as file:
            return file.read(OUTPUT_LIMIT + 1)


class _LineStream(io.TextIOBase):
    """sys.stdout or sys.stderr: line-buffered, as on a terminal, into the file Capture.target names."""

    def __init__(self, capture: Capture, fd: int) -> None:
        self.capture = capture
        self.fd = fd
        self.pending: dict[int, str] = {}  # target file -> text not yet ended by a newline

    @property
    def encoding(self) -> str:
        return "utf-8"

    @property
    def errors(self) -> str:
        return "replace"

    def fileno(self) -> int:
        return self.fd

    def isatty(self) -> bool:
        return False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self.capture.lock:
            target = self.capture.target()
            pending = self.pending.get(target, "") + text
            complete, _, rest = pending.rpartition("\n")
            if _:
                _write_all(target, (complete + "\n").encode("utf-8", errors="replace"))
            self.pending[target] = rest
        return len(text)

    def flush(self) -> None:
        with self.capture.lock:
            for target, text in self.pending.items():
                if text:
                    _write_all(target, text.encode("utf-8", errors="replace"))
            self.pending.clear()


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


class InputRecorder:
    """An audit hook that notes the project files a session reads (never ones it writes), and at the
    end, the project modules it imported. The import system's own reads are left to the module list."""

    def __init__(self, root: str, ignored: tuple[str, ...]) -> None:
        self.root = root + os.sep
        self.ignored = tuple(folder + os.sep for folder in ignored)
        self.read: set[str] = set()
        self.written: set[str] = set()

    def _project_file(self, path: object) -> str | None:
        if isinstance(path, bytes):
            path = os.fsdecode(path)
        if not isinstance(path, str | os.PathLike):
            return None  # a file descriptor
        absolute = os.path.abspath(path)
        if not absolute.startswith(self.root) or absolute.startswith(self.ignored) or "__pycache__" in absolute:
            return None
        return absolute[len(self.root) :]

    def __call__(self, event: str, args: tuple) -> None:
        if event != "open":
            return
        try:
            if sys._getframe(1).f_code.co_filename.startswith("<frozen importlib"):
                return
            path, mode, flags = args
            relative = self._project_file(path)
            if relative is None:
                return
            writing = any(letter in mode for letter in "wax+") if mode else flags & (os.O_WRONLY | os.O_RDWR)
            (self.written if writing else self.read).add(relative)
        except Exception:  # an audit hook that raises would fail the open it watches
            pass

    def inputs(self) -> dict[str, str]:
        modules = {
            relative: "module"
            for module in list(sys.modules.values())
            if (relative := self._project_file(getattr(module, "__file__", None))) and os.path.isfile(relative)
        }
        files = {relative: "file" for relative in self.read - self.written if os.path.isfile(relative)}
        return {**modules, **files}  # a module whose lines were also read (a traceback shows them) counts as a file


def _failure(error: BaseException) -> Failure:
    inside = error.__traceback__.tb_next if error.__traceback__ else None  # without the worker's own frame
    frames = [(frame.filename, frame.lineno or 0) for frame in traceback.extract_tb(inside)]
    if isinstance(error, SyntaxError) and error.filename:  # where the code does not parse: no frame of its own
        frames.append((error.filename, error.lineno or 0))
    trace = "".join(traceback.format_exception(type(error), error, inside))  # survives a __str__ that raises
    try:
        message = str(error)
    except Exception as broken:
        message = f"<str() of the exception failed: {type(broken).__name__}: {broken}>"
    return Failure(type(error).__name__, message, frames, trace)


def _device() -> str:
    torch = sys.modules.get("torch")  # a session that never imported torch ran on the CPU
    if torch is not None and torch.cuda.is_initialized():
        return f"GPU ({torch.cuda.get_device_name(0)})"
    return "CPU"
