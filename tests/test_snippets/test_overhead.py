"""The overhead page: every number it prints and draws is measured by its clocks in this run.

Two kinds of check. With the real clock, tiny runs (one or two repeats, two epochs of three training and two
validation batches) give samples of the right number and sign, and both codes train on the same batches.
With a counting clock patched into the page's modules (each reading `tick` seconds after the one before),
every median, difference, share and drawn bar must be exactly what those readings imply: no number on the
page can come from anywhere but the clocks.
"""

import contextlib
import io
import os
import platform
import re
import statistics
from functools import partial
from importlib.metadata import version

import matplotlib
import matplotlib.pyplot as plt
import pytest
import torch

from snippets.beyond.overhead import clocks as overhead_clocks
from snippets.beyond.overhead import imports as overhead_imports
from snippets.beyond.overhead import measure as overhead_measure
from snippets.beyond.overhead.clocks import StepLoader
from snippets.beyond.overhead.imports import IMPORT_REPEATS, print_imports, time_imports
from snippets.beyond.overhead.measure import THREADS, Samples, measure, time_lightning, time_pytorch
from snippets.beyond.overhead.models import MODELS, WIDTH, LitWideMNIST, WideNN, parameter_count, wide_layers
from snippets.beyond.overhead.plot import plot_overhead
from snippets.beyond.overhead.report import (
    cpu_model,
    overhead_rows,
    print_machine,
    print_overhead,
    print_step_scaling,
)
from snippets.plotting import use_korean_font
from snippets.steps.data.pytorch import SEED
from snippets.steps.model.lightning import LitMNIST
from snippets.steps.model.pytorch import SimpleNN
from snippets.summary import clocks as summary_clocks
from snippets.summary.compare import max_weight_difference
from tests.test_snippets.main_runs import printed_lines, run_main

matplotlib.use("Agg")
pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

SIZES = {"epochs": 2, "train_batches": 3, "val_batches": 2}
ROW = re.compile(r"^ *(-?\d+\.\d{3}) +(-?\d+\.\d{3}) +([+-]\d+\.\d{3}) +([+-]\d+\.\d)%  (.+)$")


def quiet(function, *args, **kwargs):
    """Lightning's notices about the device and its warnings about the tiny runs go to the log, not the test."""
    with contextlib.redirect_stderr(io.StringIO()):
        return function(*args, **kwargs)


class CountingClock:
    """Stands for the `time` module in the page's clocks: each perf_counter() reads `tick` seconds after the last."""

    def __init__(self, tick):
        self.tick = tick
        self.readings = 0

    def perf_counter(self):
        self.readings += 1
        return self.readings * self.tick


@pytest.fixture
def counting_clock(monkeypatch):
    def install(tick):
        clock = CountingClock(tick)
        for module in (overhead_clocks, overhead_measure, summary_clocks):
            monkeypatch.setattr(module, "time", clock)
        return clock

    return install


def expected_ticks(epochs, train_batches, val_batches):
    """How many readings of the counting clock each sample spans, from the order the clocks are read in.

    PyTorch: start, then the training pass starts (startup: 1); each step ends (1 each); an epoch runs from
    the training pass's start over its steps, its end, the validation pass's start and steps to its end.
    Lightning: start, sanity check start, validation start (inside the sanity check), sanity check end, then
    the first epoch starts (startup: 4, sanity: 2); each step ends (1 each); an epoch runs from its start
    over its steps, validation start and end to on_train_epoch_end.
    """
    return {
        "PyTorch": {"startup": 1, "epoch": train_batches + val_batches + 3, "step": 1},
        "Lightning": {"startup": 4, "epoch": train_batches + 3, "step": 1, "sanity": 2},
    }


# ---------------------------------------------------------------- the models


def test_wide_model_changes_only_the_width():
    torch.manual_seed(SEED)
    wide = WideNN()
    torch.manual_seed(SEED)
    lit_wide = LitWideMNIST()
    expected = 784 * WIDTH + WIDTH + WIDTH * WIDTH + WIDTH + WIDTH * 10 + 10
    assert parameter_count(wide) == parameter_count(lit_wide) == expected
    assert expected > 10 * parameter_count(SimpleNN())
    for name, tensor in wide.state_dict().items():
        assert torch.equal(tensor, lit_wide.state_dict()[name]), "same seed, same initial weights"
    images = torch.zeros(2, 1, 28, 28)
    assert wide(images).shape == lit_wide(images).shape == (2, 10)
    assert LitWideMNIST.training_step is LitMNIST.training_step
    assert list(MODELS) == ["이 가이드의 MLP", "넓은 MLP"]
    assert MODELS["넓은 MLP"] == (WideNN, LitWideMNIST)


