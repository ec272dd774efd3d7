"""Write notebooks/pytorch.ipynb and notebooks/lightning.ipynb from the step pages and their snippets.

Each notebook runs the guide's steps 1-4 top to bottom in one framework: the
pages' text as Markdown cells, and the code of that framework's tabs as code
cells, in page order. Text outside the tabs goes into both; the other
framework's tab is left out. The first code cell installs what Colab lacks.

    python -m tools.engine.notebooks          # (re)write notebooks/
    python -m tools.engine.notebooks --check  # fail, naming the file, if notebooks/ is stale
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.engine.fences import FENCE, INCLUDE, PYTHON_LANGUAGES, closing_index, language_of
from tools.engine.inlining import Code, NotebookError, standalone
from tools.engine.notebook_markdown import ADMONITION, admonition_head, heading_text, page_anchors, rewrite_links
from tools.engine.pages import FRAMEWORKS, STEP_PAGES, TAB, indented_block_end
from tools.engine.sources import MissingSnippet, SnippetPiece, piece_of

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETUP = "snippets/notebooks/setup.py"  # the first code cell: sections install and install-<notebook>
LABELS = {notebook: label for label, notebook in FRAMEWORKS.items()}
INTRO = (
    "# {label} 노트북\n\n"
    "**PyTorch와 PyTorch Lightning, 무엇이 다를까요?** 가이드의 1단계부터 4단계까지를 {label} 코드로만 "
    "처음부터 끝까지 실행하는 노트북이에요. 글과 코드는 가이드 페이지에서 그대로 가져왔어요.\n\n"
    "첫 코드 셀은 이 노트북에 필요한 패키지 가운데 아직 없는 것만 설치해요. 위에서부터 차례로 실행해 보세요."
)
INLINED_NOTE = "아래 셀은 저장소의 `{path}`에서 가져왔어요. 다음 셀에 필요한 정의({names})가 들어 있어요."
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


@dataclass(frozen=True)
class Text:
    line: str
    verbatim: bool = False  # inside a fence: no link rewriting, no heading


@dataclass(frozen=True)
class Fence:
    code: Code
    where: str  # docs/page.md:line of the opening fence


Part = Text | Fence


def _dedented(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    return [(number, text[4:] if text.startswith("    ") else text.lstrip(" ")) for number, text in lines]


def _piece(root: Path, path: str, section: str | None, where: str) -> SnippetPiece:
    try:
        return piece_of(root, path, section)
    except MissingSnippet as missing:
        raise NotebookError(f"{where}: {missing}") from None


def _fence(root: Path, page: str, opening: int, body: list[tuple[int, str]]) -> Fence:
    """The code a Python fence includes (its lines: `--8<--` includes of snippet files or sections)."""
    code = None
    for number, text in body:
        include = INCLUDE.match(text)
        if include is None:
            if text.strip():
                raise NotebookError(f"docs/{page}:{number}: a Python fence may only include snippets: {text.strip()}")
            continue
        piece = _piece(root, include["path"], include["section"] or None, f"docs/{page}:{number}")
        code = Code.of(piece) if code is None else code + Code.of(piece)
    if code is None:
        raise NotebookError(f"docs/{page}:{opening}: a Python fence includes nothing")
    return Fence(code, f"docs/{page}:{opening}")


def page_parts(root: Path, page: str, lines: list[tuple[int, str]], notebook: str) -> list[Part]:
    """The page's text and code fences that belong in `notebook`, in order; `lines` numbered from 1."""
    texts = [text for _, text in lines]
    parts: list[Part] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        if (tab := TAB.match(text)) and not tab["indent"]:
            end = indented_block_end(texts, index + 1, 0)
            if tab["label"] not in FRAMEWORKS:
                raise NotebookError(f"docs/{page}:{number}: tab {tab['label']!r} is neither PyTorch nor Lightning")
            if FRAMEWORKS[tab["label"]] == notebook:
                parts += page_parts(root, page, _dedented(lines[index + 1 : end]), notebook)
        elif fence := FENCE.match(text):
            end = closing_index(texts, index + 1, fence["marks"])
            if language_of(fence["info"]) in PYTHON_LANGUAGES:
                parts.append(_fence(root, page, number, lines[index + 1 : end]))
            else:
                parts += [Text(line, verbatim=True) for line in texts[index : end + 1]]
            end += 1
        elif admonition := ADMONITION.match(text):
            end = indented_block_end(texts, index + 1, 0)
            body = page_parts(root, page, _dedented(lines[index + 1 : end]), notebook)
            if any(isinstance(part, Fence) for part in body):
                raise NotebookError(f"docs/{page}:{number}: a code block inside an admonition cannot be a cell")
            parts += [Text(line) for line in admonition_head(admonition["title"], admonition["kind"])]
            parts += [Text(f"> {part.line}".rstrip(), part.verbatim) for part in _trimmed(body)]
            parts.append(Text(""))
        else:
            parts.append(Text(text))
            end = index + 1
        index = end
    return parts


