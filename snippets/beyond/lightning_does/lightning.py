"""What Lightning does for you, with Lightning: one section per feature, each run on a small subset."""

if __name__ == "__main__":
    # --8<-- [start:setup]
    import tempfile
    from pathlib import Path

    import matplotlib.pyplot as plt
    import pytorch_lightning as pl
    import torch
    from torch import nn

    from snippets.beyond.lightning_does.curve import plot_learning_curve, read_log
    from snippets.beyond.lightning_does.data import describe_bf16, first_batches, same_weights, small_loaders
    from snippets.beyond.lightning_does.trainer import make_trainer
    from snippets.steps.data.lightning import SEED
    from snippets.steps.model.lightning import LitMNIST
    from snippets.steps.training.pytorch import evaluate

    train_loader, val_loader = small_loaders()
    print(f"훈련 이미지 {len(train_loader.dataset)}장, 배치 {len(train_loader)}개")
    print(f"검증 이미지 {len(val_loader.dataset)}장, 배치 {len(val_loader)}개")
    # --8<-- [end:setup]

    # --8<-- [start:resume]
    from pytorch_lightning.callbacks import ModelCheckpoint

    def saving_trainer(max_epochs, folder):
        # save_last=True: 에폭이 끝날 때마다 가장 최근 상태를 last.ckpt에 덮어써요
        checkpoints = [ModelCheckpoint(save_last=True)]
        return make_trainer(
            max_epochs=max_epochs, callbacks=checkpoints, enable_checkpointing=True, default_root_dir=folder
        )

    train_loader, val_loader = small_loaders(resumable=True)
    with tempfile.TemporaryDirectory() as folder:
        torch.manual_seed(SEED)
        trainer = saving_trainer(max_epochs=2, folder=folder)
        trainer.fit(LitMNIST(), train_loader, val_loader)  # 2 에폭 뒤에 멈췄다고 쳐요
        print(f"--- {Path(trainer.checkpoint_callback.last_model_path).name}에서 이어서 훈련해요 ---")
        resumed = LitMNIST()
        saving_trainer(max_epochs=3, folder=folder).fit(resumed, train_loader, val_loader, ckpt_path="last")
    # --8<-- [end:resume]

    # --8<-- [start:resume-check]
    torch.manual_seed(SEED)
    straight = LitMNIST()
    make_trainer(max_epochs=3).fit(straight, train_loader, val_loader)
    print(f"이어서 훈련한 모델과 한 번에 훈련한 모델의 파라미터가 똑같은가요? {same_weights(resumed, straight)}")
    # --8<-- [end:resume-check]

    # --8<-- [start:early-stopping]
    from pytorch_lightning.callbacks import EarlyStopping

    PATIENCE, MIN_DELTA, MAX_EPOCHS = 1, 0.01, 10
    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    early_stopping = EarlyStopping(monitor="val_loss", patience=PATIENCE, min_delta=MIN_DELTA)
    trainer = make_trainer(max_epochs=MAX_EPOCHS, callbacks=[early_stopping])
    trainer.fit(LitMNIST(), train_loader, val_loader)
    print(f"Epoch {early_stopping.stopped_epoch}에서 멈췄어요")
    # --8<-- [end:early-stopping]

    # --8<-- [start:csv-log]
    from pytorch_lightning.loggers import CSVLogger

    class EpochLossMNIST(LitMNIST):
        def training_step(self, batch, batch_idx):
            images, labels = batch
            loss = self.loss_fn(self(images), labels)
            self.log("train_loss", loss, on_step=False, on_epoch=True)  # 배치마다가 아니라 에폭 평균으로
            return loss

    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    with tempfile.TemporaryDirectory() as folder:
        trainer = make_trainer(max_epochs=3, logger=CSVLogger(folder))
        trainer.fit(EpochLossMNIST(), train_loader, val_loader)
        path = Path(trainer.logger.log_dir) / "metrics.csv"
        print(path.read_text())
        rows, curves = read_log(path)
    figure = plot_learning_curve(curves, "Lightning: CSVLogger가 쓴 기록 파일로 그린 학습 곡선")
    plt.show()
    # --8<-- [end:csv-log]

    # --8<-- [start:clipping]
    MAX_NORM = 1.0  # 모든 기울기를 한 벡터로 본 크기(노름)의 상한

    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    clipped = LitMNIST()
    make_trainer(max_epochs=2, gradient_clip_val=MAX_NORM).fit(clipped, train_loader, val_loader)
    # --8<-- [end:clipping]

    # --8<-- [start:precision]
    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    mixed = LitMNIST()
    trainer = make_trainer(max_epochs=2, precision="bf16-mixed")
    trainer.fit(mixed, train_loader, val_loader)
    # --8<-- [end:precision]

    # --8<-- [start:precision-check]
    describe_bf16(mixed, next(iter(val_loader))[0])  # precision="bf16-mixed"로 훈련한 모델
    # --8<-- [end:precision-check]

    # --8<-- [start:fast-dev-run]
    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    trainer = make_trainer(fast_dev_run=True)  # 훈련 배치 1개, 검증 배치 1개만
    trainer.fit(LitMNIST(), train_loader, val_loader)
    # --8<-- [end:fast-dev-run]

    # --8<-- [start:overfit]
    OVERFIT_BATCHES, OVERFIT_EPOCHS = 2, 30

    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    overfit = LitMNIST()
    trainer = make_trainer(overfit_batches=OVERFIT_BATCHES, max_epochs=OVERFIT_EPOCHS, print_epochs=False)
    trainer.fit(overfit, train_loader, val_loader)
    # --8<-- [end:overfit]

    # --8<-- [start:overfit-check]
    batches = first_batches(train_loader, OVERFIT_BATCHES)
    loss, acc = evaluate(overfit, batches, nn.CrossEntropyLoss(), next(overfit.parameters()).device)
    print(f"되풀이한 배치 {len(batches)}개에서: 손실={loss:.4f}, 정확도={acc:.4f}")
    # --8<-- [end:overfit-check]

    # --8<-- [start:seed]
    def one_run():
        pl.seed_everything(SEED)  # 파이썬의 random, NumPy, PyTorch의 시드를 한 번에
        train_loader, val_loader = small_loaders()
        model = LitMNIST()
        make_trainer(max_epochs=1, deterministic=True).fit(model, train_loader, val_loader)
        return model

    first, second = one_run(), one_run()
    print(f"두 번 훈련한 모델의 파라미터가 똑같은가요? {same_weights(first, second)}")
    # --8<-- [end:seed]
