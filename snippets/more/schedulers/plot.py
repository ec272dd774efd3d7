"""Schedulers: the learning rate of each epoch, both codes in one figure."""

# --8<-- [start:plot]
import matplotlib.pyplot as plt

from snippets.plotting import use_korean_font

COLORS = ["#ee4c2c", "#792ee5"]  # PyTorch, Lightning: 두 도구의 로고 색


def plot_learning_rates(torch_lrs, lit_lrs, title):
    """에폭마다 쓴 학습률을 계단 모양으로 그려요. 한 에폭 동안은 학습률이 그대로니까요."""
    use_korean_font()  # 한글 글자가 보이도록 글꼴을 정해요
    fig, ax = plt.subplots(figsize=(7, 3.4), layout="constrained")
    epochs = range(len(torch_lrs))
    # 두 선이 겹치면 위의 선만 보여요. 아래 선은 굵고 옅게, 위의 선은 가는 점선으로 그려요.
    ax.plot(epochs, torch_lrs, "o-", drawstyle="steps-post", color=COLORS[0], linewidth=5, markersize=11, alpha=0.35)
    ax.plot(epochs, lit_lrs, "o--", drawstyle="steps-post", color=COLORS[1], linewidth=1.2)
    ax.legend(["PyTorch 코드", "Lightning 코드"])
    ax.set_xticks(epochs)
    values = sorted(set(torch_lrs) | set(lit_lrs))
    ax.set_yticks(values, [f"{value:g}" for value in values])  # 눈금은 실제로 쓴 학습률에만 달아요
    ax.set_ylim(0, max(values) * 1.15)
    ax.set_xlabel("에폭")
    ax.set_ylabel("학습률")
    fig.suptitle(title)
    return fig


# --8<-- [end:plot]
