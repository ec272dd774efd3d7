"""The output cache: what makes a block run again, what does not, and what it survives.

The integration cases build a small project (the guide's mkdocs.yml and tools/,
three tiny snippets that import no torch) so each build takes about a second.
Every snippet appends its name to runs.log, so a test sees exactly what ran.
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

from tests.small_project import REPO_ROOT, copy_build_setup
from tools.engine import cache_key
from tools.engine.cache import CachedRun, ExecCache

SNIPPETS = {
    "first.py": (
        "from pathlib import Path\n\n"
        "RUNS = Path(__file__).resolve().parents[2] / 'runs.log'\n"
        "value = 20\n"
        "with RUNS.open('a') as runs:\n    runs.write('first\\n')\n"
        "print(f'first: {value}')\n"
    ),
    "second.py": (
        "from snippets.demo.helper import double\n\n"
        "with RUNS.open('a') as runs:\n    runs.write('second\\n')\n"
        "print(f'second: {double(value)}')\n"
    ),
    "other.py": (
        "from pathlib import Path\n\n"
        "with (Path(__file__).resolve().parents[2] / 'runs.log').open('a') as runs:\n    runs.write('other\\n')\n"
        "print('other')\n"
    ),
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
        log = self.root / "runs.log"
        runs = log.read_text(encoding="utf-8").split() if log.exists() else []
        log.unlink(missing_ok=True)
        return runs

    def start_build(self, site: str = "site", **environment: str) -> subprocess.Popen:
        env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDE_EXEC")}
        env.update(NO_MKDOCS_2_WARNING="1", **environment)
        command = [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(self.root / site)]
        return subprocess.Popen(
            command, cwd=self.root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    def build(self, site: str = "site", **environment: str) -> tuple[int, int]:
        """Build; return (blocks that ran, blocks from the cache) as the build log reports them."""
        process = self.start_build(site, **environment)
        log, _ = process.communicate(timeout=300)
        assert process.returncode == 0, log
        ran, cached = re.search(r"snippet-exec: (\d+) blocks ran, (\d+) came from the cache", log).groups()
        return int(ran), int(cached)

    def html(self, site: str = "site") -> bytes:
        return (self.root / site / "index.html").read_bytes()


@pytest.fixture
def project(tmp_path) -> Project:
    project = Project(tmp_path)
    assert project.build() == (4, 0)
    assert project.runs() == ["first", "second", "other"]
    return project


def test_a_warm_build_runs_nothing_and_renders_the_same_bytes(project):
    cold = project.html()
    assert project.build() == (0, 4)
    assert project.runs() == []
    assert project.html() == cold


def test_editing_prose_runs_nothing(project):
    project.edit("docs/index.md", "# 캐시", "# 캐시\n\n새 문단이에요.")
    assert project.build() == (0, 4)
    assert project.runs() == []


def test_editing_a_block_reruns_only_its_session(project):
    project.edit("snippets/demo/second.py", "second: ", "second, edited: ")
    assert project.build() == (1, 3)
    # "first" ran again, unshown, because "second" uses the variable it defines.
    assert project.runs() == ["first", "second"]
    assert b"second, edited: 40" in project.html()


def test_editing_an_earlier_block_reruns_the_blocks_after_it(project):
    project.edit("snippets/demo/first.py", "value = 20", "value = 21")
    assert project.build() == (2, 2)
    assert project.runs() == ["first", "second"]
    assert b"second: 42" in project.html()


def test_editing_an_imported_module_reruns_its_importers(project):
    project.edit("snippets/demo/helper.py", "2 * number", "3 * number")
    # second imports helper; the helper.py block (session gamma) shows the file itself.
    assert project.build() == (2, 2)
    assert project.runs() == ["first", "second"]
    assert b"second: 60" in project.html()


def test_a_comment_in_an_imported_module_does_not_count_for_its_importers(project):
    project.edit("snippets/demo/helper.py", "def double", "# twice the number\ndef double")
    assert project.build() == (1, 3)  # only the block that shows helper.py itself
    assert project.runs() == []


def test_changing_a_data_file_reruns_everything(project):
    project.write("data/numbers.bin", "0124")
    assert project.build() == (4, 0)
    assert project.runs() == ["first", "second", "other"]


def test_options_that_only_change_the_page_rerun_nothing(project):
    """title, hl_defs, source: how a block is shown. The first block of a session changes too, so a
    block after it would rerun if the key were chained through such options."""
    project.edit(
        "docs/index.md",
        'session="alpha"\n--8<-- "snippets/demo/first.py"',
        'session="alpha" title="제목"\n--8<-- "snippets/demo/first.py"',
    )
    project.edit("docs/index.md", 'result="text" session="beta"', 'result="text" source="below" session="beta"')
    assert project.build() == (0, 4)
    assert project.runs() == []
    assert "제목" in project.html().decode()


def test_width_reruns_the_block_and_sets_the_terminals_columns(project):
    project.edit("snippets/demo/other.py", "print('other')", "print('other ' + 'x' * 50)")
    assert project.build() == (1, 3)
    assert "other " + "x" * 50 in project.html().decode(), "one line at the default 100 columns"
    project.edit("docs/index.md", 'session="beta"', 'session="beta" width="20"')
    assert project.build() == (1, 3)
    assert project.runs() == ["other", "other"]
    assert "other xxxxxxxxxxxxxx\nxxxxxxxx" in project.html().decode(), "wrapped at 20 columns"


def test_workdir_runs_the_block_in_that_folder(project):
    project.edit("snippets/demo/other.py", "print('other')", "print('in', Path.cwd().name)")
    project.edit("docs/index.md", 'session="beta"', 'session="beta" workdir="data"')
    assert project.build() == (1, 3)
    assert "in data" in project.html().decode()


def test_a_relative_import_in_a_project_module_is_followed(project):
    project.write("snippets/demo/relative.py", "from .helper import double\n")
    project.edit(
        "snippets/demo/second.py",
        "from snippets.demo.helper import double",
        "from snippets.demo.relative import double",
    )
    assert project.build() == (1, 3)
    project.runs()
    project.edit("snippets/demo/helper.py", "2 * number", "3 * number")
    assert project.build() == (2, 2), "second reaches helper.py only through relative.py's `from .helper`"
    assert b"second: 60" in project.html()


def test_a_non_python_file_under_snippets_is_part_of_the_key(project):
    project.write("snippets/demo/table.txt", "1")
    assert project.build() == (4, 0), "code may read any file there"
    project.runs()
    project.write("snippets/demo/table.txt", "2")
    assert project.build() == (4, 0)


def test_a_variable_that_changes_output_is_part_of_the_key(project):
    assert project.build(TQDM_DISABLE="1") == (4, 0)
    assert project.build(TQDM_DISABLE="1") == (0, 4)
    assert project.build(UNRELATED_SETTING="1") == (0, 4), "other variables do not count"


def test_a_corrupt_or_truncated_entry_is_run_again_never_shown(project):
    cold = project.html()
    entries = sorted(project.cache.rglob("*.json"))
    assert len(entries) == 4
    entries[0].write_text(entries[0].read_text(encoding="utf-8")[:40], encoding="utf-8")  # truncated
    entry = json.loads(entries[1].read_text(encoding="utf-8"))
    entry["run"]["output"] = "not what the block printed"  # bytes changed under a valid JSON
    entries[1].write_text(json.dumps(entry), encoding="utf-8")
    assert project.build() == (2, 2)
    assert b"not what the block printed" not in project.html()
    assert project.build() == (0, 4), "the entries were written again"
    run_times = re.compile(rb"\xec\x8b\xa4\xed\x96\x89 [\d.]+")  # "실행 2.4" in UTF-8
    assert run_times.sub(b"", project.html()) == run_times.sub(b"", cold)


def test_two_builds_at_once_share_the_cache_without_harm(tmp_path):
    project = Project(tmp_path)
    first, second = project.start_build("site-a"), project.start_build("site-b")
    for process in (first, second):
        log, _ = process.communicate(timeout=300)
        assert process.returncode == 0, log
    assert not list(project.cache.rglob("*.tmp")), "no half-written entry is left behind"
    assert all(ExecCache(project.cache).get(path.stem) for path in project.cache.rglob("*.json"))
    project.runs()
    assert project.build() == (0, 4)
    assert project.runs() == []


def test_the_refresh_switch_runs_every_block(project):
    assert project.build(GUIDE_EXEC_REFRESH="1") == (4, 0)
    assert project.runs() == ["first", "second", "other"]


def test_make_build_fresh_sets_the_refresh_switch():
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^build-fresh:.*\n\tGUIDE_EXEC_REFRESH=1 \$\(BIN\)/mkdocs build --strict$", makefile, re.M)


# --- the key and the store, without a build --------------------------------------------------------


def test_a_library_version_is_part_of_the_key(monkeypatch):
    before = cache_key.environment_fingerprint(REPO_ROOT)
    real_version = importlib.metadata.version
    monkeypatch.setattr(
        cache_key.importlib.metadata, "version", lambda name: "9.9.9" if name == "torch" else real_version(name)
    )
    assert cache_key.environment_fingerprint(REPO_ROOT) != before


def test_the_places_printed_in_warnings_are_part_of_the_key(tmp_path, monkeypatch):
    """A warning prints the absolute path of the file and of the library that raised it."""
    before = cache_key.environment_fingerprint(REPO_ROOT)
    shutil.copytree(REPO_ROOT / "tools", tmp_path / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    assert cache_key.environment_fingerprint(tmp_path) != before, "the project's folder"
    monkeypatch.setattr(cache_key.sys, "prefix", "/elsewhere/venv")
    assert cache_key.environment_fingerprint(REPO_ROOT) != before, "where Python and the libraries are installed"


def test_an_edit_to_the_engine_after_it_was_loaded_is_noticed(tmp_path, monkeypatch):
    """`mkdocs serve` keeps the engine loaded: the hooks refuse to build with code no longer on disk."""
    copy = tmp_path / "project"
    shutil.copytree(REPO_ROOT / "tools", copy / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(cache_key, "LOADED_EXECUTOR", cache_key.executor_hashes(copy))  # as if loaded from there
    assert cache_key.engine_edited_since_loaded(copy) == []
    executor = copy / "tools" / "engine" / "executor.py"
    executor.write_text(executor.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert cache_key.engine_edited_since_loaded(copy) == ["tools/engine/executor.py"]


def test_local_imports_follow_project_modules_transitively():
    code = "from snippets.summary.compare import run_pytorch\nimport torch\n"
    imported = cache_key.local_imports(code, REPO_ROOT)
    assert "snippets/summary/compare.py" in imported
    assert "snippets/steps/training/pytorch.py" in imported  # through compare.py
    assert "snippets/dataset/mnist_files.py" in imported  # through the data snippets
    assert "snippets/__init__.py" in imported
    assert not [name for name in imported if "torch" in name.split("/")[0]]


def test_a_main_block_is_not_part_of_an_importers_key(tmp_path):
    module = tmp_path / "snippets" / "lib.py"
    module.parent.mkdir()
    module.write_text("x = 1\n\nif __name__ == '__main__':\n    print(x)\n", encoding="utf-8")
    before = cache_key.local_imports("import snippets.lib", tmp_path)
    module.write_text("x = 1\n\nif __name__ == '__main__':\n    print(x + 1)\n", encoding="utf-8")
    os.utime(module, ns=(1, 1))
    assert cache_key.local_imports("import snippets.lib", tmp_path) == before
    module.write_text("x = 2\n\nif __name__ == '__main__':\n    print(x + 1)\n", encoding="utf-8")
    os.utime(module, ns=(2, 2))
    assert cache_key.local_imports("import snippets.lib", tmp_path) != before


def test_the_store_returns_what_was_put(tmp_path):
    store = ExecCache(tmp_path)
    run = CachedRun("출력\n", 1.5, "CPU", "2.14.1")
    store.put("ab" * 32, run)
    assert store.get("ab" * 32) == run
    assert store.get("cd" * 32) is None
    assert not list(tmp_path.rglob("*.tmp"))


@pytest.mark.parametrize("damage", [b"", b"{", b"\xff\xfe", b'{"format": 1}', b"[]"])
def test_the_store_ignores_a_damaged_entry(tmp_path, damage):
    store = ExecCache(tmp_path)
    store.put("ab" * 32, CachedRun("x", 1.0, "CPU", "2.14.1"))
    (tmp_path / "ab" / f"{'ab' * 32}.json").write_bytes(damage)
    assert store.get("ab" * 32) is None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_mkdocs_serve_reruns_only_what_an_edit_touches(project):
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("GUIDE_EXEC")}
    server = subprocess.Popen(
        [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=project.root,
        env={**env, "NO_MKDOCS_2_WARNING": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True).start()
    seen: list[str] = []

    def wait_for(pattern: str) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                continue
            if re.search(pattern, seen[-1]):
                return
        raise AssertionError(f"mkdocs serve never printed {pattern!r}; it printed:\n{''.join(seen)}")

    def served_page_once_it_shows(text: str) -> str:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read().decode("utf-8")
            if text in page:
                return page
            time.sleep(0.5)
        raise AssertionError(f"the served page never showed {text!r}; mkdocs serve printed:\n{''.join(seen)}")

    try:
        wait_for(r"snippet-exec: 0 blocks ran, 4 came from the cache")  # the fixture's build filled the cache
        wait_for(r"Serving on")
        project.runs()
        project.edit("snippets/demo/second.py", "second: ", "second, saved: ")
        wait_for(r"snippet-exec: 1 blocks ran, 3 came from the cache")
        served_page_once_it_shows("second, saved: 40")
        assert project.runs() == ["first", "second"]
        project.write("data/numbers.bin", "9999")  # data/ is watched too
        wait_for(r"snippet-exec: 4 blocks ran, 0 came from the cache")
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_builds_ignore_full_mnist_so_pages_always_show_the_shipped_subset(project):
    project.edit(
        "snippets/demo/other.py", "print('other')", "import os\nprint('FULL_MNIST =', os.environ.get('FULL_MNIST'))"
    )
    assert project.build(FULL_MNIST="1") == (1, 3)
    assert b"FULL_MNIST = None" in project.html()
