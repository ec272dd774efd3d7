"""Getting started: the Python and the package versions this build ran with."""

# --8<-- [start:versions]
import importlib.metadata
import platform

PACKAGES = ["torch", "torchvision", "pytorch-lightning", "torchmetrics"]


def installed_versions(packages=PACKAGES):
    """{패키지 이름: 설치된 버전}. 설치되어 있지 않으면 PackageNotFoundError가 나요."""
    return {name: importlib.metadata.version(name) for name in packages}


# --8<-- [end:versions]


if __name__ == "__main__":
    # --8<-- [start:print]
    print(f"{'Python':<18} {platform.python_version()}")
    for name, version in installed_versions().items():
        print(f"{name:<18} {version}")
    # --8<-- [end:print]
