"""Forgetting the mode: Dropout measured in training mode and in evaluation mode, and fit given a model in eval mode."""

# --8<-- [start:models]
import torch
from torch import nn

from snippets.steps.model.lightning import LEARNING_RATE, LitMNIST
from snippets.steps.model.pytorch import SimpleNN

DROPOUT = 0.2  # 훈련할 때 입력 픽셀의 20%를 무작위로 꺼요


class DropoutNN(SimpleNN):
    """2단계의 SimpleNN에서 펼친 이미지에 Dropout을 한 번 걸어요."""

    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x):
        return self.layers(self.dropout(self.flatten(x)))


class LitDropoutMNIST(LitMNIST):
    """같은 일을 하는 Lightning 모델이에요."""

    def __init__(self, lr=LEARNING_RATE):
        super().__init__(lr)
        self.dropout = nn.Dropout(DROPOUT)

    def forward(self, x):
        return self.layers(self.dropout(self.flatten(x)))


def accuracy_as_is(model, loader):
    """3단계의 evaluate에서 model.eval() 줄만 뺐어요. 모델이 지금 어느 모드든 그대로 정확도를 재요."""
    device = next(model.parameters()).device
    correct = 0
    with torch.no_grad():
        for images, labels in loader:
            correct += (model(images.to(device)).argmax(dim=1) == labels.to(device)).sum().item()
    return correct / len(loader.dataset)


# --8<-- [end:models]


if __name__ == "__main__":
    # --8<-- [start:pytorch]
    import contextlib
    import io

    from snippets.beyond.lightning_does.data import small_loaders
    from snippets.steps.data.pytorch import SEED
    from snippets.steps.training.pytorch import fit

    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    model = DropoutNN()
    with contextlib.redirect_stdout(io.StringIO()):  # 에폭마다 찍는 줄은 숨겨요
        fit(model, train_loader, val_loader, epochs=3)

    model.train()  # model.eval()을 잊은 셈이에요
    forgot = [accuracy_as_is(model, val_loader) for _ in range(3)]
    model.eval()
    remembered = [accuracy_as_is(model, val_loader) for _ in range(3)]
    print("훈련 모드로 세 번 잰 검증 정확도:", ", ".join(f"{accuracy:.4f}" for accuracy in forgot))
    print("평가 모드로 세 번 잰 검증 정확도:", ", ".join(f"{accuracy:.4f}" for accuracy in remembered))
    # --8<-- [end:pytorch]

    # --8<-- [start:lightning]
    from snippets.beyond.lightning_does.trainer import make_trainer

    torch.manual_seed(SEED)
    lit_model = LitDropoutMNIST()
    lit_model.eval()  # 예를 들어 훈련 전에 정확도를 재 보고 되돌려 놓지 않았다면
    make_trainer(max_epochs=1).fit(lit_model, train_loader, val_loader)
    print(f"fit이 끝난 뒤 Dropout이 훈련 모드인가요? {lit_model.dropout.training}")
    # --8<-- [end:lightning]
