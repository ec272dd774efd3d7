"""Steps 2 and 3 with Lightning: one LightningModule holding the layers and the training steps."""

# --8<-- [start:module]
# --8<-- [start:model]
import pytorch_lightning as pl
import torch
from torch import nn
from torchmetrics.classification import MulticlassAccuracy

SEED = 42
LEARNING_RATE = 0.001


class LitMNIST(pl.LightningModule):
    def __init__(self, lr=LEARNING_RATE):
        super().__init__()
        self.save_hyperparameters()  # lr을 self.hparams.lr에 두고, 체크포인트에도 함께 저장해요
        self.flatten = nn.Flatten()
        self.layers = nn.Sequential(
            nn.Linear(28 * 28, 128),
            nn.ReLU(),
            nn.Linear(128, 64),
            nn.ReLU(),
            nn.Linear(64, 10),
        )
        self.loss_fn = nn.CrossEntropyLoss()
        # 검증 정확도를 에폭 내내 모아서 계산해요(3단계). micro: 전체에서 맞힌 비율
        self.val_acc = MulticlassAccuracy(num_classes=10, average="micro")

    def forward(self, x):
        return self.layers(self.flatten(x))

    # --8<-- [end:model]

    # --8<-- [start:steps]
    def training_step(self, batch, batch_idx):
        images, labels = batch
        loss = self.loss_fn(self(images), labels)
        self.log("train_loss", loss)
        return loss  # Lightning이 backward()와 step()을 대신 불러요

    def validation_step(self, batch, batch_idx):
        images, labels = batch
        outputs = self(images)
        self.log("val_loss", self.loss_fn(outputs, labels), prog_bar=True)
        self.val_acc(outputs, labels)  # 이 배치에서 맞힌 수와 이미지 수를 더해 둬요
        self.log("val_acc", self.val_acc, prog_bar=True)  # 에폭이 끝나면 모은 수로 한 번에 계산해요

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=self.hparams.lr)

    # --8<-- [end:steps]


# --8<-- [end:module]


if __name__ == "__main__":
    # --8<-- [start:inspect]
    from pytorch_lightning.utilities.model_summary import ModelSummary

    torch.manual_seed(SEED)
    model = LitMNIST()
    summary = ModelSummary(model)
    print(summary)
    print(f"훈련할 파라미터 수: {summary.trainable_parameters:,}")
    # --8<-- [end:inspect]
