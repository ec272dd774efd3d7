"""Prediction in plain PyTorch: the trained model names the digit in new images (inference)."""

# --8<-- [start:predict]
import torch


def predict(model, images):
    """이미지 배치 -> (예측한 숫자, 숫자마다의 확률)."""
    was_training = model.training
    model.eval()  # 평가 모드
    device = next(model.parameters()).device
    with torch.inference_mode():  # 가중치를 바꾸지 않으니 기울기를 기록하지 않아요
        logits = model(images.to(device))  # 숫자마다 점수 10개
    model.train(was_training)  # 원래 모드로 돌려놓아요. 이 모델로 다시 훈련해도 안전해요
    probabilities = torch.softmax(logits, dim=1)  # 점수 -> 합이 1인 확률
    return probabilities.argmax(dim=1).cpu(), probabilities.cpu()


# --8<-- [end:predict]


if __name__ == "__main__":
    # --8<-- [start:train]
    from snippets.more.predict.digits import print_predictions, sample_digits
    from snippets.steps.data.pytorch import SEED, build_dataloaders
    from snippets.steps.model.pytorch import SimpleNN
    from snippets.steps.training.pytorch import fit

    torch.manual_seed(SEED)
    model = SimpleNN()
    train_loader, val_loader = build_dataloaders()
    history = fit(model, train_loader, val_loader)  # 3단계와 똑같이 5 에폭

    images, labels = sample_digits()  # 레이블마다 한 장씩, t10k 이미지 10장
    # --8<-- [end:train]

    # --8<-- [start:run]
    predicted, probabilities = predict(model, images)
    print(f"probabilities {tuple(probabilities.shape)}, predicted {tuple(predicted.shape)}")
    print_predictions(labels, predicted, probabilities)
    # --8<-- [end:run]
