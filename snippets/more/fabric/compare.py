"""Fabric: step 3's loop and the Fabric loop, trained from the same start on the same data."""

# --8<-- [start:compare]
import torch

from snippets.more.fabric import fabric as fabric_loop
from snippets.more.fabric.fabric import make_fabric
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.model.pytorch import SimpleNN
from snippets.steps.training import pytorch as step3_loop
from snippets.summary.compare import max_weight_difference


def train_both(epochs=step3_loop.EPOCHS, make_loaders=build_dataloaders):
    """두 반복문을 같은 시드, 같은 데이터로 한 번씩 돌려요. 에폭마다의 줄은 둘 다 찍어요."""
    print("3단계의 PyTorch 반복문")
    torch.manual_seed(SEED)  # 같은 시드 -> 같은 초기 가중치
    train_loader, val_loader = make_loaders()
    torch_model = SimpleNN()
    torch_history = step3_loop.fit(torch_model, train_loader, val_loader, epochs=epochs)

    print("Fabric 반복문")
    fabric = make_fabric()
    torch.manual_seed(SEED)
    train_loader, val_loader = make_loaders()
    fabric_model = SimpleNN()
    fabric_history = fabric_loop.fit(fabric, fabric_model, train_loader, val_loader, epochs=epochs)
    return torch_model, torch_history, fabric_model, fabric_history


# --8<-- [end:compare]


if __name__ == "__main__":
    # --8<-- [start:run]
    torch_model, torch_history, fabric_model, fabric_history = train_both()
    # --8<-- [end:run]

    # --8<-- [start:results]
    print(f"에폭마다의 손실과 정확도가 같은가요? {torch_history == fabric_history}")
    print(f"두 모델 파라미터의 최대 차이: {max_weight_difference(torch_model, fabric_model)}")
    # --8<-- [end:results]
