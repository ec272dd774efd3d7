"""Steps 3 and 4 and the summary: both codes train on the same device, learn, and end with the same weights.

Each framework trains five epochs once here, through snippets/summary/compare.py (shared by the tests
below), and a few short runs besides: two epochs through the step files, one epoch twice to check a
rerun repeats itself. The stopwatches of the summary (snippets/summary/clocks.py) are checked on those
runs and, with a scripted clock, on their own.
"""

import contextlib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
import pytorch_lightning as pl
import torch

from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.run.lightning import make_trainer, pick_accelerator
from snippets.steps.training.pytorch import EPOCHS, fit, pick_device
from snippets.summary import clocks, compare
from snippets.summary.clocks import PhaseClock, TimedLoader, Timing, print_timings, timing_rows
from snippets.summary.compare import max_weight_difference, run_lightning, run_pytorch

REPO_ROOT = Path(__file__).resolve().parents[2]
# Lightning's own deprecation notice, filtered from the pages too (tools/engine/capture.py NOISE_WARNINGS).
pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

EPOCH_LINE = re.compile(r"^Epoch (\d+): train_loss=(\d+\.\d{4}), val_loss=(\d+\.\d{4}), val_acc=(\d+\.\d{4})$")
MIN_VAL_ACC = 0.85
GPU_WEIGHT_TOLERANCE = 1e-6  # on CPU the weights are equal to the last bit
METRIC_TOLERANCE = 1e-4
TRAIN_IMAGES = 3850
STEPS_PER_EPOCH = math.ceil(TRAIN_IMAGES / BATCH_SIZE)
SANITY_BATCHES = 2  # Trainer(num_sanity_val_steps=2), the default


def weight_tolerance(device: torch.device) -> float:
    return 0.0 if device.type == "cpu" else GPU_WEIGHT_TOLERANCE


@contextlib.contextmanager
def empty_workdir(tmp_path_factory):
    """Trainer writes relative to the working directory, if at all: an empty one, in a folder whose
    data/ is the checkout's, since mnist_root() looks for data/ from the working directory up."""
    checkout = tmp_path_factory.mktemp("checkout")
    (checkout / "data").symlink_to(REPO_ROOT / "data", target_is_directory=True)
    workdir = checkout / "lightning-cwd"
    workdir.mkdir()
    with contextlib.chdir(workdir):
        yield workdir


@pytest.fixture(scope="session")
def torch_run() -> compare.Run:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        run = run_pytorch(epochs=EPOCHS)
    assert printed.getvalue() == "", "the summary hides fit's epoch lines"
    return run


@pytest.fixture(scope="session")
def lit_run(tmp_path_factory) -> tuple[compare.Run, tuple[str, ...]]:
    with empty_workdir(tmp_path_factory) as workdir:
        run = run_lightning(epochs=EPOCHS)
        left_files = tuple(p.name for p in workdir.iterdir())
    return run, left_files


@dataclass
class TwoEpochs:
    printed: str
    history: list[dict[str, float]]
    torch_model: torch.nn.Module
    trainer: pl.Trainer
    lit_model: LitMNIST
    initial_difference: float

    @property
    def printed_rows(self) -> list[dict[str, float]]:
        names = ("epoch", "train_loss", "val_loss", "val_acc")
        matches = (EPOCH_LINE.match(line) for line in self.printed.splitlines())
        return [dict(zip(names, map(float, match.groups()), strict=True)) for match in matches if match]


@pytest.fixture(scope="session")
def two_epochs(tmp_path_factory) -> TwoEpochs:
    """Same seed, same initial weights, same batch order: the step files' fit and Trainer, two epochs each."""
    torch.manual_seed(SEED)
    torch_model = SimpleNN()
    pl.seed_everything(SEED)
    lit_model = LitMNIST()
    initial_difference = max_weight_difference(torch_model, lit_model)

    train_loader, val_loader = build_dataloaders()
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        history = fit(torch_model, train_loader, val_loader, epochs=2)
    with empty_workdir(tmp_path_factory):
        trainer = make_trainer(epochs=2)
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            trainer.fit(lit_model, datamodule=MNISTDataModule())
    return TwoEpochs(printed.getvalue(), history, torch_model, trainer, lit_model, initial_difference)


# --- steps 3 and 4: fit and make_trainer -----------------------------------------------------------


def test_five_epochs_by_default():
    assert EPOCHS == 5


def test_fit_prints_one_line_per_epoch_and_returns_them(two_epochs):
    rows = two_epochs.printed_rows
    assert [row["epoch"] for row in rows] == [0.0, 1.0]
    assert len(two_epochs.printed.splitlines()) == 2
    for row, epoch in zip(rows, two_epochs.history, strict=True):
        assert set(epoch) == {"train_loss", "val_loss", "val_acc"}
        for name, value in epoch.items():
            assert f"{value:.4f}" == f"{row[name]:.4f}", name


def test_training_loss_falls(two_epochs):
    first, second = two_epochs.history
    assert first["train_loss"] > second["train_loss"]
    assert first["val_loss"] > second["val_loss"]


