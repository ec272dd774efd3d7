"""The whole build, every block run from an empty cache, passes with networking cut and fetches nothing.

The build runs in a new network namespace (`unshare --net`: no interface but the loopback, which is
brought up because the two-process page's ranks talk to each other over 127.0.0.1), so any download
would fail. To see attempts that a library might catch and survive, every
Python process of the build carries an audit hook (a sitecustomize.py on PYTHONPATH) that records
each name lookup, connection and URL request into a log, which must stay empty.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.small_project import ExecReport

NETWORK_LOG_HOOK = """\
import os
import socket
import sys

_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request", "http.client.connect"}


def _record(event, args):
    if event not in _EVENTS:
        return
    if event == "socket.connect" and args[0].family == getattr(socket, "AF_UNIX", None):
        return  # a local socket file, not the network
    if event == "socket.connect" and str(args[1][0]).startswith(("127.", "::1")):
        return  # this machine's loopback: the two DDP ranks of one page talking to each other
    with open(os.environ["NETWORK_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{event} {args!r:.200}\\n")


sys.addaudithook(_record)
"""


def unshare_command() -> list[str]:
    """Run the rest of a command in a new network namespace with only the loopback up."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    unshare = ["unshare", "--net"] if as_root else ["unshare", "--net", "--map-root-user"]
    return [*unshare, "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]


@pytest.fixture
def offline(tmp_path) -> dict[str, str]:
    """Environment for a Python run cut off from the network and logging every attempt to reach it."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        pytest.skip("not run: this system lacks `unshare` (util-linux) or `ip` (iproute2) to cut the network")
    probe = subprocess.run([*unshare_command(), "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"not run: the kernel refused a new network namespace: {probe.stderr.strip()}")
    hook_dir = tmp_path / "hook"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(NETWORK_LOG_HOOK, encoding="utf-8")
    log = tmp_path / "network.log"
    log.touch()
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
        "NETWORK_LOG": str(log),
        # The workers, and what they start (a DDP rank), get these too: they carry the hook and its log.
        "GUIDE_EXEC_ENV": "PYTHONPATH,NETWORK_LOG",
        "NO_MKDOCS_2_WARNING": "1",
    }


def test_the_hook_sees_a_fetch_and_the_network_is_cut(offline):
    """The control: a download attempt is logged, and fails for want of a network."""
    fetch = "import urllib.request; urllib.request.urlopen('https://pypi.org/simple/torch/', timeout=10)"
    result = subprocess.run(
        [*unshare_command(), sys.executable, "-c", fetch], env=offline, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "URLError" in result.stderr
    log = Path(offline["NETWORK_LOG"]).read_text(encoding="utf-8")
    assert "urllib.Request" in log and "socket.getaddrinfo" in log, log


def test_the_site_builds_offline_from_an_empty_cache(offline, tmp_path):
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")]
    environment = {**offline, "GUIDE_EXEC_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [*unshare_command(), *command], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=600
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    report = ExecReport.of(output)
    assert report.ran > 0 and report.cached == 0 and report.failed == 0, output
    assert Path(offline["NETWORK_LOG"]).read_text(encoding="utf-8") == "", "the build reached for the network"
