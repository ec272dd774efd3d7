"""snippets/notebooks/setup.py: the notebooks' first cell installs only what is missing, at the project's pins."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tools.engine.sources import pieces_of

REPO_ROOT = Path(__file__).resolve().parents[2]
SETUP = REPO_ROOT / "snippets" / "notebooks" / "setup.py"
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;]+)", re.M)


def requirement_pins() -> dict[str, str]:
    text = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    return {re.sub(r"[-_.]+", "-", m["name"]).lower(): m["version"] for m in PIN.finditer(text)}


def run_cell(notebook: str, monkeypatch, missing: set[str]) -> list[list[str]]:
    """Run the notebook's first cell (sections install, install-<notebook>) with `missing` modules absent;
    return the pip calls."""
    sections = {piece.section: piece for piece in pieces_of(SETUP, REPO_ROOT)}
    cell = [*sections["install"].lines, "", *sections[f"install-{notebook}"].lines]
    calls = []
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name in missing else real_find_spec(name))
    monkeypatch.setattr(subprocess, "check_call", calls.append)
    exec("\n".join(cell), {"__name__": "__main__"})
    return calls


@pytest.mark.parametrize("notebook", ["pytorch", "lightning"])
def test_nothing_missing_installs_nothing(notebook, monkeypatch, capsys):
    assert run_cell(notebook, monkeypatch, missing=set()) == []
    assert capsys.readouterr().out == "필요한 패키지가 이미 모두 있어서 설치하지 않았어요.\n"


def test_colab_gets_lightning_and_torchmetrics_at_the_projects_pins(monkeypatch, capsys):
    calls = run_cell("lightning", monkeypatch, missing={"pytorch_lightning", "torchmetrics"})
    pins = requirement_pins()
    wanted = [f"pytorch-lightning=={pins['pytorch-lightning']}", f"torchmetrics=={pins['torchmetrics']}"]
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", *wanted]]
    assert capsys.readouterr().out == f"설치했어요: {', '.join(wanted)}\n"


@pytest.mark.parametrize("notebook", ["pytorch", "lightning"])
def test_torch_and_torchvision_are_installed_unpinned_when_missing(notebook, monkeypatch):
    calls = run_cell(notebook, monkeypatch, missing={"torch", "torchvision"})
    assert calls == [[sys.executable, "-m", "pip", "install", "--quiet", "torch", "torchvision"]]


def test_every_pin_in_the_cell_is_the_requirements_pin():
    pins = requirement_pins()
    in_cell = dict(re.findall(r'"([a-z-]+)==([^"]+)"', SETUP.read_text(encoding="utf-8")))
    assert in_cell == {name: pins[name] for name in ("pytorch-lightning", "torchmetrics")}
