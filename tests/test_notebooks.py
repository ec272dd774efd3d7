"""The notebooks to take away (notebooks/**/*.ipynb) and the download links on the site.

The notebooks are generated from the pages and their snippets by tools/engine/notebooks.py: two for
the step pages (one per framework) and one for every other page that runs code. The tests check that
the committed files are that generation, that they run on their own in a fresh kernel and print the
pages' numbers, and that the built site publishes and links them. The conversion itself is tested at
the end, on a made-up project.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import build_site
from tests.site_html import outputs, outputs_by_block
from tests.test_site import TIMINGS
from tools.engine.downloads import colab_url, with_download_links
from tools.engine.fences import executed_python_fences
from tools.engine.inlining import NotebookError
from tools.engine.notebooks import (
    PAGE_INTRO,
    SITE_ONLY,
    SITE_ONLY_NOTE,
    STEP_INTRO,
    Notebook,
    all_notebooks,
    main,
    notebook_cells,
    notebook_text,
)
from tools.engine.pages import NOTEBOOK_PAGES, STEP_PAGES, WITHOUT_NOTEBOOK
from tools.engine.terminal import render_terminal

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ("pytorch", "lightning")
ALL_NOTEBOOKS = all_notebooks(ROOT)
PAGE_NOTEBOOKS = [notebook for notebook in ALL_NOTEBOOKS if notebook.framework is None]
STEP_URLS = [page.removesuffix(".md") for page in STEP_PAGES]
PARAMETERS = "훈련할 파라미터 수: 109,386"
EPOCH_LINE = re.compile(r"^Epoch \d: train_loss=\d\.\d{4}, val_loss=\d\.\d{4}, val_acc=\d\.\d{4}$", re.M)
EPOCH_BAR = re.compile(r"^Epoch (\d): 100%\|█+\| 121/121 .*(val_loss=[\d.]+, val_acc=[\d.]+)\]$", re.M)
REPO_URL = "https://github.com/octo-org/mnist-guide"


def read_notebook(name: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)


def code_sources(notebook: nbformat.NotebookNode) -> list[str]:
    return [cell.source for cell in notebook.cells if cell.cell_type == "code"]


# --- the committed notebooks ---------------------------------------------------------------------


def test_committed_notebooks_are_what_the_pages_generate():
    result = subprocess.run(
        [sys.executable, "-m", "tools.engine.notebooks", "--check"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, f"notebooks/ is stale; run `python -m tools.engine.notebooks`\n{result.stderr}"


def test_generation_is_deterministic():
    for notebook in ALL_NOTEBOOKS:
        assert notebook_text(ROOT, notebook) == notebook_text(ROOT, notebook)


def test_every_page_that_runs_code_has_a_notebook_or_says_why_not():
    pages = sorted(path.relative_to(ROOT / "docs").as_posix() for path in (ROOT / "docs").rglob("*.md"))
    running = [page for page in pages if executed_python_fences((ROOT / "docs" / page).read_text(encoding="utf-8"))]
    with_own = [page for notebook in PAGE_NOTEBOOKS for page in notebook.pages]
    assert sorted([*with_own, *NOTEBOOK_PAGES, *WITHOUT_NOTEBOOK]) == running
    assert [notebook.name for notebook in PAGE_NOTEBOOKS] == [page.removesuffix(".md") for page in with_own]
    assert len(with_own) >= 15


@pytest.mark.parametrize("notebook", ALL_NOTEBOOKS, ids=lambda notebook: notebook.name)
def test_notebooks_hold_no_outputs_and_no_snippets_imports(notebook):
    text = (ROOT / notebook.path).read_text(encoding="utf-8")
    assert text.endswith("}\n")
    nb = nbformat.reads(text, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    prefix = notebook.name.replace("/", "-")
    assert [cell.id for cell in nb.cells] == [f"{prefix}-{index:02d}" for index in range(len(nb.cells))]
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.id
            assert not re.search(r"^\s*(from|import) +snippets\b", cell.source, re.M), cell.id


def test_a_page_notebook_holds_both_tabs_each_under_its_label():
    text = "\n".join(cell.source for cell in nbformat.read(ROOT / "notebooks/more/schedulers.ipynb", 4).cells)
    assert text.index("**PyTorch**") < text.index("**Lightning**") < text.index("def configure_optimizers")
    assert text.startswith(
        '**PyTorch와 PyTorch Lightning, 무엇이 다를까요?** 가이드의 "학습률 스케줄러" 페이지를 노트북으로 옮겼어요.'
    )


def test_blocks_that_need_the_repository_leave_a_note_in_the_notebook():
    markdown = [cell.source for cell in nbformat.read(ROOT / "notebooks/more/fabric.ipynb", 4).cells]
    site_only = [f for f in executed_python_fences((ROOT / "docs/more/fabric.md").read_text()) if SITE_ONLY in f.info]
    assert sum(source.count("노트북에는 넣지 않았어요") for source in markdown) == len(site_only) == 5
    assert any(SITE_ONLY_NOTE.format(paths="`snippets/more/fabric/changes.py`") in source for source in markdown)


def test_each_notebook_keeps_its_own_tabs():
    pytorch, lightning = ("\n".join(cell.source for cell in read_notebook(name).cells) for name in NOTEBOOKS)
    # One line from each tab, and one from outside the tabs, of each step page.
    assert "여기서는 데이터로더 두 개를 돌려주는 함수" in pytorch
    assert "여기서는 데이터로더 두 개를 돌려주는 함수" not in lightning
    assert "강조한 네 줄이 그 훅이에요." in lightning
    assert "강조한 네 줄이 그 훅이에요." not in pytorch
    assert "PyTorch는 **더 할 일이 없어요.**" in pytorch
    assert "class MNISTDataModule" in lightning and "class MNISTDataModule" not in pytorch
    assert "def fit(" in pytorch and "def fit(" not in lightning
    for page in STEP_PAGES:
        title = (ROOT / "docs" / page).read_text(encoding="utf-8").splitlines()[0]
        assert f"\n{title}\n" in f"\n{pytorch}\n" and f"\n{title}\n" in f"\n{lightning}\n", title


def test_notebook_links_stay_inside_the_notebook():
    for name in NOTEBOOKS:
        notebook = read_notebook(name)
        text = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
        headings = {
            line.lstrip("#").strip().replace("`", "").replace(" ", "-")
            for cell in notebook.cells
            if cell.cell_type == "markdown"
            for line in cell.source.splitlines()
            if line.startswith("#")
        }
        targets = re.findall(r"\]\(([^)]+)\)", text)
        assert "#2단계:-모델-만들기" in targets
        assert all(target.startswith("#") and target[1:] in headings for target in targets), targets
        assert "!!!" not in text and 'exec="on"' not in text and "--8<--" not in text


# --- the notebooks, run in a fresh kernel --------------------------------------------------------


def printed(cell: nbformat.NotebookNode) -> str:
    """What a code cell wrote to stdout, as Jupyter shows it (progress bars redraw with \\r and cursor moves).

    Jupyter shows stderr (Lightning's log messages) in an output area of its own, so it is left out.
    """
    stream = "".join(output.text for output in cell.outputs if output.get("name") == "stdout")
    return render_terminal(stream, columns=1000)


@pytest.fixture(scope="module")
def executed() -> dict[str, list[str]]:
    """Each generated notebook run top to bottom in a fresh python3 kernel started in notebooks/: its printed cells."""
    before = sorted((ROOT / "notebooks").rglob("*"))
    printed_cells = {}
    for name, step_notebook in zip(NOTEBOOKS, ALL_NOTEBOOKS, strict=False):
        assert step_notebook.name == name
        notebook = nbformat.reads(notebook_text(ROOT, step_notebook), as_version=4)
        start = time.perf_counter()
        run_in_its_folder(notebook, ROOT / "notebooks")
        print(f"{name}.ipynb ran in {time.perf_counter() - start:.1f} s")
        printed_cells[name] = [printed(cell) for cell in notebook.cells if cell.cell_type == "code"]
    assert sorted((ROOT / "notebooks").rglob("*")) == before, "running the notebooks left files behind"
    return printed_cells


def test_the_first_cell_installs_nothing_here(executed, site):
    expected = outputs(site / "notebooks" / "index.html")
    assert [executed[name][0] for name in NOTEBOOKS] == expected
    assert expected == ["필요한 패키지가 이미 모두 있어서 설치하지 않았어요."] * 2


def test_notebooks_load_the_shipped_subset_as_the_data_page_does(executed, site):
    data_outputs = outputs(site / "steps" / "data" / "index.html")
    for name, page_output in zip(NOTEBOOKS, data_outputs, strict=True):
        assert page_output in executed[name]
        assert "훈련 세트 3,850장, 검증 세트 350장" in page_output


def test_notebooks_count_the_parameters_as_the_model_page_does(executed, site):
    model_outputs = outputs(site / "steps" / "model" / "index.html")
    for name, page_output in zip(NOTEBOOKS, model_outputs, strict=True):
        assert PARAMETERS in page_output.splitlines()
        assert [line for text in executed[name] for line in text.splitlines() if line == PARAMETERS] == [PARAMETERS]


def test_pytorch_notebook_prints_the_training_pages_epoch_lines(executed, site):
    (page_output,) = outputs(site / "steps" / "training" / "index.html")
    notebook_lines = [line for text in executed["pytorch"] for line in EPOCH_LINE.findall(text)]
    assert len(notebook_lines) == 5
    assert notebook_lines == page_output.splitlines()


def test_lightning_notebook_ends_each_epoch_with_the_run_pages_metrics(executed, site):
    (page_output,) = outputs(site / "steps" / "run" / "index.html")
    notebook_bars = [bar for text in executed["lightning"] for bar in EPOCH_BAR.findall(text)]
    assert [epoch for epoch, _ in notebook_bars] == ["0", "1", "2", "3", "4"]
    assert notebook_bars == EPOCH_BAR.findall(page_output)


# A page notebook prints what its page shows, but for what differs between the site's build and a kernel:
# timings, progress bars, where files live, and how long lines wrap. A warning's first line (the kernel
# prints its category) is left out; the rest of its text still has to be there.
PROGRESS_BAR = re.compile(r"\d+%\||it/s\]|^[\s─━═]+$")  # and a table's rules, as wide as the terminal
FILE_PATH = re.compile(r"\S*\.py\b|/tmp/\S*")
WARNING_LINE = re.compile(r"\.py:\d+: ")


def comparable_lines(text: str) -> list[str]:
    lines = (FILE_PATH.sub("<file>", line) for line in TIMINGS.sub("<t>", text).splitlines())
    return [" ".join(line.split()) for line in lines if line.strip() and not PROGRESS_BAR.search(line)]


def streamed(cells: list[nbformat.NotebookNode], names: tuple[str, ...]) -> str:
    """What the cells wrote to these streams, as a terminal shows each stream of each cell (a progress bar redraws
    itself with \\r across outputs), the streams and cells on lines of their own."""
    return "\n".join(
        render_terminal("".join(output.text for output in cell.outputs if output.get("name") == name), columns=1000)
        for cell in cells
        for name in names
    )


def run_in_its_folder(notebook: nbformat.NotebookNode, folder: Path) -> None:
    client = NotebookClient(notebook, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(folder)}})
    client.execute(env={**os.environ, "OMP_NUM_THREADS": "1"})  # one thread, as conftest.py explains


@pytest.mark.parametrize("notebook", PAGE_NOTEBOOKS, ids=lambda notebook: notebook.name)
def test_a_page_notebook_runs_alone_and_prints_what_its_page_shows(notebook, site):
    before = sorted((ROOT / "notebooks").rglob("*"))
    nb = nbformat.reads(notebook_text(ROOT, notebook), as_version=4)
    run_in_its_folder(nb, (ROOT / notebook.path).parent)
    assert sorted((ROOT / "notebooks").rglob("*")) == before, "running the notebook left files behind"

    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"][1:]  # after the cell that installs
    stdout, streams = streamed(code_cells, ("stdout",)), streamed(code_cells, ("stdout", "stderr"))
    (page,) = notebook.pages
    site_only = {
        n for n, f in enumerate(executed_python_fences((ROOT / "docs" / page).read_text()), 1) if SITE_ONLY in f.info
    }
    shown = [
        text
        for n, text in outputs_by_block(site / page.removesuffix(".md") / "index.html").items()
        if n not in site_only
    ]
    printed, on_page = " ".join(comparable_lines(streams)), " ".join(comparable_lines("\n".join(shown)))
    missing = [
        line
        for text in shown
        for line in comparable_lines(text)
        if not WARNING_LINE.search(line) and line not in printed
    ]
    assert not missing, f"the page shows these lines; the notebook does not print them: {missing}"
    extra = [line for line in comparable_lines(stdout) if line not in on_page]
    assert not extra, f"the notebook prints these lines; the page does not show them: {extra}"
    assert shown, "a page notebook of a page that shows no output proves little"


# --- the built site ------------------------------------------------------------------------------


class _TabLinks(HTMLParser):
    """The links of each tab's first paragraph, and the snippet files its code blocks show."""

    def __init__(self) -> None:
        super().__init__()
        self.tabs: list[dict[str, list]] = []
        self.depth = 0  # of <div>s inside the current tab
        self.paragraphs = 0
        self.in_filename = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "div" and "tabbed-block" in (attributes.get("class") or "").split():
            self.tabs.append({"links": [], "files": []})
            self.depth, self.paragraphs = 1, 0
        elif tag == "div" and self.depth:
            self.depth += 1
        elif tag == "p" and self.depth:
            self.paragraphs += 1
        elif tag == "a" and self.depth and self.paragraphs == 1:
            self.tabs[-1]["links"].append((attributes["href"], "download" in attributes))
        self.in_filename = tag == "span" and attributes.get("class") == "filename" and self.depth > 0

    def handle_endtag(self, tag):
        if tag == "div" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.in_filename and data.startswith("snippets/"):  # a snippet file, not a titled command (터미널)
            self.tabs[-1]["files"].append(data)
        self.in_filename = False


def tab_links(page: Path) -> list[dict[str, list]]:
    parser = _TabLinks()
    parser.feed(page.read_text(encoding="utf-8"))
    return parser.tabs


def snippet_files() -> list[str]:
    return sorted(p.relative_to(ROOT).as_posix() for p in ROOT.glob("snippets/**/*.py") if p.name != "__init__.py")


@pytest.fixture(scope="module")
def github_site(cold_build, tmp_path_factory) -> Path:
    """The guide built with a GitHub repo_url, from the cold build's cache (nothing runs again)."""
    site_dir = tmp_path_factory.mktemp("github-site")
    result = build_site(site_dir, cold_build[1], REPO_URL=REPO_URL)
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir


def test_site_publishes_the_notebooks_and_the_snippet_files(site):
    published = sorted(p.relative_to(site).as_posix() for p in site.glob("snippets/**/*") if p.is_file())
    assert published == snippet_files()
    notebooks = sorted(p.relative_to(site).as_posix() for p in site.glob("notebooks/**/*.ipynb"))
    assert notebooks == sorted(notebook.path for notebook in ALL_NOTEBOOKS)
    for relative in [*published, *notebooks]:
        assert (site / relative).read_bytes() == (ROOT / relative).read_bytes(), relative


@pytest.mark.parametrize("url", [*STEP_URLS, "notebooks"])
def test_each_tab_starts_with_relative_links_to_its_notebook_and_files(site, url):
    page = site / url / "index.html"
    tabs = tab_links(page)
    assert len(tabs) == 2, "a PyTorch and a Lightning tab"
    for tab, name in zip(tabs, NOTEBOOKS, strict=True):
        hrefs = [href for href, download in tab["links"] if download]
        assert len(hrefs) == len(tab["links"]), "every link downloads: no Colab link without a GitHub repo_url"
        targets = [(page.parent / href).resolve().relative_to(site).as_posix() for href in hrefs]
        assert targets == [f"notebooks/{name}.ipynb", *dict.fromkeys(tab["files"])], url
        assert not any(href.startswith(("/", "http")) for href in hrefs), "relative, so they work under a sub-path"


def test_with_a_github_repo_url_each_tab_opens_its_notebook_in_colab(github_site):
    for url in [*STEP_URLS, "notebooks"]:
        for tab, name in zip(tab_links(github_site / url / "index.html"), NOTEBOOKS, strict=True):
            colab = [href for href, download in tab["links"] if not download]
            assert colab == [
                f"https://colab.research.google.com/github/octo-org/mnist-guide/blob/main/notebooks/{name}.ipynb"
            ]


def links_under_title(page: Path) -> list[tuple[str, bool]]:
    """(href, downloads?) of each link in the paragraph right under the page's title."""
    match = re.search(r"</h1>\s*<p>(.*?)</p>", page.read_text(encoding="utf-8"), re.S)
    assert match, page
    return [(href, " download" in tag) for tag, href in re.findall(r'(<a [^>]*href="([^"]+)"[^>]*>)', match[1])]


@pytest.mark.parametrize("notebook", PAGE_NOTEBOOKS, ids=lambda notebook: notebook.name)
def test_a_page_with_its_own_notebook_links_it_under_the_title(site, github_site, notebook):
    url = notebook.name
    page = site / url / "index.html"
    ((href, download),) = links_under_title(page)
    assert download and (page.parent / href).resolve() == (site / notebook.path).resolve()
    assert not href.startswith(("/", "http")), "relative, so it works under a sub-path"
    (_, (colab, download)) = links_under_title(github_site / url / "index.html")
    assert not download
    assert colab == f"https://colab.research.google.com/github/octo-org/mnist-guide/blob/main/{notebook.path}"


def test_a_page_without_a_notebook_says_why_under_its_title(site):
    for page, reason in WITHOUT_NOTEBOOK.items():
        html = (site / page.removesuffix(".md") / "index.html").read_text(encoding="utf-8")
        under_title = re.search(r"</h1>\s*<p>(.*?)</p>", html, re.S)
        assert under_title and " ".join(re.sub(r"<[^>]+>", "", under_title[1]).split()) == reason, page


def test_download_links_name_each_included_file_once_and_skip_other_tabs():
    page = """\
=== "PyTorch"

    글

    ```python exec="on"
    --8<-- "snippets/demo/x.py:one"
    ```

    ```python exec="on"
    --8<-- "snippets/demo/x.py:two"
    ```

=== "Other"

    다른 탭
"""
    lines = with_download_links(page, "steps/data.md", REPO_URL).split("\n")
    assert lines[:3] == [
        '=== "PyTorch"',
        "",
        "    [노트북 받기](../notebooks/pytorch.ipynb){ download } · "
        "[Colab에서 열기](https://colab.research.google.com/github/octo-org/mnist-guide/blob/main/notebooks/pytorch.ipynb)"
        " · 코드 받기: [`snippets/demo/x.py`](../snippets/demo/x.py){ download }",
    ]
    assert lines[3:] == page.split("\n")[1:], "the rest of the page, the other tab included, is unchanged"

    elsewhere = with_download_links(page, "more/demo.md", REPO_URL).split("\n")
    assert elsewhere[2] == "    코드 받기: [`snippets/demo/x.py`](../snippets/demo/x.py){ download }", (
        "a tab off the step pages links just its files (the page's own notebook sits under its title)"
    )
    assert with_download_links('=== "PyTorch"\n\n    글\n', "more/demo.md", REPO_URL) == '=== "PyTorch"\n\n    글\n'


def test_a_page_with_code_links_its_own_notebook_under_the_title_once_published():
    page = '# 제목\n\n글\n\n```python exec="on"\n--8<-- "snippets/demo/x.py:one"\n```\n\n## 절\n'
    published = with_download_links(page, "more/demo.md", REPO_URL, {"notebooks/more/demo.ipynb"}).split("\n")
    assert published[:3] == [
        "# 제목",
        "",
        "[노트북 받기](../notebooks/more/demo.ipynb){ download } · "
        "[Colab에서 열기](https://colab.research.google.com/github/octo-org/mnist-guide/blob/main/notebooks/more/demo.ipynb)",
    ]
    assert published[3:] == page.split("\n")[1:]
    assert with_download_links(page, "more/demo.md", REPO_URL) == page, "no notebook published, no link"
    assert with_download_links(page.replace('exec="on"', ""), "more/demo.md", None, {"notebooks/more/demo.ipynb"}) == (
        page.replace('exec="on"', "")
    ), "a page that runs no code has no notebook"


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        ("https://github.com/octo-org/mnist-guide", "octo-org/mnist-guide"),
        ("https://github.com/octo-org/mnist-guide/", "octo-org/mnist-guide"),
        ("https://github.com/octo-org/mnist.guide.git", "octo-org/mnist.guide"),
        ("http://github.com/octo-org/mnist-guide", None),
        ("https://gitlab.com/octo-org/mnist-guide", None),
        ("https://github.com/octo-org", None),
        ("https://github.com/octo-org/mnist-guide/tree/dev", None),
        (None, None),
        ("", None),
    ],
)
def test_colab_links_need_a_github_repository_url(repo_url, expected):
    url = colab_url(repo_url, "lightning")
    if expected is None:
        assert url is None
    else:
        assert url == f"https://colab.research.google.com/github/{expected}/blob/main/notebooks/lightning.ipynb"