def test_the_wide_model_draws_its_discarded_small_layers_first():
    # The page's note: the parent's small layers take random numbers before the wide ones are made.
    torch.manual_seed(SEED)
    wide = WideNN()
    torch.manual_seed(SEED)
    built_directly = wide_layers()
    assert not torch.equal(wide.layers[0].weight, built_directly[0].weight)
    torch.manual_seed(SEED)
    SimpleNN()
    assert torch.equal(wide.layers[0].weight, wide_layers()[0].weight)


# ---------------------------------------------------------------- the clocks


def test_step_loader_hands_out_the_first_batches_and_times_each_step(counting_clock):
    clock = counting_clock(0.25)
    loader = StepLoader(["a", "b", "c", "d"], batches=3)
    assert list(loader) == ["a", "b", "c"]
    assert list(loader) == ["a", "b", "c"]
    assert loader.step_seconds == [0.25] * 6
    assert loader.pass_starts == [0.25, 1.5] and loader.pass_ends == [1.25, 2.5]
    assert clock.readings == 10


def test_medians_are_the_medians_of_the_samples():
    samples = Samples(startup=[3.0, 1.0, 2.0], epoch=[4.0, 1.0, 2.0, 8.0], step=[0.5], sanity=[])
    assert samples.medians() == {"startup": 2.0, "epoch": 3.0, "step": 0.5}, "no sanity check, no median for it"


@pytest.mark.parametrize("tick", [0.5, 0.0078125])
def test_every_sample_is_read_from_the_clock(counting_clock, tick):
    counting_clock(tick)
    expected = expected_ticks(**SIZES)
    for framework, timer, make in [("PyTorch", time_pytorch, SimpleNN), ("Lightning", time_lightning, LitMNIST)]:
        samples = Samples()
        quiet(timer, make, samples, **SIZES)
        ticks = expected[framework]
        assert samples.startup == [ticks["startup"] * tick]
        assert samples.epoch == [ticks["epoch"] * tick] * SIZES["epochs"]
        assert samples.step == [tick] * SIZES["epochs"] * SIZES["train_batches"]
        assert samples.sanity == ([ticks["sanity"] * tick] if framework == "Lightning" else [])
        assert samples.medians() == {name: count * tick for name, count in ticks.items()}


# ---------------------------------------------------------------- measuring with the real clock


@pytest.fixture(scope="module")
def tiny_results():
    return quiet(measure, repeats=2, **SIZES)


def test_measure_collects_one_sample_per_run_epoch_and_step(tiny_results):
    assert list(tiny_results) == list(MODELS)
    for runs in tiny_results.values():
        assert list(runs) == ["PyTorch", "Lightning"]
        for framework, samples in runs.items():
            assert len(samples.startup) == 2
            assert len(samples.epoch) == 2 * SIZES["epochs"]
            assert len(samples.step) == 2 * SIZES["epochs"] * SIZES["train_batches"]
            assert len(samples.sanity) == (2 if framework == "Lightning" else 0)
            values = samples.startup + samples.epoch + samples.step + samples.sanity
            assert all(value > 0 for value in values)
            medians = samples.medians()
            for name, value in medians.items():
                assert value == statistics.median(getattr(samples, name))
            assert medians["epoch"] > medians["step"], "an epoch holds several steps"
        assert len(set(runs["PyTorch"].step)) > 1, "real readings, not a constant"
    lightning = tiny_results["이 가이드의 MLP"]["Lightning"]
    assert all(s < t for s, t in zip(lightning.sanity, lightning.startup, strict=True)), "sanity is part of startup"


