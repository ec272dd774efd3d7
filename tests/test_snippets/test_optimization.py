"""옵티마이저 스텝 직접 다루기: the PyTorch accumulation loop does what Trainer(accumulate_grad_batches=N) does
(zero on a group's first batch, every loss divided by N, a step when the group is full or the epoch ends), and
manual optimization trains to the automatic loop's weights.

The behaviour checks train on a few batches (limit_train_batches, and the same first batches for the PyTorch
loop); the page's four files then run as the page runs them.
"""

import math
import re

import pytest
import pytorch_lightning as pl
import torch
from pytorch_lightning.utilities.exceptions import MisconfigurationException
from torch import nn

from snippets.more.optimization import lightning as lit_file
from snippets.more.optimization import pytorch as torch_file
from snippets.more.optimization.manual import LitMNISTManual
from snippets.more.optimization.pytorch import ACCUMULATE, fit_accumulating, train_one_epoch_accumulating
from snippets.more.optimization.scale import compare_gradients, gradient
from snippets.steps.data.lightning import SEED, MNISTDataModule
from snippets.steps.data.pytorch import build_dataloaders
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training.pytorch import LEARNING_RATE
from snippets.summary.compare import max_weight_difference
from tests.test_snippets.main_runs import main_run_fixture, on_cpu, printed_lines, short_trainer

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

EPOCHS = 5
TRAIN_BATCHES = 121  # 3,850 training images in batches of 32
STEPS_PER_EPOCH = math.ceil(TRAIN_BATCHES / ACCUMULATE)  # 30 full groups and one group of a single batch
TORCH_EPOCH = re.compile(r"^Epoch (\d): steps=(\d+), train_loss=\d\.\d{4}, val_loss=(\d\.\d{4}), val_acc=(\d\.\d{4})$")
LIT_EPOCH = re.compile(r"^Epoch (\d): steps=(\d+), val_loss=(\d\.\d{4}), val_acc=(\d\.\d{4})$")


class FirstBatches:
    """The first `count` batches of a loader, as Lightning's limit_train_batches gives them."""

    def __init__(self, loader, count):
        self.loader, self.count = loader, count

    def __len__(self):
        return self.count

    def __iter__(self):
        for batch_idx, batch in enumerate(self.loader):
            if batch_idx == self.count:
                return
            yield batch


def short_lightning(module_class, batches, accumulate=1, epochs=2):
    pl.seed_everything(SEED, verbose=False)
    model = module_class()
    trainer = short_trainer(batches, epochs, accumulate_grad_batches=accumulate)
    trainer.fit(model, datamodule=MNISTDataModule())
    return model, trainer


def short_pytorch(batches, accumulate=ACCUMULATE, epochs=2):
    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    history = fit_accumulating(
        model, FirstBatches(train_loader, batches), FirstBatches(val_loader, 1), epochs, accumulate
    )
    return model, history


scale_run = main_run_fixture("snippets.more.optimization.scale")
torch_run = main_run_fixture("snippets.more.optimization.pytorch")
lit_run = main_run_fixture("snippets.more.optimization.lightning")
manual_run = main_run_fixture("snippets.more.optimization.manual")
compare_run = main_run_fixture("snippets.more.optimization.compare")


# --- why the loss is divided by N ----------------------------------------------------------------------------


def test_scaled_accumulation_gives_the_gradient_of_one_big_batch(capsys):
    torch.manual_seed(SEED)
    images, labels = torch.randn(4 * 8, 1, 28, 28), torch.randint(0, 10, (4 * 8,))
    model = SimpleNN()
    compare_gradients(model, images, labels, accumulate=4)
    scaled, unscaled = capsys.readouterr().out.splitlines()
    assert scaled.startswith("손실에 곱한 수 0.25: 모은 기울기가 큰 배치 기울기의 1.0000배, 최대 차이 ")
    assert unscaled.startswith("손실에 곱한 수 1: 모은 기울기가 큰 배치 기울기의 4.0000배, 최대 차이 ")
    assert float(scaled.rsplit(" ", 1)[1]) < 1e-6  # only rounding: the order of the additions differs


# --- the PyTorch loop ----------------------------------------------------------------------------------------


class RecordingAdam(torch.optim.Adam):
    """Adam that records, at every step, the weights it is about to change and their gradients."""

    def __init__(self, params, **kwargs):
        params = list(params)
        super().__init__(params, **kwargs)
        self.tracked, self.zeroed_at, self.steps = params, [], []
        self.batches_seen = 0

    def zero_grad(self, set_to_none=True):
        self.zeroed_at.append(self.batches_seen)
        super().zero_grad(set_to_none)

    def step(self, closure=None):
        weights = [parameter.detach().clone() for parameter in self.tracked]
        self.steps.append((self.batches_seen, weights, torch.cat([p.grad.flatten() for p in self.tracked])))
        return super().step(closure)


