"""Failures around a block's run, not only inside it, fail the build and say where; blocks compile as files do.

Each case builds a small copy of the guide (tests/test_build_failures.py's make_project) whose only
page holds the case's block.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import psutil
import pytest

from tests.test_build_failures import assert_fails, build, make_project, output_of

PAGE = '# 사례\n\n```python exec="on" source="above" result="text" session="case"{options}\n--8<-- "{include}"\n```\n'


def snippet_project(tmp_path: Path, code: str, options: str = "", section: str = "") -> Path:
    root = make_project(tmp_path, PAGE.format(options=options, include=f"snippets/case/block.py{section}"))
    (root / "snippets" / "case").mkdir()
    (root / "snippets" / "case" / "__init__.py").write_text("", encoding="utf-8")
    (root / "snippets" / "case" / "block.py").write_text(code, encoding="utf-8")
    return root


def test_a_syntax_error_in_the_block_fails_the_build_naming_file_and_line(tmp_path):
    root = snippet_project(tmp_path, '"""A block that does not parse."""\n\nvalue = (1,\nprint(value)\n')
    result = build(root)
    assert_fails(result, "snippets/case/block.py:3: SyntaxError")
    assert "value = (1," not in (root / "site" / "index.html").read_text(encoding="utf-8").split("</h1>")[0]


def test_code_found_in_two_files_fails_the_build_naming_both(tmp_path):
    """The executor cannot know which file the page included, so its title and line numbers could be wrong."""
    root = snippet_project(tmp_path, "# --8<-- [start:same]\nprint('twin')\n# --8<-- [end:same]\n", section=":same")
    (root / "snippets" / "case" / "twin.py").write_text("\n\nprint('twin')\n", encoding="utf-8")
    assert_fails(
        build(root),
        "docs/index.md",
        "snippets/case/block.py:same (line 2)",
        "snippets/case/twin.py (line 3)",
    )


def test_hl_defs_naming_no_definition_fails_the_build(tmp_path):
    root = snippet_project(tmp_path, "def present():\n    return 1\n", options=' hl_defs="absent"')
    assert_fails(build(root), "snippets/case/block.py (in docs/index.md)", "hl_defs names no definition", "absent")


def test_an_unwritable_cache_fails_the_build(tmp_path):
    root = snippet_project(tmp_path, "print('ok')\n")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    result = build(root, GUIDE_EXEC_CACHE=str(blocker / "exec"))
    assert_fails(result, "snippets/case/block.py (in docs/index.md)", "Error")


@pytest.mark.parametrize("status", ["3", "0", "'stopped by the block'"])
def test_sys_exit_in_a_block_fails_the_build_instead_of_ending_it(tmp_path, status):
    root = snippet_project(tmp_path, f"import sys\n\nprint('before')\nsys.exit({status})\n")
    result = build(root)
    assert_fails(result, "snippets/case/block.py:4: SystemExit")
    assert "Aborted" in output_of(result), "MkDocs itself ended the build, reporting the error"


def test_blocks_compile_without_the_engines_future_imports(tmp_path):
    """The engine's modules use `from __future__ import annotations`; a block must not inherit it."""
    code = (
        "import dataclasses\nimport typing\n\n\n@dataclasses.dataclass\nclass Point:\n    x: int\n\n\n"
        "print(Point.__annotations__['x'] is int, typing.get_type_hints(Point))\n"
    )
    root = snippet_project(tmp_path, code)
    result = build(root)
    assert result.returncode == 0, output_of(result)
    assert "True {'x': &lt;class 'int'&gt;}" in (root / "site" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("how", ["fence", "environment"])
def test_a_block_past_its_timeout_fails_the_build_and_leaves_no_process(tmp_path, how):
    pid_file = tmp_path / "worker.pid"
    code = f"import os\nimport time\n\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
    code += "while True:\n    time.sleep(0.1)\n"
    if how == "fence":
        root, environment = snippet_project(tmp_path, code, options=' timeout="2"'), {}
    else:
        root, environment = snippet_project(tmp_path, code), {"GUIDE_EXEC_TIMEOUT": "2"}
    result = build(root, **environment)
    assert_fails(result, "snippets/case/block.py:1: the block ran past its timeout of 2 s")
    worker = int(pid_file.read_text())
    assert not psutil.pid_exists(worker) or psutil.Process(worker).status() == psutil.STATUS_ZOMBIE


def test_printed_warnings_reach_the_page(tmp_path):
    # The warning starts with the file's absolute path, long under pytest's temporary folders: a wide
    # terminal keeps it on one line, as the assertions expect.
    code = "import warnings\n\nwarnings.warn('the reader sees this')\n"
    root = snippet_project(tmp_path, code, options=' width="300"')
    result = build(root)
    assert result.returncode == 0, output_of(result)
    page = (root / "site" / "index.html").read_text("utf-8")
    assert "snippets/case/block.py:3: UserWarning:" in page  # as Python prints it, with the file and line
    assert " the reader sees this\n  warnings.warn('the reader sees this')" in page


SESSION_A = (
    "import logging\nimport os\nimport random\n\n"
    "random.seed(0)\nlogging.getLogger('shared').setLevel(logging.ERROR)\n"
    "os.environ['LEFT_BY_A'] = '1'\nos.chdir('/')\nprint('A')\n"
)
SESSION_B = (
    "import logging\nimport os\nimport random\nfrom pathlib import Path\n\n"
    "state = random.getstate()\nrandom.seed(0)\n"
    "print('random seeded by A:', state == random.getstate())\n"
    "logging.getLogger('shared').warning('B warns')\n"
    "print('variable left by A:', os.environ.get('LEFT_BY_A'))\n"
    "print('in the project folder:', Path.cwd() == Path(__file__).resolve().parents[2])\n"
)
B_OUTPUT = "random seeded by A: False\nB warns\nvariable left by A: None\nin the project folder: True"


def test_a_sessions_output_does_not_depend_on_what_ran_before_it(tmp_path):
    """A seeds `random`, quiets a logger, sets a variable and changes folder, then B runs. B shows the same
    after a cold build (A ran first) and after only B's cache entry is deleted (A came from the cache)."""
    page = "".join(
        f'```python exec="on" source="above" result="text" session="{name}"\n--8<-- "snippets/case/{name}.py"\n```\n\n'
        for name in ("a", "b")
    )
    root = snippet_project(tmp_path, "")
    (root / "docs" / "index.md").write_text(f"# 세션\n\n{page}", encoding="utf-8")
    (root / "snippets" / "case" / "a.py").write_text(SESSION_A, encoding="utf-8")
    (root / "snippets" / "case" / "b.py").write_text(SESSION_B, encoding="utf-8")

    cold = build(root)
    assert cold.returncode == 0, output_of(cold)
    page_after_cold_build = (root / "site" / "index.html").read_text("utf-8")
    assert B_OUTPUT in page_after_cold_build

    entries = list((root / ".cache" / "exec").rglob("*.json"))
    b_entries = [entry for entry in entries if "B warns" in entry.read_text("utf-8")]
    assert len(entries) == 2 and len(b_entries) == 1
    b_entries[0].unlink()
    rebuilt = build(root)
    assert rebuilt.returncode == 0, output_of(rebuilt)
    assert "1 blocks ran, 1 came from the cache" in output_of(rebuilt)
    run_times = re.compile(r"실행 [\d.]+초")  # how long B took may differ; nothing else may
    page_after_rebuild = (root / "site" / "index.html").read_text("utf-8")
    assert run_times.sub("", page_after_rebuild) == run_times.sub("", page_after_cold_build)


def test_a_build_leaves_no_process_behind(tmp_path):
    """The worker, the fork server that started it and a process the block left running all end with the build."""
    pids = tmp_path / "pids"
    code = (
        "import os\nimport subprocess\nimport sys\n\n"
        "background = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{os.getppid()}} {{background.pid}}')\n"
    )
    root = snippet_project(tmp_path, code)
    result = build(root)
    assert result.returncode == 0, output_of(result)
    # The fork server ends when it reads the end of the build's pipe, a moment after the build has exited.
    deadline = time.monotonic() + 10
    while (running := [pid for pid in map(int, pids.read_text().split()) if is_running(pid)]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert running == []


def is_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # a zombie has ended, not yet reaped
    except psutil.NoSuchProcess:
        return False


def test_an_executed_fence_that_never_reaches_the_executor_fails_the_build(tmp_path):
    """markdown-exec runs `python` and `py` fences only: a `python3` one would show its code, never run."""
    root = snippet_project(tmp_path, "print('ran')\n")
    page = root / "docs" / "index.md"
    page.write_text(page.read_text("utf-8").replace("```python exec", "```python3 exec"), encoding="utf-8")
    assert_fails(build(root), "docs/index.md: 1 executed Python block(s) (fences at lines 3), but only 0 ran")
