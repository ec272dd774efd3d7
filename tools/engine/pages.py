"""The parts of a page the notebooks and the download links look for: framework tabs (includes: fences.py)."""

from __future__ import annotations

import re
from pathlib import Path

from tools.engine.fences import executed_python_fences

NOTEBOOKS_PAGE = "notebooks.md"  # its code is every notebook's first cell, which it explains
STEP_PAGES = ("steps/data.md", "steps/model.md", "steps/training.md", "steps/run.md")
# Pages whose tabs the notebooks hold (the notebooks page shows their first cell), so they link them.
NOTEBOOK_PAGES = (*STEP_PAGES, NOTEBOOKS_PAGE)
# Pages that run code yet get no notebook, and why (notebooks.md tells the reader the same).
WITHOUT_NOTEBOOK = {
    # mp.spawn and Lightning's "ddp" start new Python processes that import the training function from a file;
    # a function defined in a notebook cell is not in any file they can import.
    "beyond/ddp.md": (
        "이 페이지에는 노트북이 없어요. 여러 프로세스를 띄우는 코드라서, 새 프로세스들이 훈련 함수를 파일에서 "
        "불러와야 하거든요. 노트북의 셀에서 정의한 함수는 불러올 수 없어요. 탭마다 맨 위의 링크로 파일을 받아 "
        "실행해 보세요."
    ),
}
FRAMEWORKS = {"PyTorch": "pytorch", "Lightning": "lightning"}  # tab label: notebook name
TAB = re.compile(r'^(?P<indent> *)===[+!]? +"(?P<label>[^"]*)" *$')


def indented_block_end(lines: list[str], start: int, indent: int) -> int:
    """Index just past the block from `start` on: blank lines and lines indented deeper than `indent`."""
    end = start
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
        end += 1
    return end


def has_page_notebook(page: str, markdown: str) -> bool:
    """Does the page get a notebook of its own? Every page that runs Python code does, but for those the two step
    notebooks hold."""
    return page not in (*NOTEBOOK_PAGES, *WITHOUT_NOTEBOOK) and bool(executed_python_fences(markdown))


def page_notebooks(root: Path) -> list[str]:
    """The pages, under docs/, that get a notebook of their own (notebooks/<page>.ipynb)."""
    pages = sorted(path.relative_to(root / "docs").as_posix() for path in (root / "docs").rglob("*.md"))
    return [page for page in pages if has_page_notebook(page, (root / "docs" / page).read_text(encoding="utf-8"))]
