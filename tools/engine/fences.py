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


def fences(markdown: str) -> list[Fence]:
    found = []
    lines = markdown.splitlines()
    number = 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        number += 1
        if not opening:
            continue
        marks, info = opening["marks"], opening["info"].strip()
        words = info.lstrip("{ ").split()  # ```python exec="on"  or  ``` { .python }
        language = words[0].lstrip(".").rstrip("}").lower() if words else ""
        body_start = number
        while number < len(lines):
            closing = lines[number].strip()
            if closing.startswith(marks) and not closing.strip(marks[0]):
                break
            number += 1
        found.append(Fence(body_start, language, info, tuple(lines[body_start:number])))
        number += 1
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