# --- the conversion, on a made-up project --------------------------------------------------------

SNIPPETS = {
    "notebooks/setup.py": (
        "# --8<-- [start:install]\nSETUP = 'setup'\n# --8<-- [end:install]\n"
        "if __name__ == '__main__':\n"
        "    # --8<-- [start:install-pytorch]\n    print('setup pytorch')\n    # --8<-- [end:install-pytorch]\n"
        "    # --8<-- [start:install-lightning]\n    print('setup lightning')\n    # --8<-- [end:install-lightning]\n"
    ),
    "demo/deep.py": "# --8<-- [start:constant]\nANSWER = 21\n# --8<-- [end:constant]\n",
    "demo/base.py": (
        '"""Helpers."""\n\n'
        "# --8<-- [start:helpers]\nfrom snippets.demo.deep import ANSWER\n\n\ndef double(number):\n"
        "    return 2 * number\n\n\n# --8<-- [end:helpers]\n\n"
        "if __name__ == '__main__':\n    # --8<-- [start:show]\n    SHOWN = True\n    print(double(ANSWER))\n"
        "    # --8<-- [end:show]\n"
    ),
    "demo/uses.py": (
        "# --8<-- [start:main]\nimport math\n\nfrom snippets.demo.base import double\n"
        "from snippets.demo.deep import (\n    ANSWER,\n)\n\nRESULT = double(ANSWER) + math.floor(0.5)\n"
        "# --8<-- [end:main]\n"
    ),
}
PAGE_A = """\
# 첫 페이지

공통 글: [둘째](b.md), [둘째의 절](b.md#둘째-절), [없는 절](b.md#없음), [바깥](other.md),
[웹](https://example.com), [위](#첫-페이지), `[코드](b.md)`

!!! note "참고"
    상자 안 글 [둘째](b.md)

!!! tip
    제목 없는 상자

=== "PyTorch"

    파이토치 글

    ```python exec="on" source="above" result="text" session="a" hl_defs="double"
    --8<-- "snippets/demo/uses.py:main"
    ```

=== "Lightning"

    라이트닝 글

    ```bash
    # 주석 [링크](b.md)

    python -m snippets.demo.uses
    ```

끝 글
"""
PAGE_B = """\
# 둘째 페이지

## 둘째 절

```python exec="on" session="b"
--8<-- "snippets/demo/base.py:show"
```
"""
PAGES = ("a.md", "b.md")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in SNIPPETS.items():
        path = tmp_path / "snippets" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / "__init__.py").touch()
        path.write_text(text, encoding="utf-8")
    (tmp_path / "snippets" / "__init__.py").touch()
    (tmp_path / "docs").mkdir()
    write_page(tmp_path, "a.md", PAGE_A)
    write_page(tmp_path, "b.md", PAGE_B)
    return tmp_path


