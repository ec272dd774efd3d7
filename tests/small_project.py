"""A throwaway copy of the guide's build setup in a temporary folder, with pages of a test's own."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc")
NAV_BLOCK = re.compile(r"^nav:[ \t]*\n(?:[ \t]+.*\n|[ \t]*\n)*", re.MULTILINE)


def copy_build_setup(root: Path, page: str, folders: tuple[str, ...] = ("tools",)) -> Path:
    """The real mkdocs.yml (without its nav, so no page counts as left out), the docs' assets,
    the given project folders, and `page` as the only page."""
    for folder in folders:
        shutil.copytree(REPO_ROOT / folder, root / folder, ignore=IGNORE)
    (root / "notebooks").mkdir(exist_ok=True)  # mkdocs.yml watches it, so it must exist
    shutil.copytree(REPO_ROOT / "docs", root / "docs", ignore=shutil.ignore_patterns("*.md"))
    shutil.copytree(REPO_ROOT / "overrides", root / "overrides")  # mkdocs.yml's theme custom_dir
    (root / "docs" / "index.md").write_text(page, encoding="utf-8")
    config = (REPO_ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(NAV_BLOCK.sub("", config), encoding="utf-8")
    return root
