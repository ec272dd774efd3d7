"""기록 남기기: the Trainer's default logger, self.log's defaults per hook and the names they write, the PyTorch
tab's hand-written CSV, and reading both files back into one figure.

The page's three files run here as the page runs them (their main parts). The checks of Lightning's own behaviour
that the page's prose and tables state (defaults per hook, log_every_n_steps, checkpoints beside the logs) train
on a few batches instead.
"""

import csv
import importlib.util
import io
import re
from pathlib import Path

import matplotlib
import pytest
import pytorch_lightning as pl
from pytorch_lightning.loggers import CSVLogger, TensorBoardLogger
from pytorch_lightning.trainer.connectors.logger_connector.fx_validator import _FxValidator
from pytorch_lightning.utilities.exceptions import MisconfigurationException

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from snippets.more.logging import lightning as lit_file
from snippets.more.logging import pytorch as torch_file
from snippets.more.logging.lightning import LitMNISTStepAndEpoch, fit_and_log, make_trainer
from snippets.more.logging.read import plot_losses, read_metrics
from snippets.steps.data.lightning import SEED, MNISTDataModule
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.training.pytorch import pick_device
from tests.test_snippets.main_runs import printed_lines, run_main

pytestmark = pytest.mark.filterwarnings(
    r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning",
    "ignore:Starting from v1.9.0, `tensorboardX` has been removed:UserWarning",
)

EPOCHS, TRAIN_BATCHES, LOG_EVERY = 3, 20, 5
STEP_ROWS_PER_EPOCH = TRAIN_BATCHES // LOG_EVERY
COLUMNS = ["epoch", "step", "train_loss_epoch", "train_loss_step", "val_acc", "val_loss"]


@pytest.fixture(scope="module")
def lit_run(tmp_path_factory):
    return run_main("snippets.more.logging.lightning", tmp_path_factory)


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory):
    return run_main("snippets.more.logging.pytorch", tmp_path_factory)


@pytest.fixture(scope="module")
def read_run(tmp_path_factory):
    return run_main("snippets.more.logging.read", tmp_path_factory)


def on_cpu() -> bool:
    return pick_device().type == "cpu"


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def expected_steps() -> list[int]:
    """The step column of the rows, in the file's order: four step rows, then a validation row and a training
    epoch row at the epoch's last step, for each epoch."""
    steps = []
    for epoch in range(EPOCHS):
        first = epoch * TRAIN_BATCHES
        steps += [first + n for n in range(LOG_EVERY - 1, TRAIN_BATCHES, LOG_EVERY)]
        steps += [first + TRAIN_BATCHES - 1] * 2
    return steps


def kinds(rows: list[dict[str, str]]) -> list[str]:
    """Which metrics each row fills; every other cell of the row must be blank."""
    filled = []
    for row in rows:
        names = sorted(name for name in COLUMNS[2:] if row[name] != "")
        filled.append("+".join(names))
    return filled


EXPECTED_KINDS = (["train_loss_step"] * STEP_ROWS_PER_EPOCH + ["val_acc+val_loss", "train_loss_epoch"]) * EPOCHS


# --- the settings the page states ----------------------------------------------------------------------------


def test_both_files_use_the_same_settings():
    assert (torch_file.EPOCHS, torch_file.TRAIN_BATCHES, torch_file.LOG_EVERY) == (EPOCHS, TRAIN_BATCHES, LOG_EVERY)
    assert (lit_file.EPOCHS, lit_file.TRAIN_BATCHES, lit_file.LOG_EVERY) == (EPOCHS, TRAIN_BATCHES, LOG_EVERY)
    trainer = make_trainer("unused")
    assert (trainer.max_epochs, trainer.limit_train_batches, trainer.log_every_n_steps) == (3, 20, 5)
    assert isinstance(trainer.logger, CSVLogger)
    assert trainer.checkpoint_callback is None and trainer.progress_bar_callback is None


