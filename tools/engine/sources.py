"""The code a fence includes: a snippet file, or one section of it, as pymdownx.snippets pastes it.

Executed at its own line numbers (blank lines elsewhere), so tracebacks and warnings name the file's
lines, as `python file.py` would.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

SECTION_MARKER = re.compile(r"^\s*# --8<-- \[(?P<kind>start|end):(?P<name>[a-z][-_0-9a-z]*)\]\s*$")


class MissingSnippet(ValueError):
    """The include names a file or section that is not there."""


@dataclass(frozen=True)
class SnippetPiece:
    path: Path  # relative to the project root
    section: str | None  # None for the whole file
    line_numbers: tuple[int, ...]  # 1-based line in the file of each included line
    lines: tuple[str, ...]  # the included text, as pymdownx.snippets pastes it

    def positioned_source(self) -> str:
        """The included lines at their own line numbers, blank lines elsewhere."""
        padded = [""] * (self.line_numbers[-1] if self.line_numbers else 0)
        for number, line in zip(self.line_numbers, self.lines, strict=True):
            padded[number - 1] = line
        return "\n".join(padded) + "\n"

    @property
    def first_line(self) -> int:
        """The first line with code on it (where a report about the whole block points)."""
        return next((n for n, line in zip(self.line_numbers, self.lines, strict=True) if line.strip()), 1)

    @property
    def label(self) -> str:
        return f"{self.path}:{self.section}" if self.section else str(self.path)


def pieces_of(path: Path, root: Path) -> list[SnippetPiece]:
    """The whole file and each of its sections, as pymdownx.snippets would include them."""
    relative = path.relative_to(root)
    numbered = list(enumerate(path.read_text(encoding="utf-8").splitlines(), start=1))
    markers = {number: SECTION_MARKER.match(text) for number, text in numbered}
    code = [(number, text) for number, text in numbered if not markers[number]]
    pieces = [_piece(relative, None, code, dedent=False)]
    for number, match in markers.items():
        if match and match["kind"] == "start":
            section = match["name"]
            end = next(
                (n for n, m in markers.items() if n > number and m and m["kind"] == "end" and m["name"] == section),
                len(numbered) + 1,
            )
            inside = [(n, text) for n, text in code if number < n < end]
            pieces.append(_piece(relative, section, inside, dedent=True))
    return pieces


def piece_of(root: Path, path: str, section: str | None) -> SnippetPiece:
    """The file or section an include names; MissingSnippet if it is not there."""
    file = root / path
    if not file.is_file():
        raise MissingSnippet(f"{path} does not exist")
    piece = next((piece for piece in pieces_of(file, root) if piece.section == section), None)
    if piece is None:
        raise MissingSnippet(f"{path} has no section {section!r}")
    return piece


def _piece(path: Path, section: str | None, numbered: list[tuple[int, str]], dedent: bool) -> SnippetPiece:
    lines = [text for _, text in numbered]
    if dedent:
        lines = textwrap.dedent("\n".join(lines)).split("\n")
    return SnippetPiece(path, section, tuple(n for n, _ in numbered), tuple(lines))


def same_code(pasted: str, piece: SnippetPiece) -> bool:
    """Whether `pasted` (what markdown-exec was handed) is the piece's text, blank edges aside."""
    return _trimmed(pasted.split("\n")) == _trimmed(piece.lines)


def _trimmed(lines: list[str] | tuple[str, ...]) -> list[str]:
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[0]:
        stripped.pop(0)
    while stripped and not stripped[-1]:
        stripped.pop()
    return stripped
