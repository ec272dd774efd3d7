"""Equivalence broken: the same runs, but the training DataLoaders shuffle without a generator of their own."""

# --8<-- [start:unseeded]
import matplotlib.pyplot as plt
from torch.utils.data import DataLoader

from snippets.beyond.equivalence.plot import plot_step_losses
from snippets.beyond.equivalence.runs import (
    max_step_difference,
    print_epochs,
    same_start,
    train_lightning,
    train_pytorch,
)
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import BATCH_SIZE, build_dataloaders


def unseeded_loaders():
    train_loader, val_loader = build_dataloaders()
    unseeded = DataLoader(train_loader.dataset, batch_size=BATCH_SIZE, shuffle=True)  # generator가 없어요
    return unseeded, val_loader


class UnseededDataModule(MNISTDataModule):
    def train_dataloader(self):
        return DataLoader(self.train_set, batch_size=self.batch_size, shuffle=True)  # generator가 없어요


# --8<-- [end:unseeded]


if __name__ == "__main__":
    # --8<-- [start:train]
    torch_model, lit_model = same_start()  # 출발은 위와 똑같아요
    torch_unseeded = train_pytorch(torch_model, *unseeded_loaders())
    lit_unseeded = train_lightning(lit_model, UnseededDataModule())

    print(f"스텝별 훈련 손실의 최대 차이: {max_step_difference(torch_unseeded, lit_unseeded):.6g}")
    print()
    print_epochs(torch_unseeded, lit_unseeded)
    # --8<-- [end:train]

    # --8<-- [start:plot]
    plot_step_losses(
        torch_unseeded.step_losses,
        lit_unseeded.step_losses,
        "생성기 없이 섞으면: 두 코드의 스텝별 훈련 손실이 갈라져요",
    )
    plt.show()
    # --8<-- [end:plot]