def test_measure_alternates_the_codes_on_one_thread(monkeypatch):
    calls = []

    def fake(framework):
        def timer(make, samples, **sizes):
            calls.append((framework, make.__name__, torch.get_num_threads(), sizes))
            samples.step.append(1.0)

        return timer

    monkeypatch.setattr(overhead_measure, "time_pytorch", fake("PyTorch"))
    monkeypatch.setattr(overhead_measure, "time_lightning", fake("Lightning"))
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        results = overhead_measure.measure(repeats=3, epochs=1)
        assert torch.get_num_threads() == 2, "the process's own number of threads again"
    finally:
        torch.set_num_threads(before)
    first = [("PyTorch", "SimpleNN"), ("Lightning", "LitMNIST"), ("PyTorch", "WideNN"), ("Lightning", "LitWideMNIST")]
    second = [first[1], first[0], first[3], first[2]]
    assert [call[:2] for call in calls] == first + second + first
    assert {call[2] for call in calls} == {THREADS} == {1}
    assert all(call[3] == {"epochs": 1} for call in calls)
    assert all(len(samples.step) == 3 for runs in results.values() for samples in runs.values())


def test_both_codes_train_on_the_same_batches():
    """The same seed, data and batches: after the same steps, the same weights (on the CPU to the last bit)."""
    pytorch_model = quiet(time_pytorch, SimpleNN, Samples(), **SIZES)
    lightning_model = quiet(time_lightning, LitMNIST, Samples(), **SIZES)
    tolerance = 0.0 if not torch.cuda.is_available() else 1e-6
    assert max_weight_difference(pytorch_model, lightning_model) <= tolerance
    assert max_weight_difference(pytorch_model, SimpleNN()) > 0.01, "it did train"


# ---------------------------------------------------------------- the report


def samples_for(startup, epoch, step, sanity=()):
    return Samples(startup=list(startup), epoch=list(epoch), step=list(step), sanity=list(sanity))


PYTORCH = samples_for([0.25, 0.5, 0.125], [1.0, 3.0], [0.002, 0.004, 0.003])
LIGHTNING = samples_for([1.0, 0.75, 2.0], [4.0, 4.0, 5.0], [0.005, 0.006, 0.004, 0.008], [0.25, 0.125, 0.5])


def test_rows_hold_medians_differences_and_shares():
    rows = overhead_rows(PYTORCH, LIGHTNING)
    assert [row[4] for row in rows] == [
        "시작: 첫 훈련 배치 직전까지 (초)",
        "에폭 하나 (초)",
        "훈련 스텝 하나 (밀리초)",
    ]
    assert rows[0][:4] == (0.25, 1.0, 0.75, 0.75)
    assert rows[1][:4] == (2.0, 4.0, 2.0, 0.5)
    mine, theirs, difference, share = rows[2][:4]
    assert (mine, theirs) == pytest.approx((3.0, 5.5))  # milliseconds
    assert difference == pytest.approx(2.5) and share == pytest.approx(2.5 / 5.5)


def test_printed_table_shows_the_rows(capsys):
    print_overhead("모델", SimpleNN(), PYTORCH, LIGHTNING)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "모델 (파라미터 109,386개)"
    assert lines[1] == "  PyTorch  Lightning     차이     비율  단계(중앙값)"
    for line, (mine, theirs, difference, share, label) in zip(
        lines[2:5], overhead_rows(PYTORCH, LIGHTNING), strict=True
    ):
        assert ROW.match(line).groups() == (
            f"{mine:.3f}",
            f"{theirs:.3f}",
            f"{difference:+.3f}",
            f"{share * 100:+.1f}",
            label,
        )
    assert lines[5] == "        -      0.250                    그중 sanity check (초)"
    assert lines[6] == "시작에 더 든 시간은 PyTorch 코드의 훈련 스텝 250번만큼이에요."  # 0.75 s / 0.003 s
    assert len(lines) == 7


def test_machine_lines_are_read_from_this_machine(capsys):
    print_machine(THREADS)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"기계: {platform.platform()}, CPU {cpu_model()}, 코어 {os.cpu_count()}개"
    device = "cuda" if torch.cuda.is_available() else "cpu"
    assert lines[1] == f"장치: {device}, 잴 때 torch 스레드 {THREADS}개"
    assert lines[2] == (
        f"버전: Python {platform.python_version()}, torch {version('torch')}, "
        f"pytorch-lightning {version('pytorch-lightning')}, torchmetrics {version('torchmetrics')}"
    )


def test_cpu_model_reads_cpuinfo_or_falls_back(tmp_path, monkeypatch):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: Made Up\nmodel name\t: Made Up CPU @ 1.00GHz\n")
    assert cpu_model(cpuinfo) == "Made Up CPU @ 1.00GHz"
    monkeypatch.setattr(platform, "processor", lambda: "arm")
    assert cpu_model(tmp_path / "missing") == "arm"
    monkeypatch.setattr(platform, "processor", lambda: "")
    assert cpu_model(tmp_path / "missing") == "알 수 없음"


