"""Build the whole site with --strict, as `make build` does, and check what each page shows."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
import torch
import yaml

from tests.conftest import build_site, nav_pages
from tests.site_html import code_blocks, heading_ids, outputs, requested_urls, tab_label_sets
from tests.small_project import ExecReport

ROOT = Path(__file__).resolve().parent.parent
PAGES = [url.rstrip("/") for url in nav_pages()]  # every page in the nav, e.g. "", "steps/data"
# Every executed fence in docs/: each must have run (or come from the cache) and be listed on the timings page.
EXECUTED_FENCES = sum(
    len(re.findall(r'exec="on"', path.read_text(encoding="utf-8"))) for path in (ROOT / "docs").rglob("*.md")
)
STEP_PAGES = ["steps/data", "steps/model", "steps/training", "steps/run"]
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Numbers that measure time, the only part of an output allowed to differ between builds: a progress
# bar's elapsed and remaining time and rate, the number columns of the summary's and the overhead
# page's timing tables (with the overhead's share), and the overhead page's start-up in training steps.
TIMINGS = re.compile(
    r"\[\d\d:\d\d<\d\d:\d\d, +[\d.]+it/s"
    r"|^ *(?:-|\d+\.\d{3}) +\d+\.\d{3}(?: +[+-]\d+\.\d{3}(?: +[+-]\d+\.\d%)?)?(?=  )"
    r"|스텝 \d+번만큼"
    r"|[+-]?\d+\.\d+(?:밀리초|초|배)|\d+배예요",  # the overhead page's import times and comparisons
    re.M,
)
# The summary's timing table: PyTorch code, Lightning code, their difference, the phase.
TIMING_ROW = re.compile(r"^ *(-|\d+\.\d{3}) +(\d+\.\d{3}) +([+-]\d+\.\d{3})  (.+)$")
EPOCH_LINE = re.compile(r"^Epoch (\d): train_loss=[\d.]+, val_loss=([\d.]+), val_acc=([\d.]+)$", re.M)
EPOCH_BAR = re.compile(r"^Epoch (\d): 100%\|█+\| (\d+)/\2 .*val_loss=([\d.]+), val_acc=([\d.]+)\]$", re.M)


def page(site: Path, name: str) -> Path:
    return site / name / "index.html"


def test_every_page_is_built(site):
    for name in PAGES:
        assert page(site, name).is_file(), name


def test_data_page_shows_both_versions_splitting_the_same_way(site):
    results = outputs(page(site, "steps/data"))
    assert len(results) == 2
    for result in results:
        assert "훈련 세트 3,850장, 검증 세트 350장" in result
        assert "배치 하나: images (32, 1, 28, 28), labels (32,)" in result
        assert "픽셀 값 범위: -1.0 ~ 1.0" in result
    assert results[0] == results[1]


def test_model_page_shows_both_parameter_counts(site):
    results = outputs(page(site, "steps/model"))
    assert len(results) == 2
    assert "(4): Linear(in_features=64, out_features=10, bias=True)" in results[0]
    assert "Total params" in results[1]
    for result in results:
        assert "훈련할 파라미터 수: 109,386" in result


def test_training_page_shows_the_pytorch_epoch_lines(site):
    (result,) = outputs(page(site, "steps/training"))
    lines = result.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"Epoch {n}" for n in range(5)]
    assert all(re.fullmatch(r"Epoch \d: train_loss=[\d.]+, val_loss=[\d.]+, val_acc=[\d.]+", line) for line in lines)


def test_run_page_shows_lightning_as_a_terminal_leaves_it(site):
    (result,) = outputs(page(site, "steps/run"))
    cuda = torch.cuda.is_available()
    gpu = "True (cuda)" if cuda else "False"
    devices = f"GPU available: {gpu}, used: {cuda}\nTPU available: False, using: 0 TPU cores\n"
    assert result.startswith("Seed set to 42\n" + devices), "one device rule: CUDA if there is one, else the CPU"
    # The summary table's columns and rows that the page explains one by one.
    assert re.search(r"^ +\| Name +\| Type +\| Params +\| Mode +\| FLOPs$", result, re.M)
    assert re.search(r"^2 \| loss_fn +\| CrossEntropyLoss +\| 0 +\| train \| 0$", result, re.M)
    assert re.search(r"^3 \| val_acc +\| MulticlassAccuracy \| 0 +\| train \| 0$", result, re.M)
    assert re.search(r"^0 +Total Flops$", result, re.M)
    assert "109 K     Total params" in result
    bars = EPOCH_BAR.findall(result)
    assert [epoch for epoch, *_ in bars] == ["0", "1", "2", "3", "4"], "one kept progress bar per epoch, printed once"
    assert result.endswith("`Trainer.fit` stopped: `max_epochs=5` reached.")
    assert "Sanity Checking" not in result and "Validation DataLoader" not in result, "cleared bars stay cleared"
    assert "💡 Tip" not in result and "LeafSpec" not in result, "named noise is filtered"


def test_run_page_explains_its_numbers_with_this_builds_data(site):
    """121 steps = 3,850 images in batches of 32, the last one of 10; the bars round to three significant digits."""
    data_output = outputs(page(site, "steps/data"))[0]
    train_images = int(re.search(r"훈련 세트 ([\d,]+)장", data_output)[1].replace(",", ""))
    batch_size = int(re.search(r"배치 하나: images \((\d+),", data_output)[1])
    steps = {int(steps) for _, steps, *_ in EPOCH_BAR.findall(outputs(page(site, "steps/run"))[0])}
    assert steps == {math.ceil(train_images / batch_size)} == {121}
    assert (train_images, batch_size, train_images % batch_size) == (3850, 32, 10)

    bars = EPOCH_BAR.findall(outputs(page(site, "steps/run"))[0])
    lines = EPOCH_LINE.findall(outputs(page(site, "steps/training"))[0])
    assert len(bars) == len(lines) == 5
    for (epoch, _, bar_loss, bar_acc), (line_epoch, val_loss, val_acc) in zip(bars, lines, strict=True):
        assert epoch == line_epoch
        assert (bar_loss, bar_acc) == (f"{float(val_loss):.3g}", f"{float(val_acc):.3g}")


def summary_outputs(site: Path) -> tuple[str, str]:
    results, timings = outputs(page(site, "summary"))
    return results, timings


def test_summary_reports_this_builds_numbers_from_both_codes(site):
    result, _ = summary_outputs(site)
    devices = re.fullmatch(r"훈련한 장치: PyTorch 코드 (\S+), Lightning 코드 (\S+)", result.splitlines()[0])
    assert devices[1] == devices[2] == ("cuda:0" if torch.cuda.is_available() else "cpu"), "the same device"
    table = dict(re.findall(r"^(PyTorch|Lightning) +([\d.]+ +[\d.]+)$", result, re.M))
    assert table["PyTorch"].split() == table["Lightning"].split()
    difference = float(re.search(r"^두 모델 파라미터의 최대 차이: (\S+)$", result, re.M)[1])
    if devices[1] == "cpu":
        assert result.rstrip().endswith("두 모델 파라미터의 최대 차이: 0.0")
    assert difference <= 1e-6

    val_loss, val_acc = table["PyTorch"].split()
    last_pytorch_line = outputs(page(site, "steps/training"))[0].splitlines()[-1]
    assert last_pytorch_line.endswith(f"val_loss={val_loss}, val_acc={val_acc}")
    last_bar = outputs(page(site, "steps/run"))[0].splitlines()[-2]
    assert last_bar.endswith(f"val_loss={float(val_loss):.3g}, val_acc={float(val_acc):.3g}]")


def test_summary_times_the_same_phases_of_both_codes(site):
    _, result = summary_outputs(site)
    title, header, *lines = result.splitlines()
    assert re.fullmatch(r"걸린 시간\(초\): 두 코드를 번갈아 \d번씩 훈련해서 저마다 가장 빨랐던 한 번이에요\.", title)
    assert header == "  PyTorch  Lightning     차이  단계"
    rows = [TIMING_ROW.fullmatch(line).groups() for line in lines]
    assert [label for *_, label in rows] == [
        "준비: 데이터 읽기, 옵티마이저, Trainer 등",
        "sanity check: 훈련 전에 검증 배치 2개",
        "훈련 스텝 605번 (배치 받기 포함)",
        "  스텝 하나 (밀리초)",
        "검증 5번 (에폭마다 한 번)",
        "그 밖: 에폭 사이 정리, 끝내기",
        "합계",
    ]
    assert rows[1][0] == "-", "the PyTorch code runs no sanity check"
    pytorch = [0.0 if mine == "-" else float(mine) for mine, *_ in rows]
    lightning = [float(theirs) for _, theirs, *_ in rows]
    for mine, theirs, (*_, difference, _) in zip(pytorch, lightning, rows, strict=True):
        assert float(difference) == pytest.approx(theirs - mine, abs=0.0015)
    for column in (pytorch, lightning):
        setup, sanity, train, per_step, val, other, total = column
        assert setup + sanity + train + val + other == pytest.approx(total, abs=0.003)
        assert per_step == pytest.approx(train / 605 * 1000, abs=0.01)
        assert other >= 0
        # What the page's prose says of every build: the training steps take most of the time, and
        # what is done once (setup, sanity check) is small beside them.
        assert train > max(setup, sanity, val, other) and train > total / 2
        assert setup + sanity < train / 10


def test_dataset_page_shows_the_checked_files(site):
    results = outputs(page(site, "dataset"))
    checked = re.findall(r"^확인 완료: MNIST/raw/(\S+) ", results[-1], re.M)
    assert sorted(checked) == sorted(
        ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    )


def test_outputs_have_no_control_characters(site):
    for name in PAGES:
        for result in outputs(page(site, name)):
            assert not CONTROL_CHARACTERS.search(result), (name, result)


def test_executed_sources_name_their_snippet_file(site):
    for name in PAGES:
        for block in code_blocks(page(site, name)):
            if block.executed:
                assert (ROOT / block.filename).is_file()
                assert block.filename.startswith("snippets/")


def test_step_pages_compare_in_linked_pytorch_and_lightning_tabs(site):
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    assert "content.tabs.link" in config["theme"]["features"]
    for name in STEP_PAGES:
        assert tab_label_sets(page(site, name)) == [["PyTorch", "Lightning"]], name


def test_lightning_hooks_are_highlighted(site):
    expected = {
        "steps/data": ["prepare_data", "setup", "train_dataloader", "val_dataloader"],
        "steps/training": ["training_step", "validation_step", "configure_optimizers"],
    }
    for name, hooks in expected.items():
        highlighted = [line for block in code_blocks(page(site, name)) for line in block.highlighted_lines]
        assert [re.search(r"def (\w+)\(", line)[1] for line in highlighted] == hooks


def test_korean_headings_get_korean_anchors(site):
    ids = [heading_id for name in PAGES for heading_id in heading_ids(page(site, name))]
    assert "3단계-모델-훈련하기" in ids
    assert not [heading_id for heading_id in ids if re.fullmatch(r"_\d+", heading_id)]


def test_no_request_leaves_the_site(site):
    for path in site.rglob("*.html"):
        for url in requested_urls(path):
            assert not re.match(r"(https?:)?//", url), (path, url)
    for path in site.rglob("*.css"):
        css = path.read_text(encoding="utf-8")
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//|fonts\.googleapis", css), path


def test_every_executed_block_states_its_run_time(site):
    for name in PAGES:
        html = page(site, name).read_text(encoding="utf-8")
        sources = [block for block in code_blocks(page(site, name)) if block.executed]
        labels = re.findall(r'<p class="exec-time">([^<]*)</p>', html)
        assert len(labels) == len(sources), name
        label_format = re.compile(r"실행 \d+\.\d+초 · (CPU|GPU \(.+\)) · torch 2\.14\.1")
        assert all(label_format.fullmatch(label) for label in labels), labels


def test_computation_times_page_lists_every_block_slowest_first(site):
    html = page(site, "timings").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td>([\d.]+)초</td><td><a href="([^"]+)">[^<]*</a></td><td><code>([^<]+)</code>', html)
    executed = sum(1 for name in PAGES for block in code_blocks(page(site, name)) if block.executed)
    assert len(rows) == executed == EXECUTED_FENCES
    seconds = [float(row[0]) for row in rows]
    assert seconds == sorted(seconds, reverse=True)
    for _, href, _ in rows:
        target, anchor = href.split("#")
        target_html = (site / "timings" / target / "index.html").resolve().read_text(encoding="utf-8")
        assert f'id="{anchor}"' in target_html, href


def test_two_builds_show_the_same_outputs_timings_aside(site, second_build):
    """The second build ran every session again, one at a time where the first ran them side by side (and, where
    it could, cut off from the network): the same outputs."""
    for name in PAGES:
        first_outputs = [TIMINGS.sub("<t>", text) for text in outputs(page(site, name))]
        second_outputs = [TIMINGS.sub("<t>", text) for text in outputs(page(second_build.site, name))]
        assert first_outputs == second_outputs, name


def test_a_warm_build_renders_every_block_from_the_cache_byte_for_byte(cold_build, tmp_path):
    site_dir, cache_dir, cold_log = cold_build
    cold = ExecReport.of(cold_log)
    assert (cold.ran, cold.cached, cold.sessions_cached, cold.failed) == (EXECUTED_FENCES, 0, 0, 0)
    result = build_site(tmp_path / "warm", cache_dir)
    assert ExecReport.of(result.stdout + result.stderr) == ExecReport(0, 0, cold.sessions_ran, EXECUTED_FENCES, 0)
    for cold_page in site_dir.rglob("*.html"):
        warm_page = tmp_path / "warm" / cold_page.relative_to(site_dir)
        assert warm_page.read_bytes() == cold_page.read_bytes(), cold_page
