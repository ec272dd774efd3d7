"""Figures a block draws, shown under its output as Jupyter and sphinx-gallery show them.

Imported only inside a session's worker (tools/engine/worker.py), never by the build's own process:
it imports matplotlib. It is also the worker's matplotlib backend (`module://tools.engine.figures`):
Agg's canvas, with a `plt.show()` that does nothing and prints nothing, since the engine shows the
figures itself. After each block every figure still open is rendered, in the order the figures were
made, to SVG with its text drawn as paths (so the page needs no font), without a date and with fixed
ids (two builds write the same bytes), then once more recoloured for the dark palette
(tools/engine/dark_figures.py), and then closed. A figure without a suptitle (the page's alt
text for it) or with a glyph missing from its fonts fails the block, naming the line that made it.
A snippet run in a terminal (`python -m snippets...`) draws with the user's own backend instead.
"""

from __future__ import annotations

import io
import itertools
import logging
import re
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
from matplotlib import pyplot
from matplotlib._pylab_helpers import Gcf
from matplotlib.backend_bases import FigureManagerBase
from matplotlib.backends.backend_agg import FigureCanvasAgg

from tools.engine.dark_figures import darken
from tools.engine.worker import CapturedFigure, Failure

BACKEND = f"module://{__name__}"
# Fixed ids in the SVG (matplotlib salts them with a random UUID unless told otherwise).
SVG_SETTINGS = {"svg.fonttype": "path", "svg.hashsalt": "lightning-guide"}
# matplotlib's words when a font lacks a character: a warning from text layout, a log record from mathtext.
MISSING_GLYPH = r"Glyph \d+ \(.*\) missing from font"
MATHTEXT_LOGGER = "matplotlib.mathtext"  # matplotlib/_mathtext.py logs as this
MATHTEXT_MISSING = re.compile(r"does not have a glyph for")
ENGINE = Path(__file__).resolve().parent
ADVICE = "call use_korean_font() from snippets/plotting.py before drawing"
MATHTEXT_ADVICE = "mathtext ($...$) draws with its own fonts: write Korean outside the dollar signs"
# Where the block's own frames end: the engine, the standard library and the installed libraries.
LIBRARIES = tuple({Path(folder).resolve() for folder in (sys.prefix, sys.base_prefix, sys.exec_prefix, ENGINE)})

_made = itertools.count()  # the order figures were made in, over the worker's life
_block_file: str | None = None  # the snippet file of the block running now
_mathtext_misses: list[tuple[str, traceback.StackSummary]] = []  # (message, where) since the last capture


def _frames() -> traceback.StackSummary:
    """Where the running block is, outermost first: from its own file in, up to the first library call."""
    stack = traceback.extract_stack()
    start = next((i for i, frame in enumerate(stack) if frame.filename == _block_file), len(stack))
    own = []
    for frame in stack[start:]:
        if any(Path(frame.filename).resolve().is_relative_to(folder) for folder in LIBRARIES):
            break
        own.append(frame)
    return traceback.StackSummary.from_list(own)


# The backend: matplotlib looks up FigureCanvas and show in this module.
class FigureManager(FigureManagerBase):
    def __init__(self, canvas: FigureCanvasAgg, num: int | str) -> None:
        super().__init__(canvas, num)
        self.made = next(_made)
        self.frames = _frames()  # where the block made it, for messages about it

    def show(self) -> None:
        """fig.show(): the engine shows the figure after the block."""


class FigureCanvas(FigureCanvasAgg):
    manager_class = FigureManager


def show(*args: object, **kwargs: object) -> None:
    """plt.show(): the engine shows every open figure after the block."""


