"""Sessions in their workers (tools/engine/worker.py, runner.py): what a block's output is, and what ends a session.

Each test runs small blocks in real workers, as a build does (tests/sessions.py), and checks what
comes back: output from threads and child processes, isolation between sessions, exits, crashes,
hangs, pickling, warnings and the noise filters, the environment the blocks see, the inputs a
session records, and that nothing a session started outlives it.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time

import psutil
import pytest

from tests.sessions import run, run_blocks, runner, session
from tools.engine.capture import NOISE_LOG_RECORDS, NOISE_WARNINGS
from tools.engine.worker import OUTPUT_LIMIT


def outputs(outcome) -> list[str]:
    return [block.output for block in outcome.blocks]


def succeeded(outcome) -> None:
    failures = [block.failure.trace for block in outcome.blocks if block.failure]
    assert not failures, failures


def is_running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE  # a zombie has ended, not yet reaped
    except psutil.NoSuchProcess:
        return False


def test_threads_children_and_subprocesses_write_into_the_block(tmp_path):
    outcome = run_blocks(
        tmp_path,
        """
        import os, subprocess, sys, threading

        print("print")
        sys.stderr.write("stderr\\n")
        os.write(1, b"file descriptor\\n")
        thread = threading.Thread(target=lambda: print("thread"))
        thread.start()
        thread.join()
        if (pid := os.fork()) == 0:
            print("forked child", flush=True)
            os._exit(0)
        os.waitpid(pid, 0)
        subprocess.run([sys.executable, "-c", "print('subprocess')"], check=True)
        """,
    )
    succeeded(outcome)
    assert outputs(outcome) == ["print\nstderr\nfile descriptor\nthread\nforked child\nsubprocess"]


def test_a_childs_stdout_and_stderr_keep_the_order_they_were_written_in(tmp_path):
    """A child's stdout is a file, so Python would buffer it and print it after its stderr; the workers give
    their children PYTHONUNBUFFERED=1, as on a terminal."""
    child = "import sys\nprint('1 out')\nprint('2 err', file=sys.stderr)\nprint('3 out')\n"
    outcome = run_blocks(tmp_path, f"import subprocess, sys\n\nsubprocess.run([sys.executable, '-c', {child!r}])\n")
    succeeded(outcome)
    assert outputs(outcome) == ["1 out\n2 err\n3 out"]


def test_sessions_share_no_state(tmp_path):
    """Session A seeds `random` and quiets a logger; session B, in its own worker, is untouched."""
    quiet = session(
        tmp_path,
        "import logging, random\nrandom.seed(1)\nlogging.getLogger('guide.case').setLevel(logging.ERROR)\n",
    )
    loud = session(
        tmp_path,
        """
        import logging, random
        print(logging.getLogger("guide.case").getEffectiveLevel())
        print(random.random() == random.Random(1).random())
        """,
    )
    assert outputs(run(quiet, loud, root=tmp_path)[1]) == ["30\nFalse"]


def test_a_session_keeps_its_definitions_between_blocks(tmp_path):
    assert outputs(run_blocks(tmp_path, "value = 20\n", "print(value * 2)\n")) == ["", "40"]


@pytest.mark.parametrize(
    "code", ["import sys\nsys.exit(3)\n", "import sys\nsys.exit(0)\n", "raise KeyboardInterrupt\n"]
)
def test_an_exit_fails_the_block_and_the_blocks_after_it_do_not_run(tmp_path, code):
    outcome = run_blocks(tmp_path, "print('before')\n", code, "print('never')\n")
    first, exited, after = outcome.blocks
    assert first.failure is None and first.output == "before"
    assert exited.failure.kind in ("SystemExit", "KeyboardInterrupt")
    assert exited.failure.frames[-1][1] == code.count("\n"), "the line that exited"
    assert after.output == "" and after.failure is None
    assert (
        after.not_run.startswith("snippets/case/block_")
        and f":{code.count(chr(10))} (docs/index.md:2)" in after.not_run
    )


def test_a_process_that_ends_is_reported_with_what_it_printed(tmp_path):
    outcome = run_blocks(tmp_path, "import os\n\nprint('printed first', flush=True)\nos._exit(7)\n", "print('never')\n")
    died, after = outcome.blocks
    assert died.failure.kind == "WorkerExit"
    assert "code 7" in died.failure.message
    assert died.output == "printed first"
    assert after.not_run


def test_a_crash_says_where_the_block_was_and_keeps_its_output(tmp_path):
    """os.abort() kills the process with SIGABRT: faulthandler's dump names the line."""
    outcome = run_blocks(tmp_path, "import os\n\nprint('about to crash', flush=True)\nos.abort()\n")
    crashed = outcome.blocks[0]
    assert crashed.failure.kind == "WorkerExit" and "SIGABRT" in crashed.failure.message
    assert crashed.failure.frames[-1][1] == 4
    assert crashed.output == "about to crash"
    assert "Fatal Python error: Aborted" in crashed.failure.trace


