"""The small training set both tabs of "Lightning이 대신 해 주는 것" use, and the small helpers they share."""

# --8<-- [start:data]
from functools import cache
from itertools import islice

import torch
from torch.utils.data import DataLoader, Sampler, TensorDataset

from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders

TRAIN_SIZE = 1000  # 배치 크기로 나누어떨어지지 않게 골랐어요(마지막 배치가 덜 차요)


def as_tensors(dataset):
    """데이터셋의 이미지를 모두 변환해 텐서 하나로 쌓아 둬요. 에폭마다 다시 변환하지 않아도 돼요."""
    images, labels = zip(*dataset, strict=True)
    return TensorDataset(torch.stack(images), torch.tensor(labels))


@cache  # 한 프로세스에서 처음 한 번만 만들어요
def small_sets():
    """1단계의 훈련 세트에서 앞쪽 TRAIN_SIZE장과, 1단계의 검증 세트 그대로예요."""
    train_loader, val_loader = build_dataloaders()
    train_images = [train_loader.dataset[index] for index in range(TRAIN_SIZE)]
    return as_tensors(train_images), as_tensors(val_loader.dataset)


class EpochSampler(Sampler):
    """시드와 에폭 번호만으로 섞는 순서를 정하는 샘플러예요. 에폭마다 set_epoch(에폭 번호)를 불러 줘야 해요."""

    def __init__(self, dataset, seed):
        self.size = len(dataset)
        self.seed = seed
        self.epoch = 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        return self.size

    def __iter__(self):
        generator = torch.Generator().manual_seed(self.seed + self.epoch)
        return iter(torch.randperm(self.size, generator=generator).tolist())


def small_loaders(resumable=False):
    """small_sets로 만든 새 데이터로더 한 쌍이에요. 훈련 데이터로더는 1단계처럼 시드를 준 생성기로 섞어요."""
    train_set, val_set = small_sets()
    val_loader = DataLoader(val_set, batch_size=BATCH_SIZE)
    if resumable:
        # 섞는 순서가 시드와 에폭 번호만으로 정해져요. 이어서 훈련해도 순서가 끊기지 않아요.
        return DataLoader(train_set, batch_size=BATCH_SIZE, sampler=EpochSampler(train_set, SEED)), val_loader
    generator = torch.Generator().manual_seed(SEED)
    return DataLoader(train_set, batch_size=BATCH_SIZE, shuffle=True, generator=generator), val_loader


def first_batches(train_loader, count):
    """섞지 않은 훈련 데이터의 앞쪽 배치 count개예요. Lightning의 overfit_batches가 고르는 배치와 같아요."""
    return list(islice(DataLoader(train_loader.dataset, batch_size=train_loader.batch_size), count))


def same_weights(model, other):
    """두 모델의 가중치와 편향이 마지막 비트까지 같은지 알려 줘요."""
    pairs = zip(model.state_dict().values(), other.state_dict().values(), strict=True)
    return all(torch.equal(mine.cpu(), theirs.cpu()) for mine, theirs in pairs)


# --8<-- [end:data]


# --8<-- [start:precision]
def describe_bf16(model, images):
    """가중치의 자료형, autocast 안에서 나온 점수의 자료형, float32로만 계산한 점수와의 차이를 출력해요."""
    device = next(model.parameters()).device
    images = images.to(device)
    with torch.no_grad():
        full = model(images)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):
            mixed = model(images)
    print(f"가중치의 자료형: {next(model.parameters()).dtype}")
    print(f"autocast 안에서 나온 점수의 자료형: {mixed.dtype}")
    print(f"float32로만 계산한 점수와의 최대 차이: {(full - mixed.float()).abs().max().item():.4f}")


# --8<-- [end:precision]
