"""Step 2: snippets/steps/model/pytorch.py and snippets/steps/model/lightning.py."""

import pytest
import torch

from snippets.steps.model import lightning as lit_model_file
from snippets.steps.model import pytorch as torch_model_file
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN

PARAMETERS = 28 * 28 * 128 + 128 + 128 * 64 + 64 + 64 * 10 + 10  # 109,386


def seeded(model_class, seed=42):
    torch.manual_seed(seed)
    return model_class()


@pytest.mark.parametrize("model_class", [SimpleNN, LitMNIST])
def test_parameter_count(model_class):
    model = model_class()
    assert PARAMETERS == 109_386
    assert sum(p.numel() for p in model.parameters()) == PARAMETERS
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == PARAMETERS


@pytest.mark.parametrize("model_class", [SimpleNN, LitMNIST])
@pytest.mark.parametrize("batch", [1, 2, 32])
def test_output_is_one_score_per_class(model_class, batch):
    model = model_class()
    outputs = model(torch.randn(batch, 1, 28, 28))
    assert outputs.shape == (batch, 10)
    assert outputs.dtype == torch.float32


def test_both_files_use_the_same_seed():
    assert torch_model_file.SEED == lit_model_file.SEED == 42


def test_same_seed_gives_identical_initial_weights():
    torch_weights = seeded(SimpleNN).state_dict()
    lit_weights = seeded(LitMNIST).state_dict()
    assert list(torch_weights) == list(lit_weights)
    assert list(torch_weights) == [f"layers.{i}.{kind}" for i in (0, 2, 4) for kind in ("weight", "bias")]
    for name, value in torch_weights.items():
        assert torch.equal(value, lit_weights[name]), name


def test_same_seed_gives_the_same_outputs():
    images = torch.randn(4, 1, 28, 28)
    with torch.no_grad():
        assert torch.equal(seeded(SimpleNN)(images), seeded(LitMNIST)(images))


def test_another_seed_gives_other_weights():
    first, other = seeded(SimpleNN, 42).state_dict(), seeded(SimpleNN, 0).state_dict()
    assert not torch.equal(first["layers.0.weight"], other["layers.0.weight"])


def test_lightning_optimizer_is_adam_with_the_guides_rate():
    model = LitMNIST()
    optimizer = model.configure_optimizers()
    assert isinstance(optimizer, torch.optim.Adam)
    assert optimizer.param_groups[0]["lr"] == 0.001
    assert lit_model_file.LEARNING_RATE == 0.001
    optimized = [p for group in optimizer.param_groups for p in group["params"]]
    assert {id(p) for p in optimized} == {id(p) for p in model.parameters()}


@pytest.mark.filterwarnings("ignore:You are trying to `self.log\\(\\)`")  # no Trainer here, on purpose
def test_training_step_returns_a_differentiable_loss():
    model = seeded(LitMNIST)
    images, labels = torch.randn(8, 1, 28, 28), torch.arange(8)
    loss = model.training_step((images, labels), 0)
    assert loss.shape == ()
    assert loss.requires_grad
    expected = torch.nn.functional.cross_entropy(model(images), labels)
    assert loss.item() == pytest.approx(expected.item())
