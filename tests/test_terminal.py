"""tools/engine: terminal.py, sources.py and capture.py: how code blocks are found and shown
(tests/test_worker.py covers how they run and what is captured)."""

import io
import traceback
import unicodedata
from pathlib import Path

import markdown
import pytest
import tqdm
from wcwidth import wcswidth

from tools.engine import capture
from tools.engine.capture import NOISE_WARNINGS
from tools.engine.sources import MissingSnippet, piece_of, pieces_of, same_code
from tools.engine.terminal import COLUMNS, render_terminal

REPO_ROOT = Path(__file__).resolve().parent.parent


def is_control(char: str) -> bool:
    return char != "\n" and (ord(char) < 0x20 or ord(char) == 0x7F)


# --- tools/engine/terminal.py --------------------------------------------------------------------


def test_plain_text_passes_through():
    assert render_terminal("hello\nworld\n") == "hello\nworld"


def test_carriage_return_redraws_keep_the_last_state():
    stream = "loading 1/3\rloading 2/3\rloading 3/3\ndone\n"
    assert render_terminal(stream) == "loading 3/3\ndone"


def test_shorter_redraw_overwrites_only_what_it_covers():
    assert render_terminal("abcdef\rxy\n") == "xycdef"


def test_cursor_up_overwrites_an_earlier_line():
    stream = "first\nsecond\n\x1b[A\x1b[A\rFIRST\n"
    assert render_terminal(stream) == "FIRST\nsecond"


def test_tqdm_nested_bars_leave_the_final_screen():
    """Lightning's bars: an outer bar that stays, an inner one that redraws a line below and clears it."""
    stream = io.StringIO()
    outer = tqdm.tqdm(total=3, file=stream, mininterval=0, desc="Epoch 0", ncols=60, ascii=True)
    for _ in range(3):
        inner = tqdm.tqdm(total=4, file=stream, mininterval=0, desc="Validation", position=1, leave=False, ncols=60)
        for _ in range(4):
            inner.update()
        inner.close()
        outer.update()
    outer.close()

    raw = stream.getvalue()
    assert "\x1b[A" in raw and "\r" in raw  # the stream really redraws
    screen = render_terminal(raw)
    assert len(screen.splitlines()) == 1
    assert screen.startswith("Epoch 0: 100%|")
    assert "3/3" in screen
    assert "Validation" not in screen
    assert "0%|" not in screen.replace("100%|", "")


def test_wide_korean_characters_take_two_columns():
    assert render_terminal("확인 완료: 가나다\n") == "확인 완료: 가나다"
    assert render_terminal("가" * 6, columns=10) == "가" * 5 + "\n" + "가"
    assert render_terminal("가나다\rab\n") == "ab나다"


def test_output_has_no_control_characters():
    stream = "\x1b[1;31mred\x1b[0m plain\a\n\x1b[2Kcleared\rredrawn\n50%\x1b[K\rtab\there\n"
    screen = render_terminal(stream)
    assert not [char for char in screen if is_control(char)]
    assert "\x1b" not in screen
    assert screen.splitlines()[0] == "red plain"
    assert screen.splitlines()[1] == "redrawn"


def test_trailing_blank_lines_and_spaces_are_dropped():
    assert render_terminal("a   \nb\n\n\n\n") == "a\nb"
    assert render_terminal("") == ""
    assert render_terminal("\n\n") == ""


def test_blank_lines_inside_are_kept():
    assert render_terminal("a\n\nb\n") == "a\n\nb"


def test_long_output_does_not_scroll_away():
    stream = "".join(f"line {n}\n" for n in range(500))
    lines = render_terminal(stream).splitlines()
    assert lines[0] == "line 0"
    assert lines[-1] == "line 499"
    assert len(lines) == 500


def test_lines_wrap_at_the_page_width():
    assert COLUMNS == 100
    assert render_terminal("x" * 150) == "x" * 100 + "\n" + "x" * 50


def test_a_long_wrapped_line_keeps_its_start():
    """The screen grows with wrapped lines too, not only with newlines: nothing scrolls away."""
    stream = "".join(f"{n:04d}" for n in range(90)) + "\nb\nc\n"  # 360 characters: four rows, then two lines
    lines = render_terminal(stream).splitlines()
    assert len(lines) == 6
    assert "".join(lines[:4]) == stream.split("\n")[0]
    assert lines[4:] == ["b", "c"]


def test_zero_width_characters_stay_with_the_character_before_them():
    warning = "\u26a0\ufe0f"  # ⚠️: a sign and the variation selector that makes it an emoji
    assert render_terminal(f"{warning} 주의: text after it\nnext\n") == f"{warning} 주의: text after it\nnext"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # joined with ZERO WIDTH JOINERs
    assert render_terminal(f"a\u200db {family} family\n") == f"a\u200db {family} family"
    assert render_terminal("e\u0301te\n") == "e\u0301te"  # a combining accent, kept as printed


