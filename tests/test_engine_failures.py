"""Failures around a block's run, not only inside it, fail the build and say where; nothing outlives a build.

Each case builds a small copy of the guide (tests/test_build_failures.py's make_project) whose only
page holds the case's blocks, and checks the outcome it must give: the message and its file:line,
what the page shows, the blocks reported as not run, and that no process is left behind.
"""

from __future__ import annotations

import html
import re
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from tests.small_project import ExecReport
from tests.test_build_failures import assert_fails, build, build_command, build_environment, make_project, output_of

FENCE = '```python exec="on" source="above" result="text" session="{session}"{options}\n--8<-- "{include}"\n```\n\n'
PAGE = "# 사례\n\n" + FENCE


def snippet_project(tmp_path: Path, code: str, options: str = "", section: str = "") -> Path:
    root = make_project(
        tmp_path, PAGE.format(session="case", options=options, include=f"snippets/case/block.py{section}")
    )
    (root / "snippets" / "case").mkdir()
    (root / "snippets" / "case" / "__init__.py").write_text("", encoding="utf-8")
    (root / "snippets" / "case" / "block.py").write_text(code, encoding="utf-8")
    return root


def blocks_project(tmp_path: Path, *blocks: tuple[str, str, str]) -> Path:
    """A page of (session, snippet name, code) blocks, each the whole of snippets/case/<name>.py."""
    root = snippet_project(tmp_path, "")
    page = "# 사례\n\n" + "".join(
        FENCE.format(session=session, options="", include=f"snippets/case/{name}.py") for session, name, _ in blocks
    )
    (root / "docs" / "index.md").write_text(page, encoding="utf-8")
    for _, name, code in blocks:
        (root / "snippets" / "case" / f"{name}.py").write_text(code, encoding="utf-8")
    return root


def page_of(root: Path) -> str:
    """The built page's text, as a reader reads it (no tags, entities unescaped)."""
    return html.unescape(re.sub(r"<[^>]+>", "", (root / "site" / "index.html").read_text("utf-8")))


def is_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # a zombie has ended, not yet reaped
    except psutil.NoSuchProcess:
        return False


