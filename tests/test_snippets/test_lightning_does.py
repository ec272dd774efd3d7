"""What Lightning does for you: every feature runs in both files, with the same outputs; resume, early stopping,
the CSV log and the line counts do what the page says.

Each of the two files (snippets/beyond/lightning_does/pytorch.py and lightning.py) runs once here, as the page
runs its sections, in an empty working directory (tests/test_snippets/main_runs.py).
"""

import logging
import math
import os
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
import pytorch_lightning as pl
import torch
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from snippets.beyond.lightning_does import curve, data, line_counts, modes, trainer
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from tests.test_snippets.main_runs import REPO_ROOT, printed_lines, run_main
from tools.engine.sources import pieces_of

pytestmark = [
    pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning"),
    pytest.mark.filterwarnings("ignore:FigureCanvasAgg is non-interactive:UserWarning"),
    pytest.mark.filterwarnings("ignore:You requested to overfit:UserWarning"),
    # The resume section's second Trainer saves into the first one's folder on purpose (the page explains it).
    pytest.mark.filterwarnings("ignore:Checkpoint directory .* exists and is not empty:UserWarning"),
    # The modes section hands fit a model in eval mode on purpose, to show this warning.
    pytest.mark.filterwarnings(r"ignore:Found \d+ module\(s\) in eval mode:UserWarning"),
]

PAGES = [REPO_ROOT / "docs" / "beyond" / name for name in ("lightning-does.md", "lightning-does-more.md")]
TRAINING_LOOP = REPO_ROOT / "snippets" / "steps" / "training" / "pytorch.py"
EPOCH_LINE = re.compile(r"^Epoch (\d+): (?:train_loss=\S+, )?val_loss=(\d+\.\d{4}), val_acc=(\d+\.\d{4})$")
RESUME_LINE = re.compile(r"^--- (\S+)에서 이어서 훈련해요 ---$")
STOP_LINE = re.compile(r"^Epoch (\d+)에서 멈췄어요$")
PRINTED_DIGITS = 1e-4  # the epoch lines print four decimals


@pytest.fixture(autouse=True, scope="module")
def lightning_log_level():
    """make_trainer quiets Lightning's logger for the page; the other tests' Lightning runs get it back as it was."""
    logger = logging.getLogger("pytorch_lightning")
    level = logger.level
    yield
    logger.setLevel(level)


def restore_global_state():
    """The seed sections switch on deterministic algorithms for the whole process; the tests switch them off again."""
    torch.use_deterministic_algorithms(False)
    torch.backends.cudnn.benchmark = False
    os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)


def run_file(name, tmp_path_factory):
    try:
        run = run_main(f"snippets.beyond.lightning_does.{name}", tmp_path_factory)
        run.namespace["deterministic_after_run"] = torch.are_deterministic_algorithms_enabled()
        return run
    finally:
        restore_global_state()
        plt.close("all")


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory):
    return run_file("pytorch", tmp_path_factory)


@pytest.fixture(scope="module")
def lit_run(tmp_path_factory):
    return run_file("lightning", tmp_path_factory)


@pytest.fixture(params=["torch_run", "lit_run"])
def run(request):
    return request.getfixturevalue(request.param)


def epoch_lines(run):
    """(epoch, val_loss, val_acc) of every epoch line the run printed, in order."""
    matches = (EPOCH_LINE.match(line) for line in printed_lines(run))
    return [(int(m[1]), float(m[2]), float(m[3])) for m in matches if m]


def lines_between(run, first, last):
    """The printed lines after the first line matching `first`, up to the first line after it matching `last`."""
    lines = printed_lines(run)
    start = next(n for n, line in enumerate(lines) if re.search(first, line))
    end = next(n for n in range(start + 1, len(lines)) if re.search(last, lines[n]))
    return lines[start + 1 : end + 1]


# --- every feature runs in both files, with the same outputs -------------------------------------------------------


def test_both_files_have_every_feature_and_its_blocks_on_the_page():
    page = "".join(path.read_text(encoding="utf-8") for path in PAGES)
    for name in line_counts.FEATURES:
        for code in ("pytorch", "lightning"):
            assert f'"snippets/beyond/lightning_does/{code}.py:{name}"' in page, (code, name)


