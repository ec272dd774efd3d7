"""Saving and loading: a reloaded model gives exactly the saved model's scores, both ways; nothing is left behind.

Each framework trains once here (one epoch, as on the page), through the page's own code.
"""

import pytest
import pytorch_lightning as pl
import torch

from snippets.more.saving.lightning import describe_checkpoint
from snippets.more.saving.pytorch import describe_state_dict
from snippets.steps.model.lightning import LEARNING_RATE, LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from tests.test_snippets.main_runs import printed_lines, run_main

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

SHAPES = {
    "layers.0.weight": (128, 784),
    "layers.0.bias": (128,),
    "layers.2.weight": (64, 128),
    "layers.2.bias": (64,),
    "layers.4.weight": (10, 64),
    "layers.4.bias": (10,),
}
CHECKPOINT_KEYS = [
    "epoch",
    "global_step",
    "pytorch-lightning_version",
    "state_dict",
    "loops",
    "callbacks",
    "optimizer_states",
    "lr_schedulers",
    "hparams_name",
    "hyper_parameters",
]


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory):
    return run_main("snippets.more.saving.pytorch", tmp_path_factory)


@pytest.fixture(scope="module")
def lit_run(tmp_path_factory):
    return run_main("snippets.more.saving.lightning", tmp_path_factory)


def scores(model, images):
    model.eval()
    with torch.inference_mode():
        return model(images)


def test_pytorch_file_holds_the_state_dict(torch_run):
    state_dict = torch_run.namespace["state_dict"]
    assert {name: tuple(tensor.shape) for name, tensor in state_dict.items()} == SHAPES
    for name, tensor in torch_run.namespace["model"].state_dict().items():
        assert torch.equal(state_dict[name], tensor)


def test_pytorch_reload_gives_identical_scores(torch_run):
    model, restored = torch_run.namespace["model"], torch_run.namespace["restored"]
    assert restored is not model
    images = torch_run.namespace["images"]
    assert torch.equal(scores(model, images), scores(restored, images))
    assert printed_lines(torch_run)[-1] == "불러온 모델의 출력이 저장한 모델과 똑같은가요? True"


def test_pytorch_prints_the_file_and_its_contents(torch_run):
    lines = printed_lines(torch_run, after="simple_nn.pt: ")
    assert lines[0].endswith(" 바이트")
    assert [line.split()[0] for line in lines[1:7]] == list(SHAPES)


def test_describe_state_dict(capsys):
    describe_state_dict({"w": torch.zeros(2, 3), "b": torch.zeros(1000)})
    assert capsys.readouterr().out.splitlines() == [
        f"{'w':<16} {'(2, 3)':<11} {'6':>7}개",
        f"{'b':<16} {'(1000,)':<11} {'1,000':>7}개",
    ]


def test_lightning_checkpoint_holds_the_training_state(lit_run):
    checkpoint = lit_run.namespace["checkpoint"]
    assert list(checkpoint) == CHECKPOINT_KEYS
    assert checkpoint["epoch"] == 1
    assert checkpoint["global_step"] == 121  # one epoch of 3,850 images in batches of 32
    assert checkpoint["pytorch-lightning_version"] == pl.__version__
    assert {name: tuple(tensor.shape) for name, tensor in checkpoint["state_dict"].items()} == SHAPES
    assert len(checkpoint["optimizer_states"]) == 1
    assert checkpoint["hyper_parameters"] == {"lr": LEARNING_RATE}  # save_hyperparameters in LitMNIST.__init__
    lines = printed_lines(lit_run, after="lit_mnist.ckpt: ")
    assert [line.split()[0] for line in lines[1:11]] == CHECKPOINT_KEYS
    assert lines[11].startswith("state_dict.pt: ")
    assert lines[12] == "Adam이 파라미터마다 기억하는 값: exp_avg, exp_avg_sq, step"


def test_the_checkpoint_is_about_three_times_the_state_dict(lit_run):
    """Adam keeps two tensors the shape of each parameter: weights + 2 x weights, plus small bookkeeping."""
    lines = printed_lines(lit_run, after="lit_mnist.ckpt: ")

    def size(line):
        return int(line.split(": ")[1].split()[0].replace(",", ""))

    ratio = size(lines[0]) / size(lines[11])
    assert 2.9 < ratio < 3.1
    assert lines[11].endswith(f"체크포인트는 그 {ratio:.1f}배예요")


def test_a_checkpoint_with_another_learning_rate_loads_without_arguments(tmp_path):
    model = LitMNIST(lr=0.01)
    trainer = pl.Trainer(logger=False, enable_checkpointing=False, enable_progress_bar=False, max_epochs=0)
    trainer.strategy.connect(model)
    path = tmp_path / "model.ckpt"
    trainer.save_checkpoint(path)
    restored = LitMNIST.load_from_checkpoint(path, weights_only=True)
    assert restored.hparams.lr == 0.01
    assert restored.configure_optimizers().param_groups[0]["lr"] == 0.01


def test_lightning_reload_gives_identical_scores(lit_run):
    model, restored = lit_run.namespace["model"], lit_run.namespace["restored"]
    assert type(restored) is type(model)
    assert restored is not model
    images = lit_run.namespace["images"]
    assert torch.equal(scores(model, images), scores(restored, images))
    assert "불러온 모델의 출력이 저장한 모델과 똑같은가요? True" in printed_lines(lit_run)


def test_lightning_weights_fit_the_pytorch_model(lit_run):
    plain = lit_run.namespace["plain"]
    assert isinstance(plain, SimpleNN)
    images = lit_run.namespace["images"]
    assert torch.equal(scores(lit_run.namespace["model"], images), scores(plain, images))
    assert printed_lines(lit_run)[-1] == "체크포인트의 가중치를 넣은 SimpleNN의 출력도 똑같은가요? True"


@pytest.mark.parametrize("run_name", ["torch_run", "lit_run"])
def test_the_saved_file_is_gone_and_nothing_is_left(run_name, request):
    run = request.getfixturevalue(run_name)
    assert not run.namespace["path"].exists()
    assert not run.namespace["path"].parent.exists()
    assert run.left_files == ()


def test_describe_checkpoint(capsys):
    describe_checkpoint({"epoch": 3, "state_dict": {"a": 1, "b": 2}, "lr_schedulers": [], "name": "x"})
    assert capsys.readouterr().out.splitlines() == [
        f"{'epoch':<26} 3",
        f"{'state_dict':<26} 딕셔너리, 키 2개",
        f"{'lr_schedulers':<26} 리스트, 0개",
        f"{'name':<26} 'x'",
    ]
