"""Shared setup.

tests/ and tests/test_snippets/ are packages, so pytest puts the project root on
sys.path and the tests import `snippets` and `tools` as the build does.
"""

import functools
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
import yaml
from filelock import FileLock
from playwright.sync_api import sync_playwright

from tests.offline import offline_environment, unshare_command, why_not_offline
from tests.small_project import ExecReport
from tools.chromium import LAUNCH_ARGS, candidates, find_chromium

ROOT = Path(__file__).resolve().parent.parent
# What the Pages workflow would set for the repository guide-user/lightning-guide (mkdocs.yml reads both).
SITE_URL = "https://guide-user.github.io/lightning-guide/"
REPO_URL = "https://github.com/guide-user/lightning-guide"

# The tests check the shipped 5,000-digit subset; FULL_MNIST=1 would point them at the full set.
os.environ.pop("FULL_MNIST", None)

# The model is tiny: a second intra-op thread gains nothing, and on a busy 2-core machine
# (a build running beside the tests) competing OpenMP threads make training 10-30x slower.
# Both frameworks train in this process, so they still run the same arithmetic.
torch.set_num_threads(1)


def build_site(site_dir: Path, cache_dir: Path, **environment: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict`, as `make build` runs it, into site_dir with its own output cache.

    A local build unless SITE_URL and REPO_URL are passed: the caller's own values are not inherited.
    """
    inherited = {name: value for name, value in os.environ.items() if name not in ("SITE_URL", "REPO_URL")}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env={**inherited, "NO_MKDOCS_2_WARNING": "1", "GUIDE_EXEC_CACHE": str(cache_dir), **environment},
        capture_output=True,
        text=True,
    )


def built_once(tmp_path_factory, name: str, build: Callable[[Path], subprocess.CompletedProcess]) -> tuple[Path, str]:
    """(folder, build log) of a build that all the test processes (pytest-xdist's workers) share: the first to
    ask builds into a folder beside their own temporary folders, under a lock; the others wait and read it."""
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    shared = shared or tmp_path_factory.getbasetemp()
    folder, record = shared / name, shared / f"{name}.json"
    with FileLock(str(shared / f"{name}.lock")):
        if not record.exists():
            result = build(folder)
            log = result.stdout + result.stderr
            record.write_text(json.dumps({"returncode": result.returncode, "log": log}), encoding="utf-8")
    built = json.loads(record.read_text(encoding="utf-8"))
    assert built["returncode"] == 0, built["log"]
    return folder, built["log"]


@pytest.fixture(scope="session")
def cold_build(tmp_path_factory) -> tuple[Path, Path, str]:
    """The guide built once with an empty cache, so every block runs: (site, cache, build log)."""
    folder, log = built_once(
        tmp_path_factory, "cold-build", lambda folder: build_site(folder / "site", folder / "cache")
    )
    return folder / "site", folder / "cache", log


@dataclass(frozen=True)
class SecondBuild:
    site: Path
    log: str
    network_log: Path | None  # what its processes did to reach the network; None where it could not be cut off


@pytest.fixture(scope="session")
def second_build(tmp_path_factory) -> SecondBuild:
    """The guide built a second time from an empty cache, one session at a time where the first ran them side by
    side, and cut off from the network where the system allows it (tests/offline.py): two independent runs for
    the tests that compare them, and the offline build's own test."""
    offline = why_not_offline() is None

    def build(folder: Path) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(folder / "site")]
        environment = offline_environment(folder) if offline else {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        environment.update(GUIDE_EXEC_CACHE=str(folder / "cache"), GUIDE_EXEC_JOBS="1")
        for name in ("SITE_URL", "REPO_URL"):
            environment.pop(name, None)
        return subprocess.run(
            [*unshare_command(), *command] if offline else command,
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
        )

    folder, log = built_once(tmp_path_factory, "second-build", build)
    return SecondBuild(folder / "site", log, folder / "network.log" if offline else None)


@pytest.fixture(scope="session")
def site(cold_build) -> Path:
    """The built guide, for every test that reads the pages."""
    return cold_build[0]


@pytest.fixture(scope="session")
def published_site(cold_build, tmp_path_factory) -> Path:
    """The guide as the Pages workflow builds it (SITE_URL, REPO_URL), from the cold build's cache: no code runs."""
    cache_dir = cold_build[1]

    def publish(folder: Path) -> subprocess.CompletedProcess:
        return build_site(folder, cache_dir, SITE_URL=SITE_URL, REPO_URL=REPO_URL)

    site_dir, log = built_once(tmp_path_factory, "published-site", publish)
    assert ExecReport.of(log).sessions_ran == 0, "publishing settings must not change what the code blocks show"
    return site_dir


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served_site(site):
    """The built guide over HTTP on a free local port: its root URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=site))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def nav_pages() -> dict[str, str]:
    """Every page in mkdocs.yml's nav, as its URL below the site root ("", "steps/data/") -> its file under docs/."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)

    def sources(items):
        for item in items:
            for value in item.values() if isinstance(item, dict) else [item]:
                if isinstance(value, list):
                    yield from sources(value)
                elif not value.startswith(("http://", "https://")):
                    yield value

    def url(source: str) -> str:  # MkDocs' directory URLs: steps/data.md -> steps/data/, index.md -> ""
        path = source.removesuffix(".md")
        return path.removesuffix("index") if path == "index" or path.endswith("/index") else path + "/"

    return {url(source): source for source in sources(config["nav"])}


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium through Playwright, the one `make browser` found or installed."""
    chromium = find_chromium()
    if chromium is None:
        looked = ", ".join(candidates()) or "nowhere"
        pytest.fail(f"no Chromium starts (looked at: {looked}); `make browser` installs one and says what it tried")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def search_results(browser, url: str, query: str) -> list[str]:
    """Open url, type query into Material's search box and return the results' links."""
    page = browser.new_page()
    page.goto(url, wait_until="networkidle")
    page.keyboard.press("s")  # Material's shortcut for the search box
    page.fill("input.md-search__input", query)
    page.keyboard.press("End")  # Material searches on key events, which fill() alone does not send
    page.wait_for_selector(".md-search-result__item", timeout=15_000)
    links = page.eval_on_selector_all(".md-search-result__item a", "links => links.map(a => a.href)")
    page.close()
    return links
