"""Figures: what a block draws with matplotlib is shown under its output, from the run or the cache.

Each build case is a small copy of the guide (tests/test_engine_failures.py's snippet_project) whose
blocks draw with matplotlib the way the guide's snippets do: use_korean_font(), a figure with a Korean
suptitle, plt.show(). The engine (tools/engine/figures.py in the session's worker) renders every figure
left open after the block to SVG with its text as paths; the page shows it as an <img> of a file the
build writes into the site, described by the suptitle.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urljoin

import pytest
from matplotlib import colors, pyplot

from snippets.plotting import find_font_file, use_korean_font
from tests.sessions import run_blocks
from tests.small_project import ExecReport
from tests.test_build_failures import assert_fails, build, build_environment, output_of
from tests.test_engine_failures import snippet_project
from tools.engine.cache import BlockRun, ExecCache, SessionRun
from tools.engine.dark_figures import BACKGROUND, FOREGROUND, dark_colour, darken
from tools.engine.rendering import figure_path, figures_html
from tools.engine.worker import CapturedFigure

ROOT = Path(__file__).resolve().parent.parent

DRAW = """\
import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font

use_korean_font()
fig, ax = plt.subplots(figsize=(4, 3))
ax.plot([1, 2, 3], [3, 1, 2], label="손실")
ax.set_xlabel("에폭")
ax.legend()
fig.suptitle("훈련 손실 곡선")
print("그렸어요")
plt.show()
fig.show()
"""
IMG = re.compile(r'<img src="([^"#]+)#only-light" alt="([^"]*)"')  # each figure's light variant
DARK_IMG = re.compile(r'<img src="([^"#]+)#only-dark" alt="([^"]*)"')
BLOCK = re.compile(r'<div class="exec-block"><span class="exec-anchor" id="(block-\d+)"></span>(.*?)\n</div>', re.S)


def figures_by_block(html: str) -> dict[str, list[tuple[str, str]]]:
    """{block anchor: [(img src, alt), ...]} for every executed block on a page."""
    return {anchor: IMG.findall(body) for anchor, body in BLOCK.findall(html)}


def output_of_block(html: str) -> str:
    """The first executed block's output box, as text."""
    body = BLOCK.search(html)[2]
    outputs = re.findall(r'<div class="highlight"><pre><span></span><code>(.*?)</code></pre></div>', body, re.DOTALL)
    return outputs[-1]


# In the build


