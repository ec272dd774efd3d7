"""The output cache: a session runs again exactly when something that can change its output changed.

The integration cases build a small project (the guide's mkdocs.yml and tools/, tiny snippets that
import no torch, so the fork server preloads only matplotlib: GUIDE_EXEC_PRELOAD) in about two
seconds. Every snippet appends its name to runs.log, so a test sees exactly what ran; the build
log's snippet-exec line says how many sessions and blocks ran or came from the cache.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import queue
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.small_project import REPO_ROOT, ExecReport, copy_build_setup
from tools.engine import cache_key
from tools.engine.cache import BlockRun, ExecCache, SessionRun

LIGHT_PRELOAD = "tools.engine.figures"  # what the small projects' blocks need preloaded: none imports torch
LOG_RUN = "with (Path(__file__).resolve().parents[2] / 'runs.log').open('a') as runs:\n    runs.write('{name}\\n')\n"
SNIPPETS = {
    "first.py": "from pathlib import Path\n\nvalue = 20\n"
    + LOG_RUN.format(name="first")
    + "print(f'first: {value}')\n",
    "second.py": (
        "from snippets.demo.helper import double\n\n"
        + LOG_RUN.format(name="second")
        + "print(f'second: {double(value)}')\n"
    ),
    "other.py": "from pathlib import Path\n\n" + LOG_RUN.format(name="other") + "print('other')\n",
    "helper.py": "def double(number):\n    return 2 * number\n",
}
PAGE = """# 캐시

```python exec="on" source="above" result="text" session="alpha"
--8<-- "snippets/demo/first.py"
```

```python exec="on" source="above" result="text" session="alpha"
--8<-- "snippets/demo/second.py"
```

```python exec="on" source="above" result="text" session="beta"
--8<-- "snippets/demo/other.py"
```

```python exec="on" source="above" result="text" session="gamma"
--8<-- "snippets/demo/helper.py"
```
"""
COLD = ExecReport(3, 4, 0, 0, 0)
WARM = ExecReport(0, 0, 3, 4, 0)
TIMES = re.compile(rb"\xec\x8b\xa4\xed\x96\x89 [\d.]+")  # "실행 2.4" in UTF-8: how long a block took


def without_times(html: bytes) -> bytes:
    return TIMES.sub(b"", html)


class Project:
    def __init__(self, root: Path) -> None:
        self.root = copy_build_setup(root, PAGE)
        demo = root / "snippets" / "demo"
        demo.mkdir(parents=True)
        for package in (root / "snippets", demo):
            (package / "__init__.py").write_text("", encoding="utf-8")
        for name, text in SNIPPETS.items():
            self.write(f"snippets/demo/{name}", text)
        self.write("data/numbers.bin", "0123")
        self.cache = root / ".cache" / "exec"

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text
        # Replace the file whole, as editors do, so a watching `mkdocs serve` never reads it half-written.
        draft = path.with_suffix(".draft")
        draft.write_text(text.replace(old, new), encoding="utf-8")
        os.replace(draft, path)

    def runs(self) -> list[str]:
        """The snippets that ran since the last call, in alphabetical order (sessions run in parallel)."""
        log = self.root / "runs.log"
        runs = log.read_text(encoding="utf-8").split() if log.exists() else []
        log.unlink(missing_ok=True)
        return sorted(runs)

    def environment(self, **environment: str) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDE_EXEC")}
        return {**env, "NO_MKDOCS_2_WARNING": "1", "GUIDE_EXEC_PRELOAD": LIGHT_PRELOAD, **environment}

    def start_build(self, site: str = "site", python: tuple[str, ...] = (), **environment: str) -> subprocess.Popen:
        command = [sys.executable, *python, "-m", "mkdocs", "build", "--strict", "-d", str(self.root / site)]
        return subprocess.Popen(
            command,
            cwd=self.root,
            env=self.environment(**environment),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    def build(self, site: str = "site", python: tuple[str, ...] = (), **environment: str) -> ExecReport:
        process = self.start_build(site, python, **environment)
        log, _ = process.communicate(timeout=300)
        assert process.returncode == 0, log
        return ExecReport.of(log)

    def html(self, site: str = "site") -> bytes:
        return (self.root / site / "index.html").read_bytes()


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path / "project")
    assert project.build() == COLD
    assert project.runs() == ["first", "other", "second"]
    return project


def test_a_warm_build_runs_nothing_and_renders_the_same_bytes(project):
    cold = project.html()
    assert project.build() == WARM
    assert project.runs() == []
    assert project.html() == cold


def test_editing_prose_runs_nothing(project):
    project.edit("docs/index.md", "# 캐시", "# 캐시\n\n새 문단이에요.")
    assert project.build() == WARM
    assert project.runs() == []


def test_editing_a_block_runs_its_whole_session_again_and_nothing_else(project):
    project.edit("snippets/demo/second.py", "second: ", "second, edited: ")
    assert project.build() == ExecReport(1, 2, 2, 2, 0)
    assert project.runs() == ["first", "second"]
    assert b"second, edited: 40" in project.html()


def test_a_page_shows_the_outputs_of_one_run(project):
    """The first block prints a number no two runs share, and the second prints it again. After only the
    second block changes, both show the new run's number: the first is never left showing an older run."""
    project.edit("snippets/demo/first.py", "value = 20\n", "import random\n\nvalue = random.randrange(10**9)\n")
    project.edit("snippets/demo/second.py", "print(f'second: {double(value)}')", "print(f'second: {value}')")
    project.build()
    before = re.search(r"first: (\d+)", project.html().decode())[1]
    project.edit("snippets/demo/second.py", "second: ", "second, edited: ")
    assert project.build() == ExecReport(1, 2, 2, 2, 0)
    html = project.html().decode()
    first, second = re.search(r"first: (\d+)", html)[1], re.search(r"second, edited: (\d+)", html)[1]
    assert first == second != before


