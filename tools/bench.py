"""Benchmark builds of the guide: medians of several runs, in a copy of the project.

    python tools/bench.py [--runs 3]

Scenarios, each a fresh `mkdocs build --strict` process:
  cold         empty output cache: every block runs (split into imports, execution
               per page and rendering: Python start-up, Markdown, theme, search, files)
  warm         nothing changed: every block comes from the cache
  one snippet  a comment added to the PyTorch training run (snippets/steps/training/pytorch.py)
  no exec      GUIDE_EXEC=off: no block runs, for reference
  one process  every executed block run once, in page order, in one plain Python process:
               no workers, no cache, no Markdown (the cold build's budget is 1.15x this)
The warm build is also run once under `python -X importtime` to show which
heavy libraries it imports.
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
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COPIED = ("docs", "notebooks", "overrides", "snippets", "tools", "data", "mkdocs.yml")
EDITED_SNIPPET = "snippets/steps/training/pytorch.py"
EDITED_LINE = "    history = fit(model, train_loader, val_loader)\n"
EDITED_PAGE = "steps/training.md"
# The same code as that page's session (its two blocks), run on its own in a fresh process.
EDITED_SESSION = [sys.executable, "-m", "snippets.steps.training.pytorch"]
HEAVY_MODULES = ("torch", "torchvision", "pytorch_lightning", "lightning_fabric", "torchmetrics")
INCLUDE = re.compile(r'^\s*--8<-- "(?P<path>[^":]+)(?::(?P<section>[^"]+))?"\s*$')
SESSION = re.compile(r'\bsession="(?P<name>[^"]+)"')
COLD_BUDGET = 1.15  # the cold build against running every block once in one process


def copy_project(destination: Path) -> Path:
    ignore = shutil.ignore_patterns("__pycache__", "full")
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=ignore)
        else:
            shutil.copy2(source, destination / name)
    return destination


def build(project: Path, cache: Path, *, python_flags: tuple[str, ...] = (), **environment: str) -> dict:
    """One build; its wall time, the hooks' timing report and what it printed on stderr."""
    report_file = project / "timings.json"
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDE_")}
    env.update(NO_MKDOCS_2_WARNING="1", GUIDE_EXEC_CACHE=str(cache), GUIDE_TIMINGS_FILE=str(report_file), **environment)
    command = [
        sys.executable,
        *python_flags,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "--quiet",
        "-d",
        str(project / "site"),
    ]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"build failed:\n{result.stdout}{result.stderr}")
    report = json.loads(report_file.read_text(encoding="utf-8"))
    return {"seconds": seconds, "report": report, "stderr": result.stderr}


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def executed_blocks(project: Path) -> list[tuple[str, str, str]]:
    """(session, file, positioned source) of every executed block of the site's pages, in page order."""
    from tools.engine.fences import EXECUTED, PYTHON_LANGUAGES, fences
    from tools.engine.sources import pieces_of

    blocks = []
    for page in sorted((project / "docs").rglob("*.md")):
        for fence in fences(page.read_text(encoding="utf-8")):
            if fence.language not in PYTHON_LANGUAGES or not EXECUTED.search(fence.info):
                continue
            include = next(match for line in fence.body if (match := INCLUDE.match(line)))
            pieces = pieces_of(project / include["path"], project)
            piece = next(piece for piece in pieces if piece.section == include["section"])
            session = SESSION.search(fence.info)
            name = f"{page}:{session['name']}" if session else f"{page}:{fence.line}"
            blocks.append((name, str(project / piece.path), piece.positioned_source()))
    return blocks


def run_in_one_process(project: Path) -> None:
    """Every executed block once, each session in a fresh __main__ namespace, all in this process."""
    import contextlib
    import types

    import torch

    torch.set_num_threads(1)  # as the build's workers run
    sys.path.insert(0, str(project))
    from tools.engine import figures

    figures.setup()  # the build's figure backend: every figure a block draws is rendered to SVG, as there
    os.environ.pop("FULL_MNIST", None)
    modules: dict[str, types.ModuleType] = {}
    with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        for session, filename, source in executed_blocks(project):
            module = modules.setdefault(session, types.ModuleType("__main__"))
            module.__file__ = filename
            # As in a worker: what a block defines pickles by reference to __main__ (a spawned DDP rank).
            sys.modules["__main__"] = module
            with figures.running(filename):
                exec(compile(source, filename, "exec", dont_inherit=True), module.__dict__)
            figures.capture()