def write_page(project: Path, name: str, text: str) -> None:
    (project / "docs" / name).write_text(text, encoding="utf-8")


def cells(project: Path, framework: str | None, pages: tuple[str, ...] = PAGES) -> list[tuple[str, str]]:
    return notebook_cells(project, Notebook(framework or "page", pages, framework))


def markdown(project: Path, notebook: str) -> str:
    return "\n\n".join(source for kind, source in cells(project, notebook) if kind == "markdown")


def test_each_notebook_keeps_the_text_outside_tabs_and_its_own_tab(project):
    for notebook, own, other in [
        ("pytorch", "파이토치 글", "라이트닝 글"),
        ("lightning", "라이트닝 글", "파이토치 글"),
    ]:
        text = markdown(project, notebook)
        assert "공통 글" in text and "끝 글" in text
        assert own in text and other not in text
        assert "=== " not in text


FIRST_PAGE = """\
# 첫 페이지

공통 글: [둘째](#둘째-페이지), [둘째의 절](#둘째-절), [없는 절](#둘째-페이지), 바깥,
[웹](https://example.com), [위](#첫-페이지), `[코드](b.md)`

> **참고**
>
> 상자 안 글 [둘째](#둘째-페이지)

> **Tip**
>
> 제목 없는 상자

"""