def test_decomposed_hangul_is_kept_as_printed():
    name = unicodedata.normalize("NFD", "한글 파일.txt")  # as macOS writes file names
    assert len(name) > len("한글 파일.txt")
    assert render_terminal(f"열기: {name} 완료\n") == f"열기: {name} 완료"
    # Each decomposed syllable still takes the two columns of a composed one.
    assert render_terminal(unicodedata.normalize("NFD", "가") * 6, columns=10).splitlines()[1] == "\u1100\u1161"


def test_zero_width_after_a_wide_character_joins_it():
    assert render_terminal("가\u200d나\n") == "가\u200d나"
    assert render_terminal("x" * 98 + "가\ufe0f" + "y\n") == "x" * 98 + "가\ufe0f\ny"


def test_a_wide_character_in_the_last_column_wraps_whole():
    for stream in ("x" * 99 + "가y\n", "x" * 99 + "한" * 60 + "\n"):
        lines = render_terminal(stream).splitlines()
        assert max(wcswidth(line) for line in lines) <= COLUMNS
        assert "".join(lines) == stream.rstrip("\n")
    assert render_terminal("x" * 99 + "가y\n") == "x" * 99 + "\n가y"


def test_long_lines_wrap_between_words_never_inside_a_name():
    warning = (
        "…/site-packages/pytorch_lightning/callbacks/model_checkpoint.py:881: Checkpoint directory ./checkpoints"
        " exists and is not empty."
    )
    assert render_terminal(warning).splitlines() == [
        "…/site-packages/pytorch_lightning/callbacks/model_checkpoint.py:881: Checkpoint directory",
        "./checkpoints exists and is not empty.",
    ]
    assert render_terminal("가나다라 마바사아 자차카타", columns=20) == "가나다라 마바사아\n자차카타"


def test_a_long_path_without_spaces_wraps_after_a_slash():
    path = "/".join(["folder"] * 20) + "/file.py"
    lines = render_terminal(path, columns=30).splitlines()
    assert "".join(lines) == path
    assert all(line.endswith("/") for line in lines[:-1]) and max(map(len, lines)) <= 30


def test_clearing_the_screen_keeps_what_it_showed():
    """A real terminal would lose "a" and "b"; the page keeps them, and the redraw lands below them."""
    assert render_terminal("a\nb\n\x1b[2J\x1b[Hc\nd\n") == "a\nb\nc\nd"
    assert render_terminal("a\nb\x1b[3J\x1b[1;1Hc\n") == "a\nb\nc"


def test_a_scroll_region_scrolls_nothing_away():
    stream = "\x1b[1;3r" + "".join(f"line {n}\n" for n in range(6))
    assert render_terminal(stream).splitlines() == [f"line {n}" for n in range(6)]


def test_absolute_cursor_moves_land_in_the_last_screenful():
    """Programs are told LINES=50: row 1 is the top of the last 50 lines (after 60 lines and a newline,
    the screen shows lines 11 to 60), never the page's first line."""
    stream = "".join(f"{n}\n" for n in range(60)) + "\x1b[1;1HX"
    lines = render_terminal(stream).splitlines()
    assert lines[0] == "0" and lines[11] == "X1" and len(lines) == 60


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        ("before\x1b[", "before["),  # CSI cut off at the end
        ("a\x1b[\nafter\n", "a[\nafter"),  # a newline does not finish a CSI: pyte took "a" of "after" as its end
        ("before\x1b]0;title", "before]0;title"),  # OSC with no BEL or ST
        ("a\x1b]0;title\nafter\n", "a]0;title\nafter"),
        ("\x1b]0;title" + "text after\n", "]0;titletext after"),
        ("a\x1b(", "a("),
        ("a\x1b\nb\n", "a\nb"),  # a lone ESC would have eaten the newline
        ("\x9b\x9dtext\n", "text"),  # C1 CSI and OSC
    ],
)
def test_an_unfinished_escape_sequence_does_not_swallow_what_follows(stream, expected):
    assert render_terminal(stream) == expected


def test_finished_escape_sequences_still_work():
    stream = "\x1b]0;title\x07\x1b]2;other\x1b\\\x1b[1;31mred\x1b[0m \x1b(Bplain\x1b7\n"
    assert render_terminal(stream) == "red plain"


# --- tools/engine/sources.py ---------------------------------------------------------------------

SNIPPET = '''\
"""A file with sections."""

# --8<-- [start:setup]
import math


def area(radius):
    return math.pi * radius * radius
# --8<-- [end:setup]


if __name__ == "__main__":
    # --8<-- [start:main]
    value = area(2)
    raise ValueError(f"bad value {value:.1f}")
    # --8<-- [end:main]
'''
RAISE_LINE = 15


@pytest.fixture
def snippet_root(tmp_path):
    (tmp_path / "snippets" / "demo").mkdir(parents=True)
    (tmp_path / "snippets" / "demo" / "shapes.py").write_text(SNIPPET, encoding="utf-8")
    assert SNIPPET.splitlines()[RAISE_LINE - 1].strip().startswith("raise ValueError")
    return tmp_path


