"""Make a notebook's code cells stand alone: no `from snippets.X import name` survives.

An import of names that earlier cells already define is dropped. A name not yet
defined is brought in as a cell of its own, placed before the importing cell: the
section of the imported file that defines it (the outermost such section, the one
the import would have given, and never one under `if __name__ == "__main__":`),
itself made to stand alone first.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tools.engine.sources import SnippetPiece, pieces_of

PACKAGE = "snippets"


class NotebookError(Exception):
    """The pages or snippets cannot become a notebook; the message starts with file:line."""


@dataclass(frozen=True)
class Code:
    lines: tuple[str, ...]
    origins: tuple[str, ...]  # "snippets/x.py:12" for each line

    @classmethod
    def of(cls, piece: SnippetPiece) -> Code:
        numbered = list(zip(piece.lines, piece.line_numbers, strict=True))
        keep = [i for i, (line, _) in enumerate(numbered) if line.strip()]
        numbered = numbered[keep[0] : keep[-1] + 1] if keep else []
        return cls(tuple(line for line, _ in numbered), tuple(f"{piece.path.as_posix()}:{n}" for _, n in numbered))

    def __add__(self, other: Code) -> Code:
        return Code((*self.lines, "", *other.lines), (*self.origins, "", *other.origins))

    @property
    def source(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Inlined:
    code: Code
    names: tuple[str, ...]  # what the importing cell needed from it
    piece: SnippetPiece


def stored_names(node: ast.AST) -> Iterator[str]:
    """Names a statement binds in the namespace it runs in (not inside functions, classes or comprehensions)."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        yield node.name
    elif isinstance(node, ast.Import | ast.ImportFrom):
        yield from (alias.asname or alias.name.split(".")[0] for alias in node.names)
    elif not isinstance(node, ast.Lambda | ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            yield node.id
        for child in ast.iter_child_nodes(node):
            yield from stored_names(child)


def _parse(code: Code) -> ast.Module:
    try:
        return ast.parse(code.source)
    except SyntaxError as error:
        raise NotebookError(f"{code.origins[(error.lineno or 1) - 1]}: {error.msg}") from error


def _main_guard_lines(path: Path) -> set[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    guards = [node for node in tree.body if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test)]
    return {n for node in guards for n in range(node.lineno, (node.end_lineno or node.lineno) + 1)}


def defining_piece(root: Path, module: str, name: str, where: str) -> SnippetPiece:
    path = root.joinpath(*module.split(".")).with_suffix(".py")
    if not path.is_file():
        raise NotebookError(f"{where}: cannot import {name} from {module}: {path.relative_to(root)} does not exist")
    under_main = _main_guard_lines(path)
    sections = [
        piece
        for piece in pieces_of(path, root)
        if piece.section and piece.line_numbers and piece.line_numbers[0] not in under_main
        if name in set(stored_names(_parse(Code.of(piece))))
    ]
    if not sections:
        raise NotebookError(f"{where}: no section of {path.relative_to(root)} defines {name}")
    return max(sections, key=lambda piece: len(piece.line_numbers))  # the outermost: max() keeps the first of ties


def bindings(code: Code) -> dict[str, str]:
    """{name: the statement that binds it}, for what `code` binds at its top level."""
    return {name: ast.unparse(node) for node in _parse(code).body for name in stored_names(node)}


def standalone(
    code: Code, defined: dict[str, str], root: Path, inlining: tuple[str, ...] = ()
) -> tuple[list[Inlined], Code]:
    """The cells that define what `code` imports from snippets, and `code` without those imports.

    `defined` maps the names earlier cells bind to the statement that did (bindings()); it grows by what the
    returned cells bind. An import is satisfied by an earlier cell only if that cell bound the name with the
    same statement: two snippets' `fit` are two functions, and the later import must bring its own.
    """
    inlined: list[Inlined] = []
    dropped: set[int] = set()
    for node in _parse(code).body:
        where = code.origins[node.lineno - 1]
        if isinstance(node, ast.Import) and any(alias.name.split(".")[0] == PACKAGE for alias in node.names):
            raise NotebookError(f"{where}: `{ast.unparse(node)}` cannot be inlined; import names from a module")
        if not isinstance(node, ast.ImportFrom) or (node.module or "").split(".")[0] != PACKAGE:
            continue
        for alias in node.names:
            if alias.asname:
                raise NotebookError(f"{where}: `{ast.unparse(node)}` renames {alias.name}, which cannot be inlined")
            piece = defining_piece(root, node.module, alias.name, where)
            if defined.get(alias.name) == bindings(Code.of(piece))[alias.name]:
                continue
            if piece.label in inlining:
                raise NotebookError(f"{where}: {piece.label} imports itself through {' -> '.join(inlining)}")
            before, cell = standalone(Code.of(piece), defined, root, (*inlining, piece.label))
            wanted = {other.name for other in node.names}
            names = tuple(name for name in bindings(cell) if name in wanted)
            inlined += [*before, Inlined(cell, names, piece)]
        dropped.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    kept = _without_lines(code, dropped)
    defined.update(bindings(kept))
    return inlined, kept


def _without_lines(code: Code, dropped: set[int]) -> Code:
    """`code` less the dropped lines, and less the blank line that would follow them at the start or after a blank."""
    pairs: list[tuple[str, str]] = []
    after_drop = False
    for number, pair in enumerate(zip(code.lines, code.origins, strict=True), start=1):
        if number in dropped:
            after_drop = True
            continue
        if after_drop and not pair[0].strip() and (not pairs or not pairs[-1][0].strip()):
            continue
        after_drop = False
        pairs.append(pair)
    return Code(tuple(line for line, _ in pairs), tuple(origin for _, origin in pairs))
