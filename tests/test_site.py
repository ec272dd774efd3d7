"""Build the whole site with --strict, as `make build` does, and check what each page shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.conftest import build_site
from tests.site_html import code_blocks, heading_ids, outputs, requested_urls, tab_label_sets

ROOT = Path(__file__).resolve().parent.parent
PAGES = [
    "",
    "differences",
    "steps/data",
    "steps/model",
    "steps/training",
    "steps/run",
    "summary",
    "notebooks",
    "dataset",
    "glossary",
]
STEP_PAGES = ["steps/data", "steps/model", "steps/training", "steps/run"]
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Numbers that measure time, the only part of an output allowed to differ between builds.
TIMINGS = re.compile(r"\[\d\d:\d\d<\d\d:\d\d, +[\d.]+it/s|(?<=\d) +\d+\.\d$", re.M)


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
        assert "학습할 파라미터 수: 109,386" in result


def test_training_page_shows_the_pytorch_epoch_lines(site):
    (result,) = outputs(page(site, "steps/training"))
    lines = result.splitlines()
    assert [line.split(":")[0] for line in lines] == [f"Epoch {n}" for n in range(5)]
    assert all(re.fullmatch(r"Epoch \d: train_loss=[\d.]+, val_loss=[\d.]+, val_acc=[\d.]+", line) for line in lines)


def test_run_page_shows_lightning_as_a_terminal_leaves_it(site):
    (result,) = outputs(page(site, "steps/run"))
    assert result.startswith("Seed set to 42\nGPU available:")
    assert "| Name    | Type             | Params | Mode" in result
    assert "109 K     Total params" in result
    bars = re.findall(r"^Epoch (\d): 100%\|█+\| 121/121 .*val_loss=[\d.]+, val_acc=[\d.]+\]$", result, re.M)
    assert bars == ["0", "1", "2", "3", "4"], "one kept progress bar per epoch, each printed once"
    assert result.endswith("`Trainer.fit` stopped: `max_epochs=5` reached.")
    assert "Sanity Checking" not in result and "Validation DataLoader" not in result, "cleared bars stay cleared"
    assert "💡 Tip" not in result and "LeafSpec" not in result, "named noise is filtered"


def test_summary_reports_this_builds_numbers_from_both_versions(site):
    (result,) = outputs(page(site, "summary"))
    table = dict(re.findall(r"^(PyTorch|Lightning) +([\d.]+ +[\d.]+) +[\d.]+$", result, re.M))
    assert table["PyTorch"].split() == table["Lightning"].split()
    assert result.rstrip().endswith("두 모델 가중치의 최대 차이: 0.0")

    val_loss, val_acc = table["PyTorch"].split()
    last_pytorch_line = outputs(page(site, "steps/training"))[0].splitlines()[-1]
    assert last_pytorch_line.endswith(f"val_loss={val_loss}, val_acc={val_acc}")
    last_bar = outputs(page(site, "steps/run"))[0].splitlines()[-2]
    assert last_bar.endswith(f"val_loss={float(val_loss):.3g}, val_acc={float(val_acc):.3g}]")


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
            if block.filename is not None:
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


def test_search_splits_identifiers_from_korean_particles(site):
    config = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))["config"]
    assert config["lang"] == ["ko"]
    separator = re.compile(config["separator"])
    tokens = [token for token in separator.split("DataLoader를 Lightning으로 PyTorch와 훈련") if token]
    assert tokens == ["Data", "Loader", "를", "Lightning", "으로", "Py", "Torch", "와", "훈련"]


def test_every_executed_block_states_its_run_time(site):
    for name in PAGES:
        html = page(site, name).read_text(encoding="utf-8")
        sources = [block for block in code_blocks(page(site, name)) if block.filename is not None]
        labels = re.findall(r'<p class="exec-time">([^<]*)</p>', html)
        assert len(labels) == len(sources), name
        label_format = re.compile(r"실행 \d+\.\d+초 · (CPU|GPU \(.+\)) · torch 2\.14\.1")
        assert all(label_format.fullmatch(label) for label in labels), labels


def test_computation_times_page_lists_every_block_slowest_first(site):
    html = page(site, "timings").read_text(encoding="utf-8")
    rows = re.findall(r'<tr><td>([\d.]+)초</td><td><a href="([^"]+)">[^<]*</a></td><td><code>([^<]+)</code>', html)
    executed = sum(1 for name in PAGES for block in code_blocks(page(site, name)) if block.filename is not None)
    assert len(rows) == executed == 20
    seconds = [float(row[0]) for row in rows]
    assert seconds == sorted(seconds, reverse=True)
    assert rows[0][2] == "snippets/summary/compare.py:run", "the summary trains both versions: the slowest"
    for _, href, _ in rows:
        target, anchor = href.split("#")
        target_html = (site / "timings" / target / "index.html").resolve().read_text(encoding="utf-8")
        assert f'id="{anchor}"' in target_html, href


def test_two_builds_show_the_same_outputs_timings_aside(site, tmp_path):
    """A second build that runs every block again (the cache is ignored) shows the same outputs."""
    second = tmp_path / "second"
    assert build_site(second, tmp_path / "cache", GUIDE_EXEC_REFRESH="1").returncode == 0
    for name in PAGES:
        first_outputs = [TIMINGS.sub("<t>", text) for text in outputs(page(site, name))]
        second_outputs = [TIMINGS.sub("<t>", text) for text in outputs(page(second, name))]
        assert first_outputs == second_outputs, name


def test_a_warm_build_renders_every_block_from_the_cache_byte_for_byte(cold_build, tmp_path):
    site_dir, cache_dir, cold_log = cold_build
    assert "snippet-exec: 20 blocks ran, 0 came from the cache" in cold_log
    result = build_site(tmp_path / "warm", cache_dir)
    assert "snippet-exec: 0 blocks ran, 20 came from the cache" in result.stdout + result.stderr
    for cold_page in site_dir.rglob("*.html"):
        warm_page = tmp_path / "warm" / cold_page.relative_to(site_dir)
        assert warm_page.read_bytes() == cold_page.read_bytes(), cold_page