def test_admonitions_become_quotes_and_links_stay_in_the_notebook(project):
    """Links reach the notebook's headings (the page title if the fragment is no heading), or keep their text."""
    assert cells(project, "pytorch")[2] == ("markdown", FIRST_PAGE + "파이토치 글")


def test_other_fences_stay_markdown_untouched(project):
    bash = "```bash\n# 주석 [링크](b.md)\n\npython -m snippets.demo.uses\n```"
    assert cells(project, "lightning")[2] == ("markdown", f"{FIRST_PAGE}라이트닝 글\n\n{bash}\n\n끝 글")


def test_cells_follow_the_page_and_imports_are_inlined_once(project):
    note = "아래 셀은 저장소의 `snippets/demo/{}.py`에서 가져왔어요. 다음 셀에 필요한 정의(`{}`)가 들어 있어요."
    assert cells(project, "pytorch") == [
        ("markdown", STEP_INTRO.format(label="PyTorch")),
        ("code", "SETUP = 'setup'\n\nprint('setup pytorch')"),
        ("markdown", FIRST_PAGE + "파이토치 글"),
        ("markdown", note.format("deep", "ANSWER")),
        ("code", "ANSWER = 21"),
        ("markdown", note.format("base", "double")),
        ("code", "def double(number):\n    return 2 * number"),
        ("code", "import math\n\nRESULT = double(ANSWER) + math.floor(0.5)"),  # both imports gone
        ("markdown", "끝 글"),
        ("markdown", "# 둘째 페이지"),
        ("markdown", "## 둘째 절"),
        ("code", "SHOWN = True\nprint(double(ANSWER))"),
    ]


