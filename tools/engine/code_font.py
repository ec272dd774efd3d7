"""The code font the site ships: Nanum Gothic Coding cut down to the characters its code and outputs use.

tools/fonts.py vendors the whole font (12,000 characters, 1 MB) into tools/vendored/. After each build,
`write_code_font` takes every page's HTML (hooks.py reads the site once), reads its code (`<code>`
elements: code blocks, outputs and inline code), keeps those characters plus printable ASCII, and writes
one subset into the site, named by its content (so a browser never keeps a stale one), with the
stylesheet that mkdocs.yml links and the licence. The guide's code uses about 500 characters: one file
of about 50 kB serves every page, where the font's own unicode-range pieces cost a page 15 to 20 files
and 300 kB.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from fontTools import subset as subsetting

ROOT = Path(__file__).resolve().parent.parent.parent
VENDORED = ROOT / "tools" / "vendored" / "nanum-gothic-coding"
FONT_FILE = "NanumGothicCoding-Regular.woff"
LICENCE = "LICENSE.txt"
FAMILY = "Nanum Gothic Coding"
SITE_FOLDER = "assets/fonts/nanum-gothic-coding"  # in the site; mkdocs.yml's extra_css names the stylesheet
STYLESHEET = "nanum-gothic-coding.css"
ASCII = {chr(point) for point in range(0x20, 0x7F)}
_CODE = re.compile(r"<code\b[^>]*>(.*?)</code>", re.S)
_TAG = re.compile(r"<[^>]+>")


def code_characters(pages: Iterable[str]) -> set[str]:
    """Every character inside a <code> element of these pages (the HTML text of each), and printable ASCII."""
    characters = set(ASCII)
    for page in pages:
        for code in _CODE.findall(page):
            characters.update(html.unescape(_TAG.sub("", code)))
    return {character for character in characters if character.isprintable()}


def subset(characters: set[str]) -> bytes:
    """The vendored font with only these characters' glyphs, as WOFF."""
    options = subsetting.Options(flavor="woff", layout_features=[], name_IDs=["*"], notdef_outline=True)
    font = subsetting.load_font(str(VENDORED / FONT_FILE), options)
    subsetter = subsetting.Subsetter(options)
    subsetter.populate(unicodes=sorted(map(ord, characters)))
    subsetter.subset(font)
    out = io.BytesIO()
    subsetting.save_font(font, out, options)
    return out.getvalue()


def stylesheet(font_file: str) -> str:
    return (
        "/* Written by tools/engine/code_font.py for this build: the characters of the site's code only. */\n"
        "@font-face {\n"
        f"  font-family: '{FAMILY}';\n"
        "  font-style: normal;\n"
        "  font-weight: 400;\n"
        "  font-display: swap;\n"
        f'  src: url("{font_file}") format("woff");\n'
        "}\n"
    )


def write_code_font(site_dir: Path, pages: Iterable[str]) -> Path:
    """Write the subset for these pages (the HTML text of every page of the site), its stylesheet and the
    licence into the site; returns the font file written."""
    font = subset(code_characters(pages))
    folder = site_dir / SITE_FOLDER
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    name = f"nanum-gothic-coding.{hashlib.sha256(font).hexdigest()[:16]}.woff"
    (folder / name).write_bytes(font)
    (folder / STYLESHEET).write_text(stylesheet(name), encoding="utf-8")
    shutil.copyfile(VENDORED / LICENCE, folder / LICENCE)
    return folder / name
