"""A throwaway copy of the guide's build setup in a temporary folder, with pages of a test's own."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
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


REPORT = re.compile(
    r"snippet-exec: (\d+) sessions ran \((\d+) blocks\), (\d+) came from the cache \((\d+) blocks\),"
    r" (\d+) blocks failed"
)


@dataclass(frozen=True)
class ExecReport:
    """The build log's line about the code it ran: sessions and blocks run, served from the cache, failed."""

    sessions_ran: int
    ran: int  # blocks
    sessions_cached: int
    cached: int  # blocks
    failed: int  # blocks

    @classmethod
    def of(cls, log: str) -> ExecReport:
        found = REPORT.search(log)
        assert found, f"the build log has no snippet-exec line:\n{log}"
        return cls(*map(int, found.groups()))
