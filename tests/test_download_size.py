"""tools/download_size.py without the network: which pins count for each system, and which wheels fit it."""

from packaging.markers import Marker

from tools.download_size import ROOT, SYSTEMS, pinned, same_version


def test_every_pin_is_read_with_its_marker():
    requirements = pinned(ROOT / "requirements.txt")
    names = {requirement.name for requirement in requirements}
    assert {"torch", "pytorch-lightning", "nvidia-cublas"} <= names
    assert all(len(requirement.specifier) == 1 for requirement in requirements), "exact pins only"


def test_cuda_libraries_count_on_linux_only():
    linux, _ = SYSTEMS["Linux x86_64"]
    mac, _ = SYSTEMS["macOS arm64"]
    marker = Marker("sys_platform == 'linux'")
    base = {"python_version": "3.11", "python_full_version": "3.11.7"}
    assert marker.evaluate(base | linux) and not marker.evaluate(base | mac)


def test_platform_tags_fit_their_system():
    _, linux = SYSTEMS["Linux x86_64"]
    _, mac = SYSTEMS["macOS arm64"]
    assert linux("manylinux_2_28_x86_64") and not linux("manylinux_2_28_aarch64") and linux("any")
    assert mac("macosx_14_0_arm64") and mac("macosx_10_9_universal2") and not mac("macosx_10_9_x86_64")


def test_versions_compare_as_pip_compares_them():
    assert same_version("13.0.3", "13.0.3.0")
    assert not same_version("13.0.4", "13.0.3.0")
    assert not same_version("0.7.1.fix1", "0.7.1"), "a legacy version string on PyPI is skipped, not an error"
