"""Each snippet file runs on its own from the project root, as the pages tell readers to run it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_LINES = [
    "훈련 세트 3,850장, 검증 세트 350장",
    "배치 수: 훈련 121개, 검증 11개",  # 3,850 / 32 = 120.3: 121 batches, the last one of 10 images
    "배치 하나: images (32, 1, 28, 28), labels (32,)",
    "픽셀 값 범위: -1.0 ~ 1.0",
]


MODULES = [
    "snippets.dataset.mnist_files",
    "snippets.steps.data.pytorch",
    "snippets.steps.data.lightning",
    "snippets.steps.model.pytorch",
    "snippets.steps.model.lightning",
    "snippets.steps.training.pytorch",
]


@pytest.fixture(scope="module")
def outputs() -> dict[str, subprocess.CompletedProcess[str]]:
    """`python -m <module>` for each file, started together: each mostly waits on its imports."""
    env = {key: value for key, value in os.environ.items() if key != "FULL_MNIST"}
    env["OMP_NUM_THREADS"] = "1"  # six processes on a small machine: one thread each (see conftest.py)
    started = {
        module: subprocess.Popen(
            [sys.executable, "-m", module],
            cwd=REPO_ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for module in MODULES
    }
    finished = {}
    for module, process in started.items():
        stdout, stderr = process.communicate(timeout=300)
        finished[module] = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    return finished


@pytest.fixture
def run_module(outputs):
    def stdout_of(module: str) -> str:
        result = outputs[module]
        assert result.returncode == 0, f"python -m {module} failed:\n{result.stderr}"
        return result.stdout

    return stdout_of


def test_mnist_files(run_module):
    lines = run_module("snippets.dataset.mnist_files").splitlines()
    assert lines == [
        "확인 완료: MNIST/raw/train-images-idx3-ubyte (3,292,816 바이트)",
        "확인 완료: MNIST/raw/train-labels-idx1-ubyte (4,208 바이트)",
        "확인 완료: MNIST/raw/t10k-images-idx3-ubyte (627,216 바이트)",
        "확인 완료: MNIST/raw/t10k-labels-idx1-ubyte (808 바이트)",
    ]


@pytest.mark.parametrize("name", ["pytorch", "lightning"])
def test_data(run_module, name):
    lines = run_module(f"snippets.steps.data.{name}").splitlines()
    assert lines[:4] == DATA_LINES
    assert re.fullmatch(r"픽셀 값 평균: -0\.\d\d", lines[4]), "mostly background (-1): the mean is below 0"
    assert re.fullmatch(r"첫 배치의 레이블: \[(\d, ){9}\d\]", lines[5])
    assert len(lines) == 6


def test_data_files_print_the_same_thing(run_module):
    assert run_module("snippets.steps.data.pytorch") == run_module("snippets.steps.data.lightning")


def test_pytorch_model(run_module):
    output = run_module("snippets.steps.model.pytorch")
    assert output.startswith("SimpleNN(\n")
    assert "(0): Linear(in_features=784, out_features=128, bias=True)" in output
    assert "훈련할 파라미터 수: 109,386\n" in output
    assert "가짜 배치 (2, 1, 28, 28) -> 출력 (2, 10)\n" in output
    assert re.search(r"^첫 이미지의 점수 10개: \[(-?\d\.\d+, ){9}-?\d\.\d+\]$", output, re.MULTILINE)
    assert re.search(r"^가장 큰 점수의 자리\(argmax\): \d$", output, re.MULTILINE)


def test_lightning_model(run_module):
    output = run_module("snippets.steps.model.lightning")
    assert re.search(r"^109 K +Trainable params$", output, re.MULTILINE)
    assert re.search(r"^1 \| layers +\| Sequential +\| 109 K ", output, re.MULTILINE)
    assert output.splitlines()[-1] == "훈련할 파라미터 수: 109,386"


def test_pytorch_training(run_module):
    lines = run_module("snippets.steps.training.pytorch").splitlines()
    epoch_lines = [line for line in lines if re.match(r"^Epoch \d: train_loss=", line)]
    assert len(epoch_lines) == 5
    assert [line.split(":")[0] for line in epoch_lines] == [f"Epoch {i}" for i in range(5)]
    assert all(re.fullmatch(r"Epoch \d: train_loss=\d\.\d{4}, val_loss=\d\.\d{4}, val_acc=\d\.\d{4}", x) for x in lines)
