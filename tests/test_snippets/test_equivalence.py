"""같은 계산일까요?: from one start and one batch order the two codes take the same steps; without the
training DataLoader's own generator they do not.

The page's two files run here as the page runs them (their main parts, two epochs per code each), with
plt.show() replaced by a function that keeps the figures it would show. On the CPU the equivalence is
exact: every per-step loss and every weight after every epoch is equal to the last bit (0.0), and the
tests require that. On a GPU they allow GPU_TOLERANCE, since some GPU kernels may add in another order
from one call to the next. The validation metrics agree to METRIC_TOLERANCE, not to the last bit: the
hand-written loop sums Python floats (64-bit), Lightning averages 32-bit tensors.
"""

import math
import re

import matplotlib
import pytest
import torch

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from snippets.beyond.equivalence import runs
from snippets.beyond.equivalence.broken import UnseededDataModule, unseeded_loaders
from snippets.beyond.equivalence.exact import batch_losses
from snippets.beyond.equivalence.plot import plot_step_losses
from snippets.beyond.equivalence.runs import (
    History,
    max_difference,
    max_step_difference,
    print_epochs,
    same_start,
    train_lightning,
    train_pytorch,
)
from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training.pytorch import pick_device
from tests.test_snippets.main_runs import MainRun, run_main

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

TRAIN_IMAGES, VAL_IMAGES = 3850, 350
STEPS = runs.EPOCHS * math.ceil(TRAIN_IMAGES / BATCH_SIZE)
GPU_TOLERANCE = 1e-6
METRIC_TOLERANCE = 1e-6
# What "breaks it" must at least reach: an unseeded shuffle changes the batches from the first step on.
BROKEN_STEP_LOSS = 0.1
BROKEN_WEIGHTS = 0.01
TABLE_ROW = re.compile(r"^(\d+) +(\d\.\d{6}) +(\d\.\d{6}) +(\d\.\d{6}) +(\d\.\d{6}) +(\S+)$")


def tolerance() -> float:
    return 0.0 if pick_device().type == "cpu" else GPU_TOLERANCE


def run_page_file(name: str, tmp_path_factory) -> MainRun:
    run = run_main(f"snippets.beyond.equivalence.{name}", tmp_path_factory)
    assert not run.left_files, "the page leaves no files behind"
    return run


@pytest.fixture(scope="module")
def exact(tmp_path_factory) -> MainRun:
    return run_page_file("exact", tmp_path_factory)


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> MainRun:
    return run_page_file("broken", tmp_path_factory)


def histories(run: MainRun, kind: str = "history") -> tuple[History, History]:
    if kind == "history":
        return run.namespace["torch_history"], run.namespace["lit_history"]
    return run.namespace["torch_unseeded"], run.namespace["lit_unseeded"]


def table_rows(printed: str) -> list[tuple[str, ...]]:
    return [match.groups() for line in printed.splitlines() if (match := TABLE_ROW.match(line))]


# --- the same start --------------------------------------------------------------------------------


def test_same_start_copies_the_initial_weights():
    torch_model, lit_model = same_start()
    assert max_difference(torch_model.state_dict(), lit_model.state_dict()) == 0.0
    torch.manual_seed(SEED)
    SimpleNN()
    own_start = LitMNIST()  # what LitMNIST() made in same_start before the copy
    assert max_difference(torch_model.state_dict(), own_start.state_dict()) > 0.01, "the copy is what makes them equal"


def test_the_page_prints_the_start_difference(exact):
    assert "훈련 전 두 모델 파라미터의 최대 차이: 0" in exact.stdout.splitlines()


# --- one computation -------------------------------------------------------------------------------


def test_both_codes_take_the_same_number_of_steps(exact):
    torch_history, lit_history = histories(exact)
    assert len(torch_history.step_losses) == len(lit_history.step_losses) == STEPS
    assert f"훈련 스텝 수: PyTorch 코드 {STEPS}번, Lightning 코드 {STEPS}번" in exact.stdout


def test_per_step_losses_are_equal(exact):
    torch_history, lit_history = histories(exact)
    assert max_step_difference(torch_history, lit_history) <= tolerance()
    if tolerance() == 0.0:
        assert torch_history.step_losses == lit_history.step_losses
        assert "스텝별 훈련 손실의 최대 차이: 0" in exact.stdout.splitlines()
    assert torch_history.step_losses[0] > 2.0 > 1.0 > torch_history.step_losses[-1], "it learned"


def test_weights_are_equal_after_every_epoch(exact):
    torch_history, lit_history = histories(exact)
    assert len(torch_history.weights) == len(lit_history.weights) == runs.EPOCHS
    for torch_weights, lit_weights in zip(torch_history.weights, lit_history.weights, strict=True):
        assert max_difference(torch_weights, lit_weights) <= tolerance()
    assert max_difference(*torch_history.weights) > 0.01, "the epochs' snapshots are copies, not one tensor"