def test_both_files_print_the_same_epochs(torch_run, lit_run):
    """Same seed, same batches: every feature prints the same validation loss and accuracy in both tabs."""
    torch_epochs, lit_epochs = epoch_lines(torch_run), epoch_lines(lit_run)
    # resume 2+1, its check 3, early stopping, CSV 3, clipping 2, precision 2, fast_dev_run 1, seed 1+1
    assert len(torch_epochs) >= 3 + 3 + 2 + 3 + 2 + 2 + 1 + 2
    assert torch_epochs == lit_epochs


def test_nothing_is_left_behind(run):
    assert run.left_files == ()
    assert not Path(run.namespace["folder"]).exists()  # the last TemporaryDirectory, the CSV one


# --- checkpoints and resuming ---------------------------------------------------------------------------------------


def test_resume_continues_from_the_saved_epoch(run):
    lines = lines_between(run, RESUME_LINE.pattern, "파라미터가 똑같은가요")
    resumed = [EPOCH_LINE.match(line) for line in lines[:1]]
    assert resumed[0] is not None and resumed[0][1] == "2", lines
    before = lines_between(run, "^검증 이미지", RESUME_LINE.pattern)
    assert [EPOCH_LINE.match(line)[1] for line in before[:-1]] == ["0", "1"]


def test_resumed_run_matches_the_uninterrupted_one(run):
    resumed, straight = run.namespace["resumed"], run.namespace["straight"]
    assert data.same_weights(resumed, straight)
    assert "이어서 훈련한 모델과 한 번에 훈련한 모델의 파라미터가 똑같은가요? True" in printed_lines(run)


def test_lightning_resumes_from_last_ckpt(lit_run):
    name = next(RESUME_LINE.match(line)[1] for line in printed_lines(lit_run) if RESUME_LINE.match(line))
    assert name == "last.ckpt", "save_last=True keeps the latest state under one name; ckpt_path='last' finds it"


def test_both_files_resume_to_the_same_weights(torch_run, lit_run):
    assert data.same_weights(torch_run.namespace["resumed"], lit_run.namespace["resumed"])


def test_a_fresh_shuffle_would_not_resume_exactly():
    """Why the resume section uses EpochSampler: a seeded generator restarts its order on a new loader."""
    plain, _ = data.small_loaders()
    first_order = [labels.tolist() for _, labels in plain]
    second_order = [labels.tolist() for _, labels in plain]
    restarted, _ = data.small_loaders()
    assert first_order != second_order
    assert [labels.tolist() for _, labels in restarted] == first_order  # epoch 1 would repeat epoch 0's order

    resumable, _ = data.small_loaders(resumable=True)
    resumable.sampler.set_epoch(1)
    epoch_one = [labels.tolist() for _, labels in resumable]
    again, _ = data.small_loaders(resumable=True)
    again.sampler.set_epoch(1)
    assert [labels.tolist() for _, labels in again] == epoch_one


def test_the_epoch_sampler_shuffles_by_seed_and_epoch_only():
    sampler = data.EpochSampler(range(50), seed=7)
    orders = []
    for epoch in range(3):
        sampler.set_epoch(epoch)
        orders.append(list(sampler))
    assert all(sorted(order) == list(range(50)) for order in orders) and len(sampler) == 50
    assert len({tuple(order) for order in orders}) == 3, "a new order each epoch"
    again = data.EpochSampler(range(50), seed=7)
    again.set_epoch(2)
    assert list(again) == orders[2]
    assert not isinstance(sampler, DistributedSampler), "Lightning would not split a DistributedSampler among GPUs"


class FirstBatches(pl.Callback):
    """The first images (their index, written into every pixel) of each epoch's first training batch."""

    def __init__(self):
        self.orders = []

    def on_train_batch_start(self, trainer, pl_module, batch, batch_idx):
        if batch_idx == 0:
            self.orders.append(batch[0][:4, 0, 0, 0].int().tolist())


def epoch_orders(size, epochs=3):
    """The first batch of each epoch: a hand loop that reads the DataLoader to its end, and Lightning's fit."""
    images = torch.arange(size, dtype=torch.float32).view(size, 1, 1, 1).expand(size, 1, 28, 28)
    dataset = TensorDataset(images, torch.arange(size) % 10)

    def loader():
        return DataLoader(dataset, batch_size=data.BATCH_SIZE, shuffle=True, generator=torch.Generator().manual_seed(0))

    by_hand, train_loader = [], loader()
    for _ in range(epochs):
        batches = list(train_loader)  # to the end, as a for loop reads it
        by_hand.append(batches[0][0][:4, 0, 0, 0].int().tolist())
    recorder = FirstBatches()
    trainer.make_trainer(max_epochs=epochs, callbacks=[recorder], print_epochs=False, num_sanity_val_steps=0).fit(
        LitMNIST(), loader(), DataLoader(dataset, batch_size=data.BATCH_SIZE)
    )
    return by_hand, recorder.orders