def test_editing_an_imported_module_reruns_its_importers(project):
    project.edit("snippets/demo/helper.py", "2 * number", "3 * number")
    # second imports helper; the helper.py block (session gamma) shows the file itself.
    assert project.build() == ExecReport(2, 3, 1, 1, 0)
    assert project.runs() == ["first", "second"]
    assert b"second: 60" in project.html()


def test_a_comment_that_moves_no_line_does_not_count_for_the_importers(project):
    project.edit("snippets/demo/helper.py", "return 2 * number", "return 2 * number  # twice")
    assert project.build() == ExecReport(1, 1, 2, 3, 0)  # only the block that shows helper.py itself
    assert project.runs() == []


def test_a_line_that_moves_code_counts_since_warnings_print_line_numbers(project):
    project.edit("snippets/demo/helper.py", "def double", "import warnings\n\n\ndef double")
    project.edit("snippets/demo/helper.py", "    return", "    warnings.warn('doubling')\n    return")
    assert project.build() == ExecReport(2, 3, 1, 1, 0)
    assert b"helper.py:5: UserWarning: doubling" in project.html()
    project.runs()
    project.edit("snippets/demo/helper.py", "import warnings\n", "import warnings\n# moved down a line\n")
    assert project.build() == ExecReport(2, 3, 1, 1, 0)
    assert project.runs() == ["first", "second"]
    html = project.html()
    assert b"helper.py:6: UserWarning: doubling" in html and b"helper.py:5:" not in html


def test_code_that_runs_on_import_counts_and_a_main_block_does_not(project):
    project.edit(
        "snippets/demo/helper.py",
        "    return 2 * number\n",
        "    return 2 * number\n\n\nif __name__ != '__main__':\n    FACTOR = 2\n\nif __name__ == '__main__':\n"
        "    print(double(1))\n",
    )
    project.build()
    project.runs()
    project.edit("snippets/demo/helper.py", "print(double(1))", "print(double(2))")
    assert project.build() == ExecReport(1, 1, 2, 3, 0), "a main block never runs on import: only gamma"
    assert project.runs() == []
    project.edit("snippets/demo/helper.py", "FACTOR = 2", "FACTOR = 3")
    assert project.build() == ExecReport(2, 3, 1, 1, 0), "`!=` runs on import: its importers run again"


