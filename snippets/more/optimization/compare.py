"""Optimization: train both ways again in one process; compare their optimizer steps and final weights."""

# --8<-- [start:train]
import contextlib
import io
import logging

import pytorch_lightning as pl
import torch

from snippets.more.optimization.lightning import ACCUMULATE, make_trainer
from snippets.more.optimization.pytorch import fit_accumulating
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training.pytorch import fit

logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요


def train_pytorch(accumulate=1):
    """PyTorch 코드로 훈련하고, 모델과 옵티마이저 스텝 수를 돌려줘요. 에폭마다 찍는 줄은 위에서 봤으니 숨겨요."""
    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    with contextlib.redirect_stdout(io.StringIO()):
        if accumulate == 1:
            history = fit(model, train_loader, val_loader)  # 3단계의 반복문: 배치마다 스텝
            steps = len(train_loader) * len(history)
        else:
            history = fit_accumulating(model, train_loader, val_loader, accumulate=accumulate)
            steps = sum(epoch["steps"] for epoch in history)
    return model, steps


def train_lightning(module_class, accumulate=1):
    """Lightning으로 훈련하고, 모델과 옵티마이저 스텝 수(trainer.global_step)를 돌려줘요."""
    pl.seed_everything(SEED, verbose=False)
    model = module_class()
    trainer = make_trainer(accumulate_grad_batches=accumulate)
    with contextlib.redirect_stdout(io.StringIO()):
        trainer.fit(model, datamodule=MNISTDataModule())
    return model, trainer.global_step


# --8<-- [end:train]


if __name__ == "__main__":
    # --8<-- [start:accumulate]
    from snippets.steps.model.lightning import LitMNIST
    from snippets.summary.compare import max_weight_difference  # 정리에서 만든 함수

    torch_model, torch_steps = train_pytorch(accumulate=ACCUMULATE)
    lit_model, lit_steps = train_lightning(LitMNIST, accumulate=ACCUMULATE)
    print(f"옵티마이저 스텝: PyTorch 코드 {torch_steps}번, Lightning 코드 {lit_steps}번")
    print(f"두 모델 파라미터의 최대 차이: {max_weight_difference(torch_model, lit_model)}")
    # --8<-- [end:accumulate]

    # --8<-- [start:manual]
    from snippets.more.optimization.manual import LitMNISTManual

    manual_model, manual_steps = train_lightning(LitMNISTManual)  # 수동 최적화
    auto_model, auto_steps = train_lightning(LitMNIST)  # 자동 최적화: 2단계의 LitMNIST 그대로
    plain_model, plain_steps = train_pytorch()  # 3단계의 PyTorch 반복문
    print(f"옵티마이저 스텝: 수동 {manual_steps}번, 자동 {auto_steps}번, PyTorch 코드 {plain_steps}번")
    print(f"파라미터의 최대 차이, 수동과 자동: {max_weight_difference(manual_model, auto_model)}")
    print(f"파라미터의 최대 차이, 수동과 PyTorch 코드: {max_weight_difference(manual_model, plain_model)}")
    # --8<-- [end:manual]