def test_log_every_n_steps_defaults_to_50():
    assert pl.Trainer(logger=False).log_every_n_steps == 50


def test_self_log_keyword_defaults_are_the_tables():
    import inspect

    parameters = inspect.signature(pl.LightningModule.log).parameters
    defaults = {name: parameters[name].default for name in ("on_step", "on_epoch", "prog_bar", "logger")}
    assert defaults == {"on_step": None, "on_epoch": None, "prog_bar": False, "logger": None}
    assert (parameters["reduce_fx"].default, parameters["sync_dist"].default) == ("mean", False)


@pytest.mark.parametrize(
    ("hook", "expected"),
    [
        ("training_step", (True, False)),
        ("on_train_batch_start", (True, False)),
        ("on_train_batch_end", (True, False)),
        ("on_after_backward", (True, False)),
        ("validation_step", (False, True)),
        ("test_step", (False, True)),
        ("on_validation_batch_end", (False, True)),
        ("on_train_epoch_end", (False, True)),
        ("on_validation_epoch_end", (False, True)),
    ],
)
def test_on_step_and_on_epoch_defaults_per_hook(hook, expected):
    assert _FxValidator.check_logging_and_get_default_levels(hook, on_step=None, on_epoch=None) == expected


@pytest.mark.parametrize("hook", ["on_train_epoch_end", "on_validation_epoch_end"])
def test_epoch_hooks_refuse_on_step_true_and_on_epoch_false(hook):
    with pytest.raises(MisconfigurationException, match="on_step=True"):
        _FxValidator.check_logging_and_get_default_levels(hook, on_step=True, on_epoch=None)
    with pytest.raises(MisconfigurationException, match="on_epoch=False"):
        _FxValidator.check_logging_and_get_default_levels(hook, on_step=None, on_epoch=False)


@pytest.mark.parametrize("hook", ["predict_step", "setup", "configure_optimizers"])
def test_some_hooks_cannot_log(hook):
    with pytest.raises(MisconfigurationException, match=re.escape("You can't `self.log()` inside")):
        _FxValidator.check_logging(hook)


# --- the default logger --------------------------------------------------------------------------------------


def test_the_default_logger_follows_the_tensorboard_rule(tmp_path):
    trainer = pl.Trainer(default_root_dir=tmp_path)
    has_tensorboard = any(importlib.util.find_spec(name) for name in ("tensorboard", "tensorboardX"))
    assert isinstance(trainer.logger, TensorBoardLogger if has_tensorboard else CSVLogger)
    assert Path(trainer.log_dir) == tmp_path / "lightning_logs" / "version_0"


def test_the_guides_environment_has_no_tensorboard():
    """The page prints CSVLogger as this build's default; requirements.txt must keep it so."""
    pins = (Path(__file__).resolve().parents[2] / "requirements.txt").read_text()
    assert not re.search(r"^tensorboard(x)?==", pins, flags=re.MULTILINE | re.IGNORECASE)


def test_the_default_block_prints_the_rule_and_the_folder(lit_run):
    lines = printed_lines(lit_run)
    assert lines[:4] == [
        "tensorboard 설치됨: False",
        "tensorboardX 설치됨: False",
        "trainer.logger: CSVLogger",
        "trainer.log_dir: lightning_logs/version_0",
    ]
    assert lit_run.left_files == ()  # everything went into temporary folders


# --- what the two fits write ---------------------------------------------------------------------------------