def none_running(pids: list[int], within: float = 10) -> bool:
    """Whether all of them have ended within `within` seconds (the fork server ends a moment after the build)."""
    deadline = time.monotonic() + within
    while [pid for pid in pids if is_running(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    return not [pid for pid in pids if is_running(pid)]


def test_a_syntax_error_in_the_block_fails_the_build_naming_file_and_line(tmp_path):
    root = snippet_project(tmp_path, '"""A block that does not parse."""\n\nvalue = (1,\nprint(value)\n')
    result = build(root)
    assert_fails(result, "snippets/case/block.py:3: SyntaxError")
    assert "value = (1," not in (root / "site" / "index.html").read_text("utf-8").split("</h1>")[0]


def test_hl_defs_naming_no_definition_fails_the_build(tmp_path):
    root = snippet_project(tmp_path, "def present():\n    return 1\n", options=' hl_defs="absent"')
    assert_fails(build(root), "snippets/case/block.py (in docs/index.md:3)", "hl_defs names no definition", "absent")


def test_an_unwritable_cache_fails_the_build(tmp_path):
    root = snippet_project(tmp_path, "print('ok')\n")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be", encoding="utf-8")
    result = build(root, GUIDE_EXEC_CACHE=str(blocker / "exec"))
    assert_fails(result, "snippets/case/block.py (in docs/index.md:3)", "Error")


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
    assert "True {'x': <class 'int'>}" in page_of(root)


def test_the_blocks_after_a_failure_are_reported_as_not_run_because_of_it(tmp_path):
    root = blocks_project(
        tmp_path,
        ("case", "imports", "import tempfile\n\nprint('first')\n"),
        ("case", "fails", "value = 1\nraise ValueError('no')\n"),
        ("case", "uses", "print(tempfile.gettempdir())\n"),
    )
    result = build(root)
    assert_fails(
        result,
        "snippets/case/fails.py:2: ValueError: no",
        "docs/index.md:11: not run: an earlier block of session 'case' failed at snippets/case/fails.py:2",
    )
    assert "NameError" not in output_of(result), "the third block never ran in a fresh worker"
    assert "앞 블록이 실패해서 이 블록은 실행하지 않았어요" in page_of(root)
    assert ExecReport.of(output_of(result)).failed == 2


@pytest.mark.parametrize("how", ["fence", "environment"])
def test_a_block_past_its_timeout_says_where_it_was_stuck_and_leaves_no_process(tmp_path, how):
    pids = tmp_path / "pids"
    code = (
        "import os\nimport subprocess\nimport sys\nimport time\n\n"
        "loner = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{loner.pid}}')\n"
        "print('printed before it hung', flush=True)\n"
        "while True:\n    time.sleep(0.1)\n"
    )
    if how == "fence":
        root, environment = snippet_project(tmp_path, code, options=' timeout="2"'), {}
    else:
        root, environment = snippet_project(tmp_path, code), {"GUIDE_EXEC_TIMEOUT": "2"}
    result = build(root, **environment)
    assert_fails(result, "snippets/case/block.py:10: Timeout: the block ran past its timeout of 2 s")
    page = page_of(root)
    assert "printed before it hung" in page and 'File "snippets/case/block.py", line 10' in page
    assert none_running(list(map(int, pids.read_text().split())))


def test_a_crash_names_its_line_and_keeps_what_the_block_printed(tmp_path):
    root = snippet_project(tmp_path, "import os\n\nprint('printed first', flush=True)\nos.abort()\n")
    result = build(root)
    assert_fails(result, "snippets/case/block.py:4: WorkerExit: the session's process ended with signal SIGABRT")
    assert "printed first" in page_of(root)


def test_printed_warnings_reach_the_page_without_the_builders_folders(tmp_path):
    root = snippet_project(tmp_path, "import warnings\n\nwarnings.warn('the reader sees this')\n")
    result = build(root)
    assert result.returncode == 0, output_of(result)
    page = page_of(root)
    assert (
        "snippets/case/block.py:3: UserWarning: the reader sees this\n  warnings.warn('the reader sees this')" in page
    )
    assert str(root) not in page and str(tmp_path) not in page


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
    """A seeds `random`, quiets a logger, sets a variable and changes folder; B shows the same whether A ran
    before it, beside it, or came from the cache."""
    root = blocks_project(tmp_path, ("a", "a", SESSION_A), ("b", "b", SESSION_B))
    cold = build(root, GUIDE_EXEC_JOBS="1")
    assert cold.returncode == 0, output_of(cold)
    assert B_OUTPUT in page_of(root)
    entries = list((root / ".cache" / "exec").glob("*/*.json"))
    b_entries = [entry for entry in entries if "B warns" in entry.read_text("utf-8")]
    assert len(entries) == 2 and len(b_entries) == 1
    b_entries[0].unlink()
    rebuilt = build(root)
    assert ExecReport.of(output_of(rebuilt)) == ExecReport(1, 1, 1, 1, 0)
    assert B_OUTPUT in page_of(root)


def test_a_build_leaves_no_process_behind(tmp_path):
    """The worker, the fork server that started it, and what the block left running (in its own session too)."""
    pids = tmp_path / "pids"
    code = (
        "import os\nimport subprocess\nimport sys\n\n"
        "background = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "loner = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{os.getppid()}} {{background.pid}} {{loner.pid}}')\n"
    )
    result = build(snippet_project(tmp_path, code))
    assert result.returncode == 0, output_of(result)
    assert none_running(list(map(int, pids.read_text().split())))


def build_until_pids_written(tmp_path, code: str, pids: Path, count: int) -> tuple[subprocess.Popen, list[int]]:
    """Start a build of `code` and wait until its block has written `count` process ids to `pids`."""
    root = snippet_project(tmp_path, code)
    mkdocs = subprocess.Popen(build_command(root), cwd=root, env=build_environment(), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (pids.exists() and len(pids.read_text().split()) == count) and time.monotonic() < deadline:
        time.sleep(0.1)
    return mkdocs, list(map(int, pids.read_text().split()))


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_build_stopped_by_a_signal_ends_every_process_it_started(tmp_path, stop):
    """SIGTERM, or SIGHUP from a closed terminal, while a block runs: the build ends, and so does everything
    the block started, a process in a session of its own too."""
    pids = tmp_path / "pids"
    code = (
        "import os\nimport subprocess\nimport sys\nimport time\n\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'])\n"
        "loner = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}} {{loner.pid}}')\n"
        "time.sleep(600)\n"
    )
    mkdocs, started = build_until_pids_written(tmp_path, code, pids, count=3)
    mkdocs.send_signal(stop)
    assert mkdocs.wait(timeout=30) != 0
    assert none_running(started)


def test_the_build_ends_the_session_when_the_build_process_is_killed_outright(tmp_path):
    """SIGKILL leaves the build no time to end anything: each worker notices its build is gone and ends itself."""
    pids = tmp_path / "pids"
    code = (
        "import os\nimport subprocess\nimport sys\nimport time\n\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'], start_new_session=True)\n"
        f"open({str(pids)!r}, 'w').write(f'{{os.getpid()}} {{child.pid}}')\n"
        "time.sleep(600)\n"
    )
    mkdocs, started = build_until_pids_written(tmp_path, code, pids, count=2)
    mkdocs.kill()
    mkdocs.wait(timeout=30)
    assert none_running(started)


def test_an_executed_fence_that_never_reaches_the_engine_fails_the_build(tmp_path):
    """markdown-exec runs `python` and `py` fences only: a `python3` one would show its code, never run."""
    root = snippet_project(tmp_path, "print('ran')\n")
    page = root / "docs" / "index.md"
    page.write_text(page.read_text("utf-8").replace("```python exec", "```python3 exec"), encoding="utf-8")
    assert_fails(build(root), "docs/index.md:3: executed Python block(s) that never reached the engine")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (' width="-5"', "width='-5': give the terminal's columns"),
        (' width="wide"', "width='wide'"),
        (' timeout="0"', "timeout='0': give the seconds"),
        (' workdir="../elsewhere"', "workdir='../elsewhere': give a folder inside the project"),
    ],
)
def test_a_fence_option_that_cannot_work_fails_the_build_naming_the_fence(tmp_path, options, message):
    result = build(snippet_project(tmp_path, "print('x')\n", options=options))
    assert_fails(result, f"docs/index.md:3: {message}")