def test_changing_a_data_file_reruns_everything(project):
    project.write("data/numbers.bin", "0124")
    assert project.build() == COLD
    assert project.runs() == ["first", "other", "second"]


def test_a_file_the_code_reads_is_an_input_python_files_included(project):
    """Session beta counts helper.py's lines with open(): a change no import would notice reruns it."""
    project.edit(
        "snippets/demo/other.py",
        "print('other')",
        "print('lines in helper.py:', len(open('snippets/demo/helper.py').read().splitlines()))\n"
        "print('table:', open('snippets/demo/table.txt').read())",
    )
    project.write("snippets/demo/table.txt", "1")
    assert project.build() == ExecReport(1, 1, 2, 3, 0)
    assert b"lines in helper.py: 2" in project.html() and b"table: 1" in project.html()
    project.runs()
    project.write("snippets/demo/table.txt", "2")
    assert project.build() == ExecReport(1, 1, 2, 3, 0)
    assert project.runs() == ["other"]
    project.edit("snippets/demo/helper.py", "return 2 * number", "return 2 * number\n# a last line")
    assert project.build() == ExecReport(2, 2, 1, 2, 0)  # beta, and gamma that shows the file
    assert b"lines in helper.py: 3" in project.html()


def test_editor_and_system_leftovers_are_not_inputs(project):
    for leftover in (
        "snippets/demo/.second.py.swp",
        "snippets/demo/second.py~",
        "snippets/.DS_Store",
        "data/.DS_Store",
    ):
        project.write(leftover, "left behind")
    (project.root / "snippets" / "demo" / "__pycache__").mkdir(exist_ok=True)
    project.write("snippets/demo/__pycache__/junk.cpython-311.pyc", "junk")
    assert project.build() == WARM


def test_options_that_only_change_the_page_rerun_nothing(project):
    project.edit(
        "docs/index.md",
        'session="alpha"\n--8<-- "snippets/demo/first.py"',
        'session="alpha" title="제목"\n--8<-- "snippets/demo/first.py"',
    )
    project.edit("docs/index.md", 'result="text" session="beta"', 'result="text" source="below" session="beta"')
    assert project.build() == WARM
    assert project.runs() == []
    assert "제목" in project.html().decode()


def test_width_reruns_the_block_and_sets_the_terminals_columns(project):
    project.edit("snippets/demo/other.py", "print('other')", "print('other ' + 'x' * 50)")
    assert project.build() == ExecReport(1, 1, 2, 3, 0)
    assert "other " + "x" * 50 in project.html().decode(), "one line at the default 100 columns"
    project.edit("docs/index.md", 'session="beta"', 'session="beta" width="20"')
    assert project.build() == ExecReport(1, 1, 2, 3, 0)
    assert project.runs() == ["other", "other"]
    assert "other\nxxxxxxxxxxxxxxxxxxxx\n" in project.html().decode(), "wrapped at 20 columns, between words"


def test_workdir_runs_the_block_in_that_folder(project):
    project.edit("snippets/demo/other.py", "print('other')", "print('in', Path.cwd().name)")
    project.edit("docs/index.md", 'session="beta"', 'session="beta" workdir="data"')
    assert project.build() == ExecReport(1, 1, 2, 3, 0)
    assert "in data" in project.html().decode()


def test_the_builders_shell_does_not_reach_the_blocks_or_the_key(project):
    project.edit(
        "snippets/demo/other.py",
        "print('other')",
        "import os\nfor name in ('TZ', 'TERM', 'NO_COLOR', 'FORCE_COLOR', 'TQDM_DISABLE'):\n"
        "    print(name, os.environ.get(name))",
    )
    project.build()
    plain = project.html()
    shell = dict(TZ="Asia/Seoul", TERM="xterm-256color", NO_COLOR="1", FORCE_COLOR="1", TQDM_DISABLE="1")
    assert project.build(**shell) == WARM
    assert project.html() == plain
    assert b"TZ UTC\nTERM None\nNO_COLOR None\nFORCE_COLOR None\nTQDM_DISABLE None" in plain


