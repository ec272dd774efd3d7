"""학습률 스케줄러: StepLR follows its formula, both codes use the same learning rate in every epoch and end with
the same weights, and the dictionary that configure_optimizers returns is one Lightning accepts.

The page's three files run here as the page runs them (their main parts: five epochs per code in each tab, and
both codes again in the comparison). The checks of Lightning's own behaviour that the page's prose states (when
it calls scheduler.step(), what a ReduceLROnPlateau needs) train on two batches per epoch instead.
"""

import re

import matplotlib
import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.utilities.exceptions import MisconfigurationException

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from snippets.more.schedulers import lightning as lit_file
from snippets.more.schedulers import pytorch as torch_file
from snippets.more.schedulers.lightning import LearningRateLog, LitMNISTWithScheduler, make_trainer
from snippets.more.schedulers.plot import plot_learning_rates
from snippets.more.schedulers.pytorch import lr_per_epoch
from snippets.steps.data.lightning import SEED, MNISTDataModule
from snippets.steps.model import lightning as model_file
from snippets.steps.training import pytorch as training_file
from tests.test_snippets.main_runs import main_run_fixture, on_cpu, printed_lines, short_trainer

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

EPOCHS = 5
TORCH_EPOCH = re.compile(r"^Epoch (\d): lr=(\S+), train_loss=\d\.\d{4}, val_loss=(\d\.\d{4}), val_acc=(\d\.\d{4})$")
LIT_EPOCH = re.compile(r"^Epoch (\d): lr=(\S+), val_loss=(\d\.\d{4}), val_acc=(\d\.\d{4})$")
ORDER_WARNING = "Detected call of `lr_scheduler.step()` before `optimizer.step()`."


