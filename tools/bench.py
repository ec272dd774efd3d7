"""Benchmark builds of the guide: medians of several runs, in a copy of the project.

    python tools/bench.py [--runs 3]
    python tools/bench.py --one-process DIR [--session NAME]   (the reference: see below)

Scenarios, each a fresh `mkdocs build` process:
  first         a cold build of a fresh clone: no output cached and no schedule yet (once)
  cold          no output cached: every session runs, as many cores' worth at once as there are
                cores (GUIDE_EXEC_JOBS unset), in the order the schedule from the first build gives;
                with the peak memory of the build's processes
  cold, 1 job   the same, one session at a time (GUIDE_EXEC_JOBS=1)
  warm          nothing changed: every session comes from the cache
  one snippet   a comment added to a line of the PyTorch training run (snippets/steps/training/pytorch.py)
  no exec       GUIDE_EXEC=off: no block runs, for reference (it warns, so it is built without --strict)
  one process   every executed block run once, session by session in page order, in one plain Python
                process: no workers, no cache, no Markdown (the floor the cold build is measured against);
                `--session NAME` runs that session alone the same way
Peak memory is the largest sum, over the build's processes (MkDocs, the fork server, the workers and
what their blocks start), of their proportional set sizes (PSS: shared pages split between the
processes that share them), sampled every 0.2 s. The warm build is also run once under
`python -X importtime` to show which heavy libraries it imports.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
SCHEDULE_FILE = "schedule.json"  # tools/engine/schedule.py: kept between the cold builds
COPIED = ("docs", "notebooks", "overrides", "snippets", "tools", "data", "mkdocs.yml")
EDITED_SNIPPET = "snippets/steps/training/pytorch.py"
EDITED_LINE = "    history = fit(model, train_loader, val_loader)\n"
EDITED_SESSION = "training-pytorch"  # the session that shows that line
HEAVY_MODULES = ("torch", "torchvision", "pytorch_lightning", "lightning_fabric", "torchmetrics")
TARGETS = {"cold": 0.6, "warm": 1.1, "edit slack s": 0.5, "memory GiB": 1.25}  # on the project's 2-core machine
GIB = 1024**3


def copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "full")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


class PeakMemory:
    """The largest summed PSS of a process and all its descendants, sampled in a thread until stopped."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()

    def _sample(self) -> None:
        while self.running:
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            for process in processes:
                try:
                    total += process.memory_full_info().pss
                except (psutil.NoSuchProcess, psutil.AccessDenied):
                    pass
            self.peak = max(self.peak, total)
            time.sleep(0.2)

    def stop(self) -> int:
        self.running = False
        self.thread.join()
        return self.peak


def build(project: Path, cache: Path, *, python_flags=(), strict=True, memory=False, **environment) -> dict:
    """One build: its wall time, the hooks' timing report, what it printed on stderr and its peak memory."""
    report_file = project / "timings.json"
    report_file.unlink(missing_ok=True)
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDE_")}
    env.update(NO_MKDOCS_2_WARNING="1", GUIDE_EXEC_CACHE=str(cache), GUIDE_TIMINGS_FILE=str(report_file), **environment)
    command = [sys.executable, *python_flags, "-m", "mkdocs", "build", *(["--strict"] if strict else [])]
    command += ["--quiet", "-d", str(project / "site")]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=project, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = PeakMemory(process.pid) if memory else None
    stdout, stderr = process.communicate()
    seconds = time.perf_counter() - start
    peak = sampler.stop() if sampler else 0
    if process.returncode != 0:
        sys.exit(f"build failed:\n{stdout}{stderr}")
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.exists() else {}
    return {"seconds": seconds, "report": report, "stderr": stderr, "peak": peak}


def timed_in_one_process(project: Path, *arguments: str) -> float:
    """The one-process reference, run as the build runs its workers: their environment (one thread each)."""
    sys.path.insert(0, str(ROOT))
    from tools.engine.processes import worker_environment

    command = [sys.executable, str(Path(__file__).resolve()), "--one-process", str(project), *arguments]
    start = time.perf_counter()
    subprocess.run(command, cwd=project, env=worker_environment(), capture_output=True, check=True)
    return time.perf_counter() - start


def run_in_one_process(project: Path, only: str | None) -> None:
    """Every executed block once (or those of one session), each session in a fresh __main__ module, all in
    this process: the blocks' own cost, without workers, cache or Markdown."""
    import contextlib
    import types

    import torch

    torch.set_num_threads(1)  # as the build's workers run
    sys.path.insert(0, str(project))
    from tools.engine import figures
    from tools.engine.plan import sessions_of

    figures.setup()  # the build's figure backend: every figure a block draws is rendered to SVG, as there
    os.environ.pop("FULL_MNIST", None)
    os.chdir(project)
    pages = [(page.relative_to(project / "docs").as_posix(), page.read_text("utf-8")) for page in _pages(project)]
    sessions = [session for session in sessions_of(project, pages) if only in (None, session.name)]
    if not sessions:
        sys.exit(f"no session named {only!r}")
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        for session in sessions:
            module = types.ModuleType("__main__")
            # As in a worker: what a block defines pickles by reference to __main__ (a spawned DDP rank).
            sys.modules["__main__"] = module
            for block in session.blocks:
                filename = str(project / block.piece.path)
                module.__file__ = filename
                with figures.running(filename):
                    exec(compile(block.piece.positioned_source(), filename, "exec", dont_inherit=True), module.__dict__)
                figures.capture()


