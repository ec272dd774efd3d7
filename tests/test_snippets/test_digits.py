"""The digits page: the grid shows the dataset's own images and labels, the confusion matrix counts the
validation set, and the mistakes figure shows exactly the validation digits the model gets wrong.

The page's main part runs once here (five epochs, as on the page) with plt.show() replaced by a function
that keeps the figures it would show; the checks recompute what they compare against from the dataset and
the trained model, not from the snippet's own results.
"""

import re
from collections import Counter

import matplotlib
import numpy as np
import pytest
import torch

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from snippets.beyond.digits.explore import confusion_matrix, plot_confusion_matrix, show_digits
from tests.test_snippets.main_runs import run_main

VAL_IMAGES = 350
GRID_IMAGES = 32
MISTAKE_TITLE = re.compile(r"^예측 (\d) · 레이블 (\d)$")
HANGUL = re.compile("[가-힣]")


@pytest.fixture(scope="module")
def page_run(tmp_path_factory):
    """The file's main part as the page runs it, in an empty working directory; the figures it shows."""
    run = run_main("snippets.beyond.digits.explore", tmp_path_factory)
    assert not run.left_files, "the page leaves no files behind"
    assert [len(figures) for figures in run.shown] == [1, 1, 1], "each plt.show() shows one figure"
    grid, confusion, mistakes = (figures[0] for figures in run.shown)
    return run.namespace, run.stdout, grid, confusion, mistakes


@pytest.fixture(scope="module")
def validation(page_run):
    """Every validation image in order, its label, and the trained model's prediction, recomputed one by one."""
    namespace = page_run[0]
    model, val_set = namespace["model"], namespace["val_loader"].dataset
    model.eval()
    device = next(model.parameters()).device
    images, labels, predicted = [], [], []
    with torch.no_grad():
        for index in range(len(val_set)):
            image, label = val_set[index]
            images.append(image)
            labels.append(label)
            predicted.append(model(image.unsqueeze(0).to(device)).argmax().item())
    return torch.stack(images), labels, predicted


def image_axes(fig):
    return [ax for ax in fig.axes if ax.images]


def test_grid_shows_the_datasets_images_and_labels(page_run):
    namespace, _, grid, _, _ = page_run
    train_set = namespace["train_loader"].dataset
    axes = image_axes(grid)
    assert len(axes) == GRID_IMAGES
    for index, ax in enumerate(axes):
        image, label = train_set[index]
        np.testing.assert_array_equal(ax.images[0].get_array(), image.squeeze(0).numpy())
        assert ax.get_title() == f"레이블 {label}"
    assert HANGUL.search(grid._suptitle.get_text())


def test_show_digits_draws_each_image_with_its_title_and_blanks_the_rest():
    images = [torch.full((1, 28, 28), float(n) / 10) for n in range(5)]
    fig = show_digits(images, [f"t{n}" for n in range(5)], "시험 그림", columns=3)
    try:
        assert len(fig.axes) == 6  # two rows of three
        assert [ax.get_title() for ax in image_axes(fig)] == [f"t{n}" for n in range(5)]
        for ax, image in zip(image_axes(fig), images, strict=True):
            np.testing.assert_array_equal(ax.images[0].get_array(), image.squeeze(0).numpy())
            assert ax.images[0].get_clim() == (-1.0, 1.0)
        assert not fig.axes[5].axison and not fig.axes[5].images
        assert fig._suptitle.get_text() == "시험 그림"
    finally:
        plt.close(fig)


def test_confusion_matrix_puts_labels_in_rows_and_predictions_in_columns():
    labels = torch.tensor([0, 0, 1, 2, 2, 2, 9])
    predicted = torch.tensor([0, 1, 1, 2, 0, 2, 4])
    matrix = confusion_matrix(labels, predicted)
    expected = torch.zeros(10, 10, dtype=torch.long)
    expected[0, 0], expected[0, 1], expected[1, 1], expected[2, 2], expected[2, 0], expected[9, 4] = 1, 1, 1, 2, 1, 1
    assert torch.equal(matrix, expected)


def test_confusion_matrix_counts_the_validation_set(page_run, validation):
    namespace, printed, *_ = page_run
    matrix = namespace["matrix"]
    _, labels, predicted = validation
    pairs = Counter(zip(labels, predicted, strict=True))
    assert matrix.shape == (10, 10)
    assert all(matrix[i, j].item() == pairs[(i, j)] for i in range(10) for j in range(10))
    assert matrix.sum().item() == VAL_IMAGES == len(labels)
    correct = sum(label == guess for label, guess in zip(labels, predicted, strict=True))
    assert matrix.trace().item() == correct
    assert matrix.sum(dim=1).tolist() == [labels.count(digit) for digit in range(10)]
    # The same model on the same validation set: the accuracy the training loop printed last.
    assert correct / VAL_IMAGES == pytest.approx(namespace["history"][-1]["val_acc"], abs=1e-12)
    assert f"검증 이미지 {VAL_IMAGES}장 가운데 {correct}장을 맞혔어요: 정확도 {correct / VAL_IMAGES:.4f}" in printed
    assert "torchmetrics의 multiclass_confusion_matrix와 같은가요? True" in printed


def test_printed_worst_cells_are_the_largest_off_diagonal_counts(page_run, validation):
    printed = page_run[1]
    _, labels, predicted = validation
    mistakes = Counter((label, guess) for label, guess in zip(labels, predicted, strict=True) if label != guess)
    worst = sorted(mistakes.items(), key=lambda item: (-item[1], item[0]))[:3]
    lines = [line for line in printed.splitlines() if line.startswith("많이 틀린 칸")]
    assert lines == [f"많이 틀린 칸: 레이블 {i} -> 예측 {j}, {count}장" for (i, j), count in worst]


def test_confusion_figure_writes_every_count_in_its_cell(page_run):
    namespace, _, _, confusion, _ = page_run
    matrix = namespace["matrix"]
    ax = confusion.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix.numpy())
    cells = {(round(text.get_position()[1]), round(text.get_position()[0])): text.get_text() for text in ax.texts}
    assert cells == {(i, j): str(matrix[i, j].item()) for i in range(10) for j in range(10)}
    assert "레이블" in ax.get_ylabel() and "예측" in ax.get_xlabel()
    assert HANGUL.search(confusion._suptitle.get_text())


def test_plot_confusion_matrix_uses_white_text_on_dark_cells():
    matrix = torch.zeros(10, 10, dtype=torch.long)
    matrix[3, 3], matrix[3, 5] = 40, 1
    fig = plot_confusion_matrix(matrix)
    try:
        colors = {text.get_text(): text.get_color() for text in fig.axes[0].texts if text.get_text() != "0"}
        assert colors == {"40": "white", "1": "black"}
    finally:
        plt.close(fig)


def test_mistakes_figure_shows_exactly_the_wrong_digits(page_run, validation):
    _, printed, _, _, mistakes = page_run
    images, labels, predicted = validation
    wrong = [index for index, (label, guess) in enumerate(zip(labels, predicted, strict=True)) if label != guess]
    axes = image_axes(mistakes)
    assert len(axes) == len(wrong) > 0
    assert f"틀린 이미지: {len(wrong)}장" in printed
    for ax, index in zip(axes, wrong, strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), images[index].squeeze(0).numpy())
        guess, label = map(int, MISTAKE_TITLE.fullmatch(ax.get_title()).groups())
        assert (guess, label) == (predicted[index], labels[index])
        assert guess != label
    assert HANGUL.search(mistakes._suptitle.get_text())
