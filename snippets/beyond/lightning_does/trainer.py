"""The Lightning tab's Trainer: one device, no files, one printed line per epoch instead of a progress bar."""

# --8<-- [start:trainer]
import logging

import pytorch_lightning as pl

from snippets.steps.run.lightning import pick_accelerator


class EpochPrinter(pl.Callback):
    """에폭마다 검증 손실과 정확도를 PyTorch 탭과 같은 모양으로 한 줄씩 출력해요."""

    def on_validation_epoch_end(self, trainer, pl_module):
        if trainer.sanity_checking:  # 훈련 전에 미리 돌려 보는 검증은 건너뛰어요
            return
        val_loss, val_acc = (trainer.callback_metrics[name].item() for name in ("val_loss", "val_acc"))
        print(f"Epoch {trainer.current_epoch}: val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")


def make_trainer(callbacks=(), print_epochs=True, **options):
    """4단계의 make_trainer처럼 장치 하나를 쓰고 파일을 남기지 않는 Trainer예요. options가 설정을 덧붙이거나 바꿔요."""
    # Trainer가 만들어질 때마다 알리는 장치 안내("GPU available: ...")는 이 페이지에서 숨겨요.
    logging.getLogger("pytorch_lightning").setLevel(logging.WARNING)
    settings = {
        "accelerator": pick_accelerator(),
        "devices": 1,
        "logger": False,
        "enable_checkpointing": False,
        "enable_progress_bar": False,  # 진행 막대 대신 EpochPrinter가 에폭마다 한 줄씩 출력해요
        "enable_model_summary": False,
        "log_every_n_steps": 1,  # 배치가 기본값 50개보다 적다는 경고가 나오지 않게
    }
    printer = [EpochPrinter()] if print_epochs else []
    return pl.Trainer(callbacks=[*printer, *callbacks], **(settings | options))


# --8<-- [end:trainer]
