"""Step 1 with Lightning: the same data, organised into a LightningDataModule's hooks."""

# --8<-- [start:datamodule]
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, random_split
from torchvision import datasets, transforms

from snippets.dataset.mnist_files import mnist_root

SEED = 42
BATCH_SIZE = 32


class MNISTDataModule(pl.LightningDataModule):
    def __init__(self, batch_size=BATCH_SIZE, seed=SEED):
        super().__init__()
        self.batch_size = batch_size
        self.seed = seed
        self.transform = transforms.Compose(
            [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]
        )

    def prepare_data(self):
        # 내려받기만 해요(한 번만 실행). 변환은 setup에서 붙여요.
        datasets.MNIST(root=mnist_root(), train=True, download=True)

    def setup(self, stage=None):
        full_train = datasets.MNIST(root=mnist_root(), train=True, transform=self.transform)
        val_size = len(full_train) // 12
        train_size = len(full_train) - val_size
        self.train_set, self.val_set = random_split(
            full_train, [train_size, val_size], generator=torch.Generator().manual_seed(self.seed)
        )

    def train_dataloader(self):
        return DataLoader(
            self.train_set,
            batch_size=self.batch_size,
            shuffle=True,
            generator=torch.Generator().manual_seed(self.seed),
        )

    def val_dataloader(self):
        return DataLoader(self.val_set, batch_size=self.batch_size)
# --8<-- [end:datamodule]


if __name__ == "__main__":
    # --8<-- [start:inspect]
    datamodule = MNISTDataModule()
    datamodule.prepare_data()
    datamodule.setup("fit")
    images, labels = next(iter(datamodule.train_dataloader()))
    print(f"훈련 세트 {len(datamodule.train_set):,}장, 검증 세트 {len(datamodule.val_set):,}장")
    print(f"배치 수: 훈련 {len(datamodule.train_dataloader())}개, 검증 {len(datamodule.val_dataloader())}개")
    print(f"배치 하나: images {tuple(images.shape)}, labels {tuple(labels.shape)}")
    print(f"픽셀 값 범위: {images.min().item():.1f} ~ {images.max().item():.1f}")
    print(f"픽셀 값 평균: {images.mean().item():.2f}")
    print(f"첫 배치의 레이블: {labels[:10].tolist()}")
    # --8<-- [end:inspect]
