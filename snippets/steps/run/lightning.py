"""Step 4 with Lightning: hand the module and the data to a Trainer and call fit."""

# --8<-- [start:trainer]
import pytorch_lightning as pl
import torch
from pytorch_lightning.callbacks import TQDMProgressBar

from snippets.steps.data.lightning import SEED, MNISTDataModule
from snippets.steps.model.lightning import LitMNIST

EPOCHS = 5


def pick_accelerator():
    # PyTorch 코드의 pick_device()와 같은 규칙: NVIDIA GPU(CUDA)가 있으면 GPU, 없으면 CPU예요.
    # "auto"로 두면 Mac에서는 GPU(MPS)를 골라서, CPU에서 도는 PyTorch 코드와 장치가 달라져요.
    return "cuda" if torch.cuda.is_available() else "cpu"


def make_trainer(epochs=EPOCHS):
    return pl.Trainer(
        max_epochs=epochs,
        accelerator=pick_accelerator(),  # 장치를 PyTorch 코드와 같은 규칙으로 골라요
        devices=1,  # 장치 하나만 써요
        callbacks=[TQDMProgressBar(leave=True)],  # 에폭마다 진행 막대를 한 줄씩 남겨요
        logger=False,  # 이 가이드는 기록 파일(lightning_logs/)을 남기지 않아요
        enable_checkpointing=False,  # 체크포인트 파일도 남기지 않아요
    )


# --8<-- [end:trainer]


if __name__ == "__main__":
    # --8<-- [start:run]
    pl.seed_everything(SEED)
    model = LitMNIST()
    datamodule = MNISTDataModule()
    trainer = make_trainer()
    trainer.fit(model, datamodule=datamodule)
    # --8<-- [end:run]