def step_lr(epoch: int) -> float:
    """StepLR's learning rate in an epoch (counted from 0): the start value times gamma once per step_size epochs."""
    return training_file.LEARNING_RATE * torch_file.GAMMA ** (epoch // torch_file.STEP_SIZE)


EXPECTED_LRS = [step_lr(epoch) for epoch in range(EPOCHS)]


torch_run = main_run_fixture("snippets.more.schedulers.pytorch")
lit_run = main_run_fixture("snippets.more.schedulers.lightning")
compare_run = main_run_fixture("snippets.more.schedulers.compare")


# --- the schedule itself -------------------------------------------------------------------------------------


def test_both_files_use_the_same_schedule_and_the_guides_learning_rate():
    assert (torch_file.STEP_SIZE, torch_file.GAMMA) == (lit_file.STEP_SIZE, lit_file.GAMMA) == (2, 0.5)
    assert training_file.LEARNING_RATE == model_file.LEARNING_RATE == lit_file.LitMNISTWithScheduler().hparams.lr
    assert EXPECTED_LRS == [0.001, 0.001, 0.0005, 0.0005, 0.00025]  # halving is exact in binary


def test_step_lr_follows_its_formula_without_a_warning():
    used, caught = lr_per_epoch(9)
    assert used == [step_lr(epoch) for epoch in range(9)]
    assert caught == []


def test_stepping_the_scheduler_first_warns_and_skips_the_first_value():
    used, caught = lr_per_epoch(9, scheduler_first=True)
    assert used == [step_lr(epoch + 1) for epoch in range(9)]  # every epoch one step ahead
    assert len(caught) == 1  # PyTorch checks the order once, at the scheduler's first step()
    assert caught[0].startswith(ORDER_WARNING)


def test_the_alone_and_order_blocks_print_both_schedules(torch_run):
    lines = printed_lines(torch_run)
    assert lines[:4] == [
        f"에폭마다의 학습률: {EXPECTED_LRS}",
        "PyTorch가 낸 경고: 0개",
        f"거꾸로 부른 경우:  {[step_lr(epoch + 1) for epoch in range(EPOCHS)]}",
        "PyTorch가 낸 경고: 1개",
    ]
    warning_lines = lines[4 : next(n for n, line in enumerate(lines) if line.startswith("Epoch 0"))]
    assert len(warning_lines) > 1 and all(len(line) <= 80 for line in warning_lines)  # wrapped at 80 characters
    assert " ".join(warning_lines).startswith(ORDER_WARNING)


# --- the PyTorch tab -----------------------------------------------------------------------------------------


def test_pytorch_uses_the_scheduled_learning_rate_in_every_epoch(torch_run):
    history = torch_run.namespace["history"]
    assert [epoch["lr"] for epoch in history] == EXPECTED_LRS
    epochs = [TORCH_EPOCH.match(line) for line in printed_lines(torch_run) if line.startswith("Epoch ")]
    assert [int(match[1]) for match in epochs] == list(range(EPOCHS))
    assert [float(match[2]) for match in epochs] == EXPECTED_LRS
    for match, epoch in zip(epochs, history, strict=True):
        assert (match[3], match[4]) == (f"{epoch['val_loss']:.4f}", f"{epoch['val_acc']:.4f}")
    assert torch_run.left_files == ()


def test_the_first_epochs_match_step_3_while_the_rate_is_unchanged(torch_run):
    """Until the first decay the run is step 3's run: same seed, same data, same rate."""
    from snippets.steps.data.pytorch import build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN
    from snippets.steps.training.pytorch import fit

    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    plain = fit(model, train_loader, val_loader, epochs=torch_file.STEP_SIZE)
    scheduled = torch_run.namespace["history"][: torch_file.STEP_SIZE]
    for mine, theirs in zip(plain, scheduled, strict=True):
        assert mine["val_loss"] == pytest.approx(theirs["val_loss"], abs=0 if on_cpu() else 1e-5)


# --- the Lightning tab ---------------------------------------------------------------------------------------


def test_configure_optimizers_returns_the_dictionary_lightning_documents():
    torch.manual_seed(SEED)
    model = LitMNISTWithScheduler()
    returned = model.configure_optimizers()
    assert set(returned) == {"optimizer", "lr_scheduler"}
    assert set(returned["lr_scheduler"]) == {"scheduler", "interval", "frequency"}
    optimizer, config = returned["optimizer"], returned["lr_scheduler"]
    assert isinstance(optimizer, torch.optim.Adam)
    assert isinstance(config["scheduler"], torch.optim.lr_scheduler.StepLR)
    assert config["scheduler"].optimizer is optimizer
    assert (config["interval"], config["frequency"]) == ("epoch", 1)
    assert (config["scheduler"].step_size, config["scheduler"].gamma) == (lit_file.STEP_SIZE, lit_file.GAMMA)


def test_lightning_took_the_dictionary_as_written(lit_run):
    trainer = lit_run.namespace["trainer"]
    (config,) = trainer.lr_scheduler_configs
    assert isinstance(config.scheduler, torch.optim.lr_scheduler.StepLR)
    assert config.scheduler.optimizer is trainer.optimizers[0]
    assert (config.interval, config.frequency, config.reduce_on_plateau, config.monitor) == ("epoch", 1, False, None)
    assert config.scheduler.last_epoch == EPOCHS  # Lightning called step() once per epoch
    assert printed_lines(lit_run)[-2:] == [
        "scheduler=StepLR, interval='epoch', frequency=1",
        f"Lightning이 스케줄러의 step()을 부른 횟수: {EPOCHS}",
    ]


def test_lightning_uses_the_scheduled_learning_rate_in_every_epoch(lit_run):
    history = lit_run.namespace["lr_log"].history
    assert [epoch["lr"] for epoch in history] == EXPECTED_LRS
    epochs = [LIT_EPOCH.match(line) for line in printed_lines(lit_run) if line.startswith("Epoch ")]
    assert [int(match[1]) for match in epochs] == list(range(EPOCHS))
    assert [float(match[2]) for match in epochs] == EXPECTED_LRS
    assert lit_run.left_files == ()


def test_both_tabs_print_the_same_epochs(torch_run, lit_run):
    torch_epochs = [TORCH_EPOCH.match(line).group(1, 2, 3, 4) for line in printed_lines(torch_run) if "lr=" in line]
    lit_epochs = [LIT_EPOCH.match(line).group(1, 2, 3, 4) for line in printed_lines(lit_run) if "lr=" in line]
    assert [epoch[:2] for epoch in torch_epochs] == [epoch[:2] for epoch in lit_epochs]
    if on_cpu():
        assert torch_epochs == lit_epochs


class StepWatcher(pl.Callback):
    """How many times the scheduler has stepped when each epoch's training and validation start, and the rate
    the optimizer holds at each training batch."""

    def __init__(self):
        self.at_train_start, self.at_validation_start, self.batch_lrs = [], [], []

    def on_train_epoch_start(self, trainer, pl_module):
        self.at_train_start.append(trainer.lr_scheduler_configs[0].scheduler.last_epoch)

    def on_validation_epoch_start(self, trainer, pl_module):
        self.at_validation_start.append(trainer.lr_scheduler_configs[0].scheduler.last_epoch)

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        self.batch_lrs.append(trainer.optimizers[0].param_groups[0]["lr"])


def short_fit(model, *callbacks, epochs=EPOCHS):
    """Two training batches and one validation batch per epoch, no sanity check."""
    pl.seed_everything(SEED, verbose=False)
    trainer = short_trainer(2, epochs, callbacks)
    trainer.fit(model, datamodule=MNISTDataModule())
    return trainer


def test_lightning_steps_an_epoch_scheduler_after_training_and_before_validation():
    watcher = StepWatcher()
    short_fit(LitMNISTWithScheduler(), watcher)
    assert watcher.at_train_start == list(range(EPOCHS))
    assert watcher.at_validation_start == list(range(1, EPOCHS + 1))  # already stepped when validation starts
    assert watcher.batch_lrs == [lr for lr in EXPECTED_LRS for _ in range(2)]


def test_the_callback_reads_the_rate_of_each_epoch():
    lr_log = LearningRateLog()
    short_fit(LitMNISTWithScheduler(), lr_log, epochs=3)
    assert [epoch["lr"] for epoch in lr_log.history] == EXPECTED_LRS[:3]


def test_make_trainer_follows_the_guides_settings():
    trainer = make_trainer(callbacks=[LearningRateLog()])
    assert trainer.max_epochs == EPOCHS
    assert trainer.logger is None
    assert trainer.checkpoint_callback is None
    assert trainer.progress_bar_callback is None
    expected = pl.accelerators.CPUAccelerator if on_cpu() else pl.accelerators.CUDAAccelerator
    assert isinstance(trainer.accelerator, expected)


class WithFrequency(LitMNISTWithScheduler):
    def configure_optimizers(self):
        returned = super().configure_optimizers()
        returned["lr_scheduler"]["frequency"] = 2
        return returned


def test_frequency_two_steps_every_other_epoch():
    watcher = StepWatcher()
    short_fit(WithFrequency(), watcher)
    assert watcher.at_train_start == [0, 0, 1, 1, 2]


class WithBadInterval(LitMNISTWithScheduler):
    def configure_optimizers(self):
        returned = super().configure_optimizers()
        returned["lr_scheduler"]["interval"] = "batch"
        return returned


def test_lightning_refuses_an_unknown_interval():
    with pytest.raises(
        MisconfigurationException, match='"interval" key in lr scheduler dict must be "step" or "epoch"'
    ):
        short_fit(WithBadInterval())


class WithPlateau(LitMNISTWithScheduler):
    monitor = None

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)
        config = {"scheduler": torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5)}
        if self.monitor:
            config["monitor"] = self.monitor
        return {"optimizer": optimizer, "lr_scheduler": config}


