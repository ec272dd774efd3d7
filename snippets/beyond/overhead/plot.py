"""The overhead page's figure: both codes' medians side by side, a row per model and a panel per measure."""

# --8<-- [start:plot]
import matplotlib.pyplot as plt

from snippets.beyond.overhead.report import overhead_rows
from snippets.plotting import use_korean_font

COLORS = ["#ee4c2c", "#792ee5"]  # PyTorch, Lightning: 두 도구의 로고 색


def plot_overhead(results):
    """measure()의 결과를 그려요. 칸마다 두 코드의 중앙값 막대와, 제목 아래에 비율을 적어요."""
    use_korean_font()
    figure, axes = plt.subplots(len(results), 3, figsize=(8, 3.8 * len(results)), squeeze=False, layout="constrained")
    for row, (name, runs) in zip(axes, results.items(), strict=True):
        rows = overhead_rows(runs["PyTorch"], runs["Lightning"])
        for ax, (mine, theirs, _, share, label) in zip(row, rows, strict=True):
            bars = ax.bar(["PyTorch", "Lightning"], [mine, theirs], color=COLORS)
            ax.bar_label(bars, fmt="%.3g")
            ax.margins(y=0.2)  # 막대 위의 숫자가 들어갈 자리
            ax.set_title(f"{name}\n{label}\n비율 {share:+.1%}", fontsize=11)
    figure.suptitle("PyTorch 코드와 Lightning 코드의 시간 (이번 빌드의 중앙값)")
    return figure


# --8<-- [end:plot]