def test_the_code_cells_run_on_their_own(project, capsys):
    namespace: dict = {}
    for kind, source in cells(project, "pytorch"):
        if kind == "code":
            exec(source, namespace)
    assert namespace["RESULT"] == 42
    assert capsys.readouterr().out == "setup pytorch\n42\n"


def test_a_page_notebook_holds_every_tab_under_its_label(project):
    (intro, setup, first, *_) = cells(project, None, ("a.md",))
    assert intro == ("markdown", PAGE_INTRO.format(title="첫 페이지"))
    assert setup == ("code", "SETUP = 'setup'\n\nprint('setup lightning')"), "Lightning's list brings torch's too"
    text = markdown(project, None)
    order = ["**PyTorch**", "파이토치 글", "**Lightning**", "라이트닝 글"]
    assert [text.index(part) for part in order] == sorted(text.index(part) for part in order)
    assert first[1].endswith("**PyTorch**\n\n파이토치 글")


def test_a_code_block_in_a_box_is_a_cell_between_two_quotes(project):
    write_page(
        project,
        "b.md",
        '# 둘째\n\n!!! tip "팁"\n    앞 글\n\n    ```python exec="on"\n    --8<-- "snippets/demo/deep.py:constant"\n'
        "    ```\n\n    뒷 글\n\n끝\n",
    )
    assert cells(project, "pytorch", ("b.md",))[2:] == [
        ("markdown", "# 둘째\n\n> **팁**\n>\n> 앞 글"),
        ("code", "ANSWER = 21"),
        ("markdown", "> 뒷 글\n\n끝"),
    ]


