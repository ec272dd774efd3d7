"""Where the guide's MNIST lives: the shipped subset (checked) or the full set (downloaded)."""

# --8<-- [start:root]
import hashlib
import os
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
CHECKSUMS = DATA_DIR / "MNIST" / "SHA256SUMS"


class DataFileError(RuntimeError):
    """A shipped MNIST file is missing or is not the file that was shipped."""


def verify_shipped_files() -> list[Path]:
    if not CHECKSUMS.is_file():
        raise DataFileError(f"{CHECKSUMS}: checksum list is missing")
    checked = []
    for line in CHECKSUMS.read_text(encoding="ascii").splitlines():
        expected, name = line.split(maxsplit=1)
        path = CHECKSUMS.parent / name
        if not path.is_file():
            raise DataFileError(f"{path}: MNIST file is missing")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise DataFileError(f"{path}: SHA-256 is {actual}, expected {expected}")
        checked.append(path)
    return checked


def mnist_root() -> Path:
    """The `root` to give torchvision's MNIST: the full set if FULL_MNIST=1, else the subset."""
    if os.environ.get("FULL_MNIST") == "1":
        return DATA_DIR / "full"
    verify_shipped_files()
    return DATA_DIR


# --8<-- [end:root]


if __name__ == "__main__":
    # --8<-- [start:check]
    for path in verify_shipped_files():
        print(f"확인 완료: {path.relative_to(DATA_DIR)} ({path.stat().st_size:,} 바이트)")
    # --8<-- [end:check]
