"""Data-parallel training with Lightning: devices=2 on the CPU, strategy="ddp_spawn"."""

# --8<-- [start:module]
import logging

import pytorch_lightning as pl
import torch

from snippets.steps.data.lightning import BATCH_SIZE, SEED, MNISTDataModule
from snippets.steps.model.lightning import LitMNIST

WORLD_SIZE = 2
EPOCHS = 1

# 두 rank가 동시에 "Initializing distributed: GLOBAL_RANK: ..."를 한 줄씩 찍는데, 어느 쪽이 먼저
# 나올지는 그때그때 달라요. 이 안내 줄만 꺼서 출력의 순서가 늘 같게 해요. (새 프로세스도 이 파일을
# 다시 읽으니 rank마다 똑같이 꺼져요.)
logging.getLogger("lightning_fabric.utilities.distributed").setLevel(logging.WARNING)


class LitDDP(LitMNIST):
    def print_in_rank_order(self, text):
        # rank 0, 1, ... 차례로 출력해요. barrier는 모든 rank가 도착할 때까지 기다리는 곳이에요.
        for turn in range(self.trainer.world_size):
            if turn == self.global_rank:
                print(f"[rank {self.global_rank}] {text}", flush=True)
            self.trainer.strategy.barrier()

    def on_train_start(self):
        sampler = self.trainer.train_dataloader.sampler  # Lightning이 바꿔 끼운 샘플러
        first = list(sampler)[:6]
        self.print_in_rank_order(f"{type(sampler).__name__}: 훈련 이미지 {len(sampler):,}장, 처음 인덱스 {first}")

    def validation_step(self, batch, batch_idx):
        images, labels = batch
        outputs = self(images)
        # sync_dist=True: 에폭이 끝날 때 모든 rank의 값을 모아(all-reduce) 전체의 평균을 내요
        self.log("val_loss", self.loss_fn(outputs, labels), prog_bar=True, sync_dist=True)
        self.val_acc(outputs, labels)
        self.log("val_acc", self.val_acc, prog_bar=True)  # 지표 객체는 sync_dist 없이도 모든 rank의 수를 모아요

    def on_train_epoch_end(self):
        metrics = self.trainer.callback_metrics
        text = f"val_loss={metrics['val_loss']:.4f}, val_acc={metrics['val_acc']:.4f}"
        self.print_in_rank_order(f"Epoch {self.current_epoch}: {text}")

    def on_train_end(self):
        weights = torch.cat([p.detach().flatten() for p in self.parameters()])
        rank0_weights = self.trainer.strategy.broadcast(weights, src=0)  # rank 0의 가중치를 모든 rank가 받아요
        gap = (weights - rank0_weights).abs().max().item()
        self.print_in_rank_order(f"rank 0과의 파라미터 차이(가장 큰 값): {gap}")


def make_ddp_trainer(epochs=EPOCHS):
    return pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=WORLD_SIZE,  # 프로세스 2개
        strategy="ddp_spawn",  # fit 안에서 rank마다 새 프로세스를 띄워요
        enable_progress_bar=False,  # rank별 출력이 잘 보이게 진행 막대와
        enable_model_summary=False,  # 모델 요약은 꺼요
        logger=False,
        enable_checkpointing=False,
    )


# --8<-- [end:module]


if __name__ == "__main__":
    # --8<-- [start:fit]
    pl.seed_everything(SEED)
    model = LitDDP()
    datamodule = MNISTDataModule(batch_size=BATCH_SIZE // WORLD_SIZE)  # rank마다 16장, 모두 합쳐 32장
    trainer = make_ddp_trainer()
    trainer.fit(model, datamodule=datamodule)
    metrics = trainer.callback_metrics  # rank 0에서 가져온 지표
    print(f"fit을 부른 프로세스: val_loss={metrics['val_loss']:.4f}, val_acc={metrics['val_acc']:.4f}")
    # --8<-- [end:fit]