def test_the_training_set_size_is_not_a_multiple_of_the_batch_size(tmp_path, monkeypatch):
    """The page's note: with a multiple of the batch size, Lightning stops after len(loader) batches and skips the
    random draw the sampler makes when a hand loop asks for one more batch; the next epoch's order then differs."""
    monkeypatch.chdir(tmp_path)
    assert data.TRAIN_SIZE % data.BATCH_SIZE != 0
    by_hand, lightning = epoch_orders(2 * data.BATCH_SIZE)
    assert by_hand[0] == lightning[0]
    assert by_hand[1:] != lightning[1:]
    by_hand, lightning = epoch_orders(2 * data.BATCH_SIZE + 8)
    assert by_hand == lightning


# --- early stopping -------------------------------------------------------------------------------------------------


def expected_stop_epoch(val_losses, patience, min_delta):
    """EarlyStopping's rule, written from its documentation: an epoch improves when the loss falls by more than
    min_delta below the best so far; `patience` epochs in a row without improvement stop training."""
    best, waited = math.inf, 0
    for epoch, loss in enumerate(val_losses):
        if best - loss > min_delta:
            best, waited = loss, 0
            continue
        waited += 1
        if waited >= patience:
            return epoch
    return None


def test_early_stopping_stops_where_its_patience_says(run):
    namespace = run.namespace
    lines = lines_between(run, "파라미터가 똑같은가요", STOP_LINE.pattern)
    *epochs, stop = lines
    history = [EPOCH_LINE.match(line) for line in epochs]
    val_losses = [float(match[2]) for match in history]
    assert [int(match[1]) for match in history] == list(range(len(history)))
    patience, min_delta = namespace["PATIENCE"], namespace["MIN_DELTA"]
    # The printed losses are rounded; the rule must give the same answer for any value they could stand for.
    best = math.inf
    for loss in val_losses:
        assert abs((best - loss) - min_delta) > PRINTED_DIGITS, "too close to min_delta to decide from the page"
        best = min(best, loss) if best - loss > min_delta else best
    expected = expected_stop_epoch(val_losses, patience, min_delta)
    assert expected is not None and expected < namespace["MAX_EPOCHS"] - 1, "the demo should really stop early"
    assert int(STOP_LINE.match(stop)[1]) == expected
    assert len(history) == expected + 1, "no epoch runs after the stop"


def test_the_page_describes_the_settings_used(run):
    """The page says patience 1 stops at the first epoch that does not improve, and that the bf16 epochs compare
    with the CSV section's first two."""
    assert run.namespace["PATIENCE"] == 1
    assert run.namespace["MAX_EPOCHS"] > 2


def test_lightning_early_stopping_state(lit_run):
    early_stopping = lit_run.namespace["early_stopping"]
    assert early_stopping.wait_count == lit_run.namespace["PATIENCE"]
    assert f"Epoch {early_stopping.stopped_epoch}에서 멈췄어요" in printed_lines(lit_run)


def test_expected_stop_epoch_rule():
    assert expected_stop_epoch([1.0, 0.5, 0.495, 0.3], patience=1, min_delta=0.01) == 2
    assert expected_stop_epoch([1.0, 0.5, 0.495, 0.3], patience=2, min_delta=0.01) is None
    assert expected_stop_epoch([1.0, 0.5, 0.6, 0.55, 0.4], patience=2, min_delta=0.0) == 3


# --- the CSV log and its learning curve -----------------------------------------------------------------------------


def test_the_pytorch_csv_has_one_row_per_epoch(torch_run):
    rows, curves = torch_run.namespace["rows"], torch_run.namespace["curves"]
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    assert list(rows[0]) == ["epoch", "train_loss", "val_loss", "val_acc"]
    for name in curve.METRICS:
        assert [epoch for epoch, _ in curves[name]] == [0, 1, 2]


