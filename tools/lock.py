"""The pinned set: requirements.txt, compiled from requirements.in for every supported system.

    python tools/lock.py compile    # `make lock`: recompile requirements.txt, keeping pins where it can
    python tools/lock.py check      # `make lock-check`: is it current, does it install everywhere? (a table)

Each supported system and Python is resolved with `uv pip install --dry-run` for that platform
(uv asks PyPI for the packages' metadata; nothing is installed). Two rows just outside the
supported range must fail, so the stated minimums are the real ones.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"
MIN_PYTHON = "3.11.5"  # pymdown-extensions 13 requires it
MIN_MACOS = "14.0"  # torch 2.14.1 has macOS wheels for arm64 and macOS 14 or newer only


@dataclass(frozen=True)
class Target:
    system: str
    platform: str  # uv's --python-platform
    python: str
    macos: str = MIN_MACOS
    should_resolve: bool = True

    @property
    def label(self) -> str:
        macos = f" (macOS {self.macos})" if "apple" in self.platform else ""
        return f"{self.system}{macos}, Python {self.python}"


SUPPORTED = [
    Target(system, platform, python)
    for system, platform in (
        ("Linux x86_64", "x86_64-manylinux_2_28"),
        ("macOS arm64", "aarch64-apple-darwin"),
        ("Windows x86_64", "x86_64-pc-windows-msvc"),
    )
    for python in (MIN_PYTHON, "3.13")
]
JUST_OUTSIDE = [
    Target("Linux x86_64", "x86_64-manylinux_2_28", "3.11.4", should_resolve=False),
    Target("macOS arm64", "aarch64-apple-darwin", MIN_PYTHON, macos="13.0", should_resolve=False),
]


@dataclass(frozen=True)
class Resolution:
    target: Target
    resolved: bool
    packages: int
    message: str  # uv's last lines

    @property
    def as_expected(self) -> bool:
        return self.resolved == self.target.should_resolve


def uv(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "uv", *arguments],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )


def resolve(target: Target) -> Resolution:
    with tempfile.TemporaryDirectory() as scratch:
        result = uv(
            "pip", "install", "--dry-run", "--target", scratch, "-r", str(LOCK),
            "--python-platform", target.platform, "--python-version", target.python,
            env={"MACOSX_DEPLOYMENT_TARGET": target.macos},
        )  # fmt: skip
    output = result.stdout + result.stderr
    count = re.search(r"Would install (\d+) packages", output)
    message = "\n".join(output.strip().splitlines()[-3:]) if result.returncode else ""
    return Resolution(target, result.returncode == 0, int(count[1]) if count else 0, message)


def compile_lock(output: Path) -> subprocess.CompletedProcess[str]:
    """`make lock`'s compile, into `output`; uv keeps the pins already in `output` where it can."""
    return uv(
        "pip", "compile", "requirements.in", "--universal", "--python-version", MIN_PYTHON,
        "--custom-compile-command", "make lock", "--quiet", "-o", str(output),
    )  # fmt: skip


def lock_is_current() -> tuple[bool, str]:
    """Compiling requirements.in again over a copy of the lock changes nothing."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "requirements.txt"
        shutil.copy(LOCK, copy)
        result = compile_lock(copy)
        if result.returncode != 0:
            return False, result.stderr
        return copy.read_text(encoding="utf-8") == LOCK.read_text(encoding="utf-8"), ""


def check() -> int:
    current, problem = lock_is_current()
    rows = [resolve(target) for target in SUPPORTED + JUST_OUTSIDE]
    print(f"requirements.txt compiled from requirements.in and up to date: {'yes' if current else 'NO'} {problem}")
    print()
    print(f"| {'system':<42} | {'expected':<10} | {'resolved':<8} | {'packages':>8} |")
    print(f"| {'-' * 42} | {'-' * 10} | {'-' * 8} | {'-' * 7}: |")
    for row in rows:
        expected = "installs" if row.target.should_resolve else "refused"
        mark = "yes" if row.resolved else "no"
        print(f"| {row.target.label:<42} | {expected:<10} | {mark:<8} | {row.packages:>8} |")
    failures = [row for row in rows if not row.as_expected]
    for row in failures:
        print(f"\nUNEXPECTED: {row.target.label}\n{row.message}", file=sys.stderr)
    return 0 if current and not failures else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["compile"]:
        result = compile_lock(LOCK)
        print(result.stdout + result.stderr, end="")
        sys.exit(result.returncode)
    if sys.argv[1:] == ["check"]:
        sys.exit(check())
    sys.exit(__doc__)
