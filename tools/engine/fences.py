"""Find Python fences in a page's Markdown that are not executed snippet includes.

Every Python block on the site must be a file (or section) under snippets/, run at
build time: the hooks fail the build on any other, before Markdown is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PYTHON_LANGUAGES = {"python", "py", "python3", "py3"}
FENCE = re.compile(r"^(?P<indent>\s*)(?P<marks>`{3,}|~{3,})(?P<info>.*)$")
EXECUTED = re.compile(r'\bexec="(?:on|yes|true|1)"', re.IGNORECASE)


@dataclass(frozen=True)
class Fence:
    line: int  # of the opening fence, 1-based
    language: str
    info: str
    body: tuple[str, ...]


def language_of(info: str) -> str:
    words = info.strip().lstrip("{ ").split()  # ```python exec="on"  or  ``` { .python }
    return words[0].lstrip(".").rstrip("}").lower() if words else ""


def closing_index(lines: list[str], body_start: int, marks: str) -> int:
    """Index of the line that closes a fence opened with `marks` (len(lines) if none does)."""
    for index in range(body_start, len(lines)):
        closing = lines[index].strip()
        if closing.startswith(marks) and not closing.strip(marks[0]):
            return index
    return len(lines)


def fences(markdown: str) -> list[Fence]:
    found = []
    lines = markdown.splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        number += 1
        if not opening:
            continue
        info = opening["info"].strip()
        end = closing_index(lines, number, opening["marks"])
        found.append(Fence(number, language_of(info), info, tuple(lines[number:end])))
        number = end + 1
    return found


def python_fence_problems(markdown: str) -> list[tuple[int, str]]:
    """(line, problem) for each Python fence that is hand-written or not executed."""
    problems = []
    for fence in fences(markdown):
        if fence.language not in PYTHON_LANGUAGES:
            continue
        code = [line.strip() for line in fence.body if line.strip() and not line.strip().startswith("--8<--")]
        if code:
            problems.append((fence.line, f"{fence.language} fence holds hand-written code: {code[0]}"))
        elif not EXECUTED.search(fence.info):
            problems.append((fence.line, f'{fence.language} fence includes a snippet but lacks exec="on"'))
    return problems


def executed_python_fences(markdown: str) -> list[Fence]:
    return [fence for fence in fences(markdown) if fence.language in PYTHON_LANGUAGES and EXECUTED.search(fence.info)]
