"""A figure's dark variant, drawn by matplotlib for the site's dark palette (Material's slate).

The engine renders every figure twice: as the block drew it, and after recolouring it here. A CSS
filter on the light image would also invert what the data means (a colour map, the digits), so the
recolouring is of the figure's own artists:

- the figure's and the axes' backgrounds become the page's dark background; black and grey text,
  lines, spines, ticks and edges become light, in proportion (a light grey grid stays faint);
- colours with a hue (a plotted series, a bar) keep it, made lighter where they were dark;
- a colour map that starts at white (the digits' gray_r, a confusion matrix's Blues) is reversed, so
  that the background stays dark and more is lighter: white strokes on black, as MNIST is usually
  shown; other maps (viridis) are kept;
- text drawn over an image keeps the colour chosen for the image (a confusion matrix's counts), or,
  where the image's map was reversed, is recoloured with it, light on the cells that became dark.

Imported only inside a session's worker, by tools/engine/figures.py.
"""

from __future__ import annotations

import colorsys

import numpy as np
from matplotlib import colors
from matplotlib.collections import Collection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

BACKGROUND = "#1e2129"  # Material's slate background: hsl(225, 15%, 14%)
FOREGROUND = "#e2e4e9"  # its text colour, about 90 % white
GREY_SATURATION = 0.15  # below this a colour counts as grey
WHITE = 0.85  # a colour map whose first colour has every channel above this starts at white


def dark_colour(rgba) -> tuple[float, float, float, float]:
    """The colour an element drawn in `rgba` on white gets on the dark background."""
    red, green, blue, alpha = colors.to_rgba(rgba)
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < GREY_SATURATION or lightness in (0.0, 1.0):
        # White (the paper) becomes the background, black (the ink) the foreground, greys in between.
        mixed = np.array(colors.to_rgb(BACKGROUND)) * lightness + np.array(colors.to_rgb(FOREGROUND)) * (1 - lightness)
        return (*mixed, alpha)
    return (*colorsys.hls_to_rgb(hue, 0.35 + 0.65 * lightness, saturation), alpha)


def _dark_colours(values) -> np.ndarray:
    array = colors.to_rgba_array(values)
    return np.array([dark_colour(value) for value in array]) if len(array) else array


def _starts_white(cmap) -> bool:
    return min(cmap(0.0)[:3]) > WHITE


def _reverse_white_maps(figure: Figure) -> set[int]:
    """Reverse every image's and mesh's colour map that starts at white; the ids of the axes where one was."""
    reversed_in = set()
    for axes in figure.axes:
        for mappable in [*axes.images, *axes.collections]:
            if mappable.get_array() is not None and _starts_white(mappable.get_cmap()):
                mappable.set_cmap(mappable.get_cmap().reversed())
                reversed_in.add(id(axes))
    return reversed_in


def darken(figure: Figure) -> None:
    """Recolour the figure in place for a dark background (see the module's docstring)."""
    reversed_in = _reverse_white_maps(figure)
    # Texts placed in the data of axes that show an image whose map was kept: their colours suit the image.
    keep = {id(text) for axes in figure.axes if axes.images and id(axes) not in reversed_in for text in axes.texts}
    figure.patch.set_facecolor(BACKGROUND)
    figure.patch.set_edgecolor(BACKGROUND)
    for artist in figure.findobj():
        if id(artist) in keep or artist is figure.patch:
            continue
        if isinstance(artist, Text):
            artist.set_color(dark_colour(artist.get_color()))
        elif isinstance(artist, Line2D):
            artist.set_color(dark_colour(artist.get_color()))
            artist.set_markerfacecolor(dark_colour(artist.get_markerfacecolor()))
            artist.set_markeredgecolor(dark_colour(artist.get_markeredgecolor()))
        elif isinstance(artist, Patch):
            artist.set_facecolor(dark_colour(artist.get_facecolor()))
            artist.set_edgecolor(dark_colour(artist.get_edgecolor()))
        elif isinstance(artist, Collection) and artist.get_array() is None:  # with an array, a colour map colours it
            artist.set_facecolor(_dark_colours(artist.get_facecolor()))
            artist.set_edgecolor(_dark_colours(artist.get_edgecolor()))