def paste(root: Path, include: str) -> str:
    """What pymdownx.snippets, configured as in mkdocs.yml, pastes for one include line."""
    md = markdown.Markdown(
        extensions=["pymdownx.snippets"],
        extension_configs={
            "pymdownx.snippets": {"base_path": [str(root)], "check_paths": True, "dedent_subsections": True}
        },
    )
    return "\n".join(md.preprocessors["snippet"].run([f'--8<-- "{include}"']))


def test_piece_of_a_whole_file_is_what_pymdownx_pastes_without_markers(snippet_root):
    pasted = paste(snippet_root, "snippets/demo/shapes.py")
    assert "--8<--" not in pasted
    piece = piece_of(snippet_root, "snippets/demo/shapes.py", None)
    assert same_code(pasted, piece)
    assert piece.path == Path("snippets/demo/shapes.py")
    assert piece.label == "snippets/demo/shapes.py"
    assert piece.line_numbers[0] == 1
    assert piece.line_numbers[-1] == RAISE_LINE
    assert not any("--8<--" in line for line in piece.lines)


def test_piece_of_a_section_is_dedented_as_pymdownx_pastes_it(snippet_root):
    pasted = paste(snippet_root, "snippets/demo/shapes.py:main")
    assert pasted.splitlines()[0] == "value = area(2)"  # dedented by pymdownx.snippets
    piece = piece_of(snippet_root, "snippets/demo/shapes.py", "main")
    assert same_code(pasted, piece) and same_code(f"\n\n{pasted}\n\n", piece)
    assert piece.label == "snippets/demo/shapes.py:main"
    assert piece.line_numbers == (RAISE_LINE - 1, RAISE_LINE)
    assert piece.first_line == RAISE_LINE - 1
    assert piece.lines == ("value = area(2)", 'raise ValueError(f"bad value {value:.1f}")')
    assert not same_code("value = area(2)", piece)  # part of a section is not the section


@pytest.mark.parametrize(
    ("path", "section", "message"),
    [("snippets/demo/none.py", None, "does not exist"), ("snippets/demo/shapes.py", "nope", "has no section 'nope'")],
)
def test_piece_of_a_missing_file_or_section_says_which(snippet_root, path, section, message):
    with pytest.raises(MissingSnippet, match=message):
        piece_of(snippet_root, path, section)


def test_every_section_of_a_file_is_a_piece(snippet_root):
    pieces = pieces_of(snippet_root / "snippets" / "demo" / "shapes.py", snippet_root)
    assert [piece.section for piece in pieces] == [None, "setup", "main"]


def run_positioned(piece, path: Path, namespace: dict) -> traceback.FrameSummary:
    code = compile(piece.positioned_source(), str(path), "exec")
    with pytest.raises(ValueError) as error:
        exec(code, namespace)
    return traceback.extract_tb(error.value.__traceback__)[-1]


def test_positioned_source_keeps_the_files_line_numbers(snippet_root):
    path = snippet_root / "snippets" / "demo" / "shapes.py"
    setup = piece_of(snippet_root, "snippets/demo/shapes.py", "setup")
    main = piece_of(snippet_root, "snippets/demo/shapes.py", "main")
    source = main.positioned_source().split("\n")
    assert source[RAISE_LINE - 1] == main.lines[-1]
    assert not any(source[: RAISE_LINE - 2])  # blank above the section

    namespace = {"__name__": "session"}
    exec(compile(setup.positioned_source(), str(path), "exec"), namespace)
    frame = run_positioned(main, path, namespace)
    assert (frame.filename, frame.lineno) == (str(path), RAISE_LINE)
    assert frame.line == SNIPPET.splitlines()[RAISE_LINE - 1].strip()


def test_positioned_whole_file_raises_at_the_files_line(snippet_root):
    path = snippet_root / "snippets" / "demo" / "shapes.py"
    piece = piece_of(snippet_root, "snippets/demo/shapes.py", None)
    frame = run_positioned(piece, path, {"__name__": "__main__"})
    assert frame.lineno == RAISE_LINE


def test_piece_of_the_guides_own_section_is_what_the_page_shows():
    pasted = paste(REPO_ROOT, "snippets/dataset/mnist_files.py:check")
    piece = piece_of(REPO_ROOT, "snippets/dataset/mnist_files.py", "check")
    assert same_code(pasted, piece)
    file_lines = (REPO_ROOT / piece.path).read_text(encoding="utf-8").splitlines()
    for number, line in zip(piece.line_numbers, piece.lines, strict=True):
        assert file_lines[number - 1].strip() == line.strip()


# --- tools/engine/capture.py ---------------------------------------------------------------------


def test_noise_patterns_match_what_lightning_says():

    _, message, module = NOISE_WARNINGS[0]
    assert "`isinstance(treespec, LeafSpec)` is deprecated, use `isinstance(treespec, TreeSpec)`".startswith(message)
    assert module == "pytorch_lightning.utilities._pytree"
    for _, message, _ in NOISE_WARNINGS:
        assert "," not in message and ":" not in message, f"PYTHONWARNINGS could not carry {message!r}"
    assert capture.NOISE_LOG_RECORDS