def test_a_variable_passed_on_purpose_reaches_the_blocks_and_is_keyed(project):
    project.edit(
        "snippets/demo/other.py", "print('other')", "import os\nprint('TQDM_DISABLE', os.environ.get('TQDM_DISABLE'))"
    )
    project.build()
    assert project.build(GUIDE_EXEC_ENV="TQDM_DISABLE", TQDM_DISABLE="1") == COLD
    assert b"TQDM_DISABLE 1" in project.html()
    assert project.build(GUIDE_EXEC_ENV="TQDM_DISABLE", TQDM_DISABLE="1") == WARM


def test_the_builders_interpreter_flags_never_reach_the_blocks(project):
    """Development mode (-X dev, PYTHONDEVMODE) would show a DeprecationWarning that a plain `python` hides, -O
    would drop asserts, -W would change every warning: the fork server starts as a plain `python`, so builds
    under any flags show the same pages and share the cache."""
    project.edit("snippets/demo/helper.py", "def double", "import warnings\n\n\ndef double")
    project.edit("snippets/demo/helper.py", "    return", "    warnings.warn('old', DeprecationWarning)\n    return")
    project.edit(
        "snippets/demo/other.py",
        "print('other')",
        "import sys\nprint('dev mode', sys.flags.dev_mode, 'optimize', sys.flags.optimize, 'options', sys.warnoptions)",
    )
    project.build()
    plain = project.html()
    assert b"dev mode False optimize 0 options []" in plain and b"DeprecationWarning: old" not in plain
    assert project.build(PYTHONDEVMODE="1") == WARM
    for flags in (("-X", "dev"), ("-W", "default"), ("-O",)):
        assert project.build("flagged", python=flags, GUIDE_EXEC_REFRESH="1") == COLD
        assert without_times(project.html("flagged")) == without_times(plain), flags


def test_a_corrupt_or_truncated_entry_is_run_again_never_shown(project):
    cold = project.html()
    entries = sorted(project.cache.glob("*/*.json"))
    assert len(entries) == 3
    entries[0].write_text(entries[0].read_text(encoding="utf-8")[:40], encoding="utf-8")  # truncated
    entry = json.loads(entries[1].read_text(encoding="utf-8"))
    entry["run"]["blocks"][0]["output"] = "not what the block printed"  # bytes changed under a valid JSON
    entries[1].write_text(json.dumps(entry), encoding="utf-8")
    report = project.build()
    assert report.sessions_ran == 2 and report.sessions_cached == 1
    assert b"not what the block printed" not in project.html()
    assert project.build() == WARM, "the entries were written again"
    assert without_times(project.html()) == without_times(cold)


def test_a_cache_filled_in_one_checkout_serves_another(project, tmp_path):
    """Outputs name no folder of the builder's, so the key needs none: a copy of the project elsewhere (a CI
    runner's checkout with the cache restored) runs nothing and shows the same pages."""
    copy = tmp_path / "elsewhere" / "checkout"
    shutil.copytree(project.root, copy, ignore=shutil.ignore_patterns("site", "__pycache__"))
    moved = Project.__new__(Project)
    moved.root, moved.cache = copy, copy / ".cache" / "exec"
    assert moved.build() == WARM
    assert moved.html() == project.html()


def test_pages_are_the_same_whatever_number_of_sessions_run_at_once(project):
    parallel = project.html()
    assert project.build("one", GUIDE_EXEC_REFRESH="1", GUIDE_EXEC_JOBS="1") == COLD
    assert without_times(project.html("one")) == without_times(parallel)


def test_two_builds_at_once_share_the_cache_without_harm(tmp_path):
    project = Project(tmp_path)
    first, second = project.start_build("site-a"), project.start_build("site-b")
    for process in (first, second):
        log, _ = process.communicate(timeout=300)
        assert process.returncode == 0, log
    assert not list(project.cache.rglob("*.tmp")), "no half-written entry is left behind"
    assert all(ExecCache(project.cache).get(path.stem) for path in project.cache.glob("*/*.json"))
    project.runs()
    assert project.build() == WARM
    assert project.runs() == []


