"""The overhead page's stopwatches: every training step and every epoch on its own, in both codes."""

# --8<-- [start:clocks]
import itertools
import time

from snippets.summary.clocks import PhaseClock, wait_for_gpu


class StepLoader:
    """PyTorch 코드의 시계: 데이터로더에서 배치를 batches개만 꺼내 주면서 스텝마다 걸린 시간을 적어요."""

    def __init__(self, loader, batches):
        self.loader = loader
        self.batches = batches
        self.pass_starts = []  # 데이터로더를 돌기 시작한 시각, 에폭마다 하나
        self.pass_ends = []  # 다 돈 시각
        self.step_seconds = []  # 배치를 받아서 그 배치로 스텝을 마칠 때까지, 스텝마다 하나

    def __iter__(self):
        mark = time.perf_counter()
        self.pass_starts.append(mark)
        for batch in itertools.islice(self.loader, self.batches):
            yield batch  # 반복문은 이 배치로 스텝을 마친 뒤에 다음 배치를 받으러 와요
            wait_for_gpu()
            now = time.perf_counter()
            self.step_seconds.append(now - mark)
            mark = now
        self.pass_ends.append(time.perf_counter())


class StepClock(PhaseClock):
    """Lightning 코드의 시계: 정리 페이지의 PhaseClock이 더해 가는 시간을 스텝마다, 에폭마다 따로 남겨요."""

    def __init__(self):
        super().__init__()
        self.step_seconds = []
        self.epoch_seconds = []  # 에폭의 훈련을 시작해서 그 에폭의 검증을 마칠 때까지

    def on_train_epoch_start(self, trainer, pl_module):
        super().on_train_epoch_start(trainer, pl_module)
        self.epoch_start = self.mark

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        before = self.train_seconds
        super().on_train_batch_end(trainer, pl_module, outputs, batch, batch_idx)  # GPU를 기다린 뒤에 더해요
        self.step_seconds.append(self.train_seconds - before)

    def on_train_epoch_end(self, trainer, pl_module):  # Lightning은 에폭의 검증을 마친 뒤에 이 훅을 불러요
        self.epoch_seconds.append(time.perf_counter() - self.epoch_start)


# --8<-- [end:clocks]
