"""The pages show only code that lives in snippets/, and every snippet file is shown somewhere.

A Python fence in docs/ may hold only `--8<--` include lines: hand-written code on a page
would be code that no test imports and no build runs. The checks are functions, tested
below on a made-up docs folder as well as run on the real one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from tools.engine.fences import fences, python_fence_problems

REPO_ROOT = Path(__file__).resolve().parent.parent
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<target>[^"]+)"\s*$')
SECTION_NAME = re.compile(r"[a-z][-_0-9a-z]*")


@dataclass(frozen=True)
class Include:
    page: str
    line: int
    path: str
    section: str | None


def hand_written_code(docs_dir: Path) -> list[str]:
    """The build's own check (tools.engine.fences), run over every page."""
    return [
        f"docs/{page.relative_to(docs_dir).as_posix()}:{line}: {problem}"
        for page in sorted(docs_dir.rglob("*.md"))
        for line, problem in python_fence_problems(page.read_text(encoding="utf-8"))
    ]


def includes(docs_dir: Path) -> list[Include]:
    found = []
    for page in sorted(docs_dir.rglob("*.md")):
        name = page.relative_to(docs_dir).as_posix()
        for number, line in enumerate(page.read_text(encoding="utf-8").splitlines(), start=1):
            match = INCLUDE.match(line)
            if match:
                path, _, section = match["target"].partition(":")
                found.append(Include(name, number, path, section if SECTION_NAME.fullmatch(section) else None))
    return found


def section_names(path: Path, kind: str) -> set[str]:
    pattern = re.compile(rf"^\s*# --8<-- \[{kind}:(?P<name>[a-z][-_0-9a-z]*)\]\s*$", re.MULTILINE)
    return set(pattern.findall(path.read_text(encoding="utf-8")))


def broken_includes(root: Path, docs_dir: Path) -> list[str]:
    """Includes of files that do not exist, or of sections the file does not mark."""
    problems = []
    for include in includes(docs_dir):
        where = f"docs/{include.page}:{include.line}"
        target = root / include.path
        if not target.is_file():
            problems.append(f"{where}: {include.path} does not exist")
        elif include.section and include.section not in section_names(target, "start") & section_names(target, "end"):
            problems.append(f"{where}: {include.path} has no section {include.section!r}")
    return problems


def unused_snippets(root: Path, docs_dir: Path) -> list[str]:
    shown = {include.path for include in includes(docs_dir)}
    files = sorted(p.relative_to(root).as_posix() for p in (root / "snippets").rglob("*.py") if p.name != "__init__.py")
    return [path for path in files if path not in shown]


# --- the guide itself ----------------------------------------------------------------------------


def test_python_fences_only_include_snippets():
    assert hand_written_code(REPO_ROOT / "docs") == []


def test_pages_include_snippets():
    assert any(include.path.startswith("snippets/") for include in includes(REPO_ROOT / "docs"))
    assert all(include.path.startswith("snippets/") for include in includes(REPO_ROOT / "docs"))


def test_every_include_names_an_existing_file_and_section():
    assert broken_includes(REPO_ROOT, REPO_ROOT / "docs") == []


def test_every_snippet_file_is_shown_on_a_page():
    assert unused_snippets(REPO_ROOT, REPO_ROOT / "docs") == []


def test_every_snippet_section_is_closed():
    for path in sorted((REPO_ROOT / "snippets").rglob("*.py")):
        assert section_names(path, "start") == section_names(path, "end"), path


# --- the checks, on a made-up project ------------------------------------------------------------


