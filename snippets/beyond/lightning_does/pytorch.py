"""What Lightning does for you, done by hand in plain PyTorch: one section per feature, each run on a small subset."""

if __name__ == "__main__":
    # --8<-- [start:setup]
    import tempfile
    from pathlib import Path

    import matplotlib.pyplot as plt
    import torch
    from torch import nn

    from snippets.beyond.lightning_does.curve import plot_learning_curve, read_log
    from snippets.beyond.lightning_does.data import describe_bf16, first_batches, same_weights, small_loaders
    from snippets.steps.data.pytorch import SEED
    from snippets.steps.model.pytorch import SimpleNN
    from snippets.steps.training.pytorch import LEARNING_RATE, evaluate, fit, pick_device, train_one_epoch

    train_loader, val_loader = small_loaders()
    print(f"훈련 이미지 {len(train_loader.dataset)}장, 배치 {len(train_loader)}개")
    print(f"검증 이미지 {len(val_loader.dataset)}장, 배치 {len(val_loader)}개")
    # --8<-- [end:setup]

    # --8<-- [start:resume]
    def fit_resumable(model, train_loader, val_loader, epochs, path, resume=False):
        device = pick_device()
        model.to(device)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        first_epoch = 0
        if resume:  # 가중치, 옵티마이저의 상태, 마친 에폭 수를 되살려요
            checkpoint = torch.load(path, map_location=device, weights_only=True)
            model.load_state_dict(checkpoint["model"])
            optimizer.load_state_dict(checkpoint["optimizer"])
            first_epoch = checkpoint["epoch"]
        for epoch in range(first_epoch, epochs):
            train_loader.sampler.set_epoch(epoch)  # 섞는 순서를 에폭 번호로 정해요
            train_one_epoch(model, train_loader, loss_fn, optimizer, device)
            val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
            print(f"Epoch {epoch}: val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
            checkpoint = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch + 1}
            torch.save(checkpoint, path)  # 에폭마다 같은 파일에 덮어써요
        return model

    train_loader, val_loader = small_loaders(resumable=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "checkpoint.pt"
        torch.manual_seed(SEED)
        fit_resumable(SimpleNN(), train_loader, val_loader, epochs=2, path=path)  # 2 에폭 뒤에 멈췄다고 쳐요
        print(f"--- {path.name}에서 이어서 훈련해요 ---")
        resumed = fit_resumable(SimpleNN(), train_loader, val_loader, epochs=3, path=path, resume=True)
    # --8<-- [end:resume]

    # --8<-- [start:resume-check]
    torch.manual_seed(SEED)
    with tempfile.TemporaryDirectory() as folder:
        straight = fit_resumable(SimpleNN(), train_loader, val_loader, epochs=3, path=Path(folder) / "checkpoint.pt")
    print(f"이어서 훈련한 모델과 한 번에 훈련한 모델의 파라미터가 똑같은가요? {same_weights(resumed, straight)}")
    # --8<-- [end:resume-check]

    # --8<-- [start:early-stopping]
    PATIENCE, MIN_DELTA, MAX_EPOCHS = 1, 0.01, 10

    def fit_early_stopping(model, train_loader, val_loader):
        device = pick_device()
        model.to(device)
        loss_fn = nn.CrossEntropyLoss()
        optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
        best, bad_epochs = float("inf"), 0
        for epoch in range(MAX_EPOCHS):
            train_one_epoch(model, train_loader, loss_fn, optimizer, device)
            val_loss, val_acc = evaluate(model, val_loader, loss_fn, device)
            print(f"Epoch {epoch}: val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
            if val_loss < best - MIN_DELTA:  # MIN_DELTA보다 많이 줄어야 나아진 것으로 쳐요
                best, bad_epochs = val_loss, 0
            else:
                bad_epochs += 1
                if bad_epochs >= PATIENCE:
                    return epoch
        return None

    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    stopped_epoch = fit_early_stopping(SimpleNN(), train_loader, val_loader)
    print(f"Epoch {stopped_epoch}에서 멈췄어요")
    # --8<-- [end:early-stopping]

    # --8<-- [start:csv-log]
    import csv

    train_loader, val_loader = small_loaders()
    torch.manual_seed(SEED)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "metrics.csv"
        history = fit(SimpleNN(), train_loader, val_loader, epochs=3)  # 3단계의 fit이 에폭마다 모은 기록
        with open(path, "w", newline="") as file:
            writer = csv.DictWriter(file, fieldnames=["epoch", *history[0]])
            writer.writeheader()
            writer.writerows({"epoch": epoch, **row} for epoch, row in enumerate(history))
        print(path.read_text())
        rows, curves = read_log(path)
    figure = plot_learning_curve(curves, "PyTorch: csv 모듈로 쓴 기록 파일로 그린 학습 곡선")
    plt.show()
    # --8<-- [end:csv-log]

    # --8<-- [start:clipping]
    MAX_NORM = 1.0  # 모든 기울기를 한 벡터로 본 크기(노름)의 상한

    def train_one_epoch_clipped(model, loader, loss_fn, optimizer, device):
        model.train()
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            loss = loss_fn(model(images), labels)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=MAX_NORM)  # backward와 step 사이에서 잘라요
            optimizer.step()

    train_loader, val_loader = small_loaders()
    device = pick_device()
    torch.manual_seed(SEED)
    clipped = SimpleNN().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(clipped.parameters(), lr=LEARNING_RATE)
    for epoch in range(2):
        train_one_epoch_clipped(clipped, train_loader, loss_fn, optimizer, device)
        val_loss, val_acc = evaluate(clipped, val_loader, loss_fn, device)
        print(f"Epoch {epoch}: val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
    # --8<-- [end:clipping]

    # --8<-- [start:precision]
    def train_one_epoch_bf16(model, loader, loss_fn, optimizer, device):
        model.train()
        for images, labels in loader:
            images, labels = images.to(device), labels.to(device)
            optimizer.zero_grad()
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16):  # 이 안의 계산은 bfloat16으로
                loss = loss_fn(model(images), labels)
            loss.backward()  # 역전파는 autocast 밖에서 불러요
            optimizer.step()

    train_loader, val_loader = small_loaders()
    device = pick_device()
    torch.manual_seed(SEED)
    mixed = SimpleNN().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(mixed.parameters(), lr=LEARNING_RATE)
    for epoch in range(2):
        train_one_epoch_bf16(mixed, train_loader, loss_fn, optimizer, device)
        with torch.autocast(device_type=device.type, dtype=torch.bfloat16):  # 검증도 같은 정밀도로
            val_loss, val_acc = evaluate(mixed, val_loader, loss_fn, device)
        print(f"Epoch {epoch}: val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
    # --8<-- [end:precision]

    # --8<-- [start:precision-check]
    describe_bf16(mixed, next(iter(val_loader))[0])  # autocast로 직접 감싸 훈련한 모델
    # --8<-- [end:precision-check]

    # --8<-- [start:fast-dev-run]
    from itertools import islice

    train_loader, val_loader = small_loaders()
    device = pick_device()
    torch.manual_seed(SEED)
    model = SimpleNN().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    train_one_epoch(model, islice(train_loader, 1), loss_fn, optimizer, device)  # 훈련 배치 1개만
    val_loss, val_acc = evaluate(model, islice(val_loader, 1), loss_fn, device)  # 검증 배치 1개만
    print(f"Epoch 0: val_loss={val_loss:.4f}, val_acc={val_acc:.4f}")
    # --8<-- [end:fast-dev-run]

    # --8<-- [start:overfit]
    OVERFIT_BATCHES, OVERFIT_EPOCHS = 2, 30

    train_loader, val_loader = small_loaders()
    batches = first_batches(train_loader, OVERFIT_BATCHES)  # 섞지 않은 앞쪽 배치 2개만 되풀이해요
    device = pick_device()
    torch.manual_seed(SEED)
    overfit = SimpleNN().to(device)
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(overfit.parameters(), lr=LEARNING_RATE)
    for _ in range(OVERFIT_EPOCHS):
        train_one_epoch(overfit, batches, loss_fn, optimizer, device)
    # --8<-- [end:overfit]

    # --8<-- [start:overfit-check]
    loss, acc = evaluate(overfit, batches, nn.CrossEntropyLoss(), next(overfit.parameters()).device)
    print(f"되풀이한 배치 {len(batches)}개에서: 손실={loss:.4f}, 정확도={acc:.4f}")
    # --8<-- [end:overfit-check]

    # --8<-- [start:seed]
    import os
    import random

    import numpy as np

    def seed_everything_by_hand(seed):
        random.seed(seed)  # 파이썬의 random
        np.random.seed(seed)  # NumPy
        torch.manual_seed(seed)  # PyTorch: CPU와 모든 GPU

    os.environ["CUBLAS_WORKSPACE_CONFIG"] = ":4096:8"  # GPU의 행렬 곱(cuBLAS)도 늘 같은 순서로
    torch.backends.cudnn.benchmark = False  # 가장 빠른 알고리즘을 그때그때 고르지 않아요
    torch.use_deterministic_algorithms(True)  # 결과가 달라질 수 있는 연산을 쓰면 오류를 내요

    def one_run():
        seed_everything_by_hand(SEED)
        train_loader, val_loader = small_loaders()
        model = SimpleNN()
        fit(model, train_loader, val_loader, epochs=1)
        return model

    first, second = one_run(), one_run()
    print(f"두 번 훈련한 모델의 파라미터가 똑같은가요? {same_weights(first, second)}")
    # --8<-- [end:seed]
