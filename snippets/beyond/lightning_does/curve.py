"""Read a CSV log of metrics and draw the learning curve from it; both tabs use it."""

# --8<-- [start:curve]
import csv

import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font

METRICS = ("train_loss", "val_loss", "val_acc")


def read_log(path):
    """CSV 기록 파일의 줄(딕셔너리)들과, 지표마다 (에폭, 값)의 목록을 돌려줘요. 빈칸은 건너뛰어요."""
    with open(path, newline="") as file:
        rows = list(csv.DictReader(file))
    curves = {name: [(int(row["epoch"]), float(row[name])) for row in rows if row.get(name)] for name in METRICS}
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
