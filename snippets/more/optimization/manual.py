"""Manual optimization: a LitMNIST subclass whose training_step zeroes, back-propagates and steps by itself."""

# --8<-- [start:module]
from snippets.steps.model.lightning import LEARNING_RATE, LitMNIST


class LitMNISTManual(LitMNIST):
    def __init__(self, lr=LEARNING_RATE):
        super().__init__(lr)
        self.automatic_optimization = False  # backward()와 step()을 Lightning이 부르지 않아요

    def training_step(self, batch, batch_idx):
        opt = self.optimizers()  # configure_optimizers가 돌려준 옵티마이저(Lightning이 한 겹 감싼 것)
        images, labels = batch
        loss = self.loss_fn(self(images), labels)
        opt.zero_grad()  # 지난 배치의 기울기를 지워요
        self.manual_backward(loss)  # loss.backward() 대신 써요
        opt.step()  # 가중치 갱신
        self.log("train_loss", loss)
        # 손실을 돌려주지 않아도 돼요. backward()와 step()은 이미 여기서 불렀어요


# --8<-- [end:module]


if __name__ == "__main__":
    # --8<-- [start:run]
    import pytorch_lightning as pl

    from snippets.more.optimization.lightning import EpochLog, make_trainer
    from snippets.steps.data.lightning import SEED, MNISTDataModule

    pl.seed_everything(SEED)
    model = LitMNISTManual()
    trainer = make_trainer(callbacks=[EpochLog()])  # accumulate_grad_batches는 기본값 1 그대로예요
    trainer.fit(model, datamodule=MNISTDataModule())
    print(f"자동 최적화: {model.automatic_optimization}, 옵티마이저 스텝은 모두 {trainer.global_step}번")
    # --8<-- [end:run]