def test_an_exception_whose_str_raises_is_reported_at_its_line(tmp_path):
    code = """
        class Odd(Exception):
            def __str__(self):
                raise RuntimeError("no words")


        raise Odd()
    """
    failure = run_blocks(tmp_path, code).blocks[0].failure
    assert failure.kind == "Odd"
    assert failure.frames[-1][1] == 7
    assert "str() of the exception failed: RuntimeError: no words" in failure.message


def test_a_block_past_its_timeout_says_where_it_was_stuck_and_keeps_its_output(tmp_path):
    """Everything the block started ends with it, a process in a session of its own too."""
    pids = tmp_path / "pids"
    code = f"""
        import subprocess, sys, time

        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        loner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
        open({str(pids)!r}, "w").write(f"{{child.pid}} {{loner.pid}}")
        print("started both", flush=True)


        def wait_forever():
            while True:
                time.sleep(0.1)


        wait_forever()
    """
    started = time.monotonic()
    stuck, after = run_blocks(tmp_path, code, "print('never')\n", timeout=2).blocks
    assert time.monotonic() - started < 30
    assert stuck.failure.kind == "Timeout"
    assert "ran past its timeout of 2 s" in stuck.failure.message
    assert stuck.failure.frames[-1][1] == 12, "inside wait_forever, where it sleeps"
    assert stuck.output == "started both"
    assert after.not_run
    assert not [pid for pid in map(int, pids.read_text().split()) if is_running(pid)]


def test_a_process_left_running_in_a_session_of_its_own_ends_with_the_session(tmp_path):
    pid_file = tmp_path / "pid"
    code = f"""
        import subprocess, sys
        loner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"], start_new_session=True)
        open({str(pid_file)!r}, "w").write(str(loner.pid))
    """
    succeeded(run_blocks(tmp_path, code))
    assert not is_running(int(pid_file.read_text()))


def test_a_forked_child_never_answers_for_the_next_block(tmp_path):
    """The child of os.fork() without os._exit returns from the block too; it must not serve the session."""
    outcome = run_blocks(
        tmp_path,
        "import os\n\nWORKER = os.getpid()\nif os.fork() == 0:\n    pass\n",
        "import os, time\n\ntime.sleep(1)\nprint('next block from the worker:', os.getpid() == WORKER)\n",
    )
    succeeded(outcome)
    assert outputs(outcome) == ["", "next block from the worker: True"]


def test_a_thread_that_prints_after_its_block_ended_writes_into_its_own_block(tmp_path):
    outcome = run_blocks(
        tmp_path,
        """
        import threading, time

        done = threading.Event()


        def later():
            time.sleep(0.3)
            print("from the first block's thread")
            done.set()


        threading.Thread(target=later).start()
        print("first block")
        """,
        "done.wait(10)\nprint('second block')\n",
    )
    assert outputs(outcome) == ["first block\nfrom the first block's thread", "second block"]


def test_a_thread_left_running_by_one_session_never_prints_into_another(tmp_path):
    chatty = session(
        tmp_path,
        """
        import threading, time


        def chatter():
            while True:
                print("session A's thread", flush=True)
                time.sleep(0.05)


        threading.Thread(target=chatter, daemon=True).start()
        time.sleep(0.2)
        """,
    )
    quiet = session(tmp_path, "import time\n\ntime.sleep(0.5)\nprint('session B')\n")
    chatted, stayed_quiet = run(chatty, quiet, root=tmp_path)
    assert "session A's thread" in chatted.blocks[0].output
    assert outputs(stayed_quiet) == ["session B"]


