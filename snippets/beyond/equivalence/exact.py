"""Equivalence: same start, same batches, same steps; then why it is exact (the sanity check, weighted means)."""

# --8<-- [start:watcher]
import matplotlib.pyplot as plt
import pytorch_lightning as pl
import torch
from torch.nn import functional as F

from snippets.beyond.equivalence.plot import plot_step_losses
from snippets.beyond.equivalence.runs import (
    max_difference,
    max_step_difference,
    print_epochs,
    same_start,
    train_lightning,
    train_pytorch,
)
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import build_dataloaders


class RngWatcher(pl.Callback):
    """전역 난수 생성기의 상태를 sanity check 앞뒤와 훈련 시작 때 복사해 둬요."""

    def __init__(self):
        self.states = {}
        self.sanity_batches = 0

    def on_sanity_check_start(self, trainer, pl_module):
        self.states["sanity check 시작"] = torch.get_rng_state()

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        if trainer.sanity_checking:
            self.sanity_batches += 1

    def on_sanity_check_end(self, trainer, pl_module):
        self.states["sanity check 끝"] = torch.get_rng_state()

    def on_train_start(self, trainer, pl_module):
        self.states["훈련 시작"] = torch.get_rng_state()


# --8<-- [end:watcher]


# --8<-- [start:batch-losses]
def batch_losses(model, loader):
    """배치마다 손실(배치 안의 평균)과 배치 크기를 돌려줘요."""
    model.eval()
    losses, sizes = [], []
    with torch.no_grad():
        for images, labels in loader:
            losses.append(F.cross_entropy(model(images), labels).item())
            sizes.append(len(labels))
    return losses, sizes


# --8<-- [end:batch-losses]


if __name__ == "__main__":
    # --8<-- [start:start]
    torch_model, lit_model = same_start()
    difference = max_difference(torch_model.state_dict(), lit_model.state_dict())
    print(f"훈련 전 두 모델 파라미터의 최대 차이: {difference:.6g}")
    # --8<-- [end:start]

    # --8<-- [start:train]
    train_loader, val_loader = build_dataloaders()  # 1단계의 함수: 훈련 데이터로더에 시드 42의 생성기
    watcher = RngWatcher()  # 아래 'sanity check'에서 읽어요
    torch_history = train_pytorch(torch_model, train_loader, val_loader)
    lit_history = train_lightning(lit_model, MNISTDataModule(), callbacks=[watcher])

    steps = len(torch_history.step_losses), len(lit_history.step_losses)
    print(f"훈련 스텝 수: PyTorch 코드 {steps[0]}번, Lightning 코드 {steps[1]}번")
    print(f"스텝별 훈련 손실의 최대 차이: {max_step_difference(torch_history, lit_history):.6g}")
    print()
    print_epochs(torch_history, lit_history)
    # --8<-- [end:train]

    # --8<-- [start:plot]
    plot_step_losses(
        torch_history.step_losses,
        lit_history.step_losses,
        "같은 출발, 같은 배치 순서: 두 코드의 스텝별 훈련 손실이 겹쳐요",
    )
    plt.show()
    # --8<-- [end:plot]

    # --8<-- [start:sanity]
    states = watcher.states
    print(f"sanity check가 돌린 검증 배치: {watcher.sanity_batches}개")
    same = torch.equal(states["sanity check 끝"], states["sanity check 시작"])
    print(f"sanity check가 끝날 때의 상태가 시작할 때와 같나요? {same}")
    same = torch.equal(states["훈련 시작"], states["sanity check 시작"])
    print(f"훈련을 시작할 때의 상태가 sanity check를 시작할 때와 같나요? {same}")
    # --8<-- [end:sanity]

    # --8<-- [start:weighted]
    losses, sizes = batch_losses(lit_model, val_loader)  # 훈련을 마친 Lightning 모델, 같은 검증 데이터로더
    plain_mean = sum(losses) / len(losses)
    weighted_mean = sum(loss * size for loss, size in zip(losses, sizes, strict=True)) / sum(sizes)
    print(f"검증 배치 {len(sizes)}개의 크기: {sizes}")
    print(f"배치 손실을 그냥 평균한 값:       {plain_mean:.6f}")
    print(f"배치 크기를 가중치로 평균한 값:   {weighted_mean:.6f}")
    print(f"Lightning이 기록한 val_loss:      {lit_history.val_losses[-1]:.6f}")
    print(f"PyTorch 코드의 val_loss:          {torch_history.val_losses[-1]:.6f}")
    # --8<-- [end:weighted]
