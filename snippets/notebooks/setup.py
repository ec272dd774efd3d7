"""The notebooks' first cell: pip-install only what this Python lacks.

Colab has torch and torchvision but not Lightning or torchmetrics; this project's
.venv has everything, so there the cell installs nothing. The pins are
requirements.txt's (tests/test_snippets/test_notebook_setup.py checks that they match).
"""

# --8<-- [start:install]
import importlib.util
import subprocess
import sys


def install_missing(packages):
    """packages: {모듈 이름: pip 패키지}. 불러올 수 없는 모듈의 패키지만 설치해요."""
    missing = [package for module, package in packages.items() if importlib.util.find_spec(module) is None]
    if missing:
        subprocess.check_call([sys.executable, "-m", "pip", "install", "--quiet", *missing])
        print(f"설치했어요: {', '.join(missing)}")
    else:
        print("필요한 패키지가 이미 모두 있어서 설치하지 않았어요.")


# --8<-- [end:install]


if __name__ == "__main__":
    # --8<-- [start:install-pytorch]
    install_missing({"torch": "torch", "torchvision": "torchvision"})  # Colab에는 둘 다 있어요
    # --8<-- [end:install-pytorch]

    # --8<-- [start:install-lightning]
    install_missing(
        {
            "torch": "torch",  # Colab에는 torch와 torchvision이 있어요
            "torchvision": "torchvision",
            "pytorch_lightning": "pytorch-lightning==2.6.6",
            "torchmetrics": "torchmetrics==1.9.0",
        }
    )
    # --8<-- [end:install-lightning]
