"""The pinned set (requirements.txt) is compiled from requirements.in and installs on every supported system.

These ask PyPI for package metadata through uv, as `make lock-check` does; nothing is installed.
"""

from __future__ import annotations

import pytest

from tools.lock import JUST_OUTSIDE, LOCK, SUPPORTED, Target, lock_is_current, resolve


def test_the_lock_is_compiled_from_requirements_in():
    current, problem = lock_is_current()
    assert current, f"requirements.txt is stale: run `make lock`. {problem}"


@pytest.mark.parametrize("target", SUPPORTED, ids=lambda target: target.label)
def test_the_lock_installs_on_a_supported_system(target: Target):
    resolution = resolve(target)
    assert resolution.resolved, resolution.message
    assert resolution.packages > 80


@pytest.mark.parametrize("target", JUST_OUTSIDE, ids=lambda target: target.label)
def test_the_stated_minimums_are_the_real_ones(target: Target):
    resolution = resolve(target)
    assert not resolution.resolved
    assert "torch" in resolution.message or "pymdown-extensions" in resolution.message, resolution.message


def test_linux_only_packages_carry_markers():
    pins = [line for line in LOCK.read_text(encoding="utf-8").splitlines() if "==" in line and not line.startswith("#")]
    linux_only = [pin for pin in pins if pin.startswith(("nvidia-", "triton", "cuda-"))]
    assert linux_only, "torch's CUDA libraries are pinned for Linux"
    assert all("sys_platform == 'linux'" in pin for pin in linux_only), linux_only