def test_a_figure_shows_under_the_output_from_a_file_in_the_site_and_from_the_cache(tmp_path):
    root = snippet_project(tmp_path, DRAW)
    cold = build(root, DISPLAY=":0")  # with a display, Agg's plt.show() would warn "non-interactive"
    assert cold.returncode == 0, output_of(cold)
    html = (root / "site" / "index.html").read_text("utf-8")
    src = IMG.search(html)[1]
    assert figures_by_block(html) == {"block-1": [(src, "훈련 손실 곡선")]}
    assert re.fullmatch(r"figures/[0-9a-f]{64}\.svg", src)
    svg = (root / "site" / src).read_bytes()
    assert svg.startswith(b"<?xml") and b"<svg" in svg
    assert b"<text" not in svg, "text is drawn as paths: the figure needs no font on the reader's machine"
    assert b"<dc:date>" not in svg
    # Its dark variant: another file, on the dark palette's background, with the same description.
    dark_src, dark_alt = DARK_IMG.search(html).groups()
    dark_svg = (root / "site" / dark_src).read_bytes()
    assert dark_alt == "훈련 손실 곡선" and dark_svg != svg
    assert BACKGROUND.encode() in dark_svg and BACKGROUND.encode() not in svg
    assert f'<a class="exec-figure__light" href="{src}"><img src="{src}#only-light"' in html, "a tap opens it"
    # plt.show() and fig.show() print nothing, and nothing of the engine's own shows.
    assert output_of_block(html) == "그렸어요\n"
    assert html.index("그렸어요") < html.index("<img") < html.index('class="exec-time"')

    # A warm build runs nothing, imports no matplotlib, and shows the same figure from the cache.
    warm = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "mkdocs", "build", "--strict", "-d", str(root / "warm")],
        cwd=root,
        env=build_environment(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert warm.returncode == 0, warm.stdout + warm.stderr
    assert ExecReport.of(warm.stderr) == ExecReport(0, 0, 1, 1, 0)
    imported = {line.split("|")[-1].strip() for line in warm.stderr.splitlines() if line.startswith("import time:")}
    assert imported, "python -X importtime printed no imports"
    assert not {name for name in imported if name.split(".")[0] in ("matplotlib", "torch")}
    assert (root / "warm" / "index.html").read_text("utf-8") == html
    assert (root / "warm" / src).read_bytes() == svg

    # Run again (GUIDE_EXEC_REFRESH), in a new worker: the same bytes.
    again = build(root, GUIDE_EXEC_REFRESH="1")
    assert again.returncode == 0, output_of(again)
    assert ExecReport.of(output_of(again)) == ExecReport(1, 1, 0, 0, 0)
    assert (root / "site" / src).read_bytes() == svg
    assert sorted(path.name for path in (root / "site" / "figures").iterdir()) == sorted(
        [Path(src).name, Path(dark_src).name]
    )


SESSION_A_FIRST = """\
import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font

use_korean_font()
first = plt.figure()
first.suptitle("가")
plt.show()
"""
SESSION_A_SECOND = """\
second = plt.figure()
second.suptitle("나")
third = plt.figure()
third.suptitle("다")
plt.figure(second.number)  # made active again: the order on the page stays the order they were made
plt.plot([0, 1])
print("두 그림")
plt.show()
"""
SESSION_B = """\
import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font

use_korean_font()
print(plt.get_fignums())
plt.figure().suptitle("라")
plt.show()
"""
FENCE = (
    '```python exec="on" source="above" result="text" session="{session}"\n--8<-- "snippets/case/{name}.py"\n```\n\n'
)


def test_figures_of_two_blocks_and_two_sessions_do_not_mix_and_work_under_a_sub_path(tmp_path):
    """Session a's second block, and session b (after it, in its own worker), see none of the earlier figures.
    The page is two folders deep, and the site is published under /lightning-guide/: each src, resolved
    against the page's address as a browser does, is the figure's file."""
    root = snippet_project(tmp_path, "")
    (root / "docs" / "index.md").write_text("# 그림\n", encoding="utf-8")
    for name, code in (("a1", SESSION_A_FIRST), ("a2", SESSION_A_SECOND), ("b", SESSION_B)):
        (root / "snippets" / "case" / f"{name}.py").write_text(code, encoding="utf-8")
    page = (
        FENCE.format(session="a", name="a1")
        + FENCE.format(session="a", name="a2")
        + FENCE.format(session="b", name="b")
    )
    (root / "docs" / "deep" / "er").mkdir(parents=True)
    (root / "docs" / "deep" / "er" / "page.md").write_text(f"# 그림\n\n{page}", encoding="utf-8")
    site_url = "https://guide-user.github.io/lightning-guide/"

    result = build(root, SITE_URL=site_url)
    assert result.returncode == 0, output_of(result)
    html = (root / "site" / "deep" / "er" / "page" / "index.html").read_text("utf-8")
    shown = figures_by_block(html)
    assert {anchor: [alt for _, alt in figures] for anchor, figures in shown.items()} == {
        "block-1": ["가"],
        "block-2": ["나", "다"],
        "block-3": ["라"],
    }
    assert "[]" in html  # session b started with no figure open
    page_address = urljoin(site_url, "deep/er/page/")
    for figures in shown.values():
        for src, _ in figures:
            address = urljoin(page_address, src)
            assert address.startswith(site_url), address
            assert (root / "site" / address.removeprefix(site_url)).is_file(), address

    # Only the second block changes: its session runs again whole, and each block shows its own figures.
    second = root / "snippets" / "case" / "a2.py"
    second.write_text(second.read_text("utf-8").replace('"두 그림"', '"두 그림!"'), encoding="utf-8")
    rebuilt = build(root, SITE_URL=site_url)
    assert rebuilt.returncode == 0, output_of(rebuilt)
    assert ExecReport.of(output_of(rebuilt)) == ExecReport(1, 2, 1, 1, 0)
    html = (root / "site" / "deep" / "er" / "page" / "index.html").read_text("utf-8")
    assert figures_by_block(html) == shown


NO_KOREAN_FONT = """\
import matplotlib.pyplot as plt

plt.rcParams["font.family"] = "DejaVu Sans"
fig, ax = plt.subplots()
fig.suptitle("한글 제목")
{extra}plt.show()
"""


@pytest.mark.parametrize(
    ("extra", "line"),
    [("", 4), ("fig.canvas.draw()  # draws the text inside the block\n", 6)],
    ids=["drawn-after-the-block", "drawn-by-the-block"],
)
def test_a_glyph_missing_from_the_font_fails_the_build_naming_the_line(tmp_path, extra, line):
    """Without use_korean_font() the default font has no Hangul. Drawn by the engine after the block,
    the message names the line that made the figure; drawn by the block itself, the line that drew it."""
    root = snippet_project(tmp_path, NO_KOREAN_FONT.format(extra=extra))
    result = build(root)
    assert_fails(result, f"snippets/case/block.py:{line}:", "missing from font(s) DejaVu Sans")
    assert not list((root / ".cache" / "exec").glob("*/*.json")), "a failed session is never cached"


def test_a_figure_without_a_suptitle_fails_the_build(tmp_path):
    code = "import matplotlib.pyplot as plt\n\nplt.figure()\nplt.plot([1, 2])\nplt.show()\n"
    result = build(snippet_project(tmp_path, code))
    assert_fails(result, "snippets/case/block.py:3: FigureWithoutTitle: figure 1 has no suptitle")


# In the worker, the cache and the page, without a build


@pytest.fixture
def font_root(tmp_path: Path) -> Path:
    """A project folder with the guide's fonts, where use_korean_font() looks (from the working folder up)."""
    shutil.copytree(ROOT / "snippets" / "fonts", tmp_path / "snippets" / "fonts")
    return tmp_path


def test_the_worker_returns_figures_in_the_order_made_and_closes_them(font_root):
    outcome = run_blocks(font_root, SESSION_A_FIRST, SESSION_A_SECOND, "print(plt.get_fignums())\n")
    first, second, after = outcome.blocks
    assert first.failure is None and first.output == ""
    assert [figure.alt for figure in first.figures] == ["가"]
    assert second.failure is None and second.output == "두 그림"
    assert [figure.alt for figure in second.figures] == ["나", "다"]
    assert "<text" not in second.figures[0].svg
    assert after.output == "[]" and after.figures == ()


def test_a_figure_that_cannot_be_drawn_fails_at_the_line_that_made_it(font_root):
    """Broken mathtext raises only when the figure is drawn, after the block: the line that made the figure."""
    code = 'broken = plt.figure()\nbroken.suptitle("수식")\nbroken.text(0.5, 0.5, r"$\\frac{1}{$")\n'
    result = run_blocks(font_root, SESSION_A_FIRST.replace("plt.show()\n", "") + code).blocks[0]
    assert result.failure is not None and result.figures == ()
    assert result.failure.kind == "ValueError"
    assert result.failure.frames[-1][1] == 8, result.failure
    assert "drawing figure 2" in result.failure.message


@pytest.mark.parametrize(("text", "draw", "line"), [("$손실$", "", 8), ("$정확도$", "math.canvas.draw()\n", 11)])
def test_hangul_in_mathtext_fails_naming_the_line(font_root, text, draw, line):
    """Mathtext draws $...$ with its own fonts, which have no Hangul; it only logs the missing glyph."""
    code = f'math = plt.figure()\nmath.suptitle("수식")\nmath.text(0.5, 0.5, r"{text}")\n{draw}'
    result = run_blocks(font_root, SESSION_A_FIRST.replace("plt.show()\n", "") + code).blocks[0]
    assert result.failure is not None and result.figures == ()
    assert result.failure.kind == "MissingGlyph", result.failure
    assert "does not have a glyph for" in result.failure.message
    assert result.failure.frames[-1][1] == line, result.failure


def test_the_cache_keeps_figures(tmp_path):
    store = ExecCache(tmp_path)
    figures = (CapturedFigure("그림 하나", "<svg/>", "<svg />"), CapturedFigure("둘", "<svg></svg>", "<svg> </svg>"))
    run = SessionRun((BlockRun("출력", 1.5, figures), BlockRun("", 0.1)), "CPU", "2.14.1", {})
    store.put("ab" * 32, run)
    assert store.get("ab" * 32) == run


def test_img_src_is_relative_to_the_page_and_alt_is_escaped():
    figure = CapturedFigure(
        '"따옴표" <그림> & 설명', '<svg width="288pt" height="216pt"></svg>', '<svg width="288pt" height="216pt"/>'
    )
    html = figures_html([figure], "beyond/digits/")
    assert f'src="../../{figure_path(figure.svg)}#only-light"' in html
    assert f'src="../../{figure_path(figure.dark_svg)}#only-dark"' in html
    assert html.count('alt="&quot;따옴표&quot; &lt;그림&gt; &amp; 설명"') == 2
    assert html.count('width="384" height="288"') == 2
    assert figures_html([figure], "").count('src="figures/') == 2
    assert figures_html([], "x/") == ""


# snippets/plotting.py


def test_use_korean_font_registers_the_vendored_font_once_and_makes_it_the_default():
    import matplotlib
    from matplotlib import font_manager, rcParams

    with matplotlib.rc_context():
        font_is_the_default(font_manager, rcParams)


def font_is_the_default(font_manager, rcParams) -> None:
    font_file = find_font_file()
    assert font_file == ROOT / "snippets" / "fonts" / "Pretendard-Regular.otf"
    assert font_file.is_file()
    before = [entry for entry in font_manager.fontManager.ttflist if Path(entry.fname) == font_file]
    assert use_korean_font() is None
    use_korean_font()
    registered = [entry for entry in font_manager.fontManager.ttflist if Path(entry.fname) == font_file]
    assert len(registered) == 1 and len(before) <= 1
    assert rcParams["font.family"][0] == registered[0].name == "Pretendard"
    assert rcParams["axes.unicode_minus"] is False
    assert Path(font_manager.findfont(registered[0].name)) == font_file


def test_the_font_is_found_from_a_subfolder_and_its_absence_is_said(tmp_path, monkeypatch, capsys):
    """A notebook runs in notebooks/ (or on Colab, outside the repository), where snippets/ is not at hand."""
    import matplotlib
    from matplotlib import rcParams

    monkeypatch.chdir(ROOT / "notebooks")
    assert find_font_file() == ROOT / "snippets" / "fonts" / "Pretendard-Regular.otf"
    monkeypatch.chdir(tmp_path)
    assert find_font_file() is None
    with matplotlib.rc_context():
        family = rcParams["font.family"]
        use_korean_font()
        assert rcParams["font.family"] == family
    assert capsys.readouterr().out == (
        "snippets/fonts/Pretendard-Regular.otf를 찾지 못했어요. 그림의 한글이 네모로 보일 수 있어요.\n"
    )


# The dark variant (tools/engine/dark_figures.py)


def test_paper_becomes_the_dark_background_ink_becomes_light_and_hues_stay():
    assert colors.to_hex(dark_colour("white")) == BACKGROUND
    assert colors.to_hex(dark_colour("black")) == FOREGROUND
    assert dark_colour((0, 0, 0, 0.5))[3] == 0.5, "transparency is kept"
    hue = colors.rgb_to_hsv(colors.to_rgb("tab:blue"))[0]
    darkened = colors.rgb_to_hsv(dark_colour("tab:blue")[:3])
    assert darkened[0] == pytest.approx(hue, abs=0.01)
    assert darkened[2] > colors.rgb_to_hsv(colors.to_rgb("tab:blue"))[2], "lighter, to read on the dark background"


def test_the_dark_variant_reverses_maps_that_start_at_white_and_their_texts_follow():
    figure, (digits, matrix, heat) = pyplot.subplots(1, 3)
    digit = digits.imshow([[0, 1], [1, 0]], cmap="gray_r")
    blues = matrix.imshow([[0, 1], [1, 0]], cmap="Blues")
    count = matrix.text(0, 0, "7", color="white")  # on a dark blue cell, which turns light
    kept = heat.imshow([[0, 1], [1, 0]], cmap="viridis")
    label = heat.text(0, 0, "3", color="white")  # on viridis's dark end, which stays
    title = matrix.set_title("혼동 행렬")
    darken(figure)
    assert [image.get_cmap().name for image in (digit, blues, kept)] == ["gray_r_r", "Blues_r", "viridis"]
    assert colors.to_hex(count.get_color()) == BACKGROUND, "dark on the cell that became light"
    assert label.get_color() == "white", "chosen for the image under it, which did not change"
    assert colors.to_hex(title.get_color()) == FOREGROUND
    assert colors.to_hex(figure.get_facecolor()) == BACKGROUND
    pyplot.close(figure)