def test_objects_defined_in_a_block_pickle_for_a_spawned_pool(tmp_path):
    """The block runs as its file's __main__, so a spawned child re-imports that file to find `square`,
    as with `python file.py` (and, as there, the pool needs the __main__ guard)."""
    outcome = run_blocks(
        tmp_path,
        """
        import multiprocessing


        def square(number):
            return number * number


        if __name__ == "__main__":
            with multiprocessing.get_context("spawn").Pool(2) as pool:
                print(pool.map(square, [1, 2, 3]))
        """,
    )
    succeeded(outcome)
    assert outputs(outcome) == ["[1, 4, 9]"]


def test_a_spawned_pool_that_cannot_find_a_function_shows_why(tmp_path):
    """A function defined in an earlier block is not in the later block's file, which is all a spawned child
    re-imports: under `python file.py` it could not happen. The pool waits for its task for ever; the
    timeout keeps the children's tracebacks, which say what is missing."""
    outcome = run_blocks(
        tmp_path,
        "def cube(number):\n    return number**3\n",
        """
        import multiprocessing

        if __name__ == "__main__":
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                print(pool.map(cube, [1, 2]))
        """,
        timeout=10,
    )
    failed = outcome.blocks[1]
    assert failed.failure.kind == "Timeout"
    assert "AttributeError: Can't get attribute 'cube'" in failed.output


def test_warnings_are_printed_as_python_prints_them_and_the_noise_is_filtered(tmp_path):
    category = NOISE_WARNINGS[0][0]
    outcome = run_blocks(
        tmp_path,
        f"""
        import warnings
        warnings.warn("the reader should see this")
        warnings.warn_explicit(
            "`isinstance(treespec, LeafSpec)` is deprecated", {category.__name__}, "x.py", 1,
            module="pytorch_lightning.utilities._pytree",
        )
        """,
    )
    output = outcome.blocks[0].output
    assert "snippets/case/block_" in output and ".py:3: UserWarning: the reader should see this" in output
    assert str(tmp_path) not in output, "the project's folder is not shown"
    assert "LeafSpec" not in output


def test_warning_filters_are_pythons_own_whatever_the_builder_set(tmp_path, monkeypatch):
    """pytest (this process) filters warnings its own way; a block sees those of a plain `python file.py`:
    a DeprecationWarning shows only when raised from __main__."""
    helper = tmp_path / "deprecating.py"
    helper.write_text("import warnings\n\n\ndef old():\n    warnings.warn('old', DeprecationWarning)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    outcome = run_blocks(
        tmp_path,
        """
        import warnings

        import deprecating

        deprecating.old()
        warnings.warn("from the block itself", DeprecationWarning)
        """,
    )
    output = outcome.blocks[0].output
    assert "DeprecationWarning: from the block itself" in output
    assert "old" not in output


def test_lightnings_advice_on_workers_is_filtered_on_a_machine_with_many_cores(tmp_path):
    """On a 4-core runner Lightning would print it under every first fit; here the block fakes eight cores."""
    outcome = run_blocks(
        tmp_path,
        """
        import lightning_fabric.utilities.data
        import pytorch_lightning as pl
        import torch
        from torch.utils.data import DataLoader, TensorDataset
        from pytorch_lightning.trainer.connectors import data_connector

        from snippets.steps.model.lightning import LitMNIST

        lightning_fabric.utilities.data._num_cpus_available = lambda: 8
        print("Lightning would suggest", data_connector.suggested_max_num_workers(1), "workers")
        loader = DataLoader(TensorDataset(torch.zeros(4, 1, 28, 28), torch.zeros(4, dtype=torch.long)), batch_size=2)
        trainer = pl.Trainer(max_epochs=1, logger=False, enable_checkpointing=False, enable_progress_bar=False,
                             enable_model_summary=False, accelerator="cpu")
        trainer.fit(LitMNIST(), loader, loader)
        """,
    )
    succeeded(outcome)
    assert "Lightning would suggest 7 workers" in outcome.blocks[0].output
    assert "many workers" not in outcome.blocks[0].output


def test_a_noise_log_record_is_dropped_and_others_shown(tmp_path):
    name, _ = NOISE_LOG_RECORDS[0]
    outcome = run_blocks(
        tmp_path,
        f"""
        import logging
        logger = logging.getLogger({name!r})  # Lightning gave it a handler to stderr when it was imported
        logger.warning("💡 Tip: For seamless cloud logging and experiment tracking, try installing litlogger")
        logger.warning("GPU available: False")
        """,
    )
    assert outputs(outcome) == ["GPU available: False"]