def test_a_site_only_block_becomes_a_note_and_no_cell(project):
    write_page(
        project, "b.md", '# 둘째\n\n```python exec="on" notebook="no"\n--8<-- "snippets/demo/deep.py:constant"\n```\n'
    )
    note = SITE_ONLY_NOTE.format(paths="`snippets/demo/deep.py`")
    assert cells(project, "pytorch", ("b.md",))[2:] == [("markdown", f"# 둘째\n\n> **참고**\n>\n> {note}")]


def test_a_name_bound_by_other_code_is_brought_in_again(project):
    """Two snippets' ANSWER are two values: the later import must not reuse the earlier one."""
    (project / "snippets" / "demo" / "other.py").write_text(
        "# --8<-- [start:main]\nANSWER = 1\n# --8<-- [end:main]\n", encoding="utf-8"
    )
    write_page(
        project,
        "b.md",
        '# 둘째\n\n```python exec="on"\n--8<-- "snippets/demo/deep.py:constant"\n```\n\n'
        '```python exec="on"\n--8<-- "snippets/demo/other.py:main"\n```\n\n'
        '```python exec="on"\n--8<-- "snippets/demo/uses.py:main"\n```\n',
    )
    code = [source for kind, source in cells(project, "pytorch", ("b.md",))[2:] if kind == "code"]
    assert code == [
        "ANSWER = 21",
        "ANSWER = 1",
        "ANSWER = 21",  # what base.py's double needs, and then uses.py's own import finds it bound
        "def double(number):\n    return 2 * number",
        "import math\n\nRESULT = double(ANSWER) + math.floor(0.5)",
    ]