def _trimmed(parts: list[Text]) -> list[Text]:
    """Without blank lines at either end."""
    filled = [i for i, part in enumerate(parts) if part.line.strip()]
    return parts[filled[0] : filled[-1] + 1] if filled else []


def _numbered(root: Path, page: str) -> list[tuple[int, str]]:
    return list(enumerate((root / "docs" / page).read_text(encoding="utf-8").splitlines(), start=1))


def _code_cells(root: Path, code: Code, defined: set[str], where: str) -> list[tuple[str, str]]:
    try:
        inlined, kept = standalone(code, defined, root)
    except NotebookError as error:
        raise NotebookError(f"{error} (in the block at {where})") from None
    cells = []
    for cell in inlined:
        names = ", ".join(f"`{name}`" for name in cell.names)
        cells += [("markdown", INLINED_NOTE.format(path=cell.piece.path.as_posix(), names=names))]
        cells += [("code", cell.code.source)]
    return [*cells, ("code", kept.source)] if kept.lines else cells


def _markdown_cell(text: list[Text], page: str, anchors: dict[str, dict[str | None, str]]) -> list[tuple[str, str]]:
    lines: list[str] = []
    for part in _trimmed(text):
        if part.verbatim:
            lines.append(part.line)
        elif part.line.strip() or (lines and lines[-1].strip()):  # one blank line between paragraphs
            lines.append(rewrite_links(part.line, page, anchors))
    return [("markdown", "\n".join(lines))] if lines else []


def notebook_cells(root: Path, notebook: str, pages: tuple[str, ...] = STEP_PAGES) -> list[tuple[str, str]]:
    """(cell type, source) of every cell of `notebook` ("pytorch" or "lightning"), in order."""
    parts_of = {page: page_parts(root, page, _numbered(root, page), notebook) for page in pages}
    anchors = {}
    for page, parts in parts_of.items():
        headings = [heading_text(p.line) for p in parts if isinstance(p, Text) and not p.verbatim]
        if not any(headings):
            raise NotebookError(f"docs/{page}:1: the page has no heading to link to")
        anchors[page] = page_anchors([heading for heading in headings if heading])

    defined: set[str] = set()
    where = "tools/engine/notebooks.py"
    setup = Code.of(_piece(root, SETUP, "install", where)) + Code.of(_piece(root, SETUP, f"install-{notebook}", where))
    cells = [("markdown", INTRO.format(label=LABELS[notebook])), *_code_cells(root, setup, defined, SETUP)]
    for page, parts in parts_of.items():
        text: list[Text] = []
        for part in parts:
            if isinstance(part, Fence) or (not part.verbatim and heading_text(part.line)):
                cells += _markdown_cell(text, page, anchors)
                text = []
            if isinstance(part, Fence):
                cells += _code_cells(root, part.code, defined, part.where)
            else:
                text.append(part)
        cells += _markdown_cell(text, page, anchors)

    for kind, source in cells:
        if kind == "code" and re.search(r"\bsnippets\b", source):
            raise NotebookError(f"a {notebook} notebook cell still mentions snippets:\n{source}")
    return cells


def notebook_text(root: Path, notebook: str) -> str:
    """The .ipynb file, as nbformat writes it: no outputs, fixed cell ids, sorted keys, a final newline."""
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    for index, (kind, source) in enumerate(notebook_cells(root, notebook)):
        make_cell = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make_cell(source, id=f"{notebook}-{index:02d}"))
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.engine.notebooks", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a notebook is stale")
    args = parser.parse_args(argv)
    stale = []
    for notebook in LABELS:
        path = root / "notebooks" / f"{notebook}.ipynb"
        name = path.relative_to(root).as_posix()
        try:
            text = notebook_text(root, notebook)
        except NotebookError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        if args.check:
            if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
                stale.append(name)
                print(f"{name} is stale: run `python -m tools.engine.notebooks` (make notebooks)", file=sys.stderr)
        else:
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            print(f"wrote {name}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
