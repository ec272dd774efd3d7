"""Looking at the digits: a grid of the shipped subset, then the trained model's confusion matrix and its mistakes."""

# --8<-- [start:grid]
import matplotlib.pyplot as plt
import torch

from snippets.plotting import use_korean_font


def show_digits(images, titles, suptitle, columns=8):
    """이미지 여러 장을 격자로 그리고, 이미지마다 제목을 달아요."""
    use_korean_font()
    rows = (len(images) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(columns * 1.1, rows * 1.35), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")  # 빈 칸은 비워 둬요
    for ax, image, title in zip(axes.flat[: len(images)], images, titles, strict=True):
        # 정규화한 값(-1.0~1.0)을 그대로 그려요. gray_r: 큰 값(획)일수록 검게
        ax.imshow(image.squeeze(0).numpy(), cmap="gray_r", vmin=-1.0, vmax=1.0)
        ax.set_title(title, fontsize=9)
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig


# --8<-- [end:grid]


# --8<-- [start:confusion]
def predict_all(model, loader):
    """데이터로더의 모든 이미지에 대해 (이미지, 레이블, 예측한 숫자)를 모아 돌려줘요."""
    model.eval()  # 평가 모드
    device = next(model.parameters()).device
    all_images, all_labels, all_predicted = [], [], []
    with torch.no_grad():
        for images, labels in loader:
            predicted = model(images.to(device)).argmax(dim=1).cpu()  # 가장 큰 점수의 자리
            all_images.append(images)
            all_labels.append(labels)
            all_predicted.append(predicted)
    return torch.cat(all_images), torch.cat(all_labels), torch.cat(all_predicted)


def confusion_matrix(labels, predicted, num_classes=10):
    """행은 레이블, 열은 예측한 숫자예요. (i, j) 칸 = 레이블이 i인데 j로 예측한 이미지 수."""
    pairs = labels * num_classes + predicted  # (i, j) 쌍을 0~99의 번호 하나로
    return torch.bincount(pairs, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def plot_confusion_matrix(matrix):
    use_korean_font()
    fig, ax = plt.subplots(figsize=(6.4, 5.6))
    ax.imshow(matrix.numpy(), cmap="Blues")
    largest = matrix.max().item()
    for i in range(matrix.shape[0]):
        for j in range(matrix.shape[1]):
            count = matrix[i, j].item()
            color = "white" if count > largest / 2 else "black"  # 진한 칸에는 흰 글씨
            ax.text(j, i, str(count), ha="center", va="center", color=color, fontsize=9)
    ax.set_xticks(range(10))
    ax.set_yticks(range(10))
    ax.set_xlabel("모델이 예측한 숫자 (열)")
    ax.set_ylabel("레이블 (행)")
    fig.suptitle("검증 세트의 혼동 행렬")
    fig.tight_layout()
    return fig


# --8<-- [end:confusion]


if __name__ == "__main__":
    # --8<-- [start:show-grid]
    from snippets.steps.data.pytorch import SEED, build_dataloaders

    train_loader, val_loader = build_dataloaders()
    train_set = train_loader.dataset
    samples = [train_set[i] for i in range(32)]  # 훈련 세트의 앞 32장
    images = [image for image, label in samples]
    titles = [f"레이블 {label}" for image, label in samples]
    print(f"이미지 하나: {tuple(images[0].shape)}, 값 {images[0].min().item():.1f} ~ {images[0].max().item():.1f}")
    show_digits(images, titles, "훈련 세트의 앞 32장과 레이블")
    plt.show()
    # --8<-- [end:show-grid]

    # --8<-- [start:train]
    from snippets.steps.model.pytorch import SimpleNN
    from snippets.steps.training.pytorch import fit

    torch.manual_seed(SEED)
    model = SimpleNN()
    history = fit(model, train_loader, val_loader)  # 3단계와 똑같이 5 에폭
    # --8<-- [end:train]

    # --8<-- [start:show-confusion]
    from torchmetrics.functional.classification import multiclass_confusion_matrix

    val_images, val_labels, val_predicted = predict_all(model, val_loader)
    matrix = confusion_matrix(val_labels, val_predicted)
    total = matrix.sum().item()  # 모든 칸의 합 = 검증 이미지 수
    correct = matrix.trace().item()  # 대각선의 합 = 맞힌 이미지 수
    print(f"검증 이미지 {total}장 가운데 {correct}장을 맞혔어요: 정확도 {correct / total:.4f}")
    print("행의 합 (레이블마다 이미지 수):      ", matrix.sum(dim=1).tolist())
    print("열의 합 (숫자마다 그렇게 예측한 수): ", matrix.sum(dim=0).tolist())
    per_digit = matrix.diagonal() / matrix.sum(dim=1)  # 행마다: 그 숫자의 이미지 중 맞힌 비율
    print("숫자마다 맞힌 비율:", " ".join(f"{digit}:{rate:.2f}" for digit, rate in enumerate(per_digit.tolist())))
    off_diagonal = matrix - torch.diag(matrix.diagonal())  # 대각선을 지운 행렬: 틀린 것만 남아요
    counts, cells = off_diagonal.flatten().sort(descending=True, stable=True)  # 같은 수면 앞 칸부터
    for count, cell in zip(counts[:3].tolist(), cells[:3].tolist(), strict=True):
        print(f"많이 틀린 칸: 레이블 {cell // 10} -> 예측 {cell % 10}, {count}장")
    # 손으로 센 행렬을 torchmetrics가 센 것과 견줘 봐요
    same = torch.equal(matrix, multiclass_confusion_matrix(val_predicted, val_labels, num_classes=10))
    print(f"torchmetrics의 multiclass_confusion_matrix와 같은가요? {same}")
    plot_confusion_matrix(matrix)
    plt.show()
    # --8<-- [end:show-confusion]

    # --8<-- [start:show-mistakes]
    wrong = (val_predicted != val_labels).nonzero().flatten()  # 틀린 이미지의 번호
    print(f"틀린 이미지: {len(wrong)}장")
    show_digits(
        val_images[wrong],
        [f"예측 {val_predicted[i].item()} · 레이블 {val_labels[i].item()}" for i in wrong],
        "모델이 틀린 검증 이미지: 예측한 숫자와 레이블",
        columns=7,
    )
    plt.show()
    # --8<-- [end:show-mistakes]