def test_lightning_ends_with_the_pytorch_models_weights(exact):
    torch_model, lit_model = exact.namespace["torch_model"], exact.namespace["lit_model"]
    assert next(lit_model.parameters()).device.type == "cpu", "the Trainer moves the model back at teardown"
    torch_weights = {name: value.cpu() for name, value in torch_model.state_dict().items()}
    assert max_difference(torch_weights, lit_model.state_dict()) <= tolerance()


@pytest.mark.parametrize("metric", ["val_losses", "val_accs"])
def test_per_epoch_metrics_are_equal_both_ways(exact, metric):
    torch_history, lit_history = histories(exact)
    torch_values, lit_values = getattr(torch_history, metric), getattr(lit_history, metric)
    assert len(torch_values) == len(lit_values) == runs.EPOCHS
    assert lit_values == pytest.approx(torch_values, abs=METRIC_TOLERANCE)


def test_the_printed_table_shows_equal_columns(exact):
    rows = table_rows(exact.stdout)
    assert [row[0] for row in rows] == [str(epoch) for epoch in range(1, runs.EPOCHS + 1)]
    torch_history, _ = histories(exact)
    for row, val_loss, val_acc in zip(rows, torch_history.val_losses, torch_history.val_accs, strict=True):
        _, loss_a, loss_b, acc_a, acc_b, difference = row
        assert loss_a == loss_b == f"{val_loss:.6f}"
        assert acc_a == acc_b == f"{val_acc:.6f}"
        if tolerance() == 0.0:
            assert difference == "0"


def test_validation_accuracy_is_exact_count_over_images(exact):
    torch_history, _ = histories(exact)
    for accuracy in torch_history.val_accs:
        correct = accuracy * VAL_IMAGES
        assert correct == pytest.approx(round(correct), abs=1e-9)
        assert accuracy > 0.8


# --- the figure ------------------------------------------------------------------------------------


def test_the_page_shows_one_figure_with_two_coinciding_lines(exact):
    ((figure,),) = exact.shown
    (ax,) = figure.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["PyTorch 코드", "Lightning 코드"]
    torch_history, lit_history = histories(exact)
    assert list(lines[0].get_ydata()) == torch_history.step_losses
    assert list(lines[1].get_ydata()) == lit_history.step_losses
    if tolerance() == 0.0:
        assert list(lines[0].get_ydata()) == list(lines[1].get_ydata())
    assert figure.get_suptitle().startswith("같은 출발")


def test_plot_step_losses_draws_what_it_is_given():
    figure = plot_step_losses([2.0, 1.0, 0.5], [2.0, 1.5, 0.25], "제목")
    try:
        assert isinstance(figure, Figure)
        (ax,) = figure.axes
        first, second = ax.get_lines()
        assert list(first.get_xdata()) == [1, 2, 3]
        assert list(first.get_ydata()) == [2.0, 1.0, 0.5]
        assert list(second.get_ydata()) == [2.0, 1.5, 0.25]
        assert figure.get_suptitle() == "제목"
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("훈련 스텝", "훈련 손실")
        assert [text.get_text() for text in ax.get_legend().get_texts()] == ["PyTorch 코드", "Lightning 코드"]
    finally:
        plt.close(figure)


# --- what makes it exact ---------------------------------------------------------------------------


def test_the_sanity_check_draws_from_the_global_generator_and_lightning_restores_it(exact):
    watcher = exact.namespace["watcher"]
    assert watcher.sanity_batches == 2  # Trainer(num_sanity_val_steps=2), the default
    states = watcher.states
    assert not torch.equal(states["sanity check 끝"], states["sanity check 시작"])
    assert torch.equal(states["훈련 시작"], states["sanity check 시작"])
    lines = exact.stdout.splitlines()
    assert "sanity check가 끝날 때의 상태가 시작할 때와 같나요? False" in lines
    assert "훈련을 시작할 때의 상태가 sanity check를 시작할 때와 같나요? True" in lines


def batch_order(make_loaders, global_seed: int) -> list[list[int]]:
    """The labels of every training batch of one epoch, with the global generator seeded first."""
    torch.manual_seed(global_seed)
    train_loader, _ = make_loaders()
    return [labels.tolist() for _, labels in train_loader]


def test_a_seeded_loader_ignores_the_global_generator():
    """The page says the global generator does not touch the batch order when each loader has its own."""
    assert batch_order(build_dataloaders, 0) == batch_order(build_dataloaders, 1)
    assert batch_order(unseeded_loaders, 0) != batch_order(unseeded_loaders, 1)
    assert batch_order(unseeded_loaders, 0) == batch_order(unseeded_loaders, 0)


