"""이 가이드의 MNIST가 있는 곳: 저장소에 함께 실은 일부(검사해요), 전체 MNIST, 또는 내려받을 폴더."""

# --8<-- [start:root]
import hashlib
import os
from pathlib import Path


class DataFileError(RuntimeError):
    """저장소에 함께 실은 MNIST 파일이 없거나, 실었던 파일과 내용이 달라요."""


def find_data_dir() -> Path | None:
    """저장소의 data/ 폴더: 지금 폴더에서 위로 올라가며 처음 만나는, MNIST/SHA256SUMS가 든 폴더예요."""
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
            raise DataFileError(f"{path}: MNIST 파일이 없어요")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            raise DataFileError(f"{path}: SHA-256이 {actual}이에요. {expected}여야 해요")
        checked.append(path)
    return checked


def mnist_root() -> Path:
    """torchvision의 MNIST에 넘길 `root` 폴더."""
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
