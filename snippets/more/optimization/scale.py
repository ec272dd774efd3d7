"""Why the accumulated loss is divided by N: N scaled small batches give the gradient of one big batch."""

# --8<-- [start:scale]
import torch
from torch import nn

from snippets.more.optimization.pytorch import ACCUMULATE  # 배치 4개를 한 묶음으로


def gradient(model):
    """모델의 모든 파라미터의 기울기를 한 줄로 이어 붙여요."""
    return torch.cat([parameter.grad.flatten() for parameter in model.parameters()])


def compare_gradients(model, images, labels, accumulate=ACCUMULATE):
    """큰 배치 하나의 기울기와, 그 배치를 accumulate개로 나눠 모은 기울기를 견줘요."""
    loss_fn = nn.CrossEntropyLoss()
    model.zero_grad()
    loss_fn(model(images), labels).backward()  # 이미지 전체를 한 배치로
    big_batch = gradient(model)

    for scale in (1 / accumulate, 1):  # 1/accumulate로 줄여서 모으기, 줄이지 않고 모으기
        model.zero_grad()
        for part_images, part_labels in zip(images.chunk(accumulate), labels.chunk(accumulate), strict=True):
            (loss_fn(model(part_images), part_labels) * scale).backward()  # 지우지 않으니 더해져요
        accumulated = gradient(model)
        difference = (accumulated - big_batch).abs().max().item()
        ratio = (accumulated.norm() / big_batch.norm()).item()
        print(f"손실에 곱한 수 {scale:g}: 모은 기울기가 큰 배치 기울기의 {ratio:.4f}배, 최대 차이 {difference:.1e}")


# --8<-- [end:scale]


if __name__ == "__main__":
    # --8<-- [start:run]
    from snippets.steps.data.pytorch import BATCH_SIZE, SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN

    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders(batch_size=BATCH_SIZE * ACCUMULATE)  # 이미지 128장짜리 배치
    images, labels = next(iter(train_loader))
    compare_gradients(SimpleNN(), images, labels)
    # --8<-- [end:run]
