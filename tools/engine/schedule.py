"""When each stale session runs: as it ran last time, the ones that kept every core busy alone, then the longest.

Sessions run side by side, GUIDE_EXEC_JOBS cores' worth at a time. A session whose blocks start
processes of their own (the DDP pages' two ranks) used more than one core last time: it waits for
that many free cores, since two ranks that wait for each other in every step and share a core with
a third process both crawl. Sessions that take under a second start first, so that MkDocs renders
their pages while the others run; then the heavy ones, then the longest, so that shorter ones fill
the end. How each session ran (seconds, cores) is kept in the cache folder; a session never run
before counts as one core and as the longest, in page order.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

QUICK = 1.0  # seconds: a session this short starts first
SCHEDULE_FILE = "schedule.json"  # in the cache folder: {session: {"seconds": wall time, "cores": see record}}


class Schedule:
    def __init__(self, folder: Path, jobs: int) -> None:
        self.path = folder / SCHEDULE_FILE
        self.jobs = jobs
        try:
            self.runs: dict[str, dict[str, float]] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.runs = {}

    def cores(self, name: str) -> int:
        """The cores the session waits for: as many as it kept busy last time, rounded, at most all of them."""
        used = self.runs.get(name, {}).get("cores", 1.0)
        return max(1, min(self.jobs, round(used)))

    def order(self, names: list[str]) -> list[str]:
        """Sessions known to take under a second first (their pages render while the rest run), then the heaviest,
        then the longest (a session never run before counts as the longest)."""

        def priority(name: str) -> tuple:
            seconds = self.runs.get(name, {}).get("seconds", math.inf)
            return (seconds >= QUICK, -self.cores(name), -seconds)

        return sorted(names, key=priority)

    def record(self, name: str, seconds: float, children_cpu_seconds: float) -> None:
        """The session's own core, and what the processes its blocks started kept busy on average. (Its own CPU
        time would undercount: two ranks that share a core with a third process mostly wait for each other.)"""
        cores = 1 + (children_cpu_seconds / seconds if seconds else 0)
        self.runs[name] = {"seconds": round(seconds, 3), "cores": round(cores, 2)}

    def save(self) -> None:
        with contextlib.suppress(OSError):  # a hint for next time: a build never fails for it
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(self.runs, file, ensure_ascii=False, sort_keys=True, indent=1)
            os.replace(temporary, self.path)


class Stopped(Exception):
    """The build stopped before the session could start."""


class Cores:
    """Free cores, handed to sessions strictly in order: each waits until it is next and enough are free."""

    def __init__(self, total: int, order: list[str], needs: dict[str, int]) -> None:
        self.free = total
        self.waiting = list(order)
        self.needs = needs
        self.stopped = False
        self.condition = threading.Condition()

    @contextlib.contextmanager
    def held(self, name: str) -> Iterator[None]:
        with self.condition:
            self.condition.wait_for(lambda: self.stopped or (self.waiting[0] == name and self.free >= self.needs[name]))
            if self.stopped:
                raise Stopped(name)
            self.waiting.pop(0)
            self.free -= self.needs[name]
            self.condition.notify_all()
        try:
            yield
        finally:
            with self.condition:
                self.free += self.needs[name]
                self.condition.notify_all()

    def stop(self) -> None:
        with self.condition:
            self.stopped = True
            self.condition.notify_all()
