"""Find which file under snippets/ a code block was included from, and where.

pymdownx.snippets pastes a file (minus its section markers) or one dedented
section into the page; markdown-exec then hands us only the pasted text. To
execute it as that file, with tracebacks pointing at the file's own lines, we
look the text up among every file and section under snippets/.
"""

from __future__ import annotations

import functools
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

SECTION_MARKER = re.compile(r"^\s*# --8<-- \[(?P<kind>start|end):(?P<name>[a-z][-_0-9a-z]*)\]\s*$")


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


def _piece(path: Path, section: str | None, numbered: list[tuple[int, str]], dedent: bool) -> SnippetPiece:
    lines = [text for _, text in numbered]
    if dedent:
        lines = textwrap.dedent("\n".join(lines)).split("\n")
    return SnippetPiece(path, section, tuple(n for n, _ in numbered), tuple(lines))


def _trimmed(lines: list[str] | tuple[str, ...]) -> list[str]:
    stripped = [line.rstrip() for line in lines]
    while stripped and not stripped[0]:
        stripped.pop(0)
    while stripped and not stripped[-1]:
        stripped.pop()
    return stripped


class AmbiguousInclude(ValueError):
    """The included text is in more than one place, so its file and line numbers are unknown."""


def locate(code: str, root: Path) -> SnippetPiece | None:
    """The snippet file or section whose included text is exactly `code`, if any."""
    wanted = _trimmed(code.split("\n"))
    found: dict[tuple[Path, tuple[int, ...]], SnippetPiece] = {}
    for path in sorted((root / "snippets").rglob("*.py")):
        status = path.stat()
        for piece in _pieces_of_version(path, root, status.st_mtime_ns, status.st_size):
            if _trimmed(piece.lines) == wanted:
                piece = _without_blank_edges(piece)
                # A file that is one section matches twice at the same lines: one place, named by its section.
                found[piece.path, piece.line_numbers] = piece
    if len(found) > 1:
        places = ", ".join(f"{piece.label} (line {_span(piece.line_numbers)})" for piece in found.values())
        raise AmbiguousInclude(
            f"the included code is found word for word in {places}; which file the page means is unknown, "
            "so make the sections differ (a comment is enough)"
        )
    return next(iter(found.values()), None)


@functools.cache
def _pieces_of_version(path: Path, root: Path, mtime_ns: int, size: int) -> tuple[SnippetPiece, ...]:
    """pieces_of, read once per version of the file: every block of a build looks through every file."""
    return tuple(pieces_of(path, root))


def _span(line_numbers: tuple[int, ...]) -> str:
    first, last = line_numbers[0], line_numbers[-1]
    return str(first) if first == last else f"{first}-{last}"


def _without_blank_edges(piece: SnippetPiece) -> SnippetPiece:
    keep = [i for i, line in enumerate(piece.lines) if line.strip()]
    first, last = keep[0], keep[-1] + 1
    return SnippetPiece(piece.path, piece.section, piece.line_numbers[first:last], piece.lines[first:last])