@pytest.mark.parametrize(
    ("snippet", "message"),
    [
        (
            "from snippets.demo.deep import MISSING\n",
            "snippets/demo/broken.py:2: no section of snippets/demo/deep.py defines MISSING",
        ),
        (
            "from snippets.demo.gone import VALUE\n",
            "snippets/demo/broken.py:2: cannot import VALUE from snippets.demo.gone",
        ),
        (
            "from snippets.demo.base import SHOWN\n",
            "snippets/demo/broken.py:2: no section of snippets/demo/base.py defines SHOWN",
        ),
        ("import snippets.demo.deep\n", "snippets/demo/broken.py:2: `import snippets.demo.deep` cannot be inlined"),
        (
            "from snippets.demo.deep import ANSWER as A\n",
            "snippets/demo/broken.py:2: `from snippets.demo.deep import ANSWER as A` renames",
        ),
    ],
    ids=["no-definition", "no-module", "only-under-main", "module-import", "renamed"],
)
def test_an_import_that_cannot_be_satisfied_names_the_file_and_line(project, snippet, message):
    (project / "snippets" / "demo" / "broken.py").write_text(
        f"# --8<-- [start:main]\n{snippet}# --8<-- [end:main]\n", encoding="utf-8"
    )
    write_page(project, "b.md", '# 둘째\n\n```python exec="on"\n--8<-- "snippets/demo/broken.py:main"\n```\n')
    with pytest.raises(NotebookError) as error:
        cells(project, "pytorch")
    assert str(error.value).startswith(message)
    assert str(error.value).endswith("(in the block at docs/b.md:3)")


