"""Getting started: snippets/start/versions.py prints the versions this build really used."""

import importlib.metadata
import platform
import re
from pathlib import Path

from snippets.start.versions import PACKAGES, installed_versions
from tests.test_snippets.main_runs import printed_lines, run_main

REPO_ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)", re.M)


def requirement_pins() -> dict[str, str]:
    text = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    return {m["name"].lower(): m["version"] for m in PIN.finditer(text)}


def test_the_four_packages_of_the_guide():
    assert PACKAGES == ["torch", "torchvision", "pytorch-lightning", "torchmetrics"]


def test_versions_come_from_the_installed_packages():
    versions = installed_versions()
    assert list(versions) == PACKAGES
    assert versions == {name: importlib.metadata.version(name) for name in PACKAGES}


def test_installed_versions_are_the_pinned_ones():
    """The page says `make serve` installs these same versions: they are requirements.txt's pins."""
    pins = requirement_pins()
    assert installed_versions() == {name: pins[name] for name in PACKAGES}


def test_printed_lines(tmp_path_factory):
    lines = printed_lines(run_main("snippets.start.versions", tmp_path_factory))
    assert lines[0].split() == ["Python", platform.python_version()]
    assert [line.split() for line in lines[1:]] == [[name, version] for name, version in installed_versions().items()]


def test_this_python_is_a_supported_one():
    assert (3, 11, 5) <= tuple(map(int, platform.python_version_tuple())) < (3, 14)
