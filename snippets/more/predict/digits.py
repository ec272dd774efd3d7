"""Prediction: one t10k digit per label, and a way to draw a digit with characters."""

# --8<-- [start:digits]
import torch
from torchvision import datasets

from snippets.dataset.mnist_files import mnist_root
from snippets.steps.data.pytorch import transform

SHADES = " .:-=+*#%@"  # 값이 작은 픽셀(배경)부터 큰 픽셀(잉크)까지


def sample_digits():
    """t10k 파일에서 레이블마다 처음 나오는 이미지 하나씩: 0부터 9까지 10장."""
    test_set = datasets.MNIST(root=mnist_root(), train=False, download=True, transform=transform)
    first = {}
    for index, label in enumerate(test_set.targets.tolist()):
        first.setdefault(label, index)
    images = torch.stack([test_set[first[label]][0] for label in range(10)])
    return images, torch.arange(10)


def draw(image):
    """-1~1로 정규화한 28x28 이미지를 글자로 그려요. 글자는 세로로 길어서 가로로 두 번씩 써요."""
    levels = ((image.squeeze(0) + 1) / 2 * (len(SHADES) - 1)).round().int()
    rows = ["".join(SHADES[level] * 2 for level in row) for row in levels.tolist()]
    inked = [number for number, row in enumerate(rows) if row.strip()]
    return "\n".join(rows[inked[0] : inked[-1] + 1])  # 잉크가 없는 위아래 줄은 빼요


def print_predictions(labels, predicted, probabilities):
    for label, guess, probs in zip(labels.tolist(), predicted.tolist(), probabilities, strict=True):
        mark = "" if guess == label else "  <- 틀렸어요"
        print(f"레이블 {label} -> 예측 {guess} (확률 {probs[guess].item():.3f}){mark}")


# --8<-- [end:digits]


if __name__ == "__main__":
    # --8<-- [start:pick]
    images, labels = sample_digits()
    print(f"images {tuple(images.shape)}, labels {labels.tolist()}")
    print(draw(images[7]))  # 레이블이 7인 이미지
    # --8<-- [end:pick]
