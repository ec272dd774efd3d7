"""The whole build, every block run from an empty cache, passes with networking cut and fetches nothing.

The shared second build (conftest.second_build) runs cut off from the network (tests/offline.py),
every Python process of it logging each name lookup, connection and URL request: the log must stay
empty. Where no network namespace can be made (macOS, or a kernel that refuses one), these tests are
reported as skipped with the reason.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.offline import offline_environment, unshare_command, why_not_offline
from tests.small_project import ExecReport


@pytest.fixture(scope="module")
def cut_off() -> None:
    if reason := why_not_offline():
        pytest.skip(f"not run: {reason}")


def test_the_hook_sees_a_fetch_and_the_network_is_cut(cut_off, tmp_path):
    """The control: a download attempt is logged, and fails for want of a network."""
    environment = offline_environment(tmp_path)
    fetch = "import urllib.request; urllib.request.urlopen('https://pypi.org/simple/torch/', timeout=10)"
    result = subprocess.run(
        [*unshare_command(), sys.executable, "-c", fetch], env=environment, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "URLError" in result.stderr
    log = (tmp_path / "network.log").read_text(encoding="utf-8")
    assert "urllib.Request" in log and "socket.getaddrinfo" in log, log


def test_the_site_builds_offline_from_an_empty_cache(cut_off, second_build):
    report = ExecReport.of(second_build.log)
    assert report.ran > 0 and report.cached == 0 and report.failed == 0, second_build.log
    assert second_build.network_log is not None
    assert second_build.network_log.read_text(encoding="utf-8") == "", "the build reached for the network"
