"""Saving and loading in plain PyTorch: the state_dict (the weights by name) in a file."""

# --8<-- [start:describe]
import torch


def describe_state_dict(state_dict):
    """이름마다 텐서의 모양과 값의 개수를 출력해요."""
    for name, tensor in state_dict.items():
        shape = str(tuple(tensor.shape))
        print(f"{name:<16} {shape:<11} {tensor.numel():>7,}개")


# --8<-- [end:describe]


if __name__ == "__main__":
    # --8<-- [start:train]
    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN
    from snippets.steps.training.pytorch import fit

    torch.manual_seed(SEED)
    model = SimpleNN()
    train_loader, val_loader = build_dataloaders()
    history = fit(model, train_loader, val_loader, epochs=1)  # 저장하는 법만 보려고 1 에폭만
    # --8<-- [end:train]

    # --8<-- [start:save-load]
    import tempfile
    from pathlib import Path

    device = next(model.parameters()).device  # fit이 모델을 옮겨 둔 장치
    images = next(iter(val_loader))[0].to(device)  # 저장 전후를 비교할 검증 배치 하나
    with tempfile.TemporaryDirectory() as folder:  # 블록이 끝나면 폴더째 지워져요
        path = Path(folder) / "simple_nn.pt"
        torch.save(model.state_dict(), path)
        print(f"{path.name}: {path.stat().st_size:,} 바이트")

        state_dict = torch.load(path, map_location=device, weights_only=True)
        describe_state_dict(state_dict)

    restored = SimpleNN().to(device)  # 모델의 구조는 코드로 다시 만들고
    restored.load_state_dict(state_dict)  # 가중치는 파일에서 읽은 값으로 채워요
    model.eval()
    restored.eval()
    with torch.inference_mode():
        same = torch.equal(model(images), restored(images))
    print(f"불러온 모델의 출력이 저장한 모델과 똑같은가요? {same}")
    # --8<-- [end:save-load]