def test_the_lightning_csv_has_one_row_per_epoch(lit_run):
    rows, curves = lit_run.namespace["rows"], lit_run.namespace["curves"]
    assert [row["epoch"] for row in rows] == ["0", "1", "2"]
    for row in rows:
        assert set(curve.METRICS) <= set(row)
    for name in curve.METRICS:
        assert [epoch for epoch, _ in curves[name]] == [0, 1, 2], name


def test_the_lightning_file_splits_each_epoch_in_two_lines_as_the_page_says(lit_run):
    """Validation metrics are logged when validation ends, training metrics when the training epoch ends."""
    printed = printed_lines(lit_run, after="epoch,")
    header = printed[0].split(",")
    records = [dict(zip(header, line.split(","), strict=True)) for line in printed[1:7]]
    assert [record["epoch"] for record in records] == ["0", "0", "1", "1", "2", "2"]
    for validation, training in zip(records[::2], records[1::2], strict=True):
        assert validation["val_loss"] and not validation["train_loss"]
        assert training["train_loss"] and not training["val_loss"]
        assert validation["step"] == training["step"]


def test_both_csv_logs_hold_the_same_curves(torch_run, lit_run):
    for name in curve.METRICS:
        torch_curve, lit_curve = torch_run.namespace["curves"][name], lit_run.namespace["curves"][name]
        assert [epoch for epoch, _ in torch_curve] == [epoch for epoch, _ in lit_curve]
        for (_, mine), (_, theirs) in zip(torch_curve, lit_curve, strict=True):
            assert mine == pytest.approx(theirs, abs=1e-6), name


def test_the_learning_curve_is_drawn_from_the_file(run):
    figure, curves = run.namespace["figure"], run.namespace["curves"]
    loss_axes, acc_axes = figure.axes
    assert [line.get_label() for line in loss_axes.lines] == ["훈련 손실", "검증 손실"]
    for line, name in zip(loss_axes.lines, ("train_loss", "val_loss"), strict=True):
        assert list(line.get_xdata()) == [epoch for epoch, _ in curves[name]]
        assert list(line.get_ydata()) == [value for _, value in curves[name]]
    assert list(acc_axes.lines[0].get_ydata()) == [value for _, value in curves["val_acc"]]
    assert "학습 곡선" in figure._suptitle.get_text()


