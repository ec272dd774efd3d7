"""Prediction with Lightning: a predict_step and trainer.predict, or the module called directly."""

# --8<-- [start:module]
import torch

from snippets.steps.model.lightning import LitMNIST


class LitMNISTWithPredict(LitMNIST):
    def predict_step(self, batch, batch_idx):
        images, _ = batch  # 레이블은 쓰지 않아요
        return torch.softmax(self(images), dim=1)  # 점수 -> 합이 1인 확률


# --8<-- [end:module]


if __name__ == "__main__":
    # --8<-- [start:train]
    import pytorch_lightning as pl

    from snippets.more.predict.digits import print_predictions, sample_digits
    from snippets.steps.data.lightning import SEED, MNISTDataModule
    from snippets.steps.run.lightning import make_trainer

    pl.seed_everything(SEED)
    model = LitMNISTWithPredict()
    trainer = make_trainer()
    trainer.fit(model, datamodule=MNISTDataModule())  # 4단계와 똑같이 5 에폭

    images, labels = sample_digits()  # 레이블마다 한 장씩, t10k 이미지 10장
    # --8<-- [end:train]

    # --8<-- [start:run]
    from torch.utils.data import DataLoader, TensorDataset

    loader = DataLoader(TensorDataset(images, labels), batch_size=4)  # 4장, 4장, 2장
    batches = trainer.predict(model, dataloaders=loader)
    print(f"trainer.predict -> 배치마다 하나씩: {[tuple(batch.shape) for batch in batches]}")
    probabilities = torch.cat(batches).cpu()
    predicted = probabilities.argmax(dim=1)
    print_predictions(labels, predicted, probabilities)
    # --8<-- [end:run]

    # --8<-- [start:direct]
    model.eval()  # LightningModule도 nn.Module이라 PyTorch처럼 직접 불러도 돼요
    with torch.inference_mode():
        logits = model(images.to(model.device))
    print(f"model(images) -> {tuple(logits.shape)}")
    print(f"trainer.predict와 같은 예측인가요? {torch.equal(logits.argmax(dim=1).cpu(), predicted)}")
    model.train()  # fit은 훈련 모드로 바꿔 주지 않아요. 다시 훈련하려면 직접 돌려놓아요
    # --8<-- [end:direct]
