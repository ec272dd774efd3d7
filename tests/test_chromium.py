"""tools/chromium.py: a browser that is there is used; with none, the failure says what was tried."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tools import chromium


def test_a_browser_that_starts_is_found():
    path = chromium.find_chromium()
    assert path is not None, "make browser runs before the tests"
    assert chromium.runs(path)


def test_guide_chromium_comes_first(monkeypatch):
    monkeypatch.setenv("GUIDE_CHROMIUM", "/nowhere/chrome")
    assert chromium.candidates()[0] == "/nowhere/chrome"
    assert chromium.find_chromium() != "/nowhere/chrome", "a path that does not start is passed over"


def test_an_existing_browser_installs_nothing(monkeypatch):
    monkeypatch.setattr(chromium, "install_attempts", lambda: pytest.fail("tried to install"))
    path, attempts = chromium.ensure_chromium()
    assert path is not None
    assert attempts == []


def test_with_no_browser_it_tries_each_way_and_says_what_happened(monkeypatch, capsys):
    monkeypatch.setattr(chromium, "candidates", lambda: ["/nowhere/chromium"])
    failing = [[sys.executable, "-c", "import sys; print('no route to the download host'); sys.exit(3)"]]
    monkeypatch.setattr(chromium, "install_attempts", lambda: [failing, [["false"]]])
    assert chromium.main() == 1
    message = capsys.readouterr().err
    assert "/nowhere/chromium" in message
    assert "no route to the download host" in message and "exit 3" in message
    assert "$ false" in message, "the second way was tried after the first failed"


def test_the_installer_for_a_user_is_playwright(monkeypatch):
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 1000)
    assert chromium.install_attempts() == [[[sys.executable, "-m", "playwright", "install", "chromium"]]]


def test_make_browser_reports_the_browser():
    result = subprocess.run([sys.executable, "tools/chromium.py"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("chromium: /")
