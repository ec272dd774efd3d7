"""Equivalence: both codes' per-step training losses in one figure."""

# --8<-- [start:plot]
import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font


def plot_step_losses(torch_losses, lit_losses, title):
    use_korean_font()  # 한글 글자가 보이도록 글꼴을 정해요
    fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
    steps = range(1, len(torch_losses) + 1)
    # 두 선이 겹치면 위의 선만 보여요. 아래 선은 굵고 옅게, 위의 선은 가는 점선으로 그려요.
    ax.plot(steps, torch_losses, label="PyTorch 코드", linewidth=5, alpha=0.35)
    ax.plot(steps, lit_losses, label="Lightning 코드", linewidth=1.2, linestyle="--")
    ax.set_xlabel("훈련 스텝")
    ax.set_ylabel("훈련 손실")
    ax.legend()
    fig.suptitle(title)
    return fig


# --8<-- [end:plot]
