"""Korean labels in matplotlib figures: the site's Pretendard font, vendored by tools/fonts.py.

Call use_korean_font() before drawing. It works the same in a terminal (`python -m snippets...`,
where plt.show() opens the usual window) and in the site's build (where the engine captures the
figures); nothing here knows about the engine.
"""

from pathlib import Path

from matplotlib import font_manager, rcParams

FONT_FILE = Path(__file__).resolve().parent / "fonts" / "Pretendard-Regular.otf"


def use_korean_font():
    """Register Pretendard with matplotlib and make it the default font; calling it again changes nothing."""
    if not any(Path(entry.fname) == FONT_FILE for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(FONT_FILE))
    name = font_manager.FontProperties(fname=str(FONT_FILE)).get_name()
    # DejaVu Sans, matplotlib's own font, draws the few symbols Pretendard lacks.
    rcParams["font.family"] = [name, "DejaVu Sans"]
    rcParams["axes.unicode_minus"] = False  # tick labels with the plain "-" as written in code and outputs
