"""A learning-rate scheduler in plain PyTorch: StepLR, stepped once per epoch after that epoch's optimizer steps."""

# --8<-- [start:schedule]
import warnings

import torch
from torch import nn

from snippets.steps.training.pytorch import EPOCHS, LEARNING_RATE, evaluate, pick_device, train_one_epoch

STEP_SIZE = 2  # 2 에폭마다
GAMMA = 0.5  # 학습률에 0.5를 곱해요


def make_scheduler(optimizer):
    return torch.optim.lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=GAMMA)


def lr_per_epoch(epochs=EPOCHS, scheduler_first=False):
    """훈련 없이 옵티마이저와 스케줄러만 돌려서, 에폭마다 쓰는 학습률과 PyTorch가 낸 경고를 돌려줘요."""
    weight = torch.zeros(1, requires_grad=True)  # 파라미터 하나짜리 가짜 모델
    optimizer = torch.optim.Adam([weight], lr=LEARNING_RATE)
    scheduler = make_scheduler(optimizer)
    used = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")  # 경고를 화면에 찍지 않고 caught에 모아요
        for _ in range(epochs):
            if scheduler_first:
                scheduler.step()  # 거꾸로 된 순서: 옵티마이저보다 먼저
            used.append(optimizer.param_groups[0]["lr"])  # 이번 에폭에 옵티마이저가 쓰는 학습률
            optimizer.step()  # 진짜 훈련이라면 여기서 배치마다 한 번씩, 여러 번 불러요
            if not scheduler_first:
                scheduler.step()  # 올바른 순서: 에폭의 optimizer.step()이 모두 끝난 뒤 한 번
    return used, [str(warning.message) for warning in caught]


# --8<-- [end:schedule]


# --8<-- [start:fit]
def fit_with_scheduler(model, train_loader, val_loader, epochs=EPOCHS):
    device = pick_device()
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    scheduler = make_scheduler(optimizer)
    history = []
    for epoch in range(epochs):
        lr = scheduler.get_last_lr()[0]  # 이번 에폭에 쓸 학습률
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer, device)  # 배치마다 optimizer.step()
        scheduler.step()  # 에폭이 끝나면 한 번: 다음 에폭의 학습률을 정해요
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
        history.append({"lr": lr, "train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc})
        print(f"Epoch {epoch}: lr={lr:g}, train_loss={train_loss:.4f}, val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
    return history


# --8<-- [end:fit]


if __name__ == "__main__":
    # --8<-- [start:alone]
    used, caught = lr_per_epoch()
    print(f"에폭마다의 학습률: {used}")
    print(f"PyTorch가 낸 경고: {len(caught)}개")
    # --8<-- [end:alone]

    # --8<-- [start:order]
    import textwrap

    used_reversed, caught_reversed = lr_per_epoch(scheduler_first=True)
    print(f"거꾸로 부른 경우:  {used_reversed}")
    print(f"PyTorch가 낸 경고: {len(caught_reversed)}개")
    print(textwrap.fill(caught_reversed[0], width=80))  # 긴 경고 문장을 80자마다 줄 바꿔 찍어요
    # --8<-- [end:order]

    # --8<-- [start:run]
    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN

    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    history = fit_with_scheduler(model, train_loader, val_loader)  # 3단계처럼 5 에폭
    # --8<-- [end:run]