def test_the_fit_block_prints_both_runs(lit_run):
    lines = printed_lines(lit_run)
    start = lines.index("LitMNIST: lightning_logs/version_0")
    assert lines[start : start + 10] == [
        "LitMNIST: lightning_logs/version_0",
        "  만든 파일: ['hparams.yaml', 'metrics.csv']",
        "  metrics.csv의 열: epoch,step,train_loss,val_acc,val_loss",
        "  logged_metrics: ['train_loss', 'val_acc', 'val_loss']",
        "  callback_metrics: ['train_loss', 'val_acc', 'val_loss']",
        "LitMNISTStepAndEpoch: lightning_logs/version_1",
        "  만든 파일: ['hparams.yaml', 'metrics.csv']",
        "  metrics.csv의 열: " + ",".join(COLUMNS),
        "  logged_metrics: ['train_loss_epoch', 'train_loss_step', 'val_acc', 'val_loss']",
        "  callback_metrics: ['train_loss', 'train_loss_epoch', 'train_loss_step', 'val_acc', 'val_loss']",
    ]


def test_callback_metrics_train_loss_is_the_epoch_value_after_fit(lit_run):
    trainer = lit_run.namespace["trainer"]  # the second fit: LitMNISTStepAndEpoch
    metrics = trainer.callback_metrics
    assert metrics["train_loss"].item() == metrics["train_loss_epoch"].item()
    assert metrics["train_loss"].item() != metrics["train_loss_step"].item()


def test_lightnings_csv_has_separate_rows_with_blank_cells(lit_run):
    rows = rows_of(lit_run.namespace["metrics_csv"])
    assert list(rows[0]) == COLUMNS
    assert [int(row["step"]) for row in rows] == expected_steps()
    assert [int(row["epoch"]) for row in rows] == [e for e in range(EPOCHS) for _ in range(STEP_ROWS_PER_EPOCH + 2)]
    assert kinds(rows) == EXPECTED_KINDS
    # The csv block prints the file as it was.
    printed = lit_run.stdout
    assert lit_run.namespace["metrics_csv"] in printed


def test_the_epoch_mean_counts_every_step_not_only_the_written_ones(lit_run):
    """A mean of the four written step values is not the epoch value: all twenty steps go into it."""
    rows = rows_of(lit_run.namespace["metrics_csv"])
    for epoch in range(EPOCHS):
        in_epoch = [row for row in rows if int(row["epoch"]) == epoch]
        written = [float(row["train_loss_step"]) for row in in_epoch if row["train_loss_step"]]
        (epoch_value,) = [float(row["train_loss_epoch"]) for row in in_epoch if row["train_loss_epoch"]]
        assert epoch_value != pytest.approx(sum(written) / len(written), abs=1e-4)
        assert epoch_value > written[-1]  # the page: the epoch mean sits above the epoch's last step


def short_fit(model, folder, **overrides):
    pl.seed_everything(SEED, verbose=False)
    settings = {
        "default_root_dir": folder,
        "logger": CSVLogger(save_dir=folder),
        "max_epochs": 1,
        "accelerator": "cpu",
        "devices": 1,
        "limit_train_batches": TRAIN_BATCHES,
        "limit_val_batches": 1,
        "num_sanity_val_steps": 0,
        "enable_checkpointing": False,
        "enable_progress_bar": False,
        "enable_model_summary": False,
    }
    trainer = pl.Trainer(**(settings | overrides))
    trainer.fit(model, datamodule=MNISTDataModule())
    return trainer, rows_of((Path(trainer.log_dir) / "metrics.csv").read_text())


def test_with_the_default_interval_twenty_steps_write_no_step_row(tmp_path):
    with pytest.warns(UserWarning, match="smaller than the logging interval"):
        _, rows = short_fit(LitMNIST(), tmp_path)  # log_every_n_steps=50 > 20 steps
    assert [row for row in rows if row.get("train_loss")] == []
    _, rows = short_fit(LitMNIST(), tmp_path / "every-5", log_every_n_steps=LOG_EVERY)
    assert [int(row["step"]) for row in rows if row.get("train_loss")] == [4, 9, 14, 19]


def test_checkpoints_go_into_the_version_folder_when_on(tmp_path):
    trainer, _ = short_fit(LitMNIST(), tmp_path, enable_checkpointing=True, log_every_n_steps=LOG_EVERY)
    saved = Path(trainer.checkpoint_callback.best_model_path)
    assert saved.parent == Path(trainer.log_dir) / "checkpoints"


