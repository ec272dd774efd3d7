"""The parts of a page the notebooks and the download links look for: framework tabs (includes: fences.py)."""

from __future__ import annotations

import re

STEP_PAGES = ("steps/data.md", "steps/model.md", "steps/training.md", "steps/run.md")
# Pages whose tabs the notebooks hold (the notebooks page shows their first cell), so they link them.
NOTEBOOK_PAGES = (*STEP_PAGES, "notebooks.md")
FRAMEWORKS = {"PyTorch": "pytorch", "Lightning": "lightning"}  # tab label: notebook name
TAB = re.compile(r'^(?P<indent> *)===[+!]? +"(?P<label>[^"]*)" *$')


def indented_block_end(lines: list[str], start: int, indent: int) -> int:
    """Index just past the block from `start` on: blank lines and lines indented deeper than `indent`."""
    end = start
    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip(" ")) > indent):
        end += 1
    return end
