"""A learning-rate scheduler with Lightning: configure_optimizers returns it, and the Trainer steps it."""

# Both sections below, with their imports: what the optimization page's notebook brings in for make_trainer.
# --8<-- [start:definitions]
# --8<-- [start:module]
import pytorch_lightning as pl
import torch

from snippets.steps.model.lightning import LitMNIST
from snippets.steps.run.lightning import EPOCHS, pick_accelerator

STEP_SIZE = 2  # 2 에폭마다
GAMMA = 0.5  # 학습률에 0.5를 곱해요


class LitMNISTWithScheduler(LitMNIST):
    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=self.hparams.lr)  # 2단계의 lr 인자
        scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=STEP_SIZE, gamma=GAMMA)
        return {
            "optimizer": optimizer,
            "lr_scheduler": {
                "scheduler": scheduler,
                "interval": "epoch",  # 에폭이 끝날 때마다 step()을 불러요 ("step"이면 배치마다)
                "frequency": 1,  # interval이 한 번 지날 때마다 (2면 두 번마다)
            },
        }


# --8<-- [end:module]


# --8<-- [start:callback]
class LearningRateLog(pl.Callback):
    """에폭마다 그 에폭에 쓴 학습률과 검증 지표를 모아 두고, 한 줄씩 찍어요."""

    def __init__(self):
        self.history = []

    def on_train_epoch_start(self, trainer, pl_module):
        scheduler = trainer.lr_scheduler_configs[0].scheduler  # configure_optimizers가 돌려준 스케줄러
        self.lr = scheduler.get_last_lr()[0]  # 이번 에폭에 쓸 학습률

    def on_train_epoch_end(self, trainer, pl_module):
        metrics = trainer.callback_metrics  # 이 에폭의 검증이 끝난 뒤라 val_loss, val_acc가 들어 있어요
        val_loss, val_acc = metrics["val_loss"].item(), metrics["val_acc"].item()
        self.history.append({"lr": self.lr, "val_loss": val_loss, "val_acc": val_acc})
        print(f"Epoch {trainer.current_epoch}: lr={self.lr:g}, val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")


def make_trainer(callbacks=(), epochs=EPOCHS, **options):
    return pl.Trainer(
        max_epochs=epochs,
        accelerator=pick_accelerator(),  # 4단계처럼 PyTorch 코드와 같은 장치를 골라요
        devices=1,
        callbacks=list(callbacks),
        logger=False,  # 기록 파일(lightning_logs/)을 남기지 않아요
        enable_checkpointing=False,  # 체크포인트 파일도 남기지 않아요
        enable_progress_bar=False,  # 진행 막대 대신 콜백이 에폭마다 한 줄씩 찍어요
        enable_model_summary=False,  # 모델 요약은 4단계에서 봤어요
        **options,  # 그 밖에 더할 Trainer 인자가 있으면 그대로 넘겨요
    )


# --8<-- [end:callback]
# --8<-- [end:definitions]


if __name__ == "__main__":
    # --8<-- [start:run]
    from snippets.steps.data.lightning import SEED, MNISTDataModule

    pl.seed_everything(SEED)
    model = LitMNISTWithScheduler()
    lr_log = LearningRateLog()
    trainer = make_trainer(callbacks=[lr_log])
    trainer.fit(model, datamodule=MNISTDataModule())  # 4단계처럼 5 에폭
    # --8<-- [end:run]

    # --8<-- [start:config]
    config = trainer.lr_scheduler_configs[0]  # Lightning이 돌려받은 딕셔너리를 정리해 둔 것
    print(f"scheduler={type(config.scheduler).__name__}, interval={config.interval!r}, frequency={config.frequency}")
    print(f"Lightning이 스케줄러의 step()을 부른 횟수: {config.scheduler.last_epoch}")
    # --8<-- [end:config]