def test_fit_and_log_returns_the_csv_path(tmp_path):
    trainer, path = fit_and_log(LitMNISTStepAndEpoch, tmp_path)
    assert path == tmp_path / "lightning_logs" / "version_0" / "metrics.csv"
    assert path.is_file() and isinstance(trainer.logger, CSVLogger)


# --- the PyTorch tab -----------------------------------------------------------------------------------------


def test_the_pytorch_tab_writes_the_same_layout(torch_run):
    records = torch_run.namespace["records"]
    text = "\n".join(printed_lines(torch_run))
    rows = rows_of(text)
    assert list(rows[0]) == COLUMNS == torch_file.COLUMNS
    assert len(rows) == len(records) == len(expected_steps())
    assert [int(row["step"]) for row in rows] == expected_steps()
    assert kinds(rows) == EXPECTED_KINDS
    assert torch_run.left_files == ()


def test_both_tabs_log_the_same_numbers(torch_run, lit_run):
    mine, theirs = rows_of("\n".join(printed_lines(torch_run))), rows_of(lit_run.namespace["metrics_csv"])
    for row_mine, row_theirs in zip(mine, theirs, strict=True):
        assert (row_mine["epoch"], row_mine["step"]) == (row_theirs["epoch"], row_theirs["step"])
        for name in COLUMNS[2:]:
            assert (row_mine[name] == "") == (row_theirs[name] == "")
            if row_mine[name]:
                tolerance = 1e-6 if on_cpu() else 1e-4
                assert float(row_mine[name]) == pytest.approx(float(row_theirs[name]), abs=tolerance)
                if on_cpu() and name == "train_loss_step":
                    assert row_mine[name] == row_theirs[name]  # the same training, to the last digit


# --- reading back and the figure -----------------------------------------------------------------------------


def test_read_metrics_skips_blank_cells(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,step,a,b\n0,4,1.5,\n0,9,,2.5\n0,9,0.5,\n")
    assert read_metrics(path) == {"a": [(4, 1.5), (9, 0.5)], "b": [(9, 2.5)]}


def test_the_read_block_prints_one_line_per_metric(read_run):
    lines = printed_lines(read_run)
    names = ["train_loss_epoch", "train_loss_step", "val_acc", "val_loss"]
    assert lines[0] == "두 파일에 같은 지표가 있나요? True"
    counts = {"train_loss_epoch": 3, "train_loss_step": 12, "val_acc": 3, "val_loss": 3}
    pattern = re.compile(r"^(\S+) +값 +(\d+)개, step이 같은가요\? (True|False), 가장 큰 차이 (\S+)$")
    matches = [pattern.match(line) for line in lines[1:]]
    assert [m[1] for m in matches] == names
    assert {m[1]: int(m[2]) for m in matches} == counts
    assert all(m[3] == "True" for m in matches)
    differences = {m[1]: float(m[4]) for m in matches}
    assert all(value <= (1e-6 if on_cpu() else 1e-4) for value in differences.values())
    if on_cpu():
        assert differences["train_loss_step"] == 0.0


def test_the_figure_draws_the_three_curves_from_lightnings_file(read_run):
    (figures,) = read_run.shown
    (figure,) = figures
    assert figure._suptitle.get_text().startswith("Lightning이 쓴 metrics.csv")
    (ax,) = figure.axes
    logged = read_run.namespace["logged"]
    lines = ax.get_lines()
    assert len(lines) == 3
    for line, name in zip(lines, ["train_loss_step", "train_loss_epoch", "val_loss"], strict=True):
        assert list(zip(line.get_xdata(), line.get_ydata(), strict=True)) == logged[name]
    assert read_run.left_files == ()


def test_plot_losses_needs_all_three_metrics():
    with pytest.raises(KeyError):
        plot_losses({"train_loss_step": [(0, 1.0)]}, "제목")
    plt.close("all")
