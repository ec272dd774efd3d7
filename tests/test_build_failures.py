"""Bad input stops `mkdocs build --strict` with a message that says what and where.

Each case builds a small project in a temporary folder: the real mkdocs.yml (without its
nav), tools/, snippets/ and data/, and one page written for the case. A good page builds,
so each failure comes from the case's one fault.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.small_project import NAV_BLOCK, REPO_ROOT, copy_build_setup

DATASET_PAGE = """\
# 데이터

```python exec="on" source="above" result="text" session="dataset"
--8<-- "snippets/dataset/mnist_files.py:root"
```

```python exec="on" source="above" result="text" session="dataset"
--8<-- "snippets/dataset/mnist_files.py:check"
```
"""


def make_project(root: Path, page: str) -> Path:
    """A copy of the guide whose only page is `page`."""
    return copy_build_setup(root, page, folders=("tools", "snippets", "data"))


LIGHT_PRELOAD = "tools.engine.figures"  # a block that needs torch imports it; none of the cases' blocks needs it


def build_command(root: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--strict",
        "-f",
        str(root / "mkdocs.yml"),
        "-d",
        str(root / "site"),
    ]


def build_environment(**environment: str) -> dict[str, str]:
    """The test's environment, less FULL_MNIST, with the fork server preloading what the small cases need."""
    env = {key: value for key, value in os.environ.items() if key != "FULL_MNIST" and not key.startswith("GUIDE_")}
    return {**env, "NO_MKDOCS_2_WARNING": "1", "GUIDE_EXEC_PRELOAD": LIGHT_PRELOAD, **environment}


def build(root: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        build_command(root), cwd=root, env=build_environment(**environment), capture_output=True, text=True, timeout=300
    )


def output_of(result: subprocess.CompletedProcess[str]) -> str:
    return result.stdout + result.stderr


def assert_fails(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    output = output_of(result)
    assert result.returncode != 0, f"the build passed:\n{output}"
    for text in expected:
        assert text in output, f"{text!r} not in the build's output:\n{output}"


def test_the_minimal_project_builds(tmp_path):
    """The control case: the same setup with good input passes, and runs the blocks."""
    assert NAV_BLOCK.search((REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    root = make_project(tmp_path, DATASET_PAGE)
    result = build(root)
    assert result.returncode == 0, output_of(result)
    assert "WARNING" not in output_of(result)
    assert "ERROR" not in output_of(result)
    html = (root / "site" / "index.html").read_text(encoding="utf-8")
    assert "확인 완료: MNIST/raw/train-labels-idx1-ubyte (4,208 바이트)" in html


def test_a_snippet_that_raises(tmp_path):
    root = make_project(
        tmp_path,
        '# 실패\n\n```python exec="on" source="above" result="text" session="boom"\n'
        '--8<-- "snippets/broken/boom.py"\n```\n',
    )
    (root / "snippets" / "broken").mkdir()
    (root / "snippets" / "broken" / "__init__.py").write_text("")
    (root / "snippets" / "broken" / "boom.py").write_text(
        '"""A snippet that fails while the page is built."""\n'
        "\n"
        "answer = 42\n"
        'raise ValueError(f"no page for {answer}")\n',  # line 4
        encoding="utf-8",
    )
    assert_fails(build(root), "snippets/broken/boom.py:4: ValueError: no page for 42")


def test_a_missing_include(tmp_path):
    root = make_project(tmp_path, '# 없음\n\n```python exec="on" session="x"\n--8<-- "snippets/nope.py"\n```\n')
    assert_fails(build(root), "docs/index.md:3: snippets/nope.py does not exist")


def test_a_missing_section(tmp_path):
    root = make_project(
        tmp_path, '# 없음\n\n```python exec="on" session="x"\n--8<-- "snippets/dataset/mnist_files.py:nope"\n```\n'
    )
    assert_fails(build(root), "docs/index.md:3: snippets/dataset/mnist_files.py has no section 'nope'")


def test_corrupted_data(tmp_path):
    root = make_project(tmp_path, DATASET_PAGE)
    labels = root / "data" / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    content = bytearray(labels.read_bytes())
    content[100] ^= 0x01
    labels.write_bytes(bytes(content))
    assert_fails(build(root), "train-labels-idx1-ubyte", "DataFileError", "SHA-256")


def test_missing_data(tmp_path):
    root = make_project(tmp_path, DATASET_PAGE)
    (root / "data" / "MNIST" / "raw" / "t10k-images-idx3-ubyte").unlink()
    assert_fails(build(root), "t10k-images-idx3-ubyte", "DataFileError", "파일이 없어요")


@pytest.mark.parametrize(
    ("page", "named"),
    [
        ("# 링크\n\n[x](nowhere.md)\n", "nowhere.md"),
        ("# 링크\n\n## 있는 제목\n\n[x](#없는-제목)\n", "#없는-제목"),
    ],
    ids=["link", "anchor"],
)
def test_a_broken_link(tmp_path, page, named):
    assert_fails(build(make_project(tmp_path, page)), named)


@pytest.mark.parametrize("language", ["python", "py"])
def test_hand_written_code_in_an_executed_fence(tmp_path, language):
    root = make_project(tmp_path, f'# 코드\n\n```{language} exec="on" session="x"\nprint("손으로 쓴 코드")\n```\n')
    assert_fails(build(root), "fence holds hand-written code", 'print("손으로 쓴 코드")')


def test_hand_written_code_in_a_plain_fence(tmp_path):
    """Every Python fence on the site is a snippet file, executed or not (see docs/index.md)."""
    root = make_project(tmp_path, '# 코드\n\n```python\nprint("손으로 쓴 코드")\n```\n')
    assert_fails(build(root), 'print("손으로 쓴 코드")')
