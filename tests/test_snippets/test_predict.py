"""Prediction: both ways name the same digits with the same probabilities, the argmax of the scores.

Each framework trains once here (five epochs, as on the page), through the page's own code.
"""

import re

import pytest
import torch
from torchvision import datasets

from snippets.dataset.mnist_files import mnist_root
from snippets.more.predict.digits import SHADES, draw, sample_digits
from snippets.more.predict.lightning import LitMNISTWithPredict
from snippets.more.predict.pytorch import predict
from snippets.more.testing.pytorch import build_test_loader
from snippets.steps.data.pytorch import transform
from snippets.steps.model.lightning import LitMNIST
from tests.test_snippets.main_runs import printed_lines, run_main

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

PREDICTION_LINE = re.compile(r"^레이블 (\d) -> 예측 (\d) \(확률 (\d\.\d{3})\)(  <- 틀렸어요)?$")


@pytest.fixture(scope="module")
def torch_run(tmp_path_factory):
    return run_main("snippets.more.predict.pytorch", tmp_path_factory)


@pytest.fixture(scope="module")
def lit_run(tmp_path_factory):
    return run_main("snippets.more.predict.lightning", tmp_path_factory)


def prediction_lines(run) -> list[str]:
    return [line for line in printed_lines(run) if line.startswith("레이블 ")]


def test_sample_digits_are_the_first_of_each_label_in_t10k():
    images, labels = sample_digits()
    assert images.shape == (10, 1, 28, 28)
    assert labels.tolist() == list(range(10))
    test_set = datasets.MNIST(root=mnist_root(), train=False, transform=transform)
    for label in range(10):
        first = test_set.targets.tolist().index(label)
        assert torch.equal(images[label], test_set[first][0])


def test_draw_uses_two_characters_per_pixel_and_drops_blank_rows():
    images, _ = sample_digits()
    picture = draw(images[7])
    rows = picture.splitlines()
    assert 0 < len(rows) <= 28
    assert all(len(row) == 56 and set(row) <= set(SHADES) for row in rows)
    assert rows[0].strip() and rows[-1].strip()
    assert draw(images[7]) == picture  # the same picture every time
    blank = torch.full((1, 28, 28), -1.0)
    blank[0, 10, 3] = 1.0  # one ink pixel: one row, "@@" at columns 6-7
    assert draw(blank) == " " * 6 + "@@" + " " * 48


def test_predict_is_the_argmax_of_the_scores(torch_run):
    model = torch_run.namespace["model"]
    images = torch_run.namespace["images"]
    predicted, probabilities = predict(model, images)
    assert not model.training  # predict() puts the model in eval mode
    with torch.no_grad():
        logits = model(images.to(next(model.parameters()).device)).cpu()
    assert torch.equal(predicted, logits.argmax(dim=1))
    assert torch.equal(predicted, probabilities.argmax(dim=1))
    assert torch.allclose(probabilities.sum(dim=1), torch.ones(10))
    assert torch.allclose(probabilities, torch.softmax(logits, dim=1))


def test_pytorch_prints_one_line_per_digit(torch_run):
    lines = prediction_lines(torch_run)
    assert [PREDICTION_LINE.match(line)[1] for line in lines] == [str(label) for label in range(10)]
    assert "probabilities (10, 10), predicted (10,)" in printed_lines(torch_run)


def test_both_ways_predict_the_same_digits_with_the_same_probabilities(torch_run, lit_run):
    assert prediction_lines(lit_run) == prediction_lines(torch_run)
    assert torch.equal(lit_run.namespace["predicted"], torch_run.namespace["predicted"])
    assert torch.allclose(lit_run.namespace["probabilities"], torch_run.namespace["probabilities"], atol=1e-6)


def test_the_trained_model_gets_most_sample_digits_right(torch_run):
    right = (torch_run.namespace["predicted"] == torch_run.namespace["labels"]).sum().item()
    assert right >= 8


def test_trainer_predict_returns_one_tensor_per_batch(lit_run):
    batches = lit_run.namespace["batches"]
    assert [tuple(batch.shape) for batch in batches] == [(4, 10), (4, 10), (2, 10)]
    assert "trainer.predict -> 배치마다 하나씩: [(4, 10), (4, 10), (2, 10)]" in printed_lines(lit_run)


def test_calling_the_module_directly_gives_the_same_predictions(lit_run):
    logits = lit_run.namespace["logits"]
    assert tuple(logits.shape) == (10, 10)
    assert torch.equal(logits.argmax(dim=1).cpu(), lit_run.namespace["predicted"])
    assert printed_lines(lit_run)[-2:] == ["model(images) -> (10, 10)", "trainer.predict와 같은 예측인가요? True"]


def test_all_800_test_digits_get_the_same_prediction_both_ways(torch_run, lit_run):
    """Same weights: the same answer for every t10k digit, from predict() and from trainer.predict."""
    torch_model = torch_run.namespace["model"]
    torch_predicted = torch.cat([predict(torch_model, images)[0] for images, _ in build_test_loader()])
    trainer = lit_run.namespace["trainer"]
    batches = trainer.predict(lit_run.namespace["model"], dataloaders=build_test_loader())
    lit_predicted = torch.cat(batches).argmax(dim=1).cpu()
    assert len(torch_predicted) == len(lit_predicted) == 800
    assert torch.equal(torch_predicted, lit_predicted)


def test_predict_step_uses_only_the_images():
    torch.manual_seed(0)
    model = LitMNISTWithPredict()
    assert isinstance(model, LitMNIST)
    images = torch.randn(3, 1, 28, 28)
    labels = torch.tensor([9, 9, 9])
    model.eval()
    with torch.no_grad():
        probabilities = model.predict_step((images, labels), 0)
        assert torch.allclose(probabilities, torch.softmax(model(images), dim=1))


def test_lightning_leaves_no_files(lit_run):
    assert lit_run.left_files == ()
