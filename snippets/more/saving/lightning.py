"""Saving and loading with Lightning: a checkpoint holds the weights and the state of the training."""

# --8<-- [start:describe]
import torch


def describe_checkpoint(checkpoint):
    """체크포인트(딕셔너리)의 맨 위 키마다 무엇이 들었는지 짧게 출력해요."""
    for key, value in checkpoint.items():
        if isinstance(value, dict):
            shown = f"딕셔너리, 키 {len(value)}개"
        elif isinstance(value, list):
            shown = f"리스트, {len(value)}개"
        else:
            shown = repr(value)
        print(f"{key:<26} {shown}")


# --8<-- [end:describe]


if __name__ == "__main__":
    # --8<-- [start:train]
    import pytorch_lightning as pl

    from snippets.steps.data.lightning import SEED, MNISTDataModule
    from snippets.steps.model.lightning import LitMNIST
    from snippets.steps.run.lightning import make_trainer

    pl.seed_everything(SEED)
    model = LitMNIST()
    datamodule = MNISTDataModule()
    trainer = make_trainer(epochs=1)  # 저장하는 법만 보려고 1 에폭만
    trainer.fit(model, datamodule=datamodule)
    # --8<-- [end:train]

    # --8<-- [start:save-load]
    import tempfile
    from pathlib import Path

    images = next(iter(datamodule.val_dataloader()))[0].to(model.device)  # 비교할 검증 배치 하나
    with tempfile.TemporaryDirectory() as folder:  # 블록이 끝나면 폴더째 지워져요
        path = Path(folder) / "lit_mnist.ckpt"
        trainer.save_checkpoint(path, weights_only=False)  # 가중치에 더해 옵티마이저 상태까지 저장해요
        print(f"{path.name}: {path.stat().st_size:,} 바이트")

        checkpoint = torch.load(path, map_location=model.device, weights_only=True)
        describe_checkpoint(checkpoint)

        weights_path = Path(folder) / "state_dict.pt"  # 견주어 보려고 state_dict만 따로 저장해요
        torch.save(model.state_dict(), weights_path)
        ratio = path.stat().st_size / weights_path.stat().st_size
        print(f"{weights_path.name}: {weights_path.stat().st_size:,} 바이트, 체크포인트는 그 {ratio:.1f}배예요")
        adam_state = checkpoint["optimizer_states"][0]["state"][0]  # 첫 파라미터에 대해 Adam이 기억하는 것
        print(f"Adam이 파라미터마다 기억하는 값: {', '.join(sorted(adam_state))}")

        restored = LitMNIST.load_from_checkpoint(path, map_location=model.device, weights_only=True)

    model.eval()
    restored.eval()
    with torch.inference_mode():
        same = torch.equal(model(images), restored(images))
    print(f"불러온 모델의 출력이 저장한 모델과 똑같은가요? {same}")
    # --8<-- [end:save-load]

    # --8<-- [start:to-pytorch]
    from snippets.steps.model.pytorch import SimpleNN

    plain = SimpleNN().to(model.device)
    plain.load_state_dict(checkpoint["state_dict"])  # 레이어 이름이 같아서 그대로 들어가요
    plain.eval()
    with torch.inference_mode():
        same = torch.equal(model(images), plain(images))
    print(f"체크포인트의 가중치를 넣은 SimpleNN의 출력도 똑같은가요? {same}")
    # --8<-- [end:to-pytorch]
