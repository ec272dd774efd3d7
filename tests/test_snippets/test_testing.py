"""Testing: train both ways as the steps do, then evaluate once on the t10k digits; the numbers agree.

Each framework trains once here (five epochs), through the page's own code.
"""

import hashlib
import re

import pytest
import torch
from torch.utils.data import SequentialSampler
from torchvision import datasets

from snippets.dataset.mnist_files import mnist_root
from snippets.more.testing.lightning import LitMNISTWithTest, MNISTDataModuleWithTest
from snippets.more.testing.pytorch import build_test_loader
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.model.lightning import LitMNIST
from tests.test_snippets.main_runs import printed_lines, run_main

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

MIN_TEST_ACC = 0.85
TEST_IMAGES = 800
TEST_LINE = re.compile(r"^test_loss=(\d\.\d{4}), test_acc=(\d\.\d{4})$")


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory):
    return run_main("snippets.more.testing.pytorch", tmp_path_factory)


@pytest.fixture(scope="module")
def lit_run(tmp_path_factory):
    return run_main("snippets.more.testing.lightning", tmp_path_factory)


def test_test_loader_reads_the_t10k_files_in_order():
    loader = build_test_loader()
    assert isinstance(loader.sampler, SequentialSampler)
    assert loader.batch_size == 32
    assert len(loader.dataset) == TEST_IMAGES
    assert loader.dataset.train is False


def test_no_test_image_is_a_training_image():
    """The page says the model never saw the t10k digits: none of them is in the train files."""

    def fingerprints(train):
        images = datasets.MNIST(root=mnist_root(), train=train).data
        return {hashlib.sha256(image.numpy().tobytes()).hexdigest() for image in images}

    assert not fingerprints(train=False) & fingerprints(train=True)


def test_pytorch_trains_five_epochs_then_tests_once(torch_run):
    lines = printed_lines(torch_run)
    assert [line.split(":")[0] for line in lines[:5]] == [f"Epoch {n}" for n in range(5)]
    assert lines[5:] == [f"테스트 세트 {TEST_IMAGES}장", lines[-1]]
    assert TEST_LINE.match(lines[-1])


def test_lightning_trains_five_epochs_then_tests_once(lit_run):
    trainer = lit_run.namespace["trainer"]
    assert trainer.current_epoch == 5
    assert len(lit_run.namespace["results"]) == 1  # one test dataloader
    assert set(lit_run.namespace["results"][0]) == {"test_loss", "test_acc"}
    assert printed_lines(lit_run, after="테스트 세트") == [f"테스트 세트 {TEST_IMAGES}장", printed_lines(lit_run)[-1]]


@pytest.mark.parametrize("run_name", ["torch_run", "lit_run"])
def test_test_accuracy(run_name, request):
    run = request.getfixturevalue(run_name)
    assert MIN_TEST_ACC <= run.namespace["test_acc"] <= 1.0


def test_both_ways_train_the_same_weights(torch_run, lit_run):
    torch_weights = torch_run.namespace["model"].cpu().state_dict()
    lit_weights = lit_run.namespace["model"].cpu().state_dict()
    assert list(torch_weights) == list(lit_weights)
    assert all(torch.equal(torch_weights[name], lit_weights[name]) for name in torch_weights)


def test_both_ways_report_the_same_test_numbers(torch_run, lit_run):
    """Same weights, same images: the same digits right, so the same accuracy (float32 in Lightning)."""
    assert printed_lines(torch_run)[-1] == printed_lines(lit_run)[-1]
    torch_acc, lit_acc = torch_run.namespace["test_acc"], lit_run.namespace["test_acc"]
    assert round(lit_acc * TEST_IMAGES) == round(torch_acc * TEST_IMAGES)
    assert lit_acc == pytest.approx(torch_acc, abs=1e-6)
    assert lit_run.namespace["test_loss"] == pytest.approx(torch_run.namespace["test_loss"], abs=1e-5)


def test_lightning_prints_its_test_table(lit_run):
    # Plain, or drawn with box characters where the `rich` package is installed (Lightning then uses it).
    assert re.search(r"^[\s┃│]*Test metric[\s┃│]+DataLoader 0[\s┃│]*$", lit_run.stdout, re.M)
    assert re.search(r"^[\s┃│]*test_acc[\s┃│]+0\.\d+[\s┃│]*$", lit_run.stdout, re.M)


def test_lightning_leaves_no_files(lit_run):
    assert lit_run.left_files == ()


def own_methods(cls) -> set[str]:
    return {name for name in vars(cls) if not name.startswith("__")}


def test_subclasses_only_add_the_test_hooks():
    assert issubclass(LitMNISTWithTest, LitMNIST)
    assert issubclass(MNISTDataModuleWithTest, MNISTDataModule)
    assert own_methods(LitMNISTWithTest) == {"test_step"}
    assert own_methods(MNISTDataModuleWithTest) == {"prepare_data", "setup", "test_dataloader"}


def test_datamodule_setup_by_stage():
    fit_module, parent = MNISTDataModuleWithTest(), MNISTDataModule()
    fit_module.setup("fit")
    parent.setup("fit")
    assert fit_module.train_set.indices == parent.train_set.indices  # the split is the parent's
    assert fit_module.val_set.indices == parent.val_set.indices
    assert not hasattr(fit_module, "test_set")

    test_module = MNISTDataModuleWithTest()
    test_module.setup("test")
    assert len(test_module.test_set) == TEST_IMAGES
    assert not hasattr(test_module, "train_set")
    loader = test_module.test_dataloader()
    assert isinstance(loader.sampler, SequentialSampler)
    assert torch.equal(next(iter(loader))[0], next(iter(build_test_loader()))[0])