def test_the_block_sees_the_workers_environment_not_the_builders(tmp_path, monkeypatch):
    """Time zone, terminal, colour switches, PATH and FULL_MNIST of the builder's shell never reach a block."""
    for name, value in dict(TZ="Asia/Seoul", TERM="xterm-256color", NO_COLOR="1", FORCE_COLOR="1").items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PATH", f"/opt/builder/bin{os.pathsep}{os.environ['PATH']}")
    outcome = run_blocks(
        tmp_path,
        """
        import os, time

        import torch

        for name in ("TZ", "TERM", "NO_COLOR", "FORCE_COLOR", "FULL_MNIST", "PYTHONUNBUFFERED", "OMP_NUM_THREADS"):
            print(name, os.environ.get(name))
        print("builder's PATH:", "/opt/builder/bin" in os.environ["PATH"])
        print("local time is UTC:", time.localtime(0).tm_hour == 0)
        print(torch.get_num_threads(), os.environ["COLUMNS"])
        """,
        columns=60,
    )
    assert outputs(outcome)[0].splitlines() == [
        "TZ UTC",
        "TERM None",
        "NO_COLOR None",
        "FORCE_COLOR None",
        "FULL_MNIST None",
        "PYTHONUNBUFFERED 1",
        "OMP_NUM_THREADS 1",
        "builder's PATH: False",
        "local time is UTC: True",
        "1 60",
    ]


def test_a_session_records_the_project_files_it_imports_and_reads_not_those_it_writes(tmp_path, monkeypatch):
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "__init__.py").write_text("")
    (tmp_path / "helpers" / "numbers.py").write_text("TWO = 2\n")
    (tmp_path / "table.txt").write_text("1 2 3\n")
    (tmp_path / ".x.py.swp").write_text("swap")
    monkeypatch.syspath_prepend(str(tmp_path))
    made = session(
        tmp_path,
        """
        from pathlib import Path

        from helpers.numbers import TWO

        print(len(Path("table.txt").read_text().split()) * TWO)
        Path("written.txt").write_text("out")
        print(Path("written.txt").read_text())
        """,
    )
    started = runner(tmp_path)
    started.start([made])
    assert outputs(started.outcome(made.name)) == ["6\nout"]
    started.finish()
    entry = next((tmp_path / ".cache" / "exec").glob("*/*.json")).read_text()  # the one entry, in its folder
    for recorded in ("helpers/numbers.py", "helpers/__init__.py", "table.txt", made.blocks[0].piece.path.as_posix()):
        assert f'"{recorded}"' in entry
    assert "written.txt" not in entry and "__pycache__" not in entry and ".swp" not in entry


def test_a_block_that_prints_too_much_fails(tmp_path):
    outcome = run_blocks(tmp_path, f"print('x' * {OUTPUT_LIMIT + 10})\n")
    assert outcome.blocks[0].failure.kind == "OutputTooLong"


def test_pils_image_show_fails_the_block_at_its_line(tmp_path):
    outcome = run_blocks(tmp_path, "from PIL import Image\n\nimage = Image.new('L', (2, 2))\nimage.show()\n")
    failure = outcome.blocks[0].failure
    assert failure.kind == "RuntimeError" and (str(next(tmp_path.rglob("block_*.py"))), 4) in failure.frames
    assert "plt.imshow" in failure.message


def test_the_builders_folders_are_not_shown(tmp_path):
    outcome = run_blocks(
        tmp_path,
        """
        import sys, sysconfig, warnings
        from pathlib import Path

        import torch

        print(Path(torch.__file__).parent)
        print(sysconfig.get_paths()["stdlib"])
        print(Path.cwd(), Path.home())

        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            print(Path(folder) / "checkpoints", folder + "_more")
        """,
    )
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines = outputs(outcome)[0].splitlines()
    assert lines[:3] == ["…/site-packages/torch", f"…/python{version}", ". ~"]
    kept = re.escape(tempfile.gettempdir()) + r"/tmp[a-z0-9_]{8}_more"
    assert re.fullmatch(r"/tmp/…/checkpoints " + kept, lines[3]), "a random folder by name; a longer name is kept"


