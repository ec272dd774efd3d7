"""Schedulers: run both tabs' training again side by side; compare the learning rates, the results and the weights."""

# --8<-- [start:compare]
import contextlib
import io
import logging

import pytorch_lightning as pl
import torch

from snippets.more.schedulers.lightning import LearningRateLog, LitMNISTWithScheduler, make_trainer
from snippets.more.schedulers.pytorch import fit_with_scheduler
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN

logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요


def run_both():
    """두 탭의 훈련을 그대로 한 번씩 돌려요. 에폭마다 찍는 줄은 위의 탭에서 봤으니 숨겨요."""
    with contextlib.redirect_stdout(io.StringIO()):
        torch.manual_seed(SEED)
        train_loader, val_loader = build_dataloaders()
        torch_model = SimpleNN()
        torch_history = fit_with_scheduler(torch_model, train_loader, val_loader)

        pl.seed_everything(SEED, verbose=False)
        lit_model = LitMNISTWithScheduler()
        lr_log = LearningRateLog()
        make_trainer(callbacks=[lr_log]).fit(lit_model, datamodule=MNISTDataModule())
    return torch_model, torch_history, lit_model, lr_log.history


def max_weight_difference(model_a, model_b):
    """같은 이름의 가중치끼리 뺀 값 가운데 가장 큰 차이(절댓값)예요."""
    weights_a, weights_b = model_a.state_dict(), model_b.state_dict()
    return max((weights_a[name].cpu() - weights_b[name].cpu()).abs().max().item() for name in weights_a)


# --8<-- [end:compare]


if __name__ == "__main__":
    # --8<-- [start:results]
    torch_model, torch_history, lit_model, lit_history = run_both()
    torch_lrs = [epoch["lr"] for epoch in torch_history]
    lit_lrs = [epoch["lr"] for epoch in lit_history]

    print(f"{'에폭':<4}{'PyTorch':>10}{'Lightning':>11}")
    for epoch, (mine, theirs) in enumerate(zip(torch_lrs, lit_lrs, strict=True)):
        print(f"{epoch:<6}{mine:>10g}{theirs:>11g}")
    print(f"에폭마다의 학습률이 같은가요? {torch_lrs == lit_lrs}")
    torch_loss, lit_loss = torch_history[-1]["val_loss"], lit_history[-1]["val_loss"]
    print(f"마지막 에폭의 val_loss: PyTorch 코드 {torch_loss:.4f}, Lightning 코드 {lit_loss:.4f}")
    print(f"두 모델 파라미터의 최대 차이: {max_weight_difference(torch_model, lit_model)}")
    # --8<-- [end:results]

    # --8<-- [start:figure]
    import matplotlib.pyplot as plt

    from snippets.more.schedulers.plot import plot_learning_rates

    plot_learning_rates(torch_lrs, lit_lrs, "StepLR: 에폭마다 쓴 학습률 (두 코드의 선이 겹쳐요)")
    plt.show()
    # --8<-- [end:figure]
