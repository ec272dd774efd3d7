"""Logging with Lightning: the Trainer's default logger, what self.log's defaults write, and where."""

# --8<-- [start:module]
from pathlib import Path

import pytorch_lightning as pl
from pytorch_lightning.loggers import CSVLogger

from snippets.steps.data.lightning import SEED, MNISTDataModule
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.run.lightning import pick_accelerator

EPOCHS = 3
TRAIN_BATCHES = 20  # 에폭마다 앞의 훈련 배치 20개만 써요
LOG_EVERY = 5  # 스텝마다의 값은 5 스텝마다 로거에 써요(기본값 50)


class LitMNISTStepAndEpoch(LitMNIST):
    def training_step(self, batch, batch_idx):
        images, labels = batch
        loss = self.loss_fn(self(images), labels)
        self.log("train_loss", loss, on_step=True, on_epoch=True)  # 스텝마다도, 에폭 평균도
        return loss


def make_trainer(folder):
    return pl.Trainer(
        default_root_dir=folder,  # 기록 폴더를 만들 곳(기본값은 지금 폴더)
        logger=CSVLogger(save_dir=folder),  # 이 환경의 기본 로거를 직접 줘요
        max_epochs=EPOCHS,
        limit_train_batches=TRAIN_BATCHES,
        log_every_n_steps=LOG_EVERY,
        accelerator=pick_accelerator(),
        devices=1,
        enable_checkpointing=False,  # 체크포인트 없이 기록만 남겨요
        enable_progress_bar=False,
        enable_model_summary=False,
    )


def fit_and_log(model_class, folder):
    """시드를 정하고 모델을 만들어 훈련한 뒤, Trainer와 로거가 쓴 metrics.csv의 경로를 돌려줘요."""
    pl.seed_everything(SEED, verbose=False)
    model = model_class()
    trainer = make_trainer(folder)
    trainer.fit(model, datamodule=MNISTDataModule())
    return trainer, Path(trainer.log_dir) / "metrics.csv"


# --8<-- [end:module]


if __name__ == "__main__":
    # --8<-- [start:default]
    import importlib.util
    import logging
    import tempfile
    from pathlib import Path

    import pytorch_lightning as pl

    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)  # 장치 안내 같은 로그는 줄여요

    for package in ("tensorboard", "tensorboardX"):
        print(f"{package} 설치됨: {importlib.util.find_spec(package) is not None}")

    with tempfile.TemporaryDirectory() as folder:  # 블록이 끝나면 폴더째 지워져요
        trainer = pl.Trainer(default_root_dir=folder)  # logger를 주지 않았어요(기본값 logger=True)
        print(f"trainer.logger: {type(trainer.logger).__name__}")
        print(f"trainer.log_dir: {Path(trainer.log_dir).relative_to(folder)}")  # default_root_dir 안의 자리
    # --8<-- [end:default]

    # --8<-- [start:fit]
    with tempfile.TemporaryDirectory() as folder:
        for model_class in (LitMNIST, LitMNISTStepAndEpoch):  # 3단계의 LitMNIST 그대로, 그리고 위의 하위 클래스
            trainer, path = fit_and_log(model_class, folder)
            print(f"{model_class.__name__}: {path.parent.relative_to(folder)}")
            print(f"  만든 파일: {sorted(file.name for file in path.parent.iterdir())}")
            print(f"  metrics.csv의 열: {path.read_text().splitlines()[0]}")
            print(f"  logged_metrics: {sorted(trainer.logged_metrics)}")
            print(f"  callback_metrics: {sorted(trainer.callback_metrics)}")
        metrics_csv = path.read_text()  # 두 번째(LitMNISTStepAndEpoch) 훈련의 기록
    # --8<-- [end:fit]

    # --8<-- [start:csv]
    print(metrics_csv)
    # --8<-- [end:csv]
