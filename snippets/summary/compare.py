"""The summary: train both versions from the same start, then compare results, time and weights."""

# --8<-- [start:compare]
import logging
import time

import pytorch_lightning as pl
import torch

from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training.pytorch import EPOCHS, fit


def run_pytorch(epochs=EPOCHS):
    torch.manual_seed(SEED)  # 같은 씨앗 -> 같은 초기 가중치
    model = SimpleNN()
    train_loader, val_loader = build_dataloaders()
    start = time.perf_counter()
    history = fit(model, train_loader, val_loader, epochs=epochs)
    seconds = time.perf_counter() - start
    return model, history[-1], seconds


def run_lightning(epochs=EPOCHS):
    pl.seed_everything(SEED)
    model = LitMNIST()
    trainer = pl.Trainer(
        max_epochs=epochs,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,  # 여기서는 진행 막대 없이 결과만 봐요
        enable_model_summary=False,
    )
    start = time.perf_counter()
    trainer.fit(model, datamodule=MNISTDataModule())
    seconds = time.perf_counter() - start
    metrics = {name: value.item() for name, value in trainer.callback_metrics.items()}
    return model, metrics, seconds


def max_weight_difference(model_a, model_b):
    weights_a, weights_b = model_a.state_dict(), model_b.state_dict()
    return max((weights_a[name].cpu() - weights_b[name].cpu()).abs().max().item() for name in weights_a)


# --8<-- [end:compare]


if __name__ == "__main__":
    # --8<-- [start:run]
    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요
    print("== PyTorch ==")
    torch_model, torch_last, torch_seconds = run_pytorch()
    print("== Lightning ==")
    lit_model, lit_last, lit_seconds = run_lightning()

    print()
    print(f"{'':10}{'val_loss':>10}{'val_acc':>10}{'seconds':>10}")
    print(f"{'PyTorch':10}{torch_last['val_loss']:>10.4f}{torch_last['val_acc']:>10.4f}{torch_seconds:>10.1f}")
    print(f"{'Lightning':10}{lit_last['val_loss']:>10.4f}{lit_last['val_acc']:>10.4f}{lit_seconds:>10.1f}")
    print(f"두 모델 가중치의 최대 차이: {max_weight_difference(torch_model, lit_model)}")
    # --8<-- [end:run]