def test_step_scaling_compares_the_step_rows_of_the_two_models(capsys):
    print_step_scaling(
        {
            "작은 모델": {"PyTorch": PYTORCH, "Lightning": LIGHTNING},
            "큰 모델": {"PyTorch": LIGHTNING, "Lightning": PYTORCH},
        }
    )
    small = overhead_rows(PYTORCH, LIGHTNING)[-1]
    wide = overhead_rows(LIGHTNING, PYTORCH)[-1]
    assert (small[0], wide[0], small[2], wide[2]) == pytest.approx((3.0, 5.5, 2.5, -2.5))
    assert capsys.readouterr().out == (
        "넓은 모델에서 PyTorch 코드의 스텝은 1.8배로 길어지고, "
        "스텝마다의 차이는 +2.500밀리초에서 -2.500밀리초가 돼요.\n"
    )


# ---------------------------------------------------------------- importing the libraries


def test_import_times_come_from_fresh_pythons(monkeypatch):
    launched = []
    real_run = overhead_imports.subprocess.run

    def counting_run(command, **kwargs):
        launched.append(command)
        return real_run(command, **kwargs)

    monkeypatch.setattr(overhead_imports.subprocess, "run", counting_run)
    imports = time_imports(repeats=2)
    assert len(launched) == 2, "one fresh Python per repeat: a module already imported costs nothing"
    assert set(imports) == {"torch", "lightning"}
    assert imports["torch"] > 0.05 and imports["lightning"] > 0.05, "real imports take a while"


def test_import_times_are_medians_and_a_failing_child_raises(monkeypatch):
    readings = iter(
        ['{"torch": 3.0, "lightning": 1.0}', '{"torch": 1.0, "lightning": 5.0}', '{"torch": 2.0, "lightning": 2.0}']
    )

    class Child:
        def __init__(self, stdout):
            self.stdout = stdout

    monkeypatch.setattr(overhead_imports.subprocess, "run", lambda command, **kwargs: Child(next(readings)))
    assert time_imports(repeats=3) == {"torch": 2.0, "lightning": 2.0}
    monkeypatch.undo()
    monkeypatch.setattr(overhead_imports, "IMPORT_CLOCK", "import no_such_module_here")
    with pytest.raises(overhead_imports.subprocess.CalledProcessError):
        time_imports(repeats=1)


def test_import_lines(capsys):
    print_imports({"torch": 1.234, "lightning": 0.5}, startup_difference=0.025)
    assert capsys.readouterr().out.splitlines() == [
        f"새 Python에서 import에 든 시간 ({IMPORT_REPEATS}번의 중앙값)",
        "  torch: 1.23초",
        "  그다음 pytorch_lightning과 torchmetrics: 0.50초",
        "Lightning의 import는 표에서 시작에 더 든 시간(0.025초)의 20배예요.",
    ]


# ---------------------------------------------------------------- the figure


def bars_of(ax):
    return [patch.get_height() for patch in ax.patches]


def test_figure_draws_the_rows_of_each_model():
    use_korean_font()
    results = {
        "작은 모델": {"PyTorch": PYTORCH, "Lightning": LIGHTNING},
        "큰 모델": {"PyTorch": LIGHTNING, "Lightning": PYTORCH},
    }
    figure = plot_overhead(results)
    try:
        axes = figure.axes
        assert len(axes) == 6
        assert figure._suptitle.get_text() == "PyTorch 코드와 Lightning 코드의 시간 (이번 빌드의 중앙값)"
        for n, (name, runs) in enumerate(results.items()):
            rows = overhead_rows(runs["PyTorch"], runs["Lightning"])
            for ax, (mine, theirs, _, share, label) in zip(axes[3 * n : 3 * n + 3], rows, strict=True):
                assert bars_of(ax) == [mine, theirs]
                assert [tick.get_text() for tick in ax.get_xticklabels()] == ["PyTorch", "Lightning"]
                assert ax.get_title() == f"{name}\n{label}\n비율 {share:+.1%}"
    finally:
        plt.close(figure)


# ---------------------------------------------------------------- the page's run, end to end