@pytest.mark.parametrize(
    ("include", "message"),
    [
        ("snippets/demo/gone.py", "docs/b.md:4: snippets/demo/gone.py does not exist"),
        ("snippets/demo/deep.py:nothing", "docs/b.md:4: snippets/demo/deep.py has no section 'nothing'"),
    ],
)
def test_an_include_that_cannot_be_resolved_names_the_page_and_line(project, include, message):
    write_page(project, "b.md", f'# 둘째\n\n```python exec="on"\n--8<-- "{include}"\n```\n')
    with pytest.raises(NotebookError, match=f"^{re.escape(message)}$"):
        cells(project, "lightning")


def test_check_names_the_stale_notebook(tmp_path, capsys):
    for folder in ("docs", "snippets", "notebooks"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    assert main(["--check"], root=tmp_path) == 0
    model_page = tmp_path / "docs" / "steps" / "model.md"
    model_page.write_text(model_page.read_text(encoding="utf-8").replace("PyTorch 모델은", "PyTorch의 모델은"))
    capsys.readouterr()
    assert main(["--check"], root=tmp_path) == 1
    assert capsys.readouterr().err == (
        "notebooks/pytorch.ipynb is stale: run `python -m tools.engine.notebooks` (make notebooks)\n"
    )
    assert main([], root=tmp_path) == 0
    assert main(["--check"], root=tmp_path) == 0
