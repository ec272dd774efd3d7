"""Read a CSV log of metrics and draw the learning curve from it; both tabs use it."""

# --8<-- [start:curve]
import csv

import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font

METRICS = ("train_loss", "val_loss", "val_acc")


def read_log(path):
    """CSV 기록 파일을 에폭마다 한 줄(딕셔너리)로 읽고, 지표마다 (에폭, 값)의 목록도 만들어 돌려줘요.

    한 에폭이 여러 줄에 나뉘어 있으면(Lightning의 CSVLogger) 빈칸이 아닌 칸끼리 한 줄로 합쳐요.
    """
    epochs = {}
    with open(path, newline="") as file:
        for line_number, row in enumerate(csv.DictReader(file), start=2):  # 1번째 줄은 머리글
            merged = epochs.setdefault(row["epoch"], {})
            for name, value in row.items():
                if value and merged.setdefault(name, value) != value:
                    raise ValueError(f"{path}:{line_number}: 에폭 {row['epoch']}의 {name} 값이 앞줄과 달라요")
    rows = list(epochs.values())
    curves = {name: [(int(row["epoch"]), float(row[name])) for row in rows if name in row] for name in METRICS}
    return rows, curves


def plot_learning_curve(curves, title):
    """read_log가 읽은 지표로 손실(훈련, 검증)과 검증 정확도를 에폭마다 그려요."""
    use_korean_font()
    figure, (loss_axes, acc_axes) = plt.subplots(1, 2, figsize=(9, 3.5), layout="constrained")
    for name, label in (("train_loss", "훈련 손실"), ("val_loss", "검증 손실")):
        epochs, values = zip(*curves[name], strict=True)
        loss_axes.plot(epochs, values, marker="o", label=label)
    epochs, values = zip(*curves["val_acc"], strict=True)
    acc_axes.plot(epochs, values, marker="o", color="tab:green", label="검증 정확도")
    for axes, ylabel in ((loss_axes, "손실"), (acc_axes, "정확도")):
        axes.set_xlabel("에폭")
        axes.set_ylabel(ylabel)
        axes.set_xticks(epochs)
        axes.legend()
    figure.suptitle(title)
    return figure


# --8<-- [end:curve]
