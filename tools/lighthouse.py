"""Lighthouse scores of a built site's home page and its heaviest pages, desktop and mobile.

    python tools/lighthouse.py SITE_DIR [--pages N]

Serves SITE_DIR as GitHub Pages does (tools/pages_server.py), runs the pinned Lighthouse through npx
(npm's registry is the only host it asks, once) against the local Chromium (tools/chromium.py finds
it), and prints a table of the four category scores per page and form factor. The heaviest pages
are those whose HTML and figures weigh most. Exits 1 when a desktop score misses its target
(accessibility, best practices and SEO 100, performance at least 95).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

if __name__ == "__main__":  # run as a script: make the project root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tools.chromium import find_chromium
from tools.pages_server import served_compressed

LIGHTHOUSE = "lighthouse@13.5.0"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
DESKTOP_TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"


def heaviest_pages(site: Path, count: int) -> list[str]:
    """Page URLs (relative to the site) whose HTML plus the figures it shows weigh most."""
    weights = {}
    for html in site.rglob("index.html"):
        if html.parent.name in ("404", "search"):
            continue
        text = html.read_text(encoding="utf-8")
        figures = sum((html.parent / src).stat().st_size for src in _figure_sources(text, html.parent))
        weights[html.parent.relative_to(site).as_posix().removeprefix(".") + "/"] = html.stat().st_size + figures
    ranked = sorted((page for page in weights if page != "/"), key=lambda page: -weights[page])
    return [page.lstrip("/") for page in ranked[:count]]


def _figure_sources(html: str, folder: Path) -> list[str]:
    return [src for src in re.findall(r'<img src="([^"#]+\.svg)#only-light"', html) if (folder / src).is_file()]


def scores(url: str, form_factor: str, chromium: str) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "report.json"
        command = [
            "npx", "--yes", LIGHTHOUSE, url, "--quiet", "--output=json", f"--output-path={report}",
            f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}",
        ]  # fmt: skip
        if form_factor == "desktop":
            command.append("--preset=desktop")
        subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium}, stdout=subprocess.DEVNULL)
        categories = json.loads(report.read_text(encoding="utf-8"))["categories"]
    return {name: round(categories[name]["score"] * 100) for name in CATEGORIES}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--pages", type=int, default=3, help="how many of the heaviest pages besides the home page")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        print("no Chromium here: run `make browser` first", file=sys.stderr)
        return 1
    pages = ["", *heaviest_pages(args.site, args.pages)]
    missed = []
    print(f"Lighthouse ({LIGHTHOUSE}), local Chromium; scores out of 100")
    print(f"| page | form factor | {' | '.join(CATEGORIES)} |")
    print(f"| --- | --- |{' ---: |' * len(CATEGORIES)}")
    with served_compressed(args.site) as base:
        for page in pages:
            for form_factor in ("desktop", "mobile"):
                found = scores(base + page, form_factor, chromium)
                print(f"| /{page} | {form_factor} | {' | '.join(str(found[name]) for name in CATEGORIES)} |")
                if form_factor == "desktop":
                    missed += [
                        f"/{page} {name} {found[name]}" for name, at in DESKTOP_TARGETS.items() if found[name] < at
                    ]
    if missed:
        print("below the desktop targets: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
