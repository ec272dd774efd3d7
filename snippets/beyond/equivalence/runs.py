"""Equivalence: train both codes while writing down every step's loss and, after each epoch, the metrics and weights."""

# --8<-- [start:history]
import logging
from dataclasses import dataclass, field

import pytorch_lightning as pl
import torch
from torch import nn

from snippets.steps.data.pytorch import SEED
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.run.lightning import pick_accelerator
from snippets.steps.training.pytorch import LEARNING_RATE, evaluate, pick_device, train_one_epoch

EPOCHS = 2  # 두 코드를 나란히 보기에는 2 에폭이면 충분해요


@dataclass
class History:
    step_losses: list = field(default_factory=list)  # 훈련 스텝마다의 손실
    val_losses: list = field(default_factory=list)  # 에폭마다의 검증 손실
    val_accs: list = field(default_factory=list)  # 에폭마다의 검증 정확도
    weights: list = field(default_factory=list)  # 에폭이 끝날 때마다 복사해 둔 가중치(state_dict)

    def end_epoch(self, val_loss, val_acc, model):
        self.val_losses.append(val_loss)
        self.val_accs.append(val_acc)
        self.weights.append({name: value.detach().cpu().clone() for name, value in model.state_dict().items()})


def max_difference(weights_a, weights_b):
    """같은 이름의 가중치끼리 뺀 값 가운데 가장 큰 차이(절댓값)예요."""
    return max((weights_a[name] - weights_b[name]).abs().max().item() for name in weights_a)


# --8<-- [end:history]


# --8<-- [start:pytorch]
class RecordedLoss(nn.CrossEntropyLoss):
    """보통의 CrossEntropyLoss인데, 불릴 때마다 손실 값을 적어 둬요."""

    def __init__(self, record):
        super().__init__()
        self.record = record

    def forward(self, outputs, labels):
        loss = super().forward(outputs, labels)
        self.record.append(loss.item())
        return loss


def train_pytorch(model, train_loader, val_loader, epochs=EPOCHS):
    device = pick_device()
    model.to(device)
    history = History()
    loss_fn = RecordedLoss(history.step_losses)  # 훈련 스텝의 손실이 history에 쌓여요
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    for _ in range(epochs):
        train_one_epoch(model, train_loader, loss_fn, optimizer, device)  # 3단계의 함수 그대로예요
        val_loss, val_acc = evaluate(model, val_loader, nn.CrossEntropyLoss(), device)
        history.end_epoch(val_loss, val_acc, model)
    return history


# --8<-- [end:pytorch]


# --8<-- [start:lightning]
logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요


class Recorder(pl.Callback):
    """Trainer가 훈련 배치를 마칠 때마다, 에폭을 마칠 때마다 불러 주는 콜백이에요."""

    def __init__(self):
        self.history = History()

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self.history.step_losses.append(outputs["loss"].item())  # training_step이 돌려준 손실

    def on_train_epoch_end(self, trainer, pl_module):
        metrics = trainer.callback_metrics  # 이 에폭의 검증이 끝난 뒤라 val_loss, val_acc가 들어 있어요
        self.history.end_epoch(metrics["val_loss"].item(), metrics["val_acc"].item(), pl_module)


def train_lightning(model, datamodule, epochs=EPOCHS, callbacks=()):
    recorder = Recorder()
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator=pick_accelerator(),  # PyTorch 코드와 같은 장치예요
        devices=1,
        callbacks=[recorder, *callbacks],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,  # 진행 막대는 4단계에서 봤으니 꺼요
        enable_model_summary=False,
    )
    trainer.fit(model, datamodule=datamodule)
    return recorder.history


# --8<-- [end:lightning]


# --8<-- [start:start]
def same_start():
    torch.manual_seed(SEED)
    torch_model = SimpleNN()
    lit_model = LitMNIST()  # 여기서 만든 초기 가중치는 곧 덮어써요
    lit_model.load_state_dict(torch_model.state_dict())  # PyTorch 모델의 초기 가중치를 그대로 복사해요
    return torch_model, lit_model


# --8<-- [end:start]


# --8<-- [start:table]
def print_epochs(torch_history, lit_history):
    print(f"{'':6}{'val_loss':^22}{'val_acc':^22}")
    print(f"{'에폭':<4}{'PyTorch':>11}{'Lightning':>11}{'PyTorch':>11}{'Lightning':>11}  파라미터 최대 차이")
    rows = zip(
        torch_history.val_losses,
        lit_history.val_losses,
        torch_history.val_accs,
        lit_history.val_accs,
        torch_history.weights,
        lit_history.weights,
        strict=True,
    )
    for epoch, (loss_a, loss_b, acc_a, acc_b, weights_a, weights_b) in enumerate(rows, start=1):
        difference = max_difference(weights_a, weights_b)
        print(f"{epoch:<6}{loss_a:>11.6f}{loss_b:>11.6f}{acc_a:>11.6f}{acc_b:>11.6f}  {difference:.6g}")
    torch_metrics = torch_history.val_losses + torch_history.val_accs
    lit_metrics = lit_history.val_losses + lit_history.val_accs
    gap = max(abs(a - b) for a, b in zip(torch_metrics, lit_metrics, strict=True))
    print(f"val_loss, val_acc의 최대 차이: {gap:.2g}")


def max_step_difference(torch_history, lit_history):
    pairs = zip(torch_history.step_losses, lit_history.step_losses, strict=True)
    return max(abs(a - b) for a, b in pairs)


# --8<-- [end:table]