def test_a_session_used_on_two_pages_fails_the_build(tmp_path):
    root = snippet_project(tmp_path, "print('x')\n")
    (root / "docs" / "other.md").write_text(PAGE.format(session="case", options="", include="snippets/case/block.py"))
    assert_fails(build(root), "docs/other.md:3: session 'case' is also used on docs/index.md")


def test_a_build_with_execution_off_warns_so_a_strict_build_fails(tmp_path):
    result = build(snippet_project(tmp_path, "print('x')\n"), GUIDE_EXEC="off")
    assert_fails(result, "GUIDE_EXEC=off: no code block runs and the pages show no outputs")


def test_only_the_snippet_files_the_pages_include_are_published(tmp_path):
    root = snippet_project(tmp_path, "print('x')\n")
    (root / "snippets" / "case" / "unshown.py").write_text("print('not on any page')\n")
    result = build(root)
    assert result.returncode == 0, output_of(result)
    published = {path.relative_to(root / "site").as_posix() for path in (root / "site" / "snippets").rglob("*.py")}
    assert published == {"snippets/case/block.py"}


def test_the_build_logs_count_of_failed_blocks_matches_the_errors(tmp_path):
    root = blocks_project(tmp_path, ("one", "ok", "print('ok')\n"), ("two", "bad", "raise RuntimeError('bad')\n"))
    result = build(root)
    assert_fails(result, "snippets/case/bad.py:1: RuntimeError: bad")
    assert ExecReport.of(output_of(result)) == ExecReport(2, 1, 0, 0, 1)
    assert len(re.findall(r"ERROR\s+-\s+snippets/case/bad\.py:1", output_of(result))) == 1
