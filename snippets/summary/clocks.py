"""The summary's stopwatches: the same phases of training, timed in the PyTorch loop and through Lightning's hooks."""

# --8<-- [start:clocks]
import time
from dataclasses import dataclass

import pytorch_lightning as pl
import torch


def wait_for_gpu():
    """GPU는 맡은 계산을 끝내기 전에 돌아와요. 시각을 적기 전에 GPU가 일을 다 마칠 때까지 기다려요."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()


@dataclass
class Timing:
    total: float  # 데이터도 없는 상태에서 훈련이 끝날 때까지
    setup: float  # 첫 훈련 배치를 부르기 전까지의 준비(sanity check는 빼고)
    sanity: float | None  # 훈련 전에 검증을 미리 돌려 보는 시간. Lightning 코드만 해요
    sanity_batches: int
    train: float  # 모든 에폭의 훈련 스텝: 배치를 받아서 가중치를 고칠 때까지
    steps: int
    val: float  # 에폭마다 한 검증을 모두 더한 시간
    val_passes: int

    @property
    def other(self):  # 에폭 사이의 정리, 출력, 끝내기 같은 나머지
        return self.total - self.setup - (self.sanity or 0.0) - self.train - self.val


class TimedLoader:
    """PyTorch 코드의 시계: 데이터로더를 감싸서, 반복문이 배치를 받아 쓰는 데 걸린 시간을 재요."""

    def __init__(self, loader):
        self.loader = loader
        self.first_start = None  # 처음으로 배치를 부르기 시작한 시각
        self.seconds = 0.0  # 모든 에폭을 더한 시간
        self.batches = 0
        self.passes = 0  # 데이터로더를 끝까지 돈 횟수

    def __iter__(self):
        start = time.perf_counter()
        if self.first_start is None:
            self.first_start = start
        for batch in self.loader:
            self.batches += 1
            yield batch  # 반복문은 이 배치로 스텝을 마친 뒤에 다음 배치를 받으러 와요
        wait_for_gpu()
        self.seconds += time.perf_counter() - start
        self.passes += 1


class PhaseClock(pl.Callback):
    """Lightning 코드의 시계: Trainer가 훅을 부를 때마다 시각을 적는 콜백이에요."""

    def __init__(self):
        self.first_start = None  # 첫 에폭의 훈련을 시작한 시각
        self.sanity_seconds = 0.0
        self.sanity_batches = 0
        self.train_seconds = 0.0
        self.steps = 0
        self.val_seconds = 0.0
        self.val_passes = 0

    def on_sanity_check_start(self, trainer, pl_module):
        self.sanity_start = time.perf_counter()

    def on_sanity_check_end(self, trainer, pl_module):
        self.sanity_seconds += time.perf_counter() - self.sanity_start

    def on_train_epoch_start(self, trainer, pl_module):
        self.mark = time.perf_counter()
        if self.first_start is None:
            self.first_start = self.mark

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        wait_for_gpu()
        now = time.perf_counter()
        self.train_seconds += now - self.mark  # 배치를 받아서 스텝을 마칠 때까지
        self.mark = now
        self.steps += 1

    def on_validation_start(self, trainer, pl_module):
        self.val_start = time.perf_counter()

    def on_validation_batch_end(self, trainer, pl_module, outputs, batch, batch_idx, dataloader_idx=0):
        if trainer.sanity_checking:
            self.sanity_batches += 1

    def on_validation_end(self, trainer, pl_module):
        if not trainer.sanity_checking:  # sanity check 때도 검증 훅이 불려요. 그 시간은 따로 셌어요
            wait_for_gpu()
            self.val_seconds += time.perf_counter() - self.val_start
            self.val_passes += 1


# --8<-- [end:clocks]


# --8<-- [start:table]
def timing_rows(pytorch, lightning):
    """(PyTorch 코드, Lightning 코드, 단계) 줄들이에요. None은 그 코드에 없는 단계예요."""
    return [
        (pytorch.setup, lightning.setup, "준비: 데이터 읽기, 옵티마이저, Trainer 등"),
        (pytorch.sanity, lightning.sanity, f"sanity check: 훈련 전에 검증 배치 {lightning.sanity_batches}개"),
        (pytorch.train, lightning.train, f"훈련 스텝 {pytorch.steps}번 (배치 받기 포함)"),
        (pytorch.train / pytorch.steps * 1000, lightning.train / lightning.steps * 1000, "  스텝 하나 (밀리초)"),
        (pytorch.val, lightning.val, f"검증 {pytorch.val_passes}번 (에폭마다 한 번)"),
        (pytorch.other, lightning.other, "그 밖: 에폭 사이 정리, 끝내기"),
        (pytorch.total, lightning.total, "합계"),
    ]


def print_timings(pytorch, lightning):
    print(f"{'PyTorch':>9}{'Lightning':>11}     차이  단계")
    for mine, theirs, label in timing_rows(pytorch, lightning):
        difference = theirs - (mine or 0.0)
        mine_text = "-" if mine is None else f"{mine:.3f}"
        print(f"{mine_text:>9}{theirs:>11.3f}{difference:>+9.3f}  {label}")


# --8<-- [end:table]
