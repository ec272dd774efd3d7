"""The overhead page's two models: the guide's MLP and a much wider one, in both codes."""

# --8<-- [start:models]
from torch import nn

from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN

WIDTH = 1024  # 넓은 MLP의 은닉층 너비. 이 가이드의 MLP는 128과 64예요


def wide_layers(width=WIDTH):
    return nn.Sequential(
        nn.Linear(28 * 28, width),
        nn.ReLU(),
        nn.Linear(width, width),
        nn.ReLU(),
        nn.Linear(width, 10),
    )


class WideNN(SimpleNN):
    """2단계의 SimpleNN에서 층만 넓혔어요. forward는 그대로예요."""

    def __init__(self, width=WIDTH):
        super().__init__()
        self.layers = wide_layers(width)


class LitWideMNIST(LitMNIST):
    """3단계의 LitMNIST에서 층만 넓혔어요. training_step 같은 메서드는 그대로예요."""

    def __init__(self, width=WIDTH):
        super().__init__()
        self.layers = wide_layers(width)


# 모델마다 (PyTorch 모델을 만드는 함수, Lightning 모듈을 만드는 함수)
MODELS = {
    "이 가이드의 MLP": (SimpleNN, LitMNIST),
    "넓은 MLP": (WideNN, LitWideMNIST),
}


def parameter_count(model):
    return sum(p.numel() for p in model.parameters())


# --8<-- [end:models]