def test_validation_loss_is_the_batch_size_weighted_mean(exact):
    losses, sizes = batch_losses(exact.namespace["lit_model"], exact.namespace["val_loader"])
    assert sizes == [BATCH_SIZE] * 10 + [VAL_IMAGES - 10 * BATCH_SIZE]
    weighted = sum(loss * size for loss, size in zip(losses, sizes, strict=True)) / sum(sizes)
    plain = sum(losses) / len(losses)
    torch_history, lit_history = histories(exact)
    assert lit_history.val_losses[-1] == pytest.approx(weighted, abs=METRIC_TOLERANCE)
    assert torch_history.val_losses[-1] == pytest.approx(weighted, abs=METRIC_TOLERANCE)
    assert abs(plain - weighted) > 1e-4, "the plain mean would not match"
    assert exact.namespace["plain_mean"] == plain
    assert exact.namespace["weighted_mean"] == weighted


# --- what breaks it --------------------------------------------------------------------------------


def test_an_unseeded_shuffle_breaks_it(broken):
    torch_history, lit_history = histories(broken, "unseeded")
    assert len(torch_history.step_losses) == len(lit_history.step_losses) == STEPS
    assert max_step_difference(torch_history, lit_history) > BROKEN_STEP_LOSS
    assert torch_history.step_losses[0] != lit_history.step_losses[0], "the page says: from the first step on"
    for torch_weights, lit_weights in zip(torch_history.weights, lit_history.weights, strict=True):
        assert max_difference(torch_weights, lit_weights) > BROKEN_WEIGHTS
    assert torch_history.val_losses != pytest.approx(lit_history.val_losses, abs=1e-4)
    rows = table_rows(broken.stdout)
    assert len(rows) == runs.EPOCHS
    assert all(float(row[5]) > BROKEN_WEIGHTS for row in rows)


def test_the_broken_figure_shows_two_different_lines(broken):
    ((figure,),) = broken.shown
    first, second = figure.axes[0].get_lines()
    assert list(first.get_ydata()) != list(second.get_ydata())
    assert figure.get_suptitle().startswith("생성기 없이")


def test_unseeded_loaders_keep_the_seeded_split():
    unseeded, val_loader = unseeded_loaders()
    seeded, seeded_val = build_dataloaders()
    assert unseeded.generator is None and seeded.generator is not None
    assert list(unseeded.dataset.indices) == list(seeded.dataset.indices)
    assert list(val_loader.dataset.indices) == list(seeded_val.dataset.indices)
    datamodule = UnseededDataModule()
    datamodule.setup("fit")
    assert datamodule.train_dataloader().generator is None
    assert list(datamodule.train_set.indices) == list(seeded.dataset.indices)


def test_reseeding_before_each_run_would_mend_this_case():
    """The page says: seeding the global generator right before each run makes the unseeded runs equal
    again here, the sanity check notwithstanding (Lightning restores the generator after it)."""
    torch_model, lit_model = same_start()
    train_loader, val_loader = unseeded_loaders()
    torch.manual_seed(SEED)
    torch_history = train_pytorch(torch_model, train_loader, val_loader, epochs=1)
    torch.manual_seed(SEED)
    lit_history = train_lightning(lit_model, UnseededDataModule(), epochs=1)
    assert max_step_difference(torch_history, lit_history) <= tolerance()
    assert max_difference(torch_history.weights[-1], lit_history.weights[-1]) <= tolerance()


# --- the table -------------------------------------------------------------------------------------


def test_print_epochs_lays_out_one_row_per_epoch(capsys):
    zeros = {"w": torch.zeros(2)}
    a = History([1.0], [0.5, 0.25], [0.75, 0.875], [zeros, {"w": torch.tensor([0.0, 0.5])}])
    b = History([1.0], [0.5, 0.125], [0.75, 0.5], [zeros, {"w": torch.tensor([-0.25, 0.5])}])
    print_epochs(a, b)
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split() == ["에폭", "PyTorch", "Lightning", "PyTorch", "Lightning", "파라미터", "최대", "차이"]
    assert table_rows("\n".join(lines)) == [
        ("1", "0.500000", "0.500000", "0.750000", "0.750000", "0"),
        ("2", "0.250000", "0.125000", "0.875000", "0.500000", "0.25"),
    ]
    assert lines[-1] == "val_loss, val_acc의 최대 차이: 0.38"


def test_max_step_difference_refuses_unequal_lengths():
    with pytest.raises(ValueError):
        max_step_difference(History([1.0, 2.0]), History([1.0]))