class CountingLoss(nn.CrossEntropyLoss):
    def __init__(self, optimizer):
        super().__init__()
        self.optimizer = optimizer

    def forward(self, outputs, labels):
        self.optimizer.batches_seen += 1
        return super().forward(outputs, labels)


def test_the_loop_zeroes_on_a_groups_first_batch_and_steps_at_its_end_or_the_epochs():
    torch.manual_seed(SEED)
    train_loader, _ = build_dataloaders()
    model = SimpleNN()
    optimizer = RecordingAdam(model.parameters(), lr=LEARNING_RATE)
    _, steps = train_one_epoch_accumulating(
        model, FirstBatches(train_loader, 7), CountingLoss(optimizer), optimizer, torch.device("cpu"), 4
    )
    assert steps == 2  # a full group of 4 and the epoch's last 3 batches
    assert optimizer.zeroed_at == [0, 4]  # before the forward pass of batches 1 and 5 (counted from 1)
    assert [seen for seen, _, _ in optimizer.steps] == [4, 7]


def test_the_last_incomplete_group_is_divided_by_n_too():
    """The epoch's last group has 3 batches; its gradient is the sum of their gradients divided by 4, not 3."""
    torch.manual_seed(SEED)
    train_loader, _ = build_dataloaders()
    batches = list(FirstBatches(train_loader, 7))
    torch.manual_seed(SEED)  # the same loader again: the same shuffle
    train_loader, _ = build_dataloaders()
    model = SimpleNN()
    optimizer = RecordingAdam(model.parameters(), lr=LEARNING_RATE)
    train_one_epoch_accumulating(model, FirstBatches(train_loader, 7), CountingLoss(optimizer), optimizer, "cpu", 4)
    _, weights, recorded = optimizer.steps[1]

    reference = SimpleNN()
    with torch.no_grad():
        for parameter, weight in zip(reference.parameters(), weights, strict=True):
            parameter.copy_(weight)
    loss_fn = nn.CrossEntropyLoss()
    for images, labels in batches[4:]:
        (loss_fn(reference(images), labels) / 4).backward()
    assert (gradient(reference) - recorded).abs().max().item() < 1e-7


def test_fit_accumulating_prints_and_counts_the_steps_of_each_epoch(capsys):
    _, history = short_pytorch(batches=9, epochs=2)
    assert [epoch["steps"] for epoch in history] == [3, 3]
    lines = capsys.readouterr().out.splitlines()
    assert [TORCH_EPOCH.match(line)[2] for line in lines] == ["3", "3"]


# --- Lightning does the same ---------------------------------------------------------------------------------


class LossWatcher(LitMNIST):
    """Records each loss training_step returns and the loss Lightning then back-propagates."""

    def __init__(self):
        super().__init__()
        self.returned, self.backpropagated = [], []

    def training_step(self, batch, batch_idx):
        loss = super().training_step(batch, batch_idx)
        self.returned.append(loss.detach().clone())
        return loss

    def on_before_backward(self, loss):
        self.backpropagated.append(loss.detach().clone())


def test_lightning_divides_every_loss_by_accumulate_grad_batches():
    model, trainer = short_lightning(LossWatcher, batches=7, accumulate=4, epochs=1)
    assert len(model.returned) == len(model.backpropagated) == 7
    for returned, backpropagated in zip(model.returned, model.backpropagated, strict=True):
        assert backpropagated.item() == (returned / 4).item()  # the last, incomplete group too
    assert trainer.global_step == 2


@pytest.mark.parametrize("batches", [7, 8, 9])
def test_lightning_and_the_pytorch_loop_step_alike_and_end_with_the_same_weights(batches):
    torch_model, history = short_pytorch(batches)
    lit_model, trainer = short_lightning(LitMNIST, batches, accumulate=ACCUMULATE)
    assert sum(epoch["steps"] for epoch in history) == trainer.global_step == 2 * math.ceil(batches / ACCUMULATE)
    assert max_weight_difference(torch_model, lit_model) == 0.0


def test_make_trainer_passes_accumulate_grad_batches():
    assert lit_file.ACCUMULATE == torch_file.ACCUMULATE == 4
    assert lit_file.make_trainer(accumulate_grad_batches=4).accumulate_grad_batches == 4
    trainer = lit_file.make_trainer()
    assert (trainer.accumulate_grad_batches, trainer.max_epochs, trainer.logger) == (1, EPOCHS, None)
    assert trainer.checkpoint_callback is None and trainer.progress_bar_callback is None