def test_the_step_files_end_two_epochs_with_the_same_weights(two_epochs):
    assert two_epochs.initial_difference == 0.0
    assert two_epochs.trainer.current_epoch == 2
    device = next(two_epochs.torch_model.parameters()).device
    assert two_epochs.trainer.strategy.root_device == device
    difference = max_weight_difference(two_epochs.torch_model, two_epochs.lit_model)
    assert difference <= weight_tolerance(device)
    lit_acc = two_epochs.trainer.callback_metrics["val_acc"].item()
    assert lit_acc == pytest.approx(two_epochs.history[-1]["val_acc"], abs=METRIC_TOLERANCE)


def test_both_codes_pick_the_device_by_one_rule(monkeypatch):
    assert pick_accelerator() == pick_device().type
    # MPS (Apple silicon) is left out on purpose, even where it is there: CUDA, else the CPU.
    monkeypatch.setattr(torch.backends.mps, "is_available", lambda: True)
    for cuda in (True, False):
        monkeypatch.setattr(torch.cuda, "is_available", lambda cuda=cuda: cuda)
        expected = "cuda" if cuda else "cpu"
        assert pick_device() == torch.device(expected)
        assert pick_accelerator() == expected


def test_make_trainer_uses_one_device_of_that_kind(tmp_path_factory):
    with empty_workdir(tmp_path_factory):
        trainer = make_trainer()
    accelerators = {"cpu": "CPUAccelerator", "cuda": "CUDAAccelerator"}
    assert type(trainer.accelerator).__name__ == accelerators[pick_device().type]
    assert trainer.num_devices == 1
    assert trainer.max_epochs == EPOCHS


# --- the summary: five epochs each -----------------------------------------------------------------


def test_both_codes_ran_on_the_same_device(torch_run, lit_run):
    lit, _ = lit_run
    assert torch_run.device == lit.device
    assert torch_run.device.type == pick_device().type
    assert next(lit.model.parameters()).device.type == "cpu", "the Trainer moves the model back at teardown"


def test_both_codes_end_with_the_same_weights(torch_run, lit_run):
    lit, _ = lit_run
    assert max_weight_difference(torch_run.model, lit.model) <= weight_tolerance(torch_run.device)


@pytest.mark.parametrize("name", ["val_loss", "val_acc"])
def test_lightning_ends_with_the_pytorch_metrics(torch_run, lit_run, name):
    lit, _ = lit_run
    assert lit.metrics[name] == pytest.approx(torch_run.metrics[name], abs=METRIC_TOLERANCE)


@pytest.mark.parametrize("code", ["pytorch", "lightning"])
def test_validation_accuracy_after_five_epochs(code, torch_run, lit_run):
    run = torch_run if code == "pytorch" else lit_run[0]
    assert MIN_VAL_ACC <= run.metrics["val_acc"] <= 1.0


def test_runs_report_the_last_epochs_metrics(torch_run, lit_run):
    assert set(torch_run.metrics) == {"train_loss", "val_loss", "val_acc"}
    assert {"train_loss", "val_loss", "val_acc"} <= set(lit_run[0].metrics)
    assert all(isinstance(value, float) for value in lit_run[0].metrics.values())


def test_training_moved_the_weights(torch_run):
    torch.manual_seed(SEED)
    assert max_weight_difference(SimpleNN(), torch_run.model) > 0.01


def test_lightning_leaves_no_files(lit_run):
    assert lit_run[1] == ()  # no lightning_logs/, no checkpoints


def test_a_rerun_repeats_itself():
    first, second = run_pytorch(epochs=1), run_pytorch(epochs=1)
    assert max_weight_difference(first.model, second.model) == 0.0
    assert first.metrics == second.metrics


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


# --- the summary's timings ---------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["pytorch", "lightning"])
def test_both_codes_time_the_same_span(code, torch_run, lit_run):
    timing = torch_run.timing if code == "pytorch" else lit_run[0].timing
    assert timing.steps == STEPS_PER_EPOCH * EPOCHS
    assert timing.val_passes == EPOCHS
    assert min(timing.setup, timing.train, timing.val) > 0
    assert timing.other >= 0, "the phases do not overlap and all lie inside the total"
    assert timing.train > timing.val, "605 training steps take longer than 5 passes over 350 images"


def test_only_lightning_runs_a_sanity_check(torch_run, lit_run):
    assert torch_run.timing.sanity is None
    assert torch_run.timing.sanity_batches == 0
    assert lit_run[0].timing.sanity > 0
    assert lit_run[0].timing.sanity_batches == SANITY_BATCHES


class ScriptedClock:
    """time.perf_counter for clocks.py: each call returns the next of the given times."""

    def __init__(self, times):
        self.times = iter(times)

    def __call__(self):
        return next(self.times)