def cold_phases(run: dict) -> dict[str, float]:
    report = run["report"]
    per_page: dict[str, float] = defaultdict(float)
    for block in report["blocks"]:
        per_page[block["page"]] += block["seconds"]
    phases = {"imports": report["imports"]}
    phases.update({f"execution: {page}": seconds for page, seconds in sorted(per_page.items())})
    phases["rendering"] = run["seconds"] - report["imports"] - sum(per_page.values())
    phases["total"] = run["seconds"]
    return phases


def heavy_imports(importtime_stderr: str) -> list[str]:
    modules = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)$", importtime_stderr, re.MULTILINE)
    return sorted({module for module in modules if module.split(".")[0] in HEAVY_MODULES})


def table(title: str, rows: dict[str, list[float]]) -> None:
    print(f"\n{title}\n")
    print(f"| {'what':<42} | {'median s':>8} | {'min s':>6} | {'max s':>6} |")
    print(f"| {'-' * 42} | {'-' * 7}: | {'-' * 5}: | {'-' * 5}: |")
    for name, values in rows.items():
        print(f"| {name:<42} | {statistics.median(values):>8.2f} | {min(values):>6.2f} | {max(values):>6.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--one-process", type=Path, help=argparse.SUPPRESS)  # the baseline scenario, internally
    arguments = parser.parse_args()
    if arguments.one_process:
        run_in_one_process(arguments.one_process)
        return
    runs = arguments.runs
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        cache = Path(tmp) / "cache"
        cold = []
        for _ in range(runs):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(cold_phases(build(project, cache, GUIDE_EXEC_REFRESH="1")))
        warm = [build(project, cache)["seconds"] for _ in range(runs)]
        imported = heavy_imports(build(project, cache, python_flags=("-X", "importtime"))["stderr"])
        edited, edited_ran = [], []
        snippet = project / EDITED_SNIPPET
        original = snippet.read_text(encoding="utf-8")
        for n in range(runs):
            snippet.write_text(original.replace(EDITED_LINE, EDITED_LINE.rstrip() + f"  # bench edit {n}\n"))
            run = build(project, cache)
            edited.append(run["seconds"])
            edited_ran.append(run["report"]["ran"])
        snippet.write_text(original, encoding="utf-8")
        no_exec = [build(project, cache, GUIDE_EXEC="off")["seconds"] for _ in range(runs)]
        session = [timed(EDITED_SESSION, project) for _ in range(runs)]
        one_process_command = [sys.executable, str(Path(__file__).resolve()), "--one-process", str(project)]
        one_process = [timed(one_process_command, project) for _ in range(runs)]

    print(f"Builds of the guide, median of {runs} runs each, {os.cpu_count()} CPUs, {time.strftime('%Y-%m-%d')}")
    table("cold build (empty cache), by phase", {phase: [run[phase] for run in cold] for phase in cold[0]})
    table(
        "rebuilds",
        {
            "cold build": [run["total"] for run in cold],
            "warm rebuild, nothing changed": warm,
            "rebuild after editing one snippet": edited,
            "build with execution off": no_exec,
            f"python -m {EDITED_SESSION[-1]}": session,
            "every block once in one process": one_process,
        },
    )
    cold_total, warm_total = statistics.median(run["total"] for run in cold), statistics.median(warm)
    extra = statistics.median(edited) - warm_total
    print("\ntargets")
    print(f"- warm rebuild imports torch or Lightning: {', '.join(imported) if imported else 'no'} (-X importtime)")
    print(
        f"- cold build / every block once in one process = {cold_total / statistics.median(one_process):.2f}x"
        f" (target <= {COLD_BUDGET}x)"
    )
    print(f"- warm / cold = {warm_total / cold_total:.1%} (target <= 10%)")
    print(f"- warm / no-exec = {warm_total / statistics.median(no_exec):.2f}x (target <= 1.5x)")
    print(
        f"- one-snippet rebuild ran {statistics.median(edited_ran):.0f} block(s), {extra:.2f} s over a warm rebuild;"
        f" {EDITED_PAGE}'s session run alone (python -m {EDITED_SESSION[-1]}) takes {statistics.median(session):.2f} s"
        " (target: no more)"
    )


if __name__ == "__main__":
    main()