# --- manual optimization -------------------------------------------------------------------------------------


def test_manual_optimization_trains_to_the_automatic_weights():
    manual, manual_trainer = short_lightning(LitMNISTManual, batches=5)
    automatic, automatic_trainer = short_lightning(LitMNIST, batches=5)
    assert manual.automatic_optimization is False and automatic.automatic_optimization is True
    assert manual_trainer.global_step == automatic_trainer.global_step == 10
    assert max_weight_difference(manual, automatic) == 0.0
    assert manual.hparams.lr == LEARNING_RATE


def test_manual_optimization_refuses_accumulate_grad_batches_and_gradient_clipping():
    with pytest.raises(MisconfigurationException, match="Automatic gradient accumulation is not supported"):
        short_lightning(LitMNISTManual, batches=5, accumulate=4)
    trainer = short_trainer(5, epochs=2, gradient_clip_val=1.0)
    with pytest.raises(MisconfigurationException, match="Automatic gradient clipping is not supported"):
        trainer.fit(LitMNISTManual(), datamodule=MNISTDataModule())


# --- the page's runs -----------------------------------------------------------------------------------------


def test_the_scale_block_compares_a_batch_of_128_with_four_of_32(scale_run):
    scaled, unscaled = printed_lines(scale_run)
    assert scaled.startswith("손실에 곱한 수 0.25: 모은 기울기가 큰 배치 기울기의 1.0000배, 최대 차이 ")
    assert unscaled.startswith("손실에 곱한 수 1: 모은 기울기가 큰 배치 기울기의 4.0000배, 최대 차이 ")
    assert float(scaled.rsplit(" ", 1)[1]) < 1e-6
    assert scale_run.left_files == ()


def test_the_pytorch_tab_steps_31_times_an_epoch(torch_run):
    lines = printed_lines(torch_run)
    assert lines[0] == "훈련 배치 121개 = 4개짜리 묶음 30개 + 남는 배치 1개"
    epochs = [TORCH_EPOCH.match(line) for line in lines[1 : 1 + EPOCHS]]
    assert [int(match[2]) for match in epochs] == [STEPS_PER_EPOCH] * EPOCHS
    assert (
        lines[-1]
        == f"에폭마다 배치 {TRAIN_BATCHES}개, {EPOCHS} 에폭 동안 옵티마이저 스텝은 모두 {STEPS_PER_EPOCH * EPOCHS}번"
    )
    assert torch_run.left_files == ()


def test_the_lightning_tab_steps_as_often_and_prints_the_same_epochs(lit_run, torch_run):
    lines = printed_lines(lit_run)
    epochs = [LIT_EPOCH.match(line).groups() for line in lines if line.startswith("Epoch ")]
    torch_epochs = [TORCH_EPOCH.match(line).groups() for line in printed_lines(torch_run) if line.startswith("Epoch")]
    assert [steps for _, steps, _, _ in epochs] == [str(STEPS_PER_EPOCH)] * EPOCHS
    if on_cpu():
        assert epochs == torch_epochs
    assert (
        lines[-1]
        == f"에폭마다 배치 {TRAIN_BATCHES}개, {EPOCHS} 에폭 동안 옵티마이저 스텝은 모두 {STEPS_PER_EPOCH * EPOCHS}번"
    )
    assert lit_run.left_files == ()


def test_the_manual_tab_steps_once_a_batch(manual_run):
    lines = printed_lines(manual_run)
    epochs = [LIT_EPOCH.match(line) for line in lines if line.startswith("Epoch ")]
    assert [int(match[2]) for match in epochs] == [TRAIN_BATCHES] * EPOCHS
    assert lines[-1] == f"자동 최적화: False, 옵티마이저 스텝은 모두 {TRAIN_BATCHES * EPOCHS}번"
    assert manual_run.left_files == ()


def test_the_comparison_prints_equal_steps_and_weights(compare_run):
    lines = printed_lines(compare_run)
    steps = STEPS_PER_EPOCH * EPOCHS
    assert lines[0] == f"옵티마이저 스텝: PyTorch 코드 {steps}번, Lightning 코드 {steps}번"
    steps = TRAIN_BATCHES * EPOCHS
    assert lines[2] == f"옵티마이저 스텝: 수동 {steps}번, 자동 {steps}번, PyTorch 코드 {steps}번"
    differences = [float(lines[n].rsplit(" ", 1)[1]) for n in (1, 3, 4)]
    assert len(lines) == 5
    if on_cpu():
        assert differences == [0.0, 0.0, 0.0]
    assert max(differences) <= 1e-5
    assert compare_run.left_files == ()
