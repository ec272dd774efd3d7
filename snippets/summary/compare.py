"""The summary: train both codes from the same start on the same device; compare results, weights and time."""

# --8<-- [start:compare]
import contextlib
import io
import time
from dataclasses import dataclass

import pytorch_lightning as pl
import torch

from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.run.lightning import pick_accelerator
from snippets.steps.training.pytorch import EPOCHS, fit
from snippets.summary.clocks import PhaseClock, TimedLoader, Timing, print_timings

ROUNDS = 3


@dataclass
class Run:
    model: torch.nn.Module
    metrics: dict  # 마지막 에폭의 val_loss, val_acc 등
    device: torch.device  # 훈련한 장치
    timing: Timing


def run_pytorch(epochs=EPOCHS):
    torch.manual_seed(SEED)  # 같은 시드 -> 같은 초기 가중치
    model = SimpleNN()
    start = time.perf_counter()  # 여기부터 재요. 데이터는 아직 없어요.
    train_loader, val_loader = build_dataloaders()
    train_clock, val_clock = TimedLoader(train_loader), TimedLoader(val_loader)
    with contextlib.redirect_stdout(io.StringIO()):  # 에폭마다 찍는 줄은 3단계에서 봤으니 숨겨요
        history = fit(model, train_clock, val_clock, epochs=epochs)
    total = time.perf_counter() - start
    timing = Timing(
        total=total,
        setup=train_clock.first_start - start,
        sanity=None,
        sanity_batches=0,
        train=train_clock.seconds,
        steps=train_clock.batches,
        val=val_clock.seconds,
        val_passes=val_clock.passes,
    )
    device = next(model.parameters()).device  # fit이 모델을 옮겨 둔 장치
    return Run(model, history[-1], device, timing)


def run_lightning(epochs=EPOCHS):
    pl.seed_everything(SEED, verbose=False)
    model = LitMNIST()
    clock = PhaseClock()
    start = time.perf_counter()
    datamodule = MNISTDataModule()
    trainer = pl.Trainer(
        max_epochs=epochs,
        accelerator=pick_accelerator(),  # 4단계와 같은 규칙이라 PyTorch 코드와 같은 장치예요
        devices=1,
        callbacks=[clock],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,  # PyTorch 코드에도 진행 막대가 없으니 꺼요
        enable_model_summary=False,
    )
    trainer.fit(model, datamodule=datamodule)
    total = time.perf_counter() - start
    timing = Timing(
        total=total,
        setup=clock.first_start - start - clock.sanity_seconds,
        sanity=clock.sanity_seconds,
        sanity_batches=clock.sanity_batches,
        train=clock.train_seconds,
        steps=clock.steps,
        val=clock.val_seconds,
        val_passes=clock.val_passes,
    )
    metrics = {name: value.item() for name, value in trainer.callback_metrics.items()}
    # fit이 끝나면 Trainer가 모델을 CPU로 돌려놓아요. 훈련한 장치는 Trainer에게 물어봐요.
    device = trainer.strategy.root_device
    return Run(model, metrics, device, timing)


def compare(rounds=ROUNDS, epochs=EPOCHS):
    """두 코드를 번갈아 rounds번씩 훈련해요. 결과는 매번 같고, 시간은 저마다 가장 빨랐던 한 번을 골라요."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # 스레드 하나로 재요. 까닭은 '걸린 시간'에 있어요
    try:
        torch_runs, lit_runs = [], []
        for _ in range(rounds):
            torch_runs.append(run_pytorch(epochs))
            lit_runs.append(run_lightning(epochs))
    finally:
        torch.set_num_threads(threads)  # 원래대로 돌려놓아요
    return min(torch_runs, key=lambda run: run.timing.total), min(lit_runs, key=lambda run: run.timing.total)


def max_weight_difference(model_a, model_b):
    weights_a, weights_b = model_a.state_dict(), model_b.state_dict()
    return max((weights_a[name].cpu() - weights_b[name].cpu()).abs().max().item() for name in weights_a)


# --8<-- [end:compare]


if __name__ == "__main__":
    # --8<-- [start:results]
    import logging

    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요
    torch_run, lit_run = compare()

    print(f"훈련한 장치: PyTorch 코드 {torch_run.device}, Lightning 코드 {lit_run.device}")
    print()
    print(f"{'':10}{'val_loss':>10}{'val_acc':>10}")
    for name, run in [("PyTorch", torch_run), ("Lightning", lit_run)]:
        print(f"{name:10}{run.metrics['val_loss']:>10.4f}{run.metrics['val_acc']:>10.4f}")
    print(f"두 모델 파라미터의 최대 차이: {max_weight_difference(torch_run.model, lit_run.model)}")
    # --8<-- [end:results]

    # --8<-- [start:timings]
    print(f"걸린 시간(초): 두 코드를 번갈아 {ROUNDS}번씩 훈련해서 저마다 가장 빨랐던 한 번이에요.")
    print_timings(torch_run.timing, lit_run.timing)
    # --8<-- [end:timings]