def test_read_log_merges_the_lines_of_an_epoch(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,step,train_loss,val_acc,val_loss\n0,9,,0.5,1.5\n0,9,2.0,,\n1,19,,0.75,1.0\n1,19,1.25,,\n")
    rows, curves = curve.read_log(path)
    assert rows == [
        {"epoch": "0", "step": "9", "val_acc": "0.5", "val_loss": "1.5", "train_loss": "2.0"},
        {"epoch": "1", "step": "19", "val_acc": "0.75", "val_loss": "1.0", "train_loss": "1.25"},
    ]
    assert curves == {
        "train_loss": [(0, 2.0), (1, 1.25)],
        "val_loss": [(0, 1.5), (1, 1.0)],
        "val_acc": [(0, 0.5), (1, 0.75)],
    }


def test_read_log_refuses_two_values_of_one_metric_in_an_epoch(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,train_loss\n0,2.0\n0,1.5\n")
    with pytest.raises(ValueError, match=r"metrics\.csv:3: .*train_loss"):
        curve.read_log(path)


# --- clipping, mixed precision, debugging, seeds --------------------------------------------------------------------


def test_clipping_gives_the_same_weights_in_both_files_and_changes_training(torch_run, lit_run):
    assert data.same_weights(torch_run.namespace["clipped"], lit_run.namespace["clipped"])
    clipped_first = lines_between(torch_run, r"^epoch,train_loss", "^Epoch 0: val_loss")[-1]
    csv_first = next(row for row in torch_run.namespace["rows"] if row["epoch"] == "0")
    assert f"val_loss={float(csv_first['val_loss']):.4f}" not in clipped_first, "the page says clipping changed it"


def test_mixed_precision_keeps_float32_weights_and_computes_in_bfloat16(run):
    model = run.namespace["mixed"]
    assert all(parameter.dtype == torch.float32 for parameter in model.parameters())
    lines = printed_lines(run)
    assert "가중치의 자료형: torch.float32" in lines
    assert "autocast 안에서 나온 점수의 자료형: torch.bfloat16" in lines
    difference = next(line for line in lines if line.startswith("float32로만 계산한 점수와의 최대 차이: "))
    assert float(difference.rsplit(" ", 1)[1]) > 0


def test_mixed_precision_differs_from_the_float32_run(torch_run):
    """The page compares the bf16 epochs with the first two epochs of the CSV section, trained in float32."""
    rows = torch_run.namespace["rows"]
    lines = lines_between(torch_run, r"^epoch,train_loss", "^가중치의 자료형")
    bf16 = [EPOCH_LINE.match(line) for line in lines if EPOCH_LINE.match(line)][-2:]
    for match, row in zip(bf16, rows[:2], strict=True):
        assert float(match[2]) != pytest.approx(float(row["val_loss"]), abs=PRINTED_DIGITS / 2)


def test_the_lightning_tab_asks_for_bf16_autocast():
    lit_trainer = trainer.make_trainer(precision="bf16-mixed")
    assert lit_trainer.precision == "bf16-mixed"
    assert type(lit_trainer.precision_plugin).__name__ == "MixedPrecision"


def test_overfitting_a_few_batches_memorises_them(run):
    line = next(line for line in printed_lines(run) if line.startswith("되풀이한 배치 2개에서: "))
    loss, acc = (float(part.split("=")[1]) for part in line.split(": ", 1)[1].split(", "))
    assert loss < 0.2
    assert acc == 1.0


def test_both_files_overfit_to_the_same_weights(torch_run, lit_run):
    assert data.same_weights(torch_run.namespace["overfit"], lit_run.namespace["overfit"])


def test_fast_dev_run_trains_one_batch_and_validates_one(tmp_path, monkeypatch):
    train_loader, val_loader = data.small_loaders()
    monkeypatch.chdir(tmp_path)  # an empty folder: does the run write anything?
    lit_trainer = trainer.make_trainer(fast_dev_run=True, print_epochs=False)
    lit_trainer.fit(LitMNIST(), train_loader, val_loader)
    assert lit_trainer.global_step == 1
    assert lit_trainer.num_val_batches == [1]
    assert list(tmp_path.iterdir()) == []


def test_overfit_batches_uses_the_first_batches_for_training_and_validation(tmp_path, monkeypatch):
    """The page: the same two unshuffled training batches every epoch, and two validation batches."""
    train_loader, val_loader = data.small_loaders()
    monkeypatch.chdir(tmp_path)
    lit_trainer = trainer.make_trainer(overfit_batches=2, max_epochs=1, print_epochs=False)
    lit_trainer.fit(LitMNIST(), train_loader, val_loader)
    assert lit_trainer.num_training_batches == 2
    assert lit_trainer.num_val_batches == [2]
    assert type(lit_trainer.train_dataloader.sampler).__name__ == "SequentialSampler"
    batches = data.first_batches(train_loader, 2)
    assert [len(labels) for _, labels in batches] == [data.BATCH_SIZE] * 2
    assert torch.equal(batches[0][1], train_loader.dataset.tensors[1][: data.BATCH_SIZE])


def test_seeding_repeats_the_run(run):
    assert data.same_weights(run.namespace["first"], run.namespace["second"])
    assert printed_lines(run)[-1] == "두 번 훈련한 모델의 파라미터가 똑같은가요? True"
    assert run.namespace["deterministic_after_run"], "deterministic=True / use_deterministic_algorithms(True)"


def test_same_weights_sees_one_changed_number():
    torch.manual_seed(0)
    model = SimpleNN()
    torch.manual_seed(0)
    twin = SimpleNN()
    assert data.same_weights(model, twin)
    with torch.no_grad():
        twin.layers[4].bias[3] += 1e-7
    assert not data.same_weights(model, twin)


# --- the line counts ------------------------------------------------------------------------------------------------


def recount(path, section):
    """An independent count: the engine's own reading of the section, minus blank and comment-only lines."""
    piece = next(piece for piece in pieces_of(path, REPO_ROOT) if piece.section == section)
    return len([line for line in piece.lines if line.strip() and not re.match(r"\s*#", line)])


def test_line_counts_equal_what_the_files_hold():
    table = line_counts.count_table()
    assert list(table) == list(line_counts.FEATURES)
    for name, counts in table.items():
        for code, path in line_counts.FILES.items():
            assert counts[code] == recount(path, name), (code, name)
            assert counts[code] > 0


def test_the_page_table_is_the_count(tmp_path_factory):
    run = run_main("snippets.beyond.lightning_does.line_counts", tmp_path_factory)
    lines = printed_lines(run)
    assert lines[0].split() == ["PyTorch", "Lightning", "기능"]
    table = line_counts.count_table()
    for line, (name, counts) in zip(lines[1:], table.items(), strict=False):
        torch_count, lit_count, label = line.split(maxsplit=2)
        assert (int(torch_count), int(lit_count), label) == (
            counts["PyTorch"],
            counts["Lightning"],
            line_counts.FEATURES[name],
        )
    totals = lines[len(table) + 1].split()
    assert totals == [
        str(sum(c["PyTorch"] for c in table.values())),
        str(sum(c["Lightning"] for c in table.values())),
        "합계",
    ]


def test_what_the_page_says_about_the_counts():
    """The closing paragraph: Lightning is shorter for most features, the CSV log is the exception."""
    table = line_counts.count_table()
    assert table["csv-log"]["PyTorch"] < table["csv-log"]["Lightning"]
    shorter = [name for name, counts in table.items() if counts["Lightning"] < counts["PyTorch"]]
    assert len(shorter) > len(table) / 2
    for name in ("clipping", "precision"):  # features inside the loop: the largest gaps
        assert table[name]["PyTorch"] - table[name]["Lightning"] >= 10


def test_code_lines_skip_blank_and_comment_lines(tmp_path):
    assert line_counts.code_lines(["", "   ", "# 주석", "    # 들여 쓴 주석", "x = 1  # 뒤 주석", "y = 2"]) == 2
    path = tmp_path / "sample.py"
    path.write_text(
        "a = 0\n# --8<-- [start:outer]\nb = 1\n# --8<-- [start:inner]\n\nc = 2\n# --8<-- [end:inner]\n"
        "# --8<-- [end:outer]\nd = 3\n",
        encoding="utf-8",
    )
    assert line_counts.section_lines(path, "outer") == ["b = 1", "", "c = 2"]
    assert line_counts.section_lines(path, "inner") == ["", "c = 2"]


# --- the opening table ----------------------------------------------------------------------------------------------


def test_the_opening_table_quotes_the_training_loop_line_for_line():
    page = "".join(path.read_text(encoding="utf-8") for path in PAGES)
    table = page.split("## 직접 쓴 반복문의 줄마다", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    loop = TRAINING_LOOP.read_text(encoding="utf-8")
    assert len(rows) >= 10
    for row in rows:
        quoted = re.match(r"\| `(.+?)` \|", row)[1]
        assert quoted in loop, quoted


# --- forgetting the mode -------------------------------------------------------------------------------------------


def test_dropout_models_add_only_the_dropout():
    torch.manual_seed(0)
    plain = modes.DropoutNN()
    torch.manual_seed(0)
    lit = modes.LitDropoutMNIST()
    assert data.same_weights(plain, lit), "same layers, same seed, same weights"
    images = torch.rand(4, 1, 28, 28)
    plain.eval()
    lit.eval()
    assert torch.equal(plain(images), lit(images))
    plain.train()
    assert not torch.equal(plain(images), plain(images)), "in training mode each pass drops other pixels"


def test_accuracy_as_is_keeps_the_mode():
    model = modes.DropoutNN()
    _, val_loader = data.small_loaders()
    model.train()
    modes.accuracy_as_is(model, val_loader)
    assert model.training
    model.eval()
    first = modes.accuracy_as_is(model, val_loader)
    assert not model.training and modes.accuracy_as_is(model, val_loader) == first


def test_the_modes_page_shows_forgetting_eval_and_fit_keeping_eval(tmp_path_factory):
    run = run_main("snippets.beyond.lightning_does.modes", tmp_path_factory)
    forgot, remembered = run.namespace["forgot"], run.namespace["remembered"]
    assert len(set(remembered)) == 1, "eval mode: the same every time"
    assert len(set(forgot)) > 1, "train mode: Dropout draws new pixels each pass"
    assert sum(forgot) / len(forgot) < remembered[0], "dropping pixels at evaluation costs accuracy"
    lines = printed_lines(run)
    assert lines[0] == "훈련 모드로 세 번 잰 검증 정확도: " + ", ".join(f"{value:.4f}" for value in forgot)
    assert lines[1] == "평가 모드로 세 번 잰 검증 정확도: " + ", ".join(f"{value:.4f}" for value in remembered)
    assert not run.namespace["lit_model"].dropout.training, "fit warns but does not call model.train()"
    assert lines[-1] == "fit이 끝난 뒤 Dropout이 훈련 모드인가요? False"
