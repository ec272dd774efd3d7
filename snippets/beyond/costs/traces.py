"""What Lightning costs: the same mistake raised from a hand-written loop and from Trainer.fit; a 1.x hook in 2.x."""

# --8<-- [start:traces]
import traceback
from pathlib import Path


def raised_frames(run):
    """run()이 일으킨 오류의 트레이스백에서 (파일, 함수, 라이브러리 안인가) 칸들을 바깥에서 안쪽 순서로 돌려줘요."""
    try:
        run()
    except ZeroDivisionError as error:
        frames = traceback.extract_tb(error.__traceback__)[1:]  # 맨 바깥의 run() 줄은 빼요
        return [(where(frame.filename), frame.name, in_library(frame.filename)) for frame in frames]
    raise AssertionError("run() did not raise")


def where(filename):
    """파일 경로를 짧게: 라이브러리는 패키지 이름부터, 이 저장소의 파일은 snippets/부터 적어요."""
    parts = Path(filename).parts
    for root in ("site-packages", "snippets"):
        if root in parts:
            start = parts.index(root) + (root == "site-packages")
            return "/".join(parts[start:])
    return Path(filename).name


def in_library(filename):
    """pip으로 설치한 패키지(site-packages)의 파일인가요?"""
    return "site-packages" in Path(filename).parts


def broken_step(images, labels, model, loss_fn):
    """여러분의 코드에 있는 실수를 흉내 내요. 배치 크기를 100으로 나눈 몫(0)으로 다시 나눠요."""
    loss = loss_fn(model(images), labels)
    scale = len(labels) / (len(labels) // 100)  # ZeroDivisionError: 32 // 100은 0이에요
    return loss * scale


def print_frames(title, frames):
    libraries = sum(1 for _, _, library in frames if library)
    print(f"{title}: 칸 {len(frames)}개, 그 가운데 라이브러리 안이 {libraries}개")
    for path, name, _ in frames:
        print(f"  {path} · {name}")


# --8<-- [end:traces]


if __name__ == "__main__":
    # --8<-- [start:pytorch]
    from torch import nn

    from snippets.beyond.lightning_does.data import small_loaders
    from snippets.steps.model.pytorch import SimpleNN

    train_loader, val_loader = small_loaders()

    def pytorch_loop():
        model, loss_fn = SimpleNN(), nn.CrossEntropyLoss()
        for images, labels in train_loader:
            broken_step(images, labels, model, loss_fn)

    print_frames("직접 쓴 반복문", raised_frames(pytorch_loop))
    # --8<-- [end:pytorch]

    # --8<-- [start:lightning]
    from snippets.beyond.lightning_does.trainer import make_trainer
    from snippets.steps.model.lightning import LitMNIST

    class BrokenMNIST(LitMNIST):
        def training_step(self, batch, batch_idx):
            images, labels = batch
            return broken_step(images, labels, self, self.loss_fn)

    def lightning_fit():
        make_trainer(max_epochs=1, num_sanity_val_steps=0).fit(BrokenMNIST(), train_loader, val_loader)

    print_frames("Trainer.fit", raised_frames(lightning_fit))
    # --8<-- [end:lightning]

    # --8<-- [start:churn]
    class OldStyleMNIST(LitMNIST):
        def training_epoch_end(self, outputs):  # Lightning 1.x에서 에폭이 끝날 때 불리던 훅
            print("에폭이 끝났어요")

    try:
        make_trainer(max_epochs=1).fit(OldStyleMNIST(), train_loader, val_loader)
    except NotImplementedError as error:
        print(f"{type(error).__name__}: {error}")
    # --8<-- [end:churn]
