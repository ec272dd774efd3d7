"""Find a Chromium for the browser tests, or install one the ordinary way for this machine.

    python tools/chromium.py      # `make browser`, run by `make test`: print the one found, installing if needed

A browser already there is used: $GUIDE_CHROMIUM, Playwright's own download, then a system
Chromium or Chrome. With none, root on a Debian-like system gets Debian's `chromium` package
(apt-get; CI runs so), anyone else Playwright's build (`playwright install chromium`). If no
browser can be had, it exits non-zero saying where it looked and what each attempt printed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SYSTEM_COMMANDS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
MAC_APPLICATIONS = (
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
)
# Flags for the tests' headless runs on a machine with no display, sandbox or network.
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@dataclass(frozen=True)
class Attempt:
    command: str
    returncode: int
    output: str

    def describe(self) -> str:
        tail = "\n".join(self.output.strip().splitlines()[-8:])
        return f"$ {self.command}\n  exit {self.returncode}\n" + "".join(f"  | {line}\n" for line in tail.splitlines())


def playwright_chromium() -> str | None:
    """Where Playwright keeps (or would keep) its own Chromium build."""
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            return playwright.chromium.executable_path
    except Exception:  # Playwright missing or its driver broken: that candidate does not exist
        return None


def candidates() -> list[str]:
    found = [os.environ.get("GUIDE_CHROMIUM"), playwright_chromium()]
    found += [shutil.which(command) for command in SYSTEM_COMMANDS]
    if sys.platform == "darwin":
        found += list(MAC_APPLICATIONS)
    return [path for path in dict.fromkeys(found) if path]


def runs(path: str) -> bool:
    """The binary exists and starts (a snap stub or a build missing its libraries does not)."""
    if not Path(path).is_file():
        return False
    try:
        result = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and "chrom" in result.stdout.lower()


def find_chromium() -> str | None:
    return next((path for path in candidates() if runs(path)), None)


def _run(command: list[str]) -> Attempt:
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=900)
        return Attempt(" ".join(command), result.returncode, result.stdout + result.stderr)
    except (OSError, subprocess.TimeoutExpired) as error:
        return Attempt(" ".join(command), -1, str(error))


def install_attempts() -> list[list[list[str]]]:
    """Ways to install, in order; each is a list of commands run one after another."""
    attempts = []
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    if is_root and shutil.which("apt-get") and Path("/etc/debian_version").exists():
        attempts.append([["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]])
    attempts.append([[sys.executable, "-m", "playwright", "install", "chromium"]])
    return attempts


def ensure_chromium() -> tuple[str | None, list[Attempt]]:
    """The Chromium to use, installing one if none runs; and the install commands that were run."""
    done: list[Attempt] = []
    path = find_chromium()
    if path:
        return path, done
    for commands in install_attempts():
        for command in commands:
            done.append(_run(command))
            if done[-1].returncode != 0:
                break
        path = find_chromium()
        if path:
            break
    return path, done


def main() -> int:
    path, attempts = ensure_chromium()
    if path:
        print(f"chromium: {path}{' (installed now)' if attempts else ''}")
        return 0
    looked = "\n".join(f"  {candidate}" for candidate in candidates()) or "  (nothing)"
    tried = "\n".join(attempt.describe() for attempt in attempts)
    print(
        f"No Chromium could be had for the browser tests.\nLooked for a browser that starts at:\n{looked}\n"
        f"Tried to install one:\n{tried}\n"
        "Set GUIDE_CHROMIUM to a Chromium or Chrome binary, or install Playwright's system libraries "
        "(`sudo .venv/bin/playwright install-deps chromium`) and run `make browser` again.",
        file=sys.stderr,
    )
    return 1


if __name__ == "__main__":
    sys.exit(main())
