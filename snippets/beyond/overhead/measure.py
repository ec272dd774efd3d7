"""How much slower is Lightning? Both codes trained in turns on the same data, every step and epoch timed."""

# --8<-- [start:measure]
import contextlib
import io
import statistics
import time
from dataclasses import dataclass, field

import pytorch_lightning as pl
import torch

from snippets.beyond.overhead.clocks import StepClock, StepLoader
from snippets.beyond.overhead.models import MODELS
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.data.pytorch import SEED, build_dataloaders
from snippets.steps.run.lightning import pick_accelerator
from snippets.steps.training.pytorch import fit

REPEATS = 3  # 두 코드를 번갈아 몇 번씩 훈련할지
EPOCHS = 2  # 한 번 훈련할 때의 에폭 수
TRAIN_BATCHES = 12  # 에폭마다 훈련 배치 수
VAL_BATCHES = 3  # 에폭마다 검증 배치 수
THREADS = 1  # 잴 때 torch가 쓰는 스레드 수


@dataclass
class Samples:
    """한 코드로 잰 시간(초)을 모두 모아 둬요."""

    startup: list = field(default_factory=list)  # 훈련할 때마다 하나: 시작해서 첫 훈련 배치를 받기 직전까지
    epoch: list = field(default_factory=list)  # 에폭마다 하나
    step: list = field(default_factory=list)  # 훈련 스텝마다 하나
    sanity: list = field(default_factory=list)  # 훈련할 때마다 하나: 시작 가운데 sanity check(Lightning만)

    def medians(self):
        return {name: statistics.median(values) for name, values in vars(self).items() if values}


def time_pytorch(make_model, samples, epochs=EPOCHS, train_batches=TRAIN_BATCHES, val_batches=VAL_BATCHES):
    torch.manual_seed(SEED)
    model = make_model()
    start = time.perf_counter()  # 여기부터 재요. 데이터는 아직 없어요
    train_loader, val_loader = build_dataloaders()
    train_clock, val_clock = StepLoader(train_loader, train_batches), StepLoader(val_loader, val_batches)
    with contextlib.redirect_stdout(io.StringIO()):  # 3단계의 fit 그대로예요. 에폭마다 찍는 줄만 숨겨요
        fit(model, train_clock, val_clock, epochs=epochs)
    samples.startup.append(train_clock.pass_starts[0] - start)
    samples.epoch += [end - begin for begin, end in zip(train_clock.pass_starts, val_clock.pass_ends, strict=True)]
    samples.step += train_clock.step_seconds
    return model


def time_lightning(make_module, samples, epochs=EPOCHS, train_batches=TRAIN_BATCHES, val_batches=VAL_BATCHES):
    pl.seed_everything(SEED, verbose=False)
    model = make_module()
    clock = StepClock()
    start = time.perf_counter()
    datamodule = MNISTDataModule()
    trainer = pl.Trainer(  # 정리 페이지와 같은 설정에 배치 수만 줄였어요
        max_epochs=epochs,
        limit_train_batches=train_batches,
        limit_val_batches=val_batches,
        accelerator=pick_accelerator(),
        devices=1,
        callbacks=[clock],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    trainer.fit(model, datamodule=datamodule)
    samples.startup.append(clock.first_start - start)  # Trainer 만들기, 데이터 훅, sanity check까지
    samples.sanity.append(clock.sanity_seconds)
    samples.epoch += clock.epoch_seconds
    samples.step += clock.step_seconds
    return model


def measure(models=MODELS, repeats=REPEATS, **sizes):
    """모델마다 두 코드를 번갈아 repeats번씩 훈련해요. 결과는 {모델: {"PyTorch": Samples, "Lightning": Samples}}."""
    threads = torch.get_num_threads()
    torch.set_num_threads(THREADS)  # 정리 페이지처럼 스레드 하나로 재요
    try:
        results = {name: {"PyTorch": Samples(), "Lightning": Samples()} for name in models}
        for repeat in range(repeats):
            for name, (make_model, make_module) in models.items():
                runs = [
                    (time_pytorch, make_model, results[name]["PyTorch"]),
                    (time_lightning, make_module, results[name]["Lightning"]),
                ]
                if repeat % 2:  # 먼저 도는 쪽도 번갈아 바꿔요
                    runs.reverse()
                for timer, make, samples in runs:
                    timer(make, samples, **sizes)
    finally:
        torch.set_num_threads(threads)  # 원래대로 돌려놓아요
    return results


# --8<-- [end:measure]
