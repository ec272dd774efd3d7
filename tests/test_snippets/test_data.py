"""Step 1: snippets/steps/data/pytorch.py and snippets/steps/data/lightning.py."""

import inspect

import pytest
import torch
from torch.utils.data import DataLoader, RandomSampler, SequentialSampler

from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders

SHIPPED_TRAIN_IMAGES = 4200


@pytest.fixture(scope="module")
def loaders():
    return build_dataloaders()


@pytest.fixture(scope="module")
def datamodule():
    module = MNISTDataModule()
    module.prepare_data()
    module.setup("fit")
    return module


def test_settings_match_the_guide():
    assert SEED == 42
    assert BATCH_SIZE == 32


def test_batch_shape_and_normalised_values(loaders):
    train_loader, _ = loaders
    images, labels = next(iter(train_loader))
    assert images.shape == (32, 1, 28, 28)
    assert images.dtype == torch.float32
    assert labels.shape == (32,)
    assert labels.dtype == torch.int64
    assert ((labels >= 0) & (labels <= 9)).all()
    # ToTensor gives 0..1, Normalize((0.5,), (0.5,)) maps it to -1..1: background -1, ink up to 1.
    assert images.min().item() >= -1.0
    assert images.max().item() <= 1.0
    assert images.min().item() == pytest.approx(-1.0, abs=1e-6)
    assert images.max().item() == pytest.approx(1.0, abs=0.01)


def test_validation_is_one_twelfth_of_the_dataset(loaders):
    train_loader, val_loader = loaders
    full = train_loader.dataset.dataset
    assert val_loader.dataset.dataset is full
    assert len(full) == SHIPPED_TRAIN_IMAGES
    assert len(val_loader.dataset) == len(full) // 12 == 350
    assert len(train_loader.dataset) + len(val_loader.dataset) == len(full)
    assert len(train_loader.dataset) == 3850


def test_batch_counts(loaders, datamodule):
    """3,850 training images in batches of 32: 120 full batches and a last one of 10; 350 -> 10 and 30."""
    train_loader, val_loader = loaders
    assert len(train_loader) == len(datamodule.train_dataloader()) == 121
    assert len(val_loader) == len(datamodule.val_dataloader()) == 11
    assert [len(labels) for _, labels in train_loader][-2:] == [32, 10]
    assert [len(labels) for _, labels in val_loader][-2:] == [32, 30]


def test_normalised_values_centre_on_less_than_zero(loaders):
    """Normalize((0.5,), (0.5,)) centres the range -1..1 on 0; MNIST, mostly background, averages below it."""
    train_loader, _ = loaders
    images = torch.cat([batch for batch, _ in train_loader])
    assert -0.8 < images.mean().item() < -0.7
    assert (images == -1.0).float().mean().item() > 0.5, "most pixels are background"


def test_split_is_disjoint(loaders):
    train_loader, val_loader = loaders
    assert not set(train_loader.dataset.indices) & set(val_loader.dataset.indices)


def test_only_training_data_is_shuffled(loaders):
    train_loader, val_loader = loaders
    assert isinstance(train_loader.sampler, RandomSampler)
    assert isinstance(val_loader.sampler, SequentialSampler)
    assert train_loader.batch_size == val_loader.batch_size == BATCH_SIZE


def test_same_seed_gives_the_same_split_and_first_batch():
    first_train, first_val = build_dataloaders()
    second_train, second_val = build_dataloaders()
    assert first_val.dataset.indices == second_val.dataset.indices
    first_images, first_labels = next(iter(first_train))
    second_images, second_labels = next(iter(second_train))
    assert torch.equal(first_labels, second_labels)
    assert torch.equal(first_images, second_images)


def test_another_seed_gives_another_split():
    _, val_42 = build_dataloaders(seed=42)
    _, val_7 = build_dataloaders(seed=7)
    assert val_42.dataset.indices != val_7.dataset.indices


def test_datamodule_has_the_lightning_hooks():
    for hook in ("prepare_data", "setup", "train_dataloader", "val_dataloader"):
        assert hook in vars(MNISTDataModule), f"MNISTDataModule does not define {hook}"
        assert inspect.isfunction(vars(MNISTDataModule)[hook])


def test_datamodule_split_sizes_match(datamodule, loaders):
    train_loader, val_loader = loaders
    assert len(datamodule.train_set) == len(train_loader.dataset) == 3850
    assert len(datamodule.val_set) == len(val_loader.dataset) == 350
    assert datamodule.train_set.indices == train_loader.dataset.indices
    assert datamodule.val_set.indices == val_loader.dataset.indices


def test_datamodule_loaders(datamodule):
    assert isinstance(datamodule.train_dataloader().sampler, RandomSampler)
    assert isinstance(datamodule.val_dataloader().sampler, SequentialSampler)
    assert datamodule.train_dataloader().batch_size == BATCH_SIZE


def test_datamodule_first_batch_equals_the_pytorch_one(datamodule):
    train_loader, _ = build_dataloaders()
    torch_images, torch_labels = next(iter(train_loader))
    lit_images, lit_labels = next(iter(datamodule.train_dataloader()))
    assert torch.equal(lit_images, torch_images)
    assert torch.equal(lit_labels, torch_labels)


def test_datamodule_epoch_order_equals_the_pytorch_one(datamodule):
    """Not only the first batch: a whole epoch arrives in the same order."""
    train_loader, _ = build_dataloaders()
    torch_labels = torch.cat([labels for _, labels in train_loader])
    lit_labels = torch.cat([labels for _, labels in datamodule.train_dataloader()])
    assert torch.equal(lit_labels, torch_labels)
    val_torch = torch.cat([labels for _, labels in build_dataloaders()[1]])
    val_lit = torch.cat([labels for _, labels in datamodule.val_dataloader()])
    assert torch.equal(val_lit, val_torch)


def test_worker_processes_do_not_change_the_batch_order(datamodule):
    """The data page's note: the main process's generator decides the order, whatever num_workers is."""
    in_main_process = torch.cat([labels for _, labels in datamodule.train_dataloader()])
    with_workers = DataLoader(
        datamodule.train_set,
        batch_size=BATCH_SIZE,
        shuffle=True,
        generator=torch.Generator().manual_seed(SEED),
        num_workers=2,
    )
    assert torch.equal(torch.cat([labels for _, labels in with_workers]), in_main_process)
