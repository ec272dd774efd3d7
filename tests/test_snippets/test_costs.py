"""Lightning을 쓰는 대가: the traceback of the same mistake both ways, and a 1.x hook refused by 2.x."""

import re

import pytest

from snippets.beyond.costs.traces import broken_step, in_library, print_frames, raised_frames, where
from tests.test_snippets.main_runs import printed_lines, run_main

pytestmark = pytest.mark.filterwarnings(r"ignore:`isinstance\(treespec, LeafSpec\)` is deprecated:FutureWarning")

SUMMARY = re.compile(r"^(.+): 칸 (\d+)개, 그 가운데 라이브러리 안이 (\d+)개$")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_main("snippets.beyond.costs.traces", tmp_path_factory)


def test_where_shortens_library_and_project_paths():
    assert where("/x/.venv/lib/python3.11/site-packages/torch/optim/adam.py") == "torch/optim/adam.py"
    assert where("/home/me/guide/snippets/beyond/costs/traces.py") == "snippets/beyond/costs/traces.py"
    assert where("/somewhere/else.py") == "else.py"


def test_only_installed_packages_count_as_library():
    assert in_library("/x/.venv/lib/python3.11/site-packages/torch/optim/adam.py")
    assert not in_library("/home/me/guide/snippets/beyond/costs/traces.py")
    assert not in_library("/tmp/ipykernel_123/4567.py"), "a notebook cell is your code too"


def test_raised_frames_needs_the_error():
    def fails():
        return 1 // 0

    assert raised_frames(fails) == [(where(__file__), "fails", False)]
    with pytest.raises(AssertionError, match="did not raise"):
        raised_frames(lambda: None)


def test_broken_step_is_the_mistake_the_page_describes():
    import torch
    from torch import nn

    with pytest.raises(ZeroDivisionError):
        broken_step(
            torch.zeros(32, 1, 28, 28),
            torch.zeros(32, dtype=torch.long),
            nn.Flatten(),
            lambda scores, labels: scores.sum(),
        )


def test_print_frames_counts_the_library_frames(capsys):
    print_frames("예", [("snippets/a.py", "f", False), ("torch/b.py", "g", True)])
    assert capsys.readouterr().out.splitlines() == [
        "예: 칸 2개, 그 가운데 라이브러리 안이 1개",
        "  snippets/a.py · f",
        "  torch/b.py · g",
    ]


def test_the_loop_shows_only_your_code_and_fit_shows_the_way_in(run):
    lines = printed_lines(run)
    summaries = {m[1]: (int(m[2]), int(m[3])) for m in map(SUMMARY.match, lines) if m}
    assert summaries["직접 쓴 반복문"] == (2, 0)
    frames, libraries = summaries["Trainer.fit"]
    assert libraries > 10 and frames == libraries + 3, "lightning_fit, training_step, broken_step are the page's"
    fit_frames = lines[lines.index(next(line for line in lines if line.startswith("Trainer.fit"))) + 1 :][:frames]
    assert fit_frames[-2:] == [
        "  snippets/beyond/costs/traces.py · training_step",
        "  snippets/beyond/costs/traces.py · broken_step",
    ]
    assert any("torch/optim/adam.py · step" in line for line in fit_frames), "training_step runs inside Adam's step"


def test_a_1x_hook_is_refused_with_the_way_out(run):
    last = printed_lines(run)[-1]
    assert last.startswith("NotImplementedError: Support for `training_epoch_end` has been removed in v2.0.0.")
    assert "on_train_epoch_end" in last