SPAWNING_BLOCKS = {
    "torch.multiprocessing.spawn": (
        """
        import torch.multiprocessing as mp


        def report(rank):
            print(f"rank {rank}\\n", end="", flush=True)  # one write: the two ranks print at once


        if __name__ == "__main__":
            mp.spawn(report, nprocs=2)
            print("joined")
        """,
        ["joined", "rank 0", "rank 1"],
    ),
    "DataLoader with spawned workers": (
        """
        import torch
        from torch.utils.data import DataLoader, Dataset


        class Squares(Dataset):
            def __len__(self):
                return 4

            def __getitem__(self, index):
                return torch.tensor(index * index)


        if __name__ == "__main__":
            loader = DataLoader(Squares(), batch_size=2, num_workers=2, multiprocessing_context="spawn")
            print([batch.tolist() for batch in loader])
        """,
        ["[[0, 1], [4, 9]]"],
    ),
    "torch.save of a model defined in the block": (
        """
        import io
        import multiprocessing

        import torch


        class Tiny(torch.nn.Module):
            def __init__(self):
                super().__init__()
                self.layer = torch.nn.Linear(2, 1)


        def loaded_class(saved):
            return type(torch.load(io.BytesIO(saved), weights_only=False)).__name__


        if __name__ == "__main__":
            buffer = io.BytesIO()
            torch.save(Tiny(), buffer)
            with multiprocessing.get_context("spawn").Pool(1) as pool:
                print(loaded_class(buffer.getvalue()), pool.apply(loaded_class, (buffer.getvalue(),)))
        """,
        ["Tiny Tiny"],
    ),
    "Lightning's ddp_spawn": (
        """
        import pytorch_lightning as pl
        import torch
        from torch.utils.data import DataLoader, TensorDataset


        class Tiny(pl.LightningModule):
            def __init__(self):
                super().__init__()
                self.layer = torch.nn.Linear(2, 1)

            def on_train_start(self):
                # One write with its newline: the ranks print at the same moment, and print() with the default
                # end= writes the newline separately, so two lines could interleave ("rank 0 of 2rank 1 of 2").
                print(f"rank {self.global_rank} of {self.trainer.world_size}\\n", end="", flush=True)

            def on_fit_end(self):
                # Without it, about one run in twenty (with or without the engine) rank 1 died at exit with
                # "terminate called without an active exception" (SIGABRT) as the process group was torn down.
                self.trainer.strategy.barrier()

            def training_step(self, batch, batch_index):
                inputs, targets = batch
                return torch.nn.functional.mse_loss(self.layer(inputs), targets)

            def configure_optimizers(self):
                return torch.optim.SGD(self.parameters(), lr=0.1)


        if __name__ == "__main__":
            data = TensorDataset(torch.randn(8, 2), torch.randn(8, 1))
            trainer = pl.Trainer(
                accelerator="cpu", devices=2, strategy="ddp_spawn", max_epochs=1, logger=False,
                enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
            )
            trainer.fit(Tiny(), DataLoader(data, batch_size=2))
            print("fitted", trainer.state.finished)
        """,
        ["fitted True", "rank 0 of 2", "rank 1 of 2"],
    ),
}


@pytest.mark.parametrize("case", SPAWNING_BLOCKS)
def test_spawned_processes_find_the_blocks_definitions_and_write_into_it(tmp_path, case):
    """What a spawned process needs from the block (a function, a Dataset, a model class) it finds by
    re-importing the block's file, as under `python file.py`; what it prints lands in the block."""
    code, expected_lines = SPAWNING_BLOCKS[case]
    outcome = run_blocks(tmp_path, code, timeout=240)
    succeeded(outcome)
    lines = outcome.blocks[0].output.splitlines()
    for expected in expected_lines:
        assert expected in lines, outcome.blocks[0].output


def test_the_noise_filters_reach_the_processes_a_block_spawns(tmp_path):
    """A spawned DDP rank imports Lightning afresh: the filters travel to it through PYTHONWARNINGS."""
    category = NOISE_WARNINGS[0][0]
    outcome = run_blocks(
        tmp_path,
        f"""
        import multiprocessing
        import warnings


        def warn_twice():
            warnings.warn("a child's own warning")
            warnings.warn_explicit(
                "`isinstance(treespec, LeafSpec)` is deprecated, use ...", {category.__name__}, "x.py", 1,
                module="pytorch_lightning.utilities._pytree",
            )


        if __name__ == "__main__":
            child = multiprocessing.get_context("spawn").Process(target=warn_twice)
            child.start()
            child.join()
        """,
    )
    output = outcome.blocks[0].output
    assert "UserWarning: a child's own warning" in output
    assert "LeafSpec" not in output
