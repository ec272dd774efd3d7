"""Step 1 in plain PyTorch: datasets, the training/validation split and the DataLoaders."""

# --8<-- [start:build]
import torch
from torch.utils.data import DataLoader, random_split
from torchvision import datasets, transforms

from snippets.dataset.mnist_files import mnist_root

SEED = 42
BATCH_SIZE = 32

transform = transforms.Compose(
    [
        transforms.ToTensor(),  # 0~255 픽셀 -> 0.0~1.0 텐서
        transforms.Normalize((0.5,), (0.5,)),  # 0.0~1.0 -> -1.0~1.0
    ]
)


def build_dataloaders(batch_size=BATCH_SIZE, seed=SEED):
    full_train = datasets.MNIST(root=mnist_root(), train=True, download=True, transform=transform)
    val_size = len(full_train) // 12  # 60,000장이면 5,000장: 원래 글과 같은 비율
    train_size = len(full_train) - val_size
    train_set, val_set = random_split(
        full_train, [train_size, val_size], generator=torch.Generator().manual_seed(seed)
    )
    train_loader = DataLoader(
        train_set,
        batch_size=batch_size,
        shuffle=True,  # 훈련 데이터만 섞어요
        generator=torch.Generator().manual_seed(seed),
    )
    val_loader = DataLoader(val_set, batch_size=batch_size)
    return train_loader, val_loader
# --8<-- [end:build]


if __name__ == "__main__":
    # --8<-- [start:inspect]
    train_loader, val_loader = build_dataloaders()
    images, labels = next(iter(train_loader))
    print(f"훈련 세트 {len(train_loader.dataset):,}장, 검증 세트 {len(val_loader.dataset):,}장")
    print(f"배치 수: 훈련 {len(train_loader)}개, 검증 {len(val_loader)}개")
    print(f"배치 하나: images {tuple(images.shape)}, labels {tuple(labels.shape)}")
    print(f"픽셀 값 범위: {images.min().item():.1f} ~ {images.max().item():.1f}")
    print(f"픽셀 값 평균: {images.mean().item():.2f}")
    print(f"첫 배치의 레이블: {labels[:10].tolist()}")
    # --8<-- [end:inspect]
