"""Logging by hand in plain PyTorch: the same numbers that self.log writes, kept in a list and written to a CSV file."""

# --8<-- [start:log]
import csv
import itertools

import torch
from torch import nn

from snippets.steps.training.pytorch import LEARNING_RATE, evaluate, pick_device

EPOCHS = 3
TRAIN_BATCHES = 20  # 에폭마다 앞의 훈련 배치 20개만 써요
LOG_EVERY = 5  # 5 스텝마다 그 스텝의 손실을 적어요
COLUMNS = ["epoch", "step", "train_loss_epoch", "train_loss_step", "val_acc", "val_loss"]


def fit_and_log_by_hand(model, train_loader, val_loader, path):
    """3단계의 훈련에 기록을 더했어요. 기록은 딕셔너리의 리스트에 모았다가 CSV 파일로 써요."""
    device = pick_device()
    model.to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    records = []  # 기록 한 줄이 딕셔너리 하나예요
    step = 0  # 0부터 센 스텝 번호
    for epoch in range(EPOCHS):
        model.train()
        losses = []
        for images, labels in itertools.islice(train_loader, TRAIN_BATCHES):
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
            if (step + 1) % LOG_EVERY == 0:  # 5번째, 10번째, ... 스텝마다
                records.append({"epoch": epoch, "step": step, "train_loss_step": loss.item()})
            step += 1
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
        records.append({"epoch": epoch, "step": step - 1, "val_acc": val_acc, "val_loss": val_loss})
        # 배치 20개가 모두 32장이라, 배치 손실의 평균이 곧 이미지마다의 평균이에요
        records.append({"epoch": epoch, "step": step - 1, "train_loss_epoch": sum(losses) / len(losses)})
    with open(path, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)  # 딕셔너리에 없는 열은 빈칸으로 써요
        writer.writeheader()
        writer.writerows(records)
    return records


# --8<-- [end:log]


if __name__ == "__main__":
    # --8<-- [start:run]
    import tempfile
    from pathlib import Path

    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN

    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    with tempfile.TemporaryDirectory() as folder:  # 블록이 끝나면 폴더째 지워져요
        path = Path(folder) / "metrics.csv"
        records = fit_and_log_by_hand(model, train_loader, val_loader, path)
        print(path.read_text())
    # --8<-- [end:run]
