"""The builder's folders, as the pages name them: no page shows where the guide was built.

Warnings and tracebacks print absolute paths: the project folder, the virtual environment's
site-packages, the standard library, the builder's home, a folder made by `tempfile` (its name is random).
Each is replaced by a stable name, so a
warning from Lightning reads `…/site-packages/pytorch_lightning/callbacks/model_checkpoint.py:881`
in every build, and a page built in one checkout is the page built in another.
"""

from __future__ import annotations

import os
import re
import site
import sys
import sysconfig
import tempfile

# tempfile.mkdtemp's folders: "tmp" and eight random letters, digits or underscores, in the temporary folder.
TEMPORARY_FOLDER = re.compile(re.escape(tempfile.gettempdir()) + r"/tmp[a-z0-9_]{8}(?![\w-])")


def stable_names(root: str) -> dict[str, str]:
    """{builder's folder: the name pages show}. The project's files are shown relative to its folder."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    names = {folder: "…/site-packages" for folder in [*site.getsitepackages(), site.getusersitepackages()]}
    names[sysconfig.get_paths()["stdlib"]] = f"…/{version}"
    names[os.path.expanduser("~")] = "~"
    names[root] = "."
    return {os.path.normpath(folder): name for folder, name in names.items() if len(folder) > 1}


def without_machine_paths(text: str, names: dict[str, str]) -> str:
    """`text` with every folder of `names` replaced, longest first; the project's files become relative."""
    text = TEMPORARY_FOLDER.sub("/tmp/…", text)
    folders = "|".join(re.escape(folder) for folder in sorted(names, key=len, reverse=True))

    def stable(match: re.Match) -> str:
        name, slash = names[match[1]], match[2]
        return (name + slash) if name != "." else ("" if slash else ".")

    # A folder counts only whole: followed by a slash (a file in it), or by what does not go on with a name.
    return re.sub(f"({folders})(/|(?![\\w-]|\\.[\\w.-]))", stable, text)
