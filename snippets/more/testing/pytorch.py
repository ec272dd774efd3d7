"""Testing in plain PyTorch: train as in steps 1-4, then evaluate once on the held-out t10k digits."""

# --8<-- [start:test-loader]
from torch.utils.data import DataLoader
from torchvision import datasets

from snippets.dataset.mnist_files import mnist_root
from snippets.steps.data.pytorch import BATCH_SIZE, transform


def build_test_loader(batch_size=BATCH_SIZE):
    # train=False: 훈련에도 검증에도 쓰지 않은 t10k 파일을 읽어요
    test_set = datasets.MNIST(root=mnist_root(), train=False, download=True, transform=transform)
    return DataLoader(test_set, batch_size=batch_size)  # 테스트 데이터도 섞지 않아요


# --8<-- [end:test-loader]


if __name__ == "__main__":
    # --8<-- [start:train]
    import torch

    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN
    from snippets.steps.training.pytorch import fit

    torch.manual_seed(SEED)
    model = SimpleNN()
    train_loader, val_loader = build_dataloaders()
    history = fit(model, train_loader, val_loader)  # 3단계와 똑같이 5 에폭
    # --8<-- [end:train]

    # --8<-- [start:test]
    from torch import nn

    from snippets.steps.training.pytorch import evaluate

    test_loader = build_test_loader()
    device = next(model.parameters()).device  # fit이 모델을 옮겨 둔 장치
    test_loss, test_acc = evaluate(model, test_loader, nn.CrossEntropyLoss(), device)
    print(f"테스트 세트 {len(test_loader.dataset):,}장")
    print(f"test_loss={test_loss:.4f}, test_acc={test_acc:.4f}")
    # --8<-- [end:test]
