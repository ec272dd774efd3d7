"""Write the notebooks under notebooks/ from the pages and their snippets.

notebooks/pytorch.ipynb and notebooks/lightning.ipynb run the guide's steps 1-4
top to bottom in one framework: the pages' text as Markdown cells, and the code
of that framework's tabs as code cells, in page order. Text outside the tabs
goes into both; the other framework's tab is left out.

Every other page with Python code gets a notebook of its own at the same path
(docs/more/saving.md -> notebooks/more/saving.ipynb) holding both frameworks'
tabs, each under its label. The first code cell of every notebook installs what
Colab lacks.

    python -m tools.engine.notebooks          # (re)write notebooks/
    python -m tools.engine.notebooks --check  # fail, naming the file, if notebooks/ is stale
"""

from __future__ import annotations

import argparse
import itertools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from tools.engine.fences import FENCE, INCLUDE, NOTEBOOK_OPTION, PYTHON_LANGUAGES, closing_index, language_of
from tools.engine.inlining import Code, NotebookError, standalone
from tools.engine.notebook_markdown import (
    ADMONITION,
    admonition_head,
    heading_text,
    page_anchors,
    plain_text,
    rewrite_links,
)
from tools.engine.pages import FRAMEWORKS, STEP_PAGES, TAB, indented_block_end, page_notebooks
from tools.engine.sources import MissingSnippet, SnippetPiece, piece_of

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SETUP = "snippets/notebooks/setup.py"  # the first code cell: sections install and install-<notebook>
LABELS = {notebook: label for label, notebook in FRAMEWORKS.items()}
STEP_INTRO = (
    "# {label} 노트북\n\n"
    "**PyTorch와 PyTorch Lightning, 무엇이 다를까요?** 가이드의 1단계부터 4단계까지를 {label} 코드로만 "
    "처음부터 끝까지 실행하는 노트북이에요. 글과 코드는 가이드 페이지에서 그대로 가져왔어요.\n\n"
    "첫 코드 셀은 이 노트북에 필요한 패키지 가운데 아직 없는 것만 설치해요. 위에서부터 차례로 실행해 보세요."
)
PAGE_INTRO = (
    '**PyTorch와 PyTorch Lightning, 무엇이 다를까요?** 가이드의 "{title}" 페이지를 노트북으로 옮겼어요. '
    "글과 코드는 페이지에서 그대로 가져왔고, 페이지에 탭이 있으면 PyTorch 탭과 Lightning 탭의 코드를 "
    "차례로 모두 담았어요.\n\n"
    "첫 코드 셀은 이 노트북에 필요한 패키지 가운데 아직 없는 것만 설치해요. 위에서부터 차례로 실행해 보세요."
)
# A Python fence with this option runs on the site but is no cell: its code needs the repository's files.
SITE_ONLY = f'{NOTEBOOK_OPTION}="no"'
SITE_ONLY_NOTE = (
    "사이트에서는 이 자리에서 {paths}의 코드가 실행돼요. 저장소의 파일이 있어야 돌아가는 코드라 노트북에는 "
    "넣지 않았어요. 코드와 출력은 가이드의 페이지에서 볼 수 있어요."
)
INLINED_NOTE = "아래 셀은 저장소의 `{path}`에서 가져왔어요. 다음 셀에 필요한 정의({names})가 들어 있어요."
METADATA = {
    "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


@dataclass(frozen=True)
class Notebook:
    name: str  # its path under notebooks/, without .ipynb
    pages: tuple[str, ...]
    framework: str | None  # "pytorch" or "lightning": only that tab; None: every tab, each under its label

    @property
    def path(self) -> str:
        return f"notebooks/{self.name}.ipynb"


def all_notebooks(root: Path) -> list[Notebook]:
    steps = [Notebook(framework, STEP_PAGES, framework) for framework in LABELS]
    return steps + [Notebook(page.removesuffix(".md"), (page,), None) for page in page_notebooks(root)]


@dataclass(frozen=True)
class Text:
    line: str
    verbatim: bool = False  # inside a fence: no link rewriting, no heading


@dataclass(frozen=True)
class Fence:
    code: Code
    where: str  # docs/page.md:line of the opening fence


Part = Text | Fence


def _site_only_note(body: list[tuple[int, str]]) -> list[Text]:
    paths = ", ".join(f"`{include['path']}`" for _, line in body if (include := INCLUDE.match(line)))
    return [Text(line) for line in (*admonition_head("참고", "note"), f"> {SITE_ONLY_NOTE.format(paths=paths)}", "")]


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


def page_parts(root: Path, page: str, lines: list[tuple[int, str]], framework: str | None) -> list[Part]:
    """The page's text and code fences for a notebook of `framework` (None: both), in order; `lines` numbered from 1."""
    texts = [text for _, text in lines]
    parts: list[Part] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        if (tab := TAB.match(text)) and not tab["indent"]:
            end = indented_block_end(texts, index + 1, 0)
            if tab["label"] not in FRAMEWORKS:
                raise NotebookError(f"docs/{page}:{number}: tab {tab['label']!r} is neither PyTorch nor Lightning")
            if framework is None:
                parts += [Text(f"**{tab['label']}**"), Text("")]
            if framework in (None, FRAMEWORKS[tab["label"]]):
                parts += page_parts(root, page, _dedented(lines[index + 1 : end]), framework)
        elif fence := FENCE.match(text):
            end = closing_index(texts, index + 1, fence["marks"])
            if language_of(fence["info"]) in PYTHON_LANGUAGES and SITE_ONLY in fence["info"]:
                parts += _site_only_note(lines[index + 1 : end])
            elif language_of(fence["info"]) in PYTHON_LANGUAGES:
                parts.append(_fence(root, page, number, lines[index + 1 : end]))
            else:
                parts += [Text(line, verbatim=True) for line in texts[index : end + 1]]
            end += 1
        elif admonition := ADMONITION.match(text):
            end = indented_block_end(texts, index + 1, 0)
            body = page_parts(root, page, _dedented(lines[index + 1 : end]), framework)
            parts += [Text(line) for line in admonition_head(admonition["title"], admonition["kind"])]
            for is_code, run in itertools.groupby(body, key=lambda part: isinstance(part, Fence)):
                # A code block inside the box is a cell of its own: the quote stops before it and goes on after.
                parts += list(run) if is_code else [Text(f"> {p.line}".rstrip(), p.verbatim) for p in _trimmed(run)]
            parts.append(Text(""))
        else:
            parts.append(Text(text))
            end = index + 1
        index = end
    return parts


def _trimmed(parts: Iterable[Text]) -> list[Text]:
    """Without blank lines at either end."""
    parts = list(parts)
    filled = [i for i, part in enumerate(parts) if part.line.strip()]
    return parts[filled[0] : filled[-1] + 1] if filled else []


def _numbered(root: Path, page: str) -> list[tuple[int, str]]:
    return list(enumerate((root / "docs" / page).read_text(encoding="utf-8").splitlines(), start=1))


def _code_cells(root: Path, code: Code, defined: dict[str, str], where: str) -> list[tuple[str, str]]:
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


def notebook_cells(root: Path, notebook: Notebook) -> list[tuple[str, str]]:
    """(cell type, source) of every cell of `notebook`, in order."""
    parts_of = {page: page_parts(root, page, _numbered(root, page), notebook.framework) for page in notebook.pages}
    anchors = {}
    for page, parts in parts_of.items():
        headings = [heading_text(p.line) for p in parts if isinstance(p, Text) and not p.verbatim]
        if not any(headings):
            raise NotebookError(f"docs/{page}:1: the page has no heading to link to")
        anchors[page] = page_anchors([heading for heading in headings if heading])

    defined: dict[str, str] = {}
    where = "tools/engine/notebooks.py"
    installs = notebook.framework or "lightning"  # Lightning's install line brings torch's too
    setup = Code.of(_piece(root, SETUP, "install", where)) + Code.of(_piece(root, SETUP, f"install-{installs}", where))
    if notebook.framework:
        intro = STEP_INTRO.format(label=LABELS[notebook.framework])
    else:
        intro = PAGE_INTRO.format(title=plain_text(next(filter(None, map(heading_text, _lines(root, notebook))))))
    cells = [("markdown", intro), *_code_cells(root, setup, defined, SETUP)]
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
        if kind == "code" and re.search(r"^\s*(?:from|import) +snippets\b", source, re.M):
            raise NotebookError(f"a cell of {notebook.path} still imports from snippets:\n{source}")
    return cells


def _lines(root: Path, notebook: Notebook) -> list[str]:
    return [text for page in notebook.pages for _, text in _numbered(root, page)]


def notebook_text(root: Path, notebook: Notebook) -> str:
    """The .ipynb file, as nbformat writes it: no outputs, fixed cell ids, sorted keys, a final newline."""
    nb = nbformat.v4.new_notebook(metadata=METADATA)
    for index, (kind, source) in enumerate(notebook_cells(root, notebook)):
        make_cell = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(make_cell(source, id=f"{notebook.name.replace('/', '-')}-{index:02d}"))
    nbformat.validate(nb)
    text = nbformat.writes(nb)
    return text if text.endswith("\n") else text + "\n"


def main(argv: list[str] | None = None, root: Path = PROJECT_ROOT) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.engine.notebooks", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="write nothing; fail if a notebook is stale")
    args = parser.parse_args(argv)
    stale = []
    notebooks = all_notebooks(root)
    for notebook in notebooks:
        path, name = root / notebook.path, notebook.path
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
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode("utf-8"))
            print(f"wrote {name}")
    expected = {notebook.path for notebook in notebooks}
    for leftover in sorted(p.relative_to(root).as_posix() for p in root.glob("notebooks/**/*.ipynb")):
        if leftover not in expected:  # its page is gone or has no code any more
            if args.check:
                stale.append(leftover)
                print(f"{leftover} belongs to no page: run `python -m tools.engine.notebooks`", file=sys.stderr)
            else:
                (root / leftover).unlink()
                print(f"removed {leftover}")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
