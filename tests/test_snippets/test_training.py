"""Steps 3 and 4 and the summary: both versions train, learn, and end with the same weights.

Each framework trains at most twice here: five epochs through snippets/summary/compare.py
(shared by the tests below) and two epochs through the step files.
"""

import contextlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import pytorch_lightning as pl
import torch

from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.run.lightning import make_trainer
from snippets.steps.training.pytorch import EPOCHS, fit
from snippets.summary.compare import max_weight_difference, run_lightning, run_pytorch

REPO_ROOT = Path(__file__).resolve().parents[2]
# Lightning's own deprecation notice, filtered from the pages too (tools/engine/capture.py NOISE_WARNINGS).
pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

EPOCH_LINE = re.compile(r"^Epoch (\d+): train_loss=(\d+\.\d{4}), val_loss=(\d+\.\d{4}), val_acc=(\d+\.\d{4})$")
MIN_VAL_ACC = 0.85
WEIGHT_TOLERANCE = 1e-6
METRIC_TOLERANCE = 1e-4


@dataclass
class Run:
    model: torch.nn.Module
    last: dict[str, float]
    seconds: float
    printed: str = ""
    left_files: tuple[str, ...] = ()

    @property
    def history(self) -> list[dict[str, float]]:
        """The epoch lines that fit() printed, as numbers."""
        names = ("epoch", "train_loss", "val_loss", "val_acc")
        matches = (EPOCH_LINE.match(line) for line in self.printed.splitlines())
        return [dict(zip(names, map(float, match.groups()), strict=True)) for match in matches if match]


@pytest.fixture(scope="session")
def torch_run() -> Run:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        model, last, seconds = run_pytorch(epochs=EPOCHS)
    return Run(model.cpu(), last, seconds, printed.getvalue())


@pytest.fixture(scope="session")
def lit_run(tmp_path_factory) -> Run:
    # Trainer writes relative to the working directory, if at all: an empty one, in a folder whose
    # data/ is the checkout's, since mnist_root() looks for data/ from the working directory up.
    checkout = tmp_path_factory.mktemp("checkout")
    (checkout / "data").symlink_to(REPO_ROOT / "data", target_is_directory=True)
    workdir = checkout / "lightning-cwd"
    workdir.mkdir()
    with contextlib.chdir(workdir):
        model, last, seconds = run_lightning(epochs=EPOCHS)
    return Run(model.cpu(), last, seconds, left_files=tuple(p.name for p in workdir.iterdir()))


def test_five_epochs_by_default():
    assert EPOCHS == 5


def test_pytorch_prints_one_line_per_epoch(torch_run):
    assert [row["epoch"] for row in torch_run.history] == [float(epoch) for epoch in range(EPOCHS)]
    assert len(torch_run.printed.splitlines()) == EPOCHS


def test_pytorch_returns_the_last_epoch(torch_run):
    last_printed = torch_run.history[-1]
    assert set(torch_run.last) == {"train_loss", "val_loss", "val_acc"}
    for name, value in torch_run.last.items():
        assert f"{value:.4f}" == f"{last_printed[name]:.4f}", name
    assert torch_run.seconds > 0


def test_pytorch_training_loss_falls(torch_run):
    history = torch_run.history
    assert history[0]["train_loss"] > history[-1]["train_loss"]
    assert history[0]["val_loss"] > history[-1]["val_loss"]


@pytest.mark.parametrize("run_name", ["torch_run", "lit_run"])
def test_validation_accuracy_after_five_epochs(run_name, request):
    run = request.getfixturevalue(run_name)
    assert run.last["val_acc"] >= MIN_VAL_ACC
    assert run.last["val_acc"] <= 1.0


def test_lightning_reports_the_logged_metrics(lit_run):
    assert {"train_loss", "val_loss", "val_acc"} <= set(lit_run.last)
    assert all(isinstance(value, float) for value in lit_run.last.values())
    assert lit_run.seconds > 0


@pytest.mark.parametrize("name", ["val_loss", "val_acc"])
def test_lightning_ends_with_the_pytorch_metrics(torch_run, lit_run, name):
    assert lit_run.last[name] == pytest.approx(torch_run.last[name], abs=METRIC_TOLERANCE)


def test_both_versions_end_with_the_same_weights(torch_run, lit_run):
    assert max_weight_difference(torch_run.model, lit_run.model) <= WEIGHT_TOLERANCE


def test_training_moved_the_weights(torch_run):
    torch.manual_seed(SEED)
    assert max_weight_difference(SimpleNN(), torch_run.model) > 0.01


def test_lightning_leaves_no_files(lit_run):
    assert lit_run.left_files == ()  # no lightning_logs/, no checkpoints


def test_max_weight_difference_measures_the_largest_gap():
    torch.manual_seed(SEED)
    model = SimpleNN()
    torch.manual_seed(SEED)
    twin = LitMNIST()
    assert max_weight_difference(model, twin) == 0.0
    with torch.no_grad():
        twin.layers[2].bias[5] += 0.25
        twin.layers[0].weight[0, 0] -= 0.125
    assert max_weight_difference(model, twin) == pytest.approx(0.25)


def test_two_epochs_from_the_same_start_give_the_same_weights(torch_run):
    """Same seed, same initial weights, same batch order: the two loops do the same arithmetic."""
    torch.manual_seed(SEED)
    torch_model = SimpleNN()
    pl.seed_everything(SEED)
    lit_model = LitMNIST()
    assert max_weight_difference(torch_model, lit_model) == 0.0

    train_loader, val_loader = build_dataloaders()
    with contextlib.redirect_stdout(io.StringIO()):
        history = fit(torch_model, train_loader, val_loader, epochs=2)
    trainer = make_trainer(epochs=2)
    trainer.fit(lit_model, datamodule=MNISTDataModule())

    assert trainer.current_epoch == 2
    assert max_weight_difference(torch_model.cpu(), lit_model.cpu()) <= WEIGHT_TOLERANCE
    assert trainer.callback_metrics["val_acc"].item() == pytest.approx(history[-1]["val_acc"], abs=METRIC_TOLERANCE)
    # A rerun repeats itself: these two epochs are the first two of the five-epoch run.
    for mine, theirs in zip(history, torch_run.history[:2], strict=True):
        for name in ("train_loss", "val_loss", "val_acc"):
            assert f"{mine[name]:.4f}" == f"{theirs[name]:.4f}"