def test_reduce_lr_on_plateau_needs_a_monitor():
    with pytest.raises(MisconfigurationException, match="must include a monitor when a `ReduceLROnPlateau`"):
        short_fit(WithPlateau(), epochs=1)
    model = WithPlateau()
    model.monitor = "val_loss"
    trainer = short_fit(model, epochs=2)
    (config,) = trainer.lr_scheduler_configs
    assert (config.reduce_on_plateau, config.monitor) == (True, "val_loss")


# --- the comparison ------------------------------------------------------------------------------------------


def test_the_comparison_prints_the_same_rates_and_weights(compare_run):
    lines = printed_lines(compare_run)
    assert lines[0] == f"{'에폭':<4}{'PyTorch':>10}{'Lightning':>11}"
    rows = [line.split() for line in lines[1 : EPOCHS + 1]]
    assert [int(epoch) for epoch, _, _ in rows] == list(range(EPOCHS))
    assert [float(mine) for _, mine, _ in rows] == [float(theirs) for _, _, theirs in rows] == EXPECTED_LRS
    assert lines[EPOCHS + 1] == "에폭마다의 학습률이 같은가요? True"
    losses = re.fullmatch(r"마지막 에폭의 val_loss: PyTorch 코드 (\S+), Lightning 코드 (\S+)", lines[EPOCHS + 2])
    difference = float(re.fullmatch(r"두 모델 파라미터의 최대 차이: (\S+)", lines[EPOCHS + 3])[1])
    assert len(lines) == EPOCHS + 4
    if on_cpu():
        assert losses[1] == losses[2]
        assert lines[-1] == "두 모델 파라미터의 최대 차이: 0.0"
    assert difference <= 1e-6


def test_the_comparison_trains_as_the_tabs_do(compare_run, torch_run, lit_run):
    if not on_cpu():
        pytest.skip("on a GPU two runs may differ in the last digits")
    assert compare_run.namespace["torch_history"] == torch_run.namespace["history"]
    assert compare_run.namespace["lit_history"] == lit_run.namespace["lr_log"].history
    assert compare_run.left_files == ()


def test_the_comparison_shows_one_figure_of_both_rates(compare_run):
    (figures,) = compare_run.shown
    (figure,) = figures
    assert figure._suptitle.get_text().startswith("StepLR:")
    (ax,) = figure.axes
    torch_line, lit_line = ax.get_lines()
    assert list(torch_line.get_ydata()) == list(lit_line.get_ydata()) == EXPECTED_LRS
    assert list(torch_line.get_xdata()) == list(range(EPOCHS))


def test_plot_puts_ticks_at_the_rates_used():
    figure = plot_learning_rates([0.1, 0.1, 0.05], [0.1, 0.1, 0.05], "제목")
    (ax,) = figure.axes
    assert list(ax.get_yticks()) == [0.05, 0.1]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["0.05", "0.1"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["PyTorch 코드", "Lightning 코드"]
    plt.close(figure)
