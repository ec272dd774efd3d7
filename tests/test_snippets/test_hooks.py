"""What trainer.fit calls, in order: the recorded hooks, and the page's pseudocode agrees with them."""

import re
from pathlib import Path

import pytest

from snippets.more.hooks.lightning import DATAMODULE_HOOKS, MODEL_HOOKS, CallRecorder
from snippets.steps.model.lightning import LitMNIST
from tests.test_snippets.main_runs import printed_lines, run_main

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

REPO_ROOT = Path(__file__).resolve().parents[2]
PAGE = REPO_ROOT / "docs" / "more" / "hooks.md"
# The order that matters, as Lightning 2.6 calls it (each may have other calls in between).
KEY_SEQUENCE = [
    "datamodule.prepare_data",
    "datamodule.setup",
    "model.setup",
    "model.configure_optimizers",
    "model.on_fit_start",
    "(sanity check 시작)",
    "datamodule.val_dataloader",
    "model.on_validation_model_eval",
    "model.validation_step",
    "(sanity check 끝)",
    "datamodule.train_dataloader",
    "model.on_train_start",
    "model.on_train_epoch_start",
    "model.on_train_batch_start",
    "model.optimizer_step",
    "model.training_step",
    "model.optimizer_zero_grad",
    "model.backward",
    "model.on_train_batch_end",
    "model.on_validation_model_eval",
    "model.validation_step",
    "model.on_validation_epoch_end",
    "model.on_train_epoch_end",
    "model.on_train_end",
    "model.on_fit_end",
    "datamodule.teardown",
    "model.teardown",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_main("snippets.more.hooks.lightning", tmp_path_factory)


@pytest.fixture(scope="module")
def names(run) -> list[str]:
    return [name for _, name in run.namespace["recorder"].calls]


def is_subsequence(wanted: list[str], seen: list[str]) -> bool:
    remaining = iter(seen)
    return all(name in remaining for name in wanted)


def test_subsequence_helper():
    assert is_subsequence(["a", "c"], ["a", "b", "c"])
    assert not is_subsequence(["c", "a"], ["a", "b", "c"])
    assert is_subsequence(["a", "a"], ["a", "b", "a"])


def test_fit_calls_the_hooks_in_this_order(names):
    assert is_subsequence(KEY_SEQUENCE, names), names
    assert names[0] == "datamodule.prepare_data"
    assert names[-2:] == ["datamodule.teardown", "model.teardown"]


def test_each_batch_is_counted(names):
    assert names.count("model.training_step") == 2  # limit_train_batches=2
    assert names.count("model.optimizer_step") == 2
    assert names.count("model.validation_step") == 2  # one in the sanity check, one after the epoch
    assert names.count("datamodule.val_dataloader") == names.count("datamodule.train_dataloader") == 1


def test_validation_comes_before_the_end_of_the_epoch(names):
    last_validation = len(names) - 1 - names[::-1].index("model.validation_step")
    assert last_validation < names.index("model.on_train_epoch_end")


def test_the_closure_runs_inside_optimizer_step(run):
    calls = run.namespace["recorder"].calls
    for index, (depth, name) in enumerate(calls):
        if name == "model.optimizer_step":
            assert depth == 0
            inside = calls[index + 1 : index + 4]
            assert inside == [(1, "model.training_step"), (1, "model.optimizer_zero_grad"), (1, "model.backward")]
    assert {depth for depth, _ in calls} == {0, 1}


def test_the_printed_order_is_the_recorded_one(run):
    calls = run.namespace["recorder"].calls
    printed = printed_lines(run, after="datamodule.prepare_data")
    assert printed == ["    " * depth + name for depth, name in calls]


def test_watching_changes_nothing_lightning_checks(run):
    """functools.wraps keeps Lightning's is_overridden answers: hooks the model does not define stay default."""
    from pytorch_lightning.utilities.model_helpers import is_overridden

    model = run.namespace["model"]
    assert is_overridden("training_step", model)
    assert not is_overridden("on_fit_start", model)
    assert not is_overridden("backward", model)
    plain = LitMNIST()
    for hook in MODEL_HOOKS:
        assert is_overridden(hook, model) == is_overridden(hook, plain), hook


def test_watch_records_and_passes_through():
    class Owner:
        def double(self, x):
            return 2 * x

    owner = Owner()
    recorder = CallRecorder()
    recorder.watch(owner, "owner", ["double"])
    assert owner.double(4) == 8
    assert owner.double.__wrapped__ is not None
    assert recorder.calls == [(0, "owner.double")]
    assert Owner().double(1) == 2  # only that object is changed, not the class


def test_the_watched_hooks_exist():
    import pytorch_lightning as pl

    assert all(callable(getattr(pl.LightningDataModule, name)) for name in DATAMODULE_HOOKS)
    assert all(callable(getattr(pl.LightningModule, name)) for name in MODEL_HOOKS)


def pseudocode_blocks() -> list[str]:
    """The text fences of docs/more/hooks.md (indented ones, in tabs, too)."""
    text = PAGE.read_text(encoding="utf-8")
    return [block for _, block in re.findall(r"^( *)```text[^\n]*\n(.*?)^\1```", text, re.M | re.S)]


def test_the_pages_pseudocode_follows_the_recorded_order(names):
    blocks = pseudocode_blocks()
    assert len(blocks) == 2
    for block in blocks:
        mentioned = [f"{owner}.{hook}" for owner, hook in re.findall(r"\b(model|datamodule)\.(\w+)\(", block)]
        unknown = [name for name in mentioned if name.split(".")[1] not in DATAMODULE_HOOKS + MODEL_HOOKS]
        assert unknown == [], "the pseudocode names only hooks the recorder watches"
        assert is_subsequence(mentioned, names), mentioned
    full = [f"{owner}.{hook}" for owner, hook in re.findall(r"\b(model|datamodule)\.(\w+)\(", blocks[0])]
    hooks = set(names) - {"(sanity check 시작)", "(sanity check 끝)"}
    assert set(full) == hooks, "the full pseudocode names every recorded hook"


def test_lightning_leaves_no_files(run):
    assert run.left_files == ()
