"""Step 2 in plain PyTorch: the MLP as an nn.Module."""

# --8<-- [start:model]
import torch
from torch import nn

SEED = 42


class SimpleNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()  # 28x28 이미지 -> 784개 숫자
        self.layers = nn.Sequential(
            nn.Linear(28 * 28, 128),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, 10),  # 숫자 0~9, 클래스 10개
        )

    def forward(self, x):
        return self.layers(self.flatten(x))


# --8<-- [end:model]


if __name__ == "__main__":
    # --8<-- [start:inspect]
    torch.manual_seed(SEED)
    model = SimpleNN()
    print(model)
    print(f"훈련할 파라미터 수: {sum(p.numel() for p in model.parameters()):,}")
    scores = model(torch.zeros(2, 1, 28, 28))  # model(x)가 forward(x)를 불러요
    print(f"가짜 배치 (2, 1, 28, 28) -> 출력 {tuple(scores.shape)}")
    print("첫 이미지의 점수 10개:", [round(score, 2) for score in scores[0].tolist()])
    print(f"가장 큰 점수의 자리(argmax): {scores[0].argmax().item()}")
    # --8<-- [end:inspect]