@pytest.fixture
def project(tmp_path: Path) -> Path:
    snippets = tmp_path / "snippets" / "demo"
    snippets.mkdir(parents=True)
    (tmp_path / "snippets" / "__init__.py").write_text("")
    (snippets / "__init__.py").write_text("")
    (snippets / "shown.py").write_text(
        "# --8<-- [start:setup]\nx = 1\n# --8<-- [end:setup]\n\nif True:\n    # --8<-- [start:main]\n"
        "    print(x)\n    # --8<-- [end:main]\n# --8<-- [start:open]\ny = 2\n",
        encoding="utf-8",
    )
    (snippets / "whole.py").write_text("print('whole')\n", encoding="utf-8")
    (snippets / "unused.py").write_text("print('never shown')\n", encoding="utf-8")
    docs = tmp_path / "docs"
    (docs / "steps").mkdir(parents=True)
    (docs / "good.md").write_text(
        "# Good\n\n"
        '```python exec="on" session="s"\n--8<-- "snippets/demo/shown.py:setup"\n```\n\n'
        '=== "Tab"\n\n'
        '    ```py exec="on" session="s"\n\n    --8<-- "snippets/demo/shown.py:main"\n    ```\n\n'
        '~~~python exec="on"\n--8<-- "snippets/demo/whole.py"\n~~~\n\n'
        "```bash\npython -m snippets.demo.whole\n```\n\n"
        "```\nplain text, no language\n```\n",
        encoding="utf-8",
    )
    return tmp_path


def write_page(project: Path, name: str, text: str) -> None:
    (project / "docs" / name).write_text(text, encoding="utf-8")


def test_checker_accepts_includes_only(project):
    assert hand_written_code(project / "docs") == []
    assert broken_includes(project, project / "docs") == []
    languages = [fence.language for fence in fences((project / "docs" / "good.md").read_text(encoding="utf-8"))]
    assert languages == ["python", "py", "python", "bash", ""]


def test_checker_finds_include_targets(project):
    found = {(i.page, i.path, i.section) for i in includes(project / "docs")}
    assert found == {
        ("good.md", "snippets/demo/shown.py", "setup"),
        ("good.md", "snippets/demo/shown.py", "main"),
        ("good.md", "snippets/demo/whole.py", None),
    }


@pytest.mark.parametrize(
    ("fence", "offending"),
    [
        ('```python exec="on"\nprint("hi")\n```\n', 'print("hi")'),
        ('```py\n--8<-- "snippets/demo/whole.py"\nx = 2\n```\n', "x = 2"),
        ('    ```python\n    --8<-- "snippets/demo/whole.py"\n\n    import os\n    ```\n', "import os"),
        ("~~~~python3\nimport torch\n~~~~\n", "import torch"),
        ('``` { .python exec="on" }\nprint(1)\n```\n', "print(1)"),
    ],
)
def test_checker_reports_hand_written_code(project, fence, offending):
    write_page(project, "steps/bad.md", f"# Bad\n\nText.\n\n{fence}")
    problems = hand_written_code(project / "docs")
    assert len(problems) == 1
    assert problems[0].startswith("docs/steps/bad.md:5: ")
    assert problems[0].endswith(offending)


def test_checker_reports_an_include_that_is_not_executed(project):
    write_page(project, "shown.md", '# Shown\n\n```python title="x"\n--8<-- "snippets/demo/whole.py"\n```\n')
    assert hand_written_code(project / "docs") == [
        'docs/shown.md:3: python fence includes a snippet but lacks exec="on"'
    ]


def test_checker_ignores_code_in_other_languages(project):
    write_page(project, "other.md", "```bash\nmake serve\n```\n\n````text\n```python\nprint(1)\n```\n````\n")
    assert hand_written_code(project / "docs") == []


def test_checker_reports_a_missing_file_and_section(project):
    write_page(
        project,
        "broken.md",
        '```python\n--8<-- "snippets/demo/gone.py"\n```\n\n'
        '```python\n--8<-- "snippets/demo/shown.py:nothing"\n```\n\n'
        '```python\n--8<-- "snippets/demo/shown.py:open"\n```\n',
    )
    assert broken_includes(project, project / "docs") == [
        "docs/broken.md:2: snippets/demo/gone.py does not exist",
        "docs/broken.md:6: snippets/demo/shown.py has no section 'nothing'",
        "docs/broken.md:10: snippets/demo/shown.py has no section 'open'",  # started, never ended
    ]


def test_checker_reports_an_unused_snippet(project):
    assert unused_snippets(project, project / "docs") == ["snippets/demo/unused.py"]
    write_page(project, "more.md", '```python\n--8<-- "snippets/demo/unused.py"\n```\n')
    assert unused_snippets(project, project / "docs") == []
