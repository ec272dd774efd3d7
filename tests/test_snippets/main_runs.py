"""Run a snippet file's `if __name__ == "__main__":` part in this process, as the pages run its sections.

The run happens in an empty working directory whose parent holds a link to the checkout's data/
(mnist_root() looks for data/ from the working directory upwards), so a test can check that the
code leaves no files behind: no lightning_logs/, no checkpoints, no saved models. plt.show() keeps
the figures open at that moment, as the build shows them under the block, and closes them.

Also what the snippet tests share around such runs: a module-scoped fixture per main part
(main_run_fixture), whether the code runs on the CPU here (on_cpu), and a short, quiet Trainer for the
checks of Lightning's own behaviour (short_trainer).
"""

from __future__ import annotations

import contextlib
import io
import runpy
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class MainRun:
    namespace: dict  # the module's globals after its main part ran
    stdout: str  # what print() wrote (Lightning's progress bars included)
    left_files: tuple[str, ...]  # what the run left in its working directory
    shown: list[list[Figure]]  # at each plt.show(), the figures it showed


def run_main(module: str, tmp_path_factory) -> MainRun:
    checkout = tmp_path_factory.mktemp("checkout")
    (checkout / "data").symlink_to(REPO_ROOT / "data", target_is_directory=True)
    (checkout / "snippets").mkdir()  # the fonts, where use_korean_font() looks from the working folder up
    (checkout / "snippets" / "fonts").symlink_to(REPO_ROOT / "snippets" / "fonts", target_is_directory=True)
    workdir = checkout / "cwd"
    workdir.mkdir()
    printed = io.StringIO()
    shown: list[list[Figure]] = []

    def keep_figures(*args, **kwargs):
        shown.append([plt.figure(number) for number in plt.get_fignums()])
        plt.close("all")

    with (
        contextlib.chdir(workdir),
        contextlib.redirect_stdout(printed),
        contextlib.redirect_stderr(io.StringIO()),
        mock.patch.object(plt, "show", keep_figures),
    ):
        # run_path, not run_module: the tests have imported the module already, which run_module warns about.
        namespace = runpy.run_path(str(REPO_ROOT / f"{module.replace('.', '/')}.py"), run_name="__main__")
    left_files = tuple(sorted(p.name for p in workdir.iterdir()))
    return MainRun(namespace, printed.getvalue(), left_files, shown)


def printed_lines(run: MainRun, after: str | None = None) -> list[str]:
    """The printed lines, without progress bars; from the first line starting with `after`, if given."""
    lines = [line for line in run.stdout.splitlines() if line and "\r" not in line and "it/s]" not in line]
    if after is not None:
        lines = lines[next(n for n, line in enumerate(lines) if line.startswith(after)) :]
    return lines


def main_run_fixture(module: str):
    """A module-scoped fixture running `module`'s main part once for the tests of a file that ask for it:
    `lit_run = main_run_fixture("snippets.more.schedulers.lightning")`."""

    @pytest.fixture(scope="module")
    def main_run(tmp_path_factory) -> MainRun:
        return run_main(module, tmp_path_factory)

    return main_run


def on_cpu() -> bool:
    """Does the guide's code train on the CPU here? Two runs agree to the last digit only there."""
    from snippets.steps.training.pytorch import pick_device

    return pick_device().type == "cpu"


def short_trainer(train_batches: int, epochs: int, callbacks=(), **options):
    """A Trainer on the CPU, quiet as the pages' (no files, progress bar or summary), for `train_batches`
    training batches and one validation batch an epoch, with no sanity check; options are further arguments."""
    import pytorch_lightning as pl

    return pl.Trainer(
        max_epochs=epochs,
        accelerator="cpu",
        devices=1,
        callbacks=list(callbacks),
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        limit_train_batches=train_batches,
        limit_val_batches=1,
        num_sanity_val_steps=0,
        **options,
    )
