"""Gradient accumulation in plain PyTorch: one optimizer step every ACCUMULATE batches, as Lightning does it."""

# --8<-- [start:loop]
import torch
from torch import nn

from snippets.steps.training.pytorch import EPOCHS, LEARNING_RATE, evaluate, pick_device

ACCUMULATE = 4  # 배치 4개의 기울기를 모아서 스텝 한 번


def train_one_epoch_accumulating(model, loader, loss_fn, optimizer, device, accumulate=ACCUMULATE):
    model.train()
    total_loss, total_count, steps = 0.0, 0, 0
    last_batch = len(loader) - 1
    for batch_idx, (images, labels) in enumerate(loader):
        images, labels = images.to(device), labels.to(device)
        if batch_idx % accumulate == 0:
            optimizer.zero_grad()  # 묶음의 첫 배치에서만 기울기를 지워요
        loss = loss_fn(model(images), labels)
        (loss / accumulate).backward()  # 기울기가 지워지지 않고 더해져요. 1/accumulate로 줄여 평균을 만들어요
        if (batch_idx + 1) % accumulate == 0 or batch_idx == last_batch:
            optimizer.step()  # 묶음이 다 찼거나 에폭의 마지막 배치일 때만 가중치를 고쳐요
            steps += 1
        total_loss += loss.detach() * len(labels)  # 기록하는 손실은 줄이기 전의 값이에요
        total_count += len(labels)
    return total_loss.item() / total_count, steps


def fit_accumulating(model, train_loader, val_loader, epochs=EPOCHS, accumulate=ACCUMULATE):
    device = pick_device()
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    history = []
    for epoch in range(epochs):
        train_loss, steps = train_one_epoch_accumulating(model, train_loader, loss_fn, optimizer, device, accumulate)
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
        history.append({"steps": steps, "train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc})
        print(
            f"Epoch {epoch}: steps={steps}, train_loss={train_loss:.4f}, val_loss={val_loss:.4f}, val_acc={val_acc:.4f}"
        )
    return history


# --8<-- [end:loop]


if __name__ == "__main__":
    # --8<-- [start:run]
    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN

    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    groups, rest = divmod(len(train_loader), ACCUMULATE)
    print(f"훈련 배치 {len(train_loader)}개 = {ACCUMULATE}개짜리 묶음 {groups}개 + 남는 배치 {rest}개")
    history = fit_accumulating(model, train_loader, val_loader)  # 3단계처럼 5 에폭
    total_steps = sum(epoch["steps"] for epoch in history)
    print(f"에폭마다 배치 {len(train_loader)}개, {len(history)} 에폭 동안 옵티마이저 스텝은 모두 {total_steps}번")
    # --8<-- [end:run]
