"""Failures around a block's run, not only inside it, fail the build and say where; blocks compile as files do.

Each case builds a small copy of the guide (tests/test_build_failures.py's make_project) whose only
page holds the case's block.
"""

from __future__ import annotations

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
    root = snippet_project(tmp_path, "import warnings\n\nwarnings.warn('the reader sees this')\n")
    result = build(root)
    assert result.returncode == 0, output_of(result)
    page = (root / "site" / "index.html").read_text("utf-8")
    assert "snippets/case/block.py:3: UserWarning:" in page  # as Python prints it, with the file and line
    assert " the reader sees this\n  warnings.warn('the reader sees this')" in page
