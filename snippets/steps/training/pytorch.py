"""Step 3 in plain PyTorch: the training loop, written by hand, then run for five epochs."""

# --8<-- [start:loop]
import torch
from torch import nn

from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN

EPOCHS = 5
LEARNING_RATE = 0.001


def train_one_epoch(model, loader, loss_fn, optimizer, device):
    model.train()  # 훈련 모드
    total_loss, total_count = 0.0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        optimizer.zero_grad()  # 지난 배치의 기울기를 지워요
        loss = loss_fn(model(images), labels)  # 순전파와 손실
        loss.backward()  # 역전파: 기울기 계산
        optimizer.step()  # 가중치 갱신
        total_loss += loss.detach() * len(labels)  # 텐서로 더해 둬요(.item()은 GPU를 기다리게 해요)
        total_count += len(labels)
    return total_loss.item() / total_count  # 에폭이 끝날 때 한 번만 파이썬 숫자로 바꿔요


def evaluate(model, loader, loss_fn, device):
    model.eval()  # 평가 모드
    total_loss, correct, total_count = 0.0, 0, 0
    with torch.no_grad():  # 검증할 때는 기울기가 필요 없어요
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            outputs = model(images)
            total_loss += loss_fn(outputs, labels) * len(labels)
            correct += (outputs.argmax(dim=1) == labels).sum()
            total_count += len(labels)
    return total_loss.item() / total_count, correct.item() / total_count


def pick_device():
    # NVIDIA GPU(CUDA)가 있으면 GPU, 없으면 CPU예요. Lightning 코드도 같은 규칙으로 골라요.
    # Mac의 GPU(MPS)는 일부러 고르지 않아요. 두 코드를 같은 장치에서 비교하려고요.
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def fit(model, train_loader, val_loader, epochs=EPOCHS, lr=LEARNING_RATE):
    device = pick_device()
    model.to(device)  # 훈련이 끝나도 모델은 이 장치에 그대로 있어요
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history = []
    for epoch in range(epochs):
        train_loss = train_one_epoch(model, train_loader, loss_fn, optimizer, device)
        val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
        history.append({"train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc})
        print(f"Epoch {epoch}: train_loss={train_loss:.4f}, val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
    return history


# --8<-- [end:loop]


if __name__ == "__main__":
    # --8<-- [start:run]
    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    history = fit(model, train_loader, val_loader)
    # --8<-- [end:run]