class _MathtextMisses(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        if MATHTEXT_MISSING.search(record.getMessage()):
            _mathtext_misses.append((record.getMessage(), _frames()))


def setup() -> None:
    """Once per worker: matplotlib's own defaults (no matplotlibrc of the builder's), this backend, and
    missing glyphs made errors (a block that changes warning filters only hides those raised while it runs:
    rendering after the block checks again), and PIL's Image.show() refused."""
    matplotlib.rcdefaults()
    matplotlib.use(BACKEND, force=True)
    warnings.filterwarnings("error", message=MISSING_GLYPH, category=UserWarning)
    logging.getLogger(MATHTEXT_LOGGER).addHandler(_MathtextMisses())
    refuse_image_viewers()


def refuse_image_viewers() -> None:
    """PIL's Image.show() hands the image to a viewer program, which the page never shows: fail the block at
    that line instead of losing the image silently. (Nothing happens where PIL is not installed.)"""
    try:
        from PIL import ImageShow
    except ImportError:
        return

    class Refused(ImageShow.Viewer):
        def show(self, image: object, **options: object) -> int:
            raise RuntimeError(
                "Image.show() opens an image viewer, which a page cannot show: draw the image with matplotlib"
                " (plt.imshow(image), then plt.show()) and give the figure a suptitle"
            )

    ImageShow.register(Refused, order=-1)  # first: no real viewer is ever tried


@contextmanager
def running(filename: str) -> Iterator[None]:
    """While a block from `filename` runs: figures made now remember their line in it."""
    global _block_file
    _block_file = filename
    _mathtext_misses.clear()
    try:
        yield
    finally:
        _block_file = None


def _failure(kind: str, message: str, stack: traceback.StackSummary, where: str = "Figure made at") -> Failure:
    """A failure at `stack` (the block's frames where the figure was made, or drawn), shown as a traceback."""
    trace = f"{where} (most recent call last):\n{''.join(stack.format())}{kind}: {message}\n"
    return Failure(kind, message, [(frame.filename, frame.lineno or 0) for frame in stack], trace)


def _render(manager: FigureManager, number: int) -> CapturedFigure | Failure:
    figure = manager.canvas.figure
    frames = getattr(manager, "frames", traceback.StackSummary())
    alt = " ".join(figure.get_suptitle().split())
    if not alt:
        message = (
            f'figure {number} has no suptitle: give it one, fig.suptitle("...") in Korean;'
            " the page shows it as the figure's description (its alt text)"
        )
        return _failure("FigureWithoutTitle", message, frames)
    svg = io.StringIO()
    _mathtext_misses.clear()
    with warnings.catch_warnings(record=True) as caught, matplotlib.rc_context(SVG_SETTINGS):
        warnings.simplefilter("always")
        try:
            figure.savefig(svg, format="svg", metadata={"Date": None})
        except Exception as error:  # the figure cannot be drawn: data or settings the block gave it
            inside = traceback.extract_tb(error.__traceback__)
            failure = _failure(type(error).__name__, f"{error} (drawing figure {number}, {alt!r})", frames)
            return Failure(failure.kind, failure.message, failure.frames, failure.trace + "".join(inside.format()))
    for warning in caught:
        message = str(warning.message)
        if re.match(MISSING_GLYPH, message):
            return _failure("MissingGlyph", f"{message} (figure {number}, {alt!r}): {ADVICE}", frames)
        # Any other warning is the block's, as if it had drawn the figure itself: shown at the line that made it.
        where = (frames[-1].filename, frames[-1].lineno or 0) if frames else ("<block>", 0)
        warnings.showwarning(warning.message, warning.category, *where)
    if _mathtext_misses:
        message = f"{_mathtext_misses[0][0]} (figure {number}, {alt!r}): {MATHTEXT_ADVICE}"
        return _failure("MissingGlyph", message, frames)
    darken(figure)
    dark_svg = io.StringIO()
    with warnings.catch_warnings(), matplotlib.rc_context(SVG_SETTINGS):
        warnings.simplefilter("ignore")  # any warning was shown when the light variant was drawn
        figure.savefig(dark_svg, format="svg", metadata={"Date": None})
    return CapturedFigure(alt, svg.getvalue(), dark_svg.getvalue())


def capture(render: bool = True) -> tuple[tuple[CapturedFigure, ...], Failure | None]:
    """Every figure the block left open, in the order they were made, rendered (unless `render` is
    False: a block re-run unshown); then all are closed. A failure stops at the first bad figure."""
    managers = sorted(Gcf.get_all_fig_managers(), key=lambda manager: (getattr(manager, "made", -1), manager.num))
    figures: list[CapturedFigure] = []
    try:
        if not render:
            return (), None
        if _mathtext_misses:  # mathtext only logs a missing glyph; here the block drew (e.g. fig.tight_layout())
            message, frames = _mathtext_misses[0]
            return (), _failure("MissingGlyph", f"{message}: {MATHTEXT_ADVICE}", frames, "Drawn at")
        for number, manager in enumerate(managers, start=1):
            result = _render(manager, number)
            if isinstance(result, Failure):
                return (), result
            figures.append(result)
        return tuple(figures), None
    finally:
        pyplot.close("all")
        _mathtext_misses.clear()
