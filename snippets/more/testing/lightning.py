"""Testing with Lightning: subclasses that add the test hooks, then trainer.fit and trainer.test."""

# --8<-- [start:hooks]
from torch.utils.data import DataLoader
from torchmetrics.classification import MulticlassAccuracy
from torchvision import datasets

from snippets.dataset.mnist_files import mnist_root
from snippets.steps.data.lightning import MNISTDataModule
from snippets.steps.model.lightning import LEARNING_RATE, LitMNIST


class LitMNISTWithTest(LitMNIST):
    def __init__(self, lr=LEARNING_RATE):
        super().__init__(lr)
        self.test_acc = MulticlassAccuracy(num_classes=10, average="micro")  # 검증과 섞이지 않게 따로 모아요

    def test_step(self, batch, batch_idx):
        images, labels = batch
        outputs = self(images)
        self.log("test_loss", self.loss_fn(outputs, labels))
        self.test_acc(outputs, labels)
        self.log("test_acc", self.test_acc)


class MNISTDataModuleWithTest(MNISTDataModule):
    def prepare_data(self):
        super().prepare_data()  # 훈련 파일
        datasets.MNIST(root=mnist_root(), train=False, download=True)  # 테스트(t10k) 파일

    def setup(self, stage=None):
        if stage == "test":
            self.test_set = datasets.MNIST(root=mnist_root(), train=False, transform=self.transform)
        else:
            super().setup(stage)  # 훈련·검증 세트는 부모 클래스가 만들어요

    def test_dataloader(self):
        return DataLoader(self.test_set, batch_size=self.batch_size)


# --8<-- [end:hooks]


if __name__ == "__main__":
    # --8<-- [start:run]
    import pytorch_lightning as pl

    from snippets.steps.data.lightning import SEED
    from snippets.steps.run.lightning import make_trainer

    pl.seed_everything(SEED)
    model = LitMNISTWithTest()
    datamodule = MNISTDataModuleWithTest()
    trainer = make_trainer()
    trainer.fit(model, datamodule=datamodule)  # 4단계와 똑같이 5 에폭
    # --8<-- [end:run]

    # --8<-- [start:test]
    results = trainer.test(model, datamodule=datamodule)
    test_loss, test_acc = results[0]["test_loss"], results[0]["test_acc"]
    print(f"테스트 세트 {len(datamodule.test_set):,}장")
    print(f"test_loss={test_loss:.4f}, test_acc={test_acc:.4f}")
    # --8<-- [end:test]
