"""Step 3's loop with Lightning Fabric: the same loop; Fabric moves the model and the batches, and runs backward."""

# --8<-- [start:loop]
import torch
from lightning_fabric import Fabric
from torch import nn

from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training.pytorch import EPOCHS, LEARNING_RATE


def train_one_epoch(fabric, model, loader, loss_fn, optimizer):
    model.train()  # 훈련 모드
    total_loss, total_count = 0.0, 0
    for images, labels in loader:
        optimizer.zero_grad()  # 지난 배치의 기울기를 지워요
        loss = loss_fn(model(images), labels)  # 순전파와 손실
        fabric.backward(loss)  # 역전파: 기울기 계산 (loss.backward() 대신)
        optimizer.step()  # 가중치 갱신
        total_loss += loss.detach() * len(labels)  # 텐서로 더해 둬요(.item()은 GPU를 기다리게 해요)
        total_count += len(labels)
    return total_loss.item() / total_count  # 에폭이 끝날 때 한 번만 파이썬 숫자로 바꿔요


def evaluate(model, loader, loss_fn):
    model.eval()  # 평가 모드
    total_loss, correct, total_count = 0.0, 0, 0
    with torch.no_grad():  # 검증할 때는 기울기가 필요 없어요
        for images, labels in loader:
            outputs = model(images)
            total_loss += loss_fn(outputs, labels) * len(labels)
            correct += (outputs.argmax(dim=1) == labels).sum()
            total_count += len(labels)
    return total_loss.item() / total_count, correct.item() / total_count


def make_fabric():
    # 3단계의 pick_device와 같은 규칙이에요. NVIDIA GPU(CUDA)가 있으면 GPU, 없으면 CPU예요.
    accelerator = "cuda" if torch.cuda.is_available() else "cpu"
    return Fabric(accelerator=accelerator, devices=1, precision="32-true")  # 32비트 그대로


def fit(fabric, model, train_loader, val_loader, epochs=EPOCHS, lr=LEARNING_RATE):
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    # 모델은 Fabric의 장치로 옮기고, 데이터로더는 배치를 그 장치로 옮겨 주도록 감싸요
    model, optimizer = fabric.setup(model, optimizer)
    train_loader, val_loader = fabric.setup_dataloaders(train_loader, val_loader)
    history = []
    for epoch in range(epochs):
        train_loss = train_one_epoch(fabric, model, train_loader, loss_fn, optimizer)
        val_loss, val_acc = evaluate(model, val_loader, loss_fn)
        history.append({"train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc})
        print(f"Epoch {epoch}: train_loss={train_loss:.4f}, val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
    return history


# --8<-- [end:loop]


if __name__ == "__main__":
    # --8<-- [start:inside]
    fabric = make_fabric()
    torch.manual_seed(SEED)
    train_loader, val_loader = build_dataloaders()
    model = SimpleNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    wrapped_model, wrapped_optimizer = fabric.setup(model, optimizer)
    wrapped_train, wrapped_val = fabric.setup_dataloaders(train_loader, val_loader)
    images, labels = next(iter(wrapped_train))

    print(f"Fabric이 고른 장치: {fabric.device}")
    print(f"정밀도: {fabric.strategy.precision.precision}, 파라미터의 자료형: {next(model.parameters()).dtype}")
    print(f"모델: {type(model).__name__} -> {type(wrapped_model).__name__}")
    print(f"옵티마이저: {type(optimizer).__name__} -> {type(wrapped_optimizer).__name__}")
    print(f"데이터로더: {type(train_loader).__name__} -> {type(wrapped_train).__name__}")
    print(f"모델의 파라미터가 있는 장치: {next(model.parameters()).device}")
    print(f"첫 배치가 있는 장치: images {images.device}, labels {labels.device}")
    print(f"훈련 데이터로더의 샘플러: {type(wrapped_train.sampler).__name__}")
    print(f"샘플러는 원래 것 그대로인가요? {wrapped_train.sampler is train_loader.sampler}")
    print(f"감싼 모델 안의 모델은 원래 모델인가요? {wrapped_model.module is model}")
    # --8<-- [end:inside]