def test_timed_loader_adds_up_whole_passes(monkeypatch):
    monkeypatch.setattr(clocks.time, "perf_counter", ScriptedClock([10.0, 12.5, 20.0, 21.0]))
    loader = TimedLoader(["a", "b", "c"])
    assert list(loader) == ["a", "b", "c"]
    assert list(loader) == ["a", "b", "c"]
    assert (loader.first_start, loader.seconds, loader.batches, loader.passes) == (10.0, 3.5, 6, 2)


def test_phase_clock_sorts_hook_times_into_phases(monkeypatch):
    """The hooks in the order Trainer.fit calls them: sanity check, then per epoch training and validation."""
    times = iter([1.0, 1.5, 2.0, 2.25, 2.5, 3.0, 4.0, 4.5, 5.5, 6.0, 7.0, 9.0, 9.25])
    monkeypatch.setattr(clocks.time, "perf_counter", lambda: next(times))  # each call: the next time
    clock = PhaseClock()
    trainer = SimpleNamespace(sanity_checking=True)
    clock.on_sanity_check_start(trainer, None)  # 1.0
    clock.on_validation_start(trainer, None)  # 1.5
    for index in range(2):
        clock.on_validation_batch_end(trainer, None, None, None, index)
    clock.on_validation_end(trainer, None)  # not counted as validation
    clock.on_sanity_check_end(trainer, None)  # 2.0
    trainer.sanity_checking = False
    for _epoch in range(2):
        clock.on_train_epoch_start(trainer, None)  # 2.25, then 5.5
        for index in range(2):
            clock.on_train_batch_end(trainer, None, None, None, index)  # 2.5, 3.0, then 6.0, 7.0
        clock.on_validation_start(trainer, None)  # 4.0, then 9.0
        clock.on_validation_batch_end(trainer, None, None, None, 0)
        clock.on_validation_end(trainer, None)  # 4.5, then 9.25
    assert clock.first_start == 2.25
    assert (clock.sanity_seconds, clock.sanity_batches) == (1.0, 2)
    assert (clock.train_seconds, clock.steps) == (0.75 + 1.5, 4)
    assert (clock.val_seconds, clock.val_passes) == (0.5 + 0.25, 2)


PYTORCH_TIMING = Timing(
    total=2.0, setup=0.25, sanity=None, sanity_batches=0, train=1.5, steps=600, val=0.125, val_passes=5
)
LIGHTNING_TIMING = Timing(
    total=3.0, setup=0.5, sanity=0.0625, sanity_batches=2, train=2.25, steps=600, val=0.125, val_passes=5
)


def test_other_is_what_the_phases_leave_of_the_total():
    assert PYTORCH_TIMING.other == 0.125
    assert LIGHTNING_TIMING.other == 0.0625


def test_timing_table_lists_each_phase_with_the_difference(capsys):
    print_timings(PYTORCH_TIMING, LIGHTNING_TIMING)
    assert capsys.readouterr().out.splitlines() == [
        "  PyTorch  Lightning     차이  단계",
        "    0.250      0.500   +0.250  준비: 데이터 읽기, 옵티마이저, Trainer 등",
        "        -      0.062   +0.062  sanity check: 훈련 전에 검증 배치 2개",
        "    1.500      2.250   +0.750  훈련 스텝 600번 (배치 받기 포함)",
        "    2.500      3.750   +1.250    스텝 하나 (밀리초)",
        "    0.125      0.125   +0.000  검증 5번 (에폭마다 한 번)",
        "    0.125      0.062   -0.062  그 밖: 에폭 사이 정리, 끝내기",
        "    2.000      3.000   +1.000  합계",
    ]


def test_timing_rows_add_up_to_the_total():
    rows = timing_rows(PYTORCH_TIMING, LIGHTNING_TIMING)
    phases = [row for row in rows if not row[2].startswith(("  ", "합계"))]
    assert sum(row[0] or 0.0 for row in phases) == PYTORCH_TIMING.total
    assert sum(row[1] for row in phases) == LIGHTNING_TIMING.total


def test_compare_alternates_and_keeps_each_codes_fastest_run(monkeypatch):
    calls = []

    def fake(name, seconds):
        totals = iter(seconds)

        def run(epochs):
            calls.append((name, epochs))
            return SimpleNamespace(name=name, timing=SimpleNamespace(total=next(totals)))

        return run

    monkeypatch.setattr(compare, "run_pytorch", fake("pytorch", [3.0, 1.0, 2.0]))
    monkeypatch.setattr(compare, "run_lightning", fake("lightning", [0.5, 4.0, 6.0]))
    monkeypatch.setattr(torch, "get_num_threads", lambda: 2)  # what the rest of the process uses
    threads = []
    monkeypatch.setattr(torch, "set_num_threads", threads.append)
    fastest_torch, fastest_lit = compare.compare(rounds=3, epochs=2)
    assert calls == [("pytorch", 2), ("lightning", 2)] * 3
    assert threads == [1, 2], "one thread while timing, then the process's own number again"
    assert (fastest_torch.name, fastest_torch.timing.total) == ("pytorch", 1.0)
    assert (fastest_lit.name, fastest_lit.timing.total) == ("lightning", 0.5)