@pytest.fixture
def counted_page_run(counting_clock, monkeypatch, tmp_path_factory):
    """report.py's main part as the page runs it, with tiny sizes and the counting clock."""
    tick = 0.5
    counting_clock(tick)
    sizes = {"EPOCHS": 2, "TRAIN_BATCHES": 3, "VAL_BATCHES": 2, "REPEATS": 1}
    for name, value in sizes.items():
        monkeypatch.setattr(overhead_measure, name, value)
    monkeypatch.setattr(
        overhead_measure,
        "measure",
        partial(measure, repeats=1, epochs=2, train_batches=3, val_batches=2),
    )
    monkeypatch.setattr(plt, "show", lambda: None)
    monkeypatch.setattr(overhead_imports, "time_imports", lambda: {"torch": 1.5, "lightning": 0.75})
    run = run_main("snippets.beyond.overhead.report", tmp_path_factory)
    yield run, tick
    plt.close("all")


def test_page_prints_and_draws_what_the_clock_read(counted_page_run):
    run, tick = counted_page_run
    lines = printed_lines(run)
    assert lines[3] == "재는 방법: 두 코드를 번갈아 1번씩, 한 번에 2 에폭, 에폭마다 훈련 배치 3개와 검증 배치 2개"
    ticks = expected_ticks(epochs=2, train_batches=3, val_batches=2)
    results = run.namespace["results"]
    tables = [lines[4:11], lines[11:18]]
    for (name, runs), table in zip(results.items(), tables, strict=True):
        assert table[0].startswith(f"{name} (파라미터 ")
        expected = []
        for measure_name, scale in [("startup", 1), ("epoch", 1), ("step", 1000)]:
            mine = ticks["PyTorch"][measure_name] * tick
            theirs = ticks["Lightning"][measure_name] * tick
            expected.append((f"{mine * scale:.3f}", f"{theirs * scale:.3f}", f"{(theirs - mine) * scale:+.3f}"))
        assert [ROW.match(line).groups()[:3] for line in table[2:5]] == expected
        for line, row in zip(table[2:5], overhead_rows(runs["PyTorch"], runs["Lightning"]), strict=True):
            assert ROW.match(line).groups()[3] == f"{row[3] * 100:+.1f}"
        assert table[5].split()[1] == f"{ticks['Lightning']['sanity'] * tick:.3f}"
        extra_steps = ticks["Lightning"]["startup"] - ticks["PyTorch"]["startup"]
        assert table[6] == f"시작에 더 든 시간은 PyTorch 코드의 훈련 스텝 {extra_steps}번만큼이에요."
    assert lines[18] == (
        "넓은 모델에서 PyTorch 코드의 스텝은 1.0배로 길어지고, 스텝마다의 차이는 +0.000밀리초에서 +0.000밀리초가 돼요."
    )
    startup_difference = (ticks["Lightning"]["startup"] - ticks["PyTorch"]["startup"]) * tick
    assert lines[19:] == [
        f"새 Python에서 import에 든 시간 ({IMPORT_REPEATS}번의 중앙값)",
        "  torch: 1.50초",
        "  그다음 pytorch_lightning과 torchmetrics: 0.75초",
        f"Lightning의 import는 표에서 시작에 더 든 시간({startup_difference:.3f}초)의 "
        f"{0.75 / startup_difference:.0f}배예요.",
    ]
    figure = run.namespace["figure"]
    assert bars_of(figure.axes[0]) == [ticks["PyTorch"]["startup"] * tick, ticks["Lightning"]["startup"] * tick]
    assert bars_of(figure.axes[5]) == [1000 * tick, 1000 * tick]
    assert run.left_files == (), "no logs or checkpoints left behind"


# ---------------------------------------------------------------- waiting for the GPU


def test_every_clock_waits_for_the_gpu_before_it_reads_the_time(counting_clock, monkeypatch):
    """On CUDA both codes' clocks must wait for the device, or the one that does not wait looks faster."""
    clock = counting_clock(0.5)
    waits = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "synchronize", lambda: waits.append(clock.readings))
    loader = StepLoader(["a", "b"], batches=2)
    assert list(loader) == ["a", "b"]
    assert waits == [1, 2], "before each step's end is read"
    waits.clear()
    timed = summary_clocks.TimedLoader(["a", "b"])
    assert list(timed) == ["a", "b"]
    assert waits == [clock.readings - 1], "before the pass's end is read"
    waits.clear()
    step_clock = overhead_clocks.StepClock()
    step_clock.on_train_epoch_start(None, None)
    step_clock.on_train_batch_end(None, None, None, None, 0)
    assert waits == [clock.readings - 1] and step_clock.step_seconds == [0.5]