def test_the_refresh_switch_runs_every_session(project):
    assert project.build(GUIDE_EXEC_REFRESH="1") == COLD
    assert project.runs() == ["first", "other", "second"]


def test_make_build_fresh_sets_the_refresh_switch():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-fresh:.*\n\tGUIDE_EXEC_REFRESH=1 \$\(BIN\)/mkdocs build --strict$", makefile, re.M)


def test_builds_ignore_full_mnist_so_pages_always_show_the_shipped_subset(project):
    project.edit(
        "snippets/demo/other.py", "print('other')", "import os\nprint('FULL_MNIST =', os.environ.get('FULL_MNIST'))"
    )
    assert project.build(FULL_MNIST="1") == ExecReport(1, 1, 2, 3, 0)
    assert b"FULL_MNIST = None" in project.html()


# --- the key and the store, without a build --------------------------------------------------------


def test_a_library_version_is_part_of_the_key(monkeypatch):
    before = cache_key.environment_fingerprint()
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        cache_key.importlib.metadata, "version", lambda name: "9.9.9" if name == "torch" else real_version(name)
    )
    assert cache_key.environment_fingerprint() != before


def test_what_the_fork_server_preloads_is_part_of_the_key(monkeypatch):
    """An import prints what it prints once, in the fork server, or in the first block that imports it."""
    before = cache_key.environment_fingerprint()
    monkeypatch.setenv("GUIDE_EXEC_PRELOAD", "json")
    assert cache_key.environment_fingerprint() != before


def test_where_the_project_and_python_are_is_not_part_of_the_key(monkeypatch):
    """Pages name no folder of the builder's (tools/engine/machine_paths.py), so a checkout elsewhere, with its
    own virtual environment, gets the same keys: the cache a CI runner restores serves it."""
    before = cache_key.environment_fingerprint()
    monkeypatch.setattr(sys, "executable", "/elsewhere/checkout/.venv/bin/python")
    monkeypatch.setattr(sys, "prefix", "/elsewhere/checkout/.venv")
    assert cache_key.environment_fingerprint() == before


def test_a_module_counts_by_what_importing_it_runs_at_its_line_numbers():
    fingerprint = cache_key.module_fingerprint
    base = b"x = 1\n\nif __name__ == '__main__':\n    print(x)\nelse:\n    y = 2\n"
    assert fingerprint(base, "m.py") == fingerprint(base.replace(b"x = 1", b"x = 1  # one"), "m.py")
    assert fingerprint(base, "m.py") == fingerprint(base.replace(b"print(x)", b"print(x + 1)"), "m.py")
    assert fingerprint(base, "m.py") != fingerprint(base.replace(b"y = 2", b"y = 3"), "m.py"), "else runs on import"
    assert fingerprint(base, "m.py") != fingerprint(b"# moved\n" + base, "m.py"), "every line moved down"
    reversed_guard = base.replace(b"__name__ == '__main__'", b"'__main__' == __name__")
    assert fingerprint(reversed_guard, "m.py") == fingerprint(reversed_guard.replace(b"print(x)", b"pass"), "m.py")
    negated = base.replace(b"==", b"!=")
    assert fingerprint(negated, "m.py") != fingerprint(negated.replace(b"print(x)", b"pass"), "m.py")


def test_the_data_fingerprint_skips_leftovers_and_files_that_vanish(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "digits.bin").write_bytes(b"123")
    before = cache_key.data_fingerprint(tmp_path)
    (tmp_path / "data" / ".DS_Store").write_bytes(b"finder")
    (tmp_path / "data" / ".digits.bin.swp").write_bytes(b"vim")
    assert cache_key.data_fingerprint(tmp_path) == before
    real_rglob = Path.rglob
    monkeypatch.setattr(Path, "rglob", lambda self, pattern: [*real_rglob(self, pattern), self / "gone.bin"])
    assert cache_key.data_fingerprint(tmp_path) == before, "listed, then deleted before it was read"


