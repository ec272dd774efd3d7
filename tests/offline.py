"""Run a command cut off from the network, with every Python process of it logging any attempt to reach one.

The command runs in a new network namespace (`unshare --net`: no interface but the loopback, which is
brought up because the two-process page's ranks talk to each other over 127.0.0.1, and no DNS), so
any download would fail. To see attempts that a library might catch and survive, every Python process carries an
audit hook (a sitecustomize.py on PYTHONPATH, which the build passes on to its workers and what they
start through GUIDE_EXEC_ENV) that records each name lookup, connection and URL request into a log.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

NETWORK_LOG_HOOK = """\
import os
import socket
import sys

_EVENTS = {"socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request", "http.client.connect"}
_LOOPBACK = ("127.", "::1")


def _record(event, args):
    if event not in _EVENTS:
        return
    if event == "socket.connect" and args[0].family == getattr(socket, "AF_UNIX", None):
        return  # a local socket file, not the network
    if event == "socket.connect" and str(args[1][0]).startswith(_LOOPBACK):
        return  # this machine's loopback: the two DDP ranks of one page talking to each other
    if event == "socket.getaddrinfo" and str(args[0]).startswith(_LOOPBACK):
        return  # a loopback address written out in numbers: nothing is looked up
    with open(os.environ["NETWORK_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{event} {args!r:.200}\\n")


sys.addaudithook(_record)
"""


# In the namespace, names are looked up in /etc/hosts only, as on a machine with no network configured. With
# the system's DNS left in, a lookup would wait for a server it cannot reach and fail as "temporary": torch's
# rendezvous then prints warnings of its own (a reverse lookup of ::ffff:127.0.0.1), which no reader sees.
_ISOLATE = (
    "ip link set lo up"
    ' && names=$(mktemp) && sed "s/^hosts:.*/hosts: files/" /etc/nsswitch.conf > "$names"'
    ' && mount --bind "$names" /etc/nsswitch.conf && exec "$@"'
)


def unshare_command() -> list[str]:
    """Run the rest of a command in new network and mount namespaces: only the loopback up, no DNS."""
    as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    unshare = ["unshare", "--net", "--mount"] if as_root else ["unshare", "--net", "--mount", "--map-root-user"]
    return [*unshare, "sh", "-c", _ISOLATE, "sh"]


def why_not_offline() -> str | None:
    """Why no command can be cut off from the network here; None where it can."""
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "this system lacks `unshare` (util-linux) or `ip` (iproute2) to cut the network"
    probe = subprocess.run([*unshare_command(), "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"the kernel refused a new network namespace: {probe.stderr.strip()}"
    return None


def offline_environment(folder: Path) -> dict[str, str]:
    """Environment for a Python run whose processes log every attempt to reach the network to folder/network.log."""
    hook_dir = folder / "hook"
    hook_dir.mkdir(parents=True, exist_ok=True)
    (hook_dir / "sitecustomize.py").write_text(NETWORK_LOG_HOOK, encoding="utf-8")
    log = folder / "network.log"
    log.touch()
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")])),
        "NETWORK_LOG": str(log),
        # The workers, and what they start (a DDP rank), get these too: they carry the hook and its log.
        "GUIDE_EXEC_ENV": "PYTHONPATH,NETWORK_LOG",
        "NO_MKDOCS_2_WARNING": "1",
    }