def _pages(project: Path) -> list[Path]:
    return sorted((project / "docs").rglob("*.md"))


def heavy_imports(importtime_stderr: str) -> list[str]:
    modules = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", importtime_stderr, re.MULTILINE)
    return sorted({module for module in modules if module.split(".")[0] in HEAVY_MODULES})


def median(values: list[float]) -> float:
    return statistics.median(values)


def table(rows: dict[str, list[float]], unit: str = "s", scale: float = 1.0) -> None:
    print(f"| {'what':<48} | {'median ' + unit:>9} | {'min ' + unit:>7} | {'max ' + unit:>7} |")
    print(f"| {'-' * 48} | {'-' * 8}: | {'-' * 6}: | {'-' * 6}: |")
    for name, values in rows.items():
        values = [value / scale for value in values]
        print(f"| {name:<48} | {median(values):>9.2f} | {min(values):>7.2f} | {max(values):>7.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-process", type=Path, metavar="DIR", help="run the one-process reference on DIR")
    parser.add_argument("--session", help="with --one-process: only this session")
    arguments = parser.parse_args()
    if arguments.one_process:
        run_in_one_process(arguments.one_process.resolve(), arguments.session)
        return
    runs = arguments.runs
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        cache = Path(tmp) / "cache"

        def cold(**environment: str) -> dict:
            """No output in the cache; the schedule (how each session ran last time) is kept, as CI keeps it."""
            for entry in cache.glob("*"):
                if entry.name != SCHEDULE_FILE:
                    shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
            return build(project, cache, memory=True, **environment)

        first = cold()  # a fresh clone's first build: no schedule yet, sessions start in page order

        snippet = project / EDITED_SNIPPET
        original = snippet.read_text(encoding="utf-8")
        # Each round runs every scenario once, so that a machine whose speed drifts (a shared host) slows them
        # alike: the ratios compare runs made minutes apart, not a fast quarter of an hour with a slow one.
        parallel, serial, one_process, warm, no_exec, edited, session_alone = [], [], [], [], [], [], []
        for n in range(runs):
            parallel.append(cold())
            serial.append(cold(GUIDE_EXEC_JOBS="1"))
            one_process.append(timed_in_one_process(project))
            warm.append(build(project, cache))
            no_exec.append(build(project, cache, strict=False, GUIDE_EXEC="off"))
            snippet.write_text(original.replace(EDITED_LINE, EDITED_LINE.rstrip() + f"  # bench edit {n}\n"))
            edited.append(build(project, cache))
            session_alone.append(timed_in_one_process(project, "--session", EDITED_SESSION))
        snippet.write_text(original, encoding="utf-8")
        build(project, cache)
        imported = heavy_imports(build(project, cache, python_flags=("-X", "importtime"))["stderr"])

    seconds = {
        "first build of a fresh clone (no schedule yet)": [first["seconds"]],
        "cold build, sessions in parallel": [run["seconds"] for run in parallel],
        "cold build, one session at a time": [run["seconds"] for run in serial],
        "warm rebuild, nothing changed": [run["seconds"] for run in warm],
        "rebuild after editing one snippet": [run["seconds"] for run in edited],
        "build with execution off": [run["seconds"] for run in no_exec],
        "every block once in one process": one_process,
        f"session {EDITED_SESSION} alone in one process": session_alone,
    }
    print(f"Builds of the guide, median of {runs} runs each, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}\n")
    table(seconds)
    print("\npeak memory of a cold build (summed PSS of the build's processes)\n")
    table(
        {
            "first build of a fresh clone": [first["peak"]],
            "sessions in parallel": [run["peak"] for run in parallel],
            "one session at a time": [run["peak"] for run in serial],
        },
        unit="GiB",
        scale=GIB,
    )
    cold_ratio = median(seconds["cold build, sessions in parallel"]) / median(one_process)
    warm_ratio = median(seconds["warm rebuild, nothing changed"]) / median(seconds["build with execution off"])
    extra = median(seconds["rebuild after editing one snippet"]) - median(seconds["warm rebuild, nothing changed"])
    peak = median([run["peak"] for run in parallel]) / GIB
    reran = sorted({(run["report"]["sessions_ran"], run["report"]["ran"]) for run in edited})
    print("\ntargets")
    print(f"- cold build / every block once in one process = {cold_ratio:.2f}x (target <= {TARGETS['cold']}x)")
    print(f"- warm / execution off = {warm_ratio:.2f}x (target <= {TARGETS['warm']}x)")
    print(
        f"- one-snippet rebuild ran (sessions, blocks) {reran}: {extra:.2f} s over a warm rebuild, against"
        f" {median(session_alone):.2f} s for session {EDITED_SESSION} alone in one process"
        f" (target: at most {TARGETS['edit slack s']} s more)"
    )
    print(f"- peak memory of a cold build = {peak:.2f} GiB (target <= {TARGETS['memory GiB']} GiB)")
    print(f"- warm rebuild imports torch or Lightning: {', '.join(imported) if imported else 'no'} (-X importtime)")


if __name__ == "__main__":
    main()
