"""Gradient accumulation with Lightning: one more argument to the schedulers page's Trainer, and a callback printing
each epoch's optimizer steps."""

# --8<-- [start:callback]
import pytorch_lightning as pl

from snippets.more.schedulers.lightning import make_trainer  # 학습률 스케줄러 페이지의 Trainer 그대로예요

ACCUMULATE = 4  # 배치 4개의 기울기를 모아서 스텝 한 번


class EpochLog(pl.Callback):
    """에폭마다 그 에폭의 옵티마이저 스텝 수와 검증 지표를 한 줄씩 찍어요."""

    def __init__(self):
        self.history = []

    def on_train_epoch_start(self, trainer, pl_module):
        self.steps_before = trainer.global_step  # global_step: 지금까지 옵티마이저가 스텝을 한 횟수

    def on_train_epoch_end(self, trainer, pl_module):
        steps = trainer.global_step - self.steps_before
        val_loss, val_acc = trainer.callback_metrics["val_loss"].item(), trainer.callback_metrics["val_acc"].item()
        self.history.append({"steps": steps, "val_loss": val_loss, "val_acc": val_acc})
        print(f"Epoch {trainer.current_epoch}: steps={steps}, val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")


# --8<-- [end:callback]


if __name__ == "__main__":
    # --8<-- [start:run]
    from snippets.steps.data.lightning import SEED, MNISTDataModule
    from snippets.steps.model.lightning import LitMNIST

    pl.seed_everything(SEED)
    model = LitMNIST()  # 2단계의 모듈 그대로예요
    # accumulate_grad_batches: 기울기를 몇 배치 모아서 스텝을 할지. make_trainer가 Trainer에 그대로 넘겨요
    trainer = make_trainer(callbacks=[EpochLog()], accumulate_grad_batches=ACCUMULATE)
    trainer.fit(model, datamodule=MNISTDataModule())
    batches, epochs = trainer.num_training_batches, trainer.current_epoch
    print(f"에폭마다 배치 {batches}개, {epochs} 에폭 동안 옵티마이저 스텝은 모두 {trainer.global_step}번")
    # --8<-- [end:run]
