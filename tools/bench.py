"""Benchmark cold `mkdocs build --strict` runs: median of several, split by phase.

    python tools/bench.py [--runs 3]

Each run is a fresh process building into a temporary directory. Phases:
imports (torch, torchvision, Lightning, torchmetrics), execution of each page's
code blocks, and everything else ("rendering": Python start-up, config, Markdown,
theme, search index, writing files).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MKDOCS = [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet"]


def one_cold_build() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        timings_file = Path(tmp) / "timings.json"
        env = {**os.environ, "GUIDE_TIMINGS_FILE": str(timings_file), "NO_MKDOCS_2_WARNING": "1"}
        start = time.perf_counter()
        subprocess.run([*MKDOCS, "--site-dir", str(Path(tmp) / "site")], cwd=ROOT, env=env, check=True)
        total = time.perf_counter() - start
        report = json.loads(timings_file.read_text(encoding="utf-8"))
    phases = {"imports": report["imports"]}
    per_page: dict[str, float] = defaultdict(float)
    for block in report["blocks"]:
        per_page[block["page"]] += block["seconds"]
    phases.update({f"execution: {page}": seconds for page, seconds in sorted(per_page.items())})
    phases["rendering"] = total - report["imports"] - sum(per_page.values())
    phases["total"] = total
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = [one_cold_build() for _ in range(parser.parse_args().runs)]
    print(f"cold `mkdocs build --strict`, median of {len(runs)} runs ({os.cpu_count()} CPUs)\n")
    print(f"| {'phase':<32} | {'median s':>8} | {'min s':>6} | {'max s':>6} |")
    print(f"| {'-' * 32} | {'-' * 7}: | {'-' * 5}: | {'-' * 5}: |")
    for phase in runs[0]:
        values = [run[phase] for run in runs]
        print(f"| {phase:<32} | {statistics.median(values):>8.2f} | {min(values):>6.2f} | {max(values):>6.2f} |")


if __name__ == "__main__":
    main()
