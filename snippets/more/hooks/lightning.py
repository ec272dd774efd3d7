"""What trainer.fit calls, in order: wrap the hooks of a model and a datamodule and record each call."""

# --8<-- [start:recorder]
import functools

import pytorch_lightning as pl
from pytorch_lightning.callbacks import Callback

DATAMODULE_HOOKS = ["prepare_data", "setup", "train_dataloader", "val_dataloader", "teardown"]
MODEL_HOOKS = [
    "setup",
    "configure_optimizers",
    "on_fit_start",
    "on_train_start",
    "on_train_epoch_start",
    "on_train_batch_start",
    "training_step",
    "optimizer_zero_grad",
    "backward",
    "optimizer_step",
    "on_train_batch_end",
    "on_validation_model_eval",
    "on_validation_epoch_start",
    "validation_step",
    "on_validation_epoch_end",
    "on_train_epoch_end",
    "on_train_end",
    "on_fit_end",
    "teardown",
]


class CallRecorder(Callback):
    """훅이 불릴 때마다 (깊이, 이름)을 적어요. 다른 훅 안에서 불린 훅은 깊이가 1 더 깊어요."""

    def __init__(self):
        self.calls = []
        self.depth = 0

    def watch(self, owner, label, hook_names):
        for name in hook_names:
            original = getattr(owner, name)

            @functools.wraps(original)  # Lightning이 보기에는 원래 메서드 그대로예요
            def recorded(*args, _name=f"{label}.{name}", _original=original, **kwargs):
                self.calls.append((self.depth, _name))
                self.depth += 1
                try:
                    return _original(*args, **kwargs)
                finally:
                    self.depth -= 1

            setattr(owner, name, recorded)  # 이 객체의 메서드만 바꿔요. 클래스는 그대로예요.

    # 검증 미리 돌려 보기(sanity check)는 모델의 훅이 아니라 콜백의 훅으로만 알 수 있어요
    def on_sanity_check_start(self, trainer, pl_module):
        self.calls.append((self.depth, "(sanity check 시작)"))

    def on_sanity_check_end(self, trainer, pl_module):
        self.calls.append((self.depth, "(sanity check 끝)"))


# --8<-- [end:recorder]


if __name__ == "__main__":
    # --8<-- [start:run]
    from snippets.steps.data.lightning import SEED, MNISTDataModule
    from snippets.steps.model.lightning import LitMNIST

    pl.seed_everything(SEED)
    model = LitMNIST()
    datamodule = MNISTDataModule()
    recorder = CallRecorder()
    recorder.watch(datamodule, "datamodule", DATAMODULE_HOOKS)
    recorder.watch(model, "model", MODEL_HOOKS)
    trainer = pl.Trainer(
        accelerator="cpu",  # 훅의 순서만 볼 거라 CPU 하나면 충분해요
        devices=1,
        max_epochs=1,
        limit_train_batches=2,  # 훈련 배치 2개만
        limit_val_batches=1,  # 검증 배치 1개만
        num_sanity_val_steps=1,  # 훈련 전에 검증 배치 1개로 미리 돌려 보기(기본값은 2)
        callbacks=[recorder],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, datamodule=datamodule)

    for depth, name in recorder.calls:
        print("    " * depth + name)
    # --8<-- [end:run]
