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


@pytest.mark.parametrize("model_class", [SimpleNN, LitMNIST])
def test_outputs_are_raw_scores_for_cross_entropy(model_class):
    """The model ends in Linear(64, 10), no softmax: CrossEntropyLoss takes the raw scores (logits)."""
    model = seeded(model_class)
    assert not any(isinstance(module, torch.nn.Softmax | torch.nn.LogSoftmax) for module in model.modules())
    assert isinstance(model.layers[-1], torch.nn.Linear)
    with torch.no_grad():
        scores = model(torch.randn(16, 1, 28, 28))
    assert (scores < 0).any(), "raw scores, not probabilities"
    assert not torch.allclose(scores.sum(dim=1), torch.ones(16))
    labels = torch.arange(16) % 10
    manual = -torch.log_softmax(scores, dim=1)[torch.arange(16), labels].mean()
    assert torch.nn.CrossEntropyLoss()(scores, labels).item() == pytest.approx(manual.item())
    # argmax picks the same class from the scores as from the probabilities softmax would give.
    assert torch.equal(scores.argmax(dim=1), torch.softmax(scores, dim=1).argmax(dim=1))


def test_eval_mode_changes_nothing_in_this_model():
    """No Dropout or BatchNorm here, so model.eval() gives the same outputs as model.train()."""
    model = seeded(SimpleNN)
    images = torch.randn(8, 1, 28, 28)
    with torch.no_grad():
        in_train_mode = model.train()(images)
        in_eval_mode = model.eval()(images)
    assert torch.equal(in_train_mode, in_eval_mode)


def test_lightning_summary_counts_the_modules_the_model_page_explains():
    from pytorch_lightning.utilities.model_summary import ModelSummary

    summary = ModelSummary(seeded(LitMNIST))
    assert summary.layer_names == ["flatten", "layers", "loss_fn", "val_acc"]
    assert summary.total_training_modes == {"train": 9, "eval": 0}  # every module below LitMNIST itself
    assert summary.total_flops == 0, "FLOPs are counted only with an example_input_array"
    assert summary.model_size == pytest.approx(109_386 * 4 / 1e6)  # float32: 4 bytes a parameter


@pytest.mark.filterwarnings("ignore::UserWarning")  # Lightning's advice on workers and small datasets
@pytest.mark.filterwarnings("ignore:.*LeafSpec:FutureWarning")  # inside Lightning, as the run page says
def test_how_lightning_validates_as_the_training_page_says(tmp_path):
    """In fit: eval mode and torch.no_grad(), not inference mode; trainer.validate(): torch.inference_mode()."""
    import pytorch_lightning as pl
    from torch.utils.data import DataLoader, TensorDataset

    seen = []

    class Recording(LitMNIST):
        def training_step(self, batch, batch_idx):
            seen.append(("train", self.training, torch.is_grad_enabled(), torch.is_inference_mode_enabled()))
            return super().training_step(batch, batch_idx)

        def validation_step(self, batch, batch_idx):
            seen.append(
                (
                    self.trainer.state.stage.value,
                    self.training,
                    torch.is_grad_enabled(),
                    torch.is_inference_mode_enabled(),
                )
            )
            return super().validation_step(batch, batch_idx)

    data = DataLoader(TensorDataset(torch.randn(8, 1, 28, 28), torch.arange(8) % 10), batch_size=4)
    model = seeded(Recording)
    trainer = pl.Trainer(
        max_epochs=1,
        accelerator="cpu",
        default_root_dir=tmp_path,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, train_dataloaders=data, val_dataloaders=data)  # the first of the three ways
    trainer.validate(model, dataloaders=data, verbose=False)
    assert list(dict.fromkeys(seen)) == [
        ("sanity_check", False, False, False),  # (stage, model.training, grad enabled, inference mode)
        ("train", True, True, False),
        ("validate", False, False, False),  # validation inside fit: no_grad
        ("validate", False, False, True),  # trainer.validate(): inference_mode
    ]
