"""Read a metrics.csv back, as Lightning's CSVLogger or the PyTorch tab wrote it, and draw the learning curve."""

# --8<-- [start:read]
import csv

import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font


def read_metrics(path):
    """metrics.csv를 지표마다 (step, 값)의 목록으로 읽어요. 빈칸은 그 줄에 없는 지표라 건너뛰어요."""
    metrics = {}
    with open(path, newline="") as file:
        for row in csv.DictReader(file):
            for name, value in row.items():
                if name not in ("epoch", "step") and value != "":
                    metrics.setdefault(name, []).append((int(row["step"]), float(value)))
    return metrics


def plot_losses(metrics, title):
    """스텝마다의 훈련 손실은 선으로, 에폭마다의 훈련 손실과 검증 손실은 에폭이 끝난 스텝에 점으로 그려요."""
    use_korean_font()  # 한글 글자가 보이도록 글꼴을 정해요
    fig, ax = plt.subplots(figsize=(7, 3.6), layout="constrained")
    curves = [
        ("train_loss_step", "훈련 손실 (기록한 스텝의 값)", {"marker": ".", "color": "tab:blue", "alpha": 0.6}),
        ("train_loss_epoch", "훈련 손실 (에폭 평균)", {"marker": "o", "color": "tab:blue", "linewidth": 2}),
        ("val_loss", "검증 손실 (에폭마다)", {"marker": "s", "color": "tab:orange", "linewidth": 2}),
    ]
    for name, label, style in curves:
        steps, values = zip(*metrics[name], strict=True)
        ax.plot(steps, values, label=label, **style)
    ax.set_xlabel("스텝 (metrics.csv의 step 열)")
    ax.set_ylabel("손실")
    ax.legend()
    fig.suptitle(title)
    return fig


# --8<-- [end:read]


if __name__ == "__main__":
    # --8<-- [start:both]
    import logging
    import tempfile
    from pathlib import Path

    import torch

    from snippets.more.logging.lightning import LitMNISTStepAndEpoch, fit_and_log
    from snippets.more.logging.pytorch import fit_and_log_by_hand
    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN

    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요

    with tempfile.TemporaryDirectory() as folder:
        torch.manual_seed(SEED)
        train_loader, val_loader = build_dataloaders()
        fit_and_log_by_hand(SimpleNN(), train_loader, val_loader, Path(folder) / "metrics.csv")  # PyTorch 탭
        by_hand = read_metrics(Path(folder) / "metrics.csv")
        trainer, path = fit_and_log(LitMNISTStepAndEpoch, folder)  # Lightning 탭
        logged = read_metrics(path)

    print(f"두 파일에 같은 지표가 있나요? {sorted(by_hand) == sorted(logged)}")
    for name in sorted(logged):
        steps_match = [step for step, _ in by_hand[name]] == [step for step, _ in logged[name]]
        pairs = zip(by_hand[name], logged[name], strict=True)
        difference = max(abs(mine - theirs) for (_, mine), (_, theirs) in pairs)
        print(f"{name:<16} 값 {len(logged[name]):>2}개, step이 같은가요? {steps_match}, 가장 큰 차이 {difference:.1e}")
    # --8<-- [end:both]

    # --8<-- [start:figure]
    plot_losses(logged, "Lightning이 쓴 metrics.csv를 다시 읽어 그린 손실")
    plt.show()
    # --8<-- [end:figure]
