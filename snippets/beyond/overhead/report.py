"""The overhead page's report: the machine, then each model's medians, differences and shares, and the figure."""

# --8<-- [start:report]
import os
import platform
from importlib.metadata import version
from pathlib import Path

from snippets.beyond.overhead.measure import EPOCHS, REPEATS, THREADS, TRAIN_BATCHES, VAL_BATCHES, measure
from snippets.beyond.overhead.models import MODELS, parameter_count
from snippets.steps.training.pytorch import pick_device


def cpu_model(cpuinfo=Path("/proc/cpuinfo")):
    """CPU 이름이에요. Linux는 /proc/cpuinfo에서 읽고, 거기 없으면 platform이 아는 이름을 써요."""
    try:
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "알 수 없음"


def print_machine(threads):
    print(f"기계: {platform.platform()}, CPU {cpu_model()}, 코어 {os.cpu_count()}개")
    print(f"장치: {pick_device()}, 잴 때 torch 스레드 {threads}개")
    versions = [f"{name} {version(name)}" for name in ["torch", "pytorch-lightning", "torchmetrics"]]
    print(f"버전: Python {platform.python_version()}, " + ", ".join(versions))


ROWS = [  # (Samples의 이름, 단위에 곱할 수, 줄 이름)
    ("startup", 1, "시작: 첫 훈련 배치 직전까지 (초)"),
    ("epoch", 1, "에폭 하나 (초)"),
    ("step", 1000, "훈련 스텝 하나 (밀리초)"),
]


def overhead_rows(pytorch, lightning):
    """(PyTorch, Lightning, 차이, 비율, 줄 이름) 줄들이에요. 비율은 Lightning 코드의 시간 가운데 차이의 비율이에요."""
    mine, theirs = pytorch.medians(), lightning.medians()
    rows = []
    for name, scale, label in ROWS:
        difference = theirs[name] - mine[name]
        rows.append((mine[name] * scale, theirs[name] * scale, difference * scale, difference / theirs[name], label))
    return rows


def print_overhead(name, model, pytorch, lightning):
    print(f"{name} (파라미터 {parameter_count(model):,}개)")
    print(f"{'PyTorch':>9}{'Lightning':>11}     차이     비율  단계(중앙값)")
    for mine, theirs, difference, share, label in overhead_rows(pytorch, lightning):
        print(f"{mine:>9.3f}{theirs:>11.3f}{difference:>+9.3f}{share:>+9.1%}  {label}")
    print(f"{'-':>9}{lightning.medians()['sanity']:>11.3f}{'':18}  그중 sanity check (초)")
    extra = lightning.medians()["startup"] - pytorch.medians()["startup"]
    print(f"시작에 더 든 시간은 PyTorch 코드의 훈련 스텝 {extra / pytorch.medians()['step']:.0f}번만큼이에요.")


def print_step_scaling(results):
    """두 모델의 훈련 스텝 줄을 견줘요. 넓은 모델에서 스텝 시간은 몇 배가 되고, 차이는 얼마가 되나요?"""
    small, wide = (overhead_rows(runs["PyTorch"], runs["Lightning"])[-1] for runs in results.values())
    print(
        f"넓은 모델에서 PyTorch 코드의 스텝은 {wide[0] / small[0]:.1f}배로 길어지고, "
        f"스텝마다의 차이는 {small[2]:+.3f}밀리초에서 {wide[2]:+.3f}밀리초가 돼요."
    )


# --8<-- [end:report]


if __name__ == "__main__":
    # --8<-- [start:run]
    import logging

    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요
    results = measure()

    print_machine(THREADS)
    print(f"재는 방법: 두 코드를 번갈아 {REPEATS}번씩, 한 번에 {EPOCHS} 에폭,", end=" ")
    print(f"에폭마다 훈련 배치 {TRAIN_BATCHES}개와 검증 배치 {VAL_BATCHES}개")
    for name, (make_model, _) in MODELS.items():
        print()
        print_overhead(name, make_model(), results[name]["PyTorch"], results[name]["Lightning"])
    print()
    print_step_scaling(results)
    # --8<-- [end:run]

    # --8<-- [start:import_time]
    from snippets.beyond.overhead.imports import print_imports, time_imports

    guide = results["이 가이드의 MLP"]
    startup_difference = guide["Lightning"].medians()["startup"] - guide["PyTorch"].medians()["startup"]
    print_imports(time_imports(), startup_difference)
    # --8<-- [end:import_time]

    # --8<-- [start:plot]
    import matplotlib.pyplot as plt

    from snippets.beyond.overhead.plot import plot_overhead

    figure = plot_overhead(results)
    plt.show()
    # --8<-- [end:plot]