def test_the_store_returns_what_was_put(tmp_path):
    store = ExecCache(tmp_path)
    run = SessionRun((BlockRun("출력", 1.5),), "CPU", "2.14.1", {"snippets/a.py": ["module", "ab"]})
    store.put("ab" * 32, run)
    assert store.get("ab" * 32) == run
    assert store.get("cd" * 32) is None
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("damage", [b"", b"{", b"\xff\xfe", b'{"format": 1}', b"[]"])
def test_the_store_ignores_a_damaged_entry(tmp_path, damage):
    store = ExecCache(tmp_path)
    store.put("ab" * 32, SessionRun((BlockRun("x", 1.0),), "CPU", "2.14.1", {}))
    (tmp_path / "ab" / f"{'ab' * 32}.json").write_bytes(damage)
    assert store.get("ab" * 32) is None


@pytest.mark.parametrize("edited", ["rendering.py", "glossary_tooltips.py", "worker.py"])
def test_an_edit_anywhere_in_the_engine_after_it_was_loaded_is_noticed(monkeypatch, edited):
    """`mkdocs serve` keeps the engine loaded: the hooks refuse to build with code no longer on disk."""
    loaded = dict(cache_key.LOADED)
    monkeypatch.setattr(cache_key, "LOADED", {**loaded, edited: "a hash of an older version"})
    assert cache_key.changed_since_loaded() == [edited]


def test_a_library_upgraded_since_the_engine_was_loaded_is_noticed(monkeypatch):
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        cache_key.importlib.metadata, "version", lambda name: "9.9.9" if name == "pyte" else real_version(name)
    )
    assert cache_key.changed_since_loaded() == ["library pyte"]


# --- mkdocs serve ------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Serve:
    def __init__(self, project: Project) -> None:
        self.port = _free_port()
        self.server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=project.root,
            env=project.environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.server.stdout], daemon=True).start()

    def wait_for(self, pattern: str) -> str:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                self.seen.append(self.lines.get(timeout=1))
            except queue.Empty:
                continue
            if re.search(pattern, self.seen[-1]):
                return self.seen[-1]
        raise AssertionError(f"mkdocs serve never printed {pattern!r}; it printed:\n{''.join(self.seen)}")

    def page_once_it_shows(self, text: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page = urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=10).read().decode("utf-8")
            if text in page:
                return page
            time.sleep(0.5)
        raise AssertionError(f"the served page never showed {text!r}; mkdocs serve printed:\n{''.join(self.seen)}")

    def stop(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=30)


def test_mkdocs_serve_reruns_only_what_an_edit_touches(project):
    serve = Serve(project)
    try:
        serve.wait_for(r"snippet-exec: 0 sessions ran \(0 blocks\), 3 came from the cache")
        serve.wait_for(r"Serving on")
        project.runs()
        project.edit("snippets/demo/second.py", "second: ", "second, saved: ")
        serve.wait_for(r"snippet-exec: 1 sessions ran \(2 blocks\), 2 came from the cache")
        serve.page_once_it_shows("second, saved: 40")
        assert project.runs() == ["first", "second"]
        project.write("snippets/demo/.second.py.swp", "vim saves its swap file too")  # watched, but no input
        serve.wait_for(r"snippet-exec: 0 sessions ran \(0 blocks\), 3 came from the cache")
        project.write("data/numbers.bin", "9999")  # data/ is watched too
        serve.wait_for(r"snippet-exec: 3 sessions ran \(4 blocks\), 0 came from the cache")
    finally:
        serve.stop()


def test_mkdocs_serve_says_to_restart_after_an_edit_to_the_engine(project):
    serve = Serve(project)
    try:
        serve.wait_for(r"Serving on")
        rendering = project.root / "tools" / "engine" / "rendering.py"
        rendering.write_text(rendering.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        line = serve.wait_for(r"changed since mkdocs serve started")
        assert "rendering.py" in line and "restart it" in line
    finally:
        serve.stop()
