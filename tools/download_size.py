"""How much pip downloads for the pinned set on Linux x86_64 and on an Apple Silicon Mac (PyPI's wheel sizes).

    python tools/download_size.py    # needs PyPI; prints one line per system and the largest packages

시작하기 states these figures with the date they were measured; rerun this after `make lock`.
"""

from __future__ import annotations

import json
import re
import sys
import urllib.request
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import parse_wheel_filename
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
PYTHON = "3.11"
SYSTEMS = {  # name: (marker environment, does a wheel's platform tag fit?)
    "Linux x86_64": (
        {"sys_platform": "linux", "platform_machine": "x86_64", "platform_system": "Linux"},
        lambda tag: tag == "any" or ("linux" in tag and tag.endswith("x86_64")),
    ),
    "macOS arm64": (
        {"sys_platform": "darwin", "platform_machine": "arm64", "platform_system": "Darwin"},
        lambda tag: tag == "any" or (tag.startswith("macosx") and (tag.endswith("arm64") or "universal2" in tag)),
    ),
}
PYTHON_TAGS = {"cp311", "py311", "py3"}  # with abi3 wheels, what Python 3.11 installs


def pinned(requirements: Path) -> list[Requirement]:
    lines = [re.sub(r"\s+#.*", "", line).strip() for line in requirements.read_text().splitlines()]
    return [Requirement(line) for line in lines if line and not line.startswith(("#", "-"))]


def same_version(key: str, version: str) -> bool:
    try:
        return Version(key) == Version(version)
    except InvalidVersion:  # PyPI keeps a few legacy version strings
        return False


def wheel_size(name: str, version: str, fits) -> int:
    # The project-wide JSON: the per-version URL is not served by every PyPI mirror.
    with urllib.request.urlopen(f"https://pypi.org/pypi/{name}/json", timeout=60) as response:
        releases = json.load(response)["releases"]
    files = next((files for key, files in releases.items() if same_version(key, version)), [])
    sizes = []
    for file in files:
        if not file["filename"].endswith(".whl"):
            continue
        _, _, _, tags = parse_wheel_filename(file["filename"])
        if any((tag.interpreter in PYTHON_TAGS or tag.abi == "abi3") and fits(tag.platform) for tag in tags):
            sizes.append(file["size"])
    if not sizes:
        sys.exit(f"{name}=={version}: no wheel on PyPI for this system")
    return min(sizes)


def main() -> None:
    requirements = pinned(ROOT / "requirements.txt")
    for system, (environment, fits) in SYSTEMS.items():
        environment = {"python_version": PYTHON, "python_full_version": f"{PYTHON}.7", **environment}
        chosen = [r for r in requirements if r.marker is None or Marker(str(r.marker)).evaluate(environment)]
        sizes = {r.name: wheel_size(r.name, next(iter(r.specifier)).version, fits) for r in chosen}
        largest = sorted(sizes.items(), key=lambda item: -item[1])[:4]
        shown = ", ".join(f"{name} {size / 1e6:.0f} MB" for name, size in largest)
        print(f"{system}: {len(sizes)} packages, {sum(sizes.values()) / 1e9:.2f} GB to download (largest: {shown})")


if __name__ == "__main__":
    main()
