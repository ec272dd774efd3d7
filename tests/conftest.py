"""Shared setup.

tests/ and tests/test_snippets/ are packages, so pytest puts the project root on
sys.path and the tests import `snippets` and `tools` as the build does.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent

# The tests check the shipped 5,000-digit subset; FULL_MNIST=1 would point them at the full set.
os.environ.pop("FULL_MNIST", None)

# The model is tiny: a second intra-op thread gains nothing, and on a busy 2-core machine
# (a build running beside the tests) competing OpenMP threads make training 10-30x slower.
# Both frameworks train in this process, so they still run the same arithmetic.
torch.set_num_threads(1)


def build_site(site_dir: Path, cache_dir: Path, **environment: str) -> subprocess.CompletedProcess:
    """`mkdocs build --strict`, as `make build` runs it, into site_dir with its own output cache."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", "GUIDE_EXEC_CACHE": str(cache_dir), **environment},
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def cold_build(tmp_path_factory) -> tuple[Path, Path, str]:
    """The guide built once with an empty cache, so every block runs: (site, cache, build log)."""
    site_dir, cache_dir = tmp_path_factory.mktemp("site"), tmp_path_factory.mktemp("exec-cache")
    result = build_site(site_dir, cache_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir, cache_dir, result.stdout + result.stderr


@pytest.fixture(scope="session")
def site(cold_build) -> Path:
    """The built guide, for every test that reads the pages."""
    return cold_build[0]
