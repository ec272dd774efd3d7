"""Step 4 with Lightning: hand the module and the data to a Trainer and call fit."""

# --8<-- [start:trainer]
import pytorch_lightning as pl
from pytorch_lightning.callbacks import TQDMProgressBar

from snippets.steps.data.lightning import SEED, MNISTDataModule
from snippets.steps.model.lightning import LitMNIST

EPOCHS = 5


def make_trainer(epochs=EPOCHS):
    return pl.Trainer(
        max_epochs=epochs,
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
