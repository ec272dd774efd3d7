"""Where the guide's MNIST lives: the shipped subset (checked), the full set, or a download folder."""

# --8<-- [start:root]
import hashlib
import os
from pathlib import Path


class DataFileError(RuntimeError):
    """A shipped MNIST file is missing or is not the file that was shipped."""


def find_data_dir() -> Path | None:
    """The checkout's data/ folder: the first one holding MNIST/SHA256SUMS, from here upwards."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "data" / "MNIST" / "SHA256SUMS").is_file():
            return folder / "data"
    return None


def verify_shipped_files(data_dir: Path) -> list[Path]:
    checksums = data_dir / "MNIST" / "SHA256SUMS"
    checked = []
    for line in checksums.read_text(encoding="ascii").splitlines():
        expected, name = line.split(maxsplit=1)
        path = checksums.parent / name
        if not path.is_file():
            raise DataFileError(f"{path}: MNIST file is missing")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise DataFileError(f"{path}: SHA-256 is {actual}, expected {expected}")
        checked.append(path)
    return checked


def mnist_root() -> Path:
    """The `root` to give torchvision's MNIST."""
    data_dir = find_data_dir()
    if data_dir is None:
        return Path("data")  # 저장소 밖(Colab 등): torchvision이 여기에 내려받아요
    if os.environ.get("FULL_MNIST") == "1":
        return data_dir / "full"
    verify_shipped_files(data_dir)
    return data_dir


# --8<-- [end:root]


if __name__ == "__main__":
    # --8<-- [start:check]
    data_dir = find_data_dir()
    for path in verify_shipped_files(data_dir):
        print(f"확인 완료: {path.relative_to(data_dir)} ({path.stat().st_size:,} 바이트)")
    # --8<-- [end:check]
