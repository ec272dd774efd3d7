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


def build_site(site_dir: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict`, as `make build` runs it, into site_dir."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site_dir)],
        cwd=ROOT,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="session")
def site(tmp_path_factory) -> Path:
    """The guide, built once for every test that reads the built pages."""
    site_dir = tmp_path_factory.mktemp("site")
    result = build_site(site_dir)
    assert result.returncode == 0, result.stdout + result.stderr
    return site_dir
