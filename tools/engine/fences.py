"""The one fence scanner of the engine: the code fences of a page's Markdown, their options and includes.

Every Python block on the site must be a file (or section) under snippets/, run at build time. The
hooks fail the build on any other, and the engine reads each executed block's file and section, its
session and its options from here, straight from the page, before any page is rendered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PYTHON_LANGUAGES = {"python", "py", "python3", "py3"}
# A fence option read by the notebook generator alone (notebook="no": the block runs on the site, no cell).
NOTEBOOK_OPTION = "notebook"
FENCE = re.compile(r"^(?P<indent>\s*)(?P<marks>`{3,}|~{3,})(?P<info>.*)$")
EXECUTED = re.compile(r'\bexec="(?:on|yes|true|1)"', re.IGNORECASE)
ATTRIBUTE = re.compile(r'(?P<name>[A-Za-z_][-\w]*)="(?P<value>[^"]*)"')
INCLUDE = re.compile(r'^\s*--8<--\s+"(?P<path>[^":]+)(?::(?P<section>[^"]*))?"\s*$')


@dataclass(frozen=True)
class Include:
    line: int  # in the page, 1-based
    path: str  # relative to the project root
    section: str | None  # None: the whole file


@dataclass(frozen=True)
class Fence:
    line: int  # of the opening fence, 1-based
    language: str
    info: str
    body: tuple[str, ...]

    @property
    def executed(self) -> bool:
        return self.language in PYTHON_LANGUAGES and bool(EXECUTED.search(self.info))

    @property
    def attributes(self) -> dict[str, str]:
        """The fence's options, as markdown-exec reads them: session="x" width="80" ..."""
        return {match["name"]: match["value"] for match in ATTRIBUTE.finditer(self.info)}

    @property
    def includes(self) -> list[Include]:
        return [
            Include(self.line + offset, match["path"], match["section"] or None)
            for offset, text in enumerate(self.body, start=1)
            if (match := INCLUDE.match(text))
        ]


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
    """(line, problem) for each Python fence that is hand-written, not executed, or not one include."""
    problems = []
    for fence in fences(markdown):
        if fence.language not in PYTHON_LANGUAGES:
            continue
        code = [line.strip() for line in fence.body if line.strip() and not INCLUDE.match(line)]
        if code:
            problems.append((fence.line, f"{fence.language} fence holds hand-written code: {code[0]}"))
        elif not fence.executed:
            problems.append((fence.line, f'{fence.language} fence includes a snippet but lacks exec="on"'))
        elif len(fence.includes) != 1:
            problems.append(
                (fence.line, f"an executed fence includes exactly one file or section, not {len(fence.includes)}")
            )
    return problems


def executed_python_fences(markdown: str) -> list[Fence]:
    return [fence for fence in fences(markdown) if fence.executed]


def with_block_numbers(markdown: str, attribute: str) -> str:
    """The page with `attribute="N"` added to its N-th executed fence (from 1), so the formatter that
    markdown-exec calls knows exactly which block it was handed, whatever order the fences come in."""
    lines = markdown.splitlines(keepends=True)
    for number, fence in enumerate(executed_python_fences(markdown), start=1):
        opening = lines[fence.line - 1]
        stripped = opening.rstrip("\r\n")
        lines[fence.line - 1] = f'{stripped} {attribute}="{number}"{opening[len(stripped) :]}'
    return "".join(lines)
