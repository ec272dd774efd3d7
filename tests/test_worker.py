"""tools/engine/worker.py: each session runs in a process of its own, and a block's output is all it wrote.

Each test runs small blocks in real workers, as a build does (executor.Worker), and checks what
comes back: output from threads and child processes, isolation between sessions, exits, hangs,
pickling, warnings and the noise filters.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import psutil
import pytest

from tools.engine.capture import NOISE_LOG_RECORDS, NOISE_WARNINGS
from tools.engine.executor import Worker
from tools.engine.worker import Block, Result


@pytest.fixture
def snippet(tmp_path):
    """A snippet file to run: its path names the block in tracebacks, and spawned processes re-import it."""

    def write(code: str) -> Block:
        path = tmp_path / f"block_{len(list(tmp_path.iterdir()))}.py"
        path.write_text(textwrap.dedent(code), encoding="utf-8")
        return Block(str(path), path.read_text(encoding="utf-8"), 100, None)

    return write


@pytest.fixture
def worker():
    started = Worker()
    yield started
    started.stop()


def run(worker: Worker, block: Block, timeout: float = 120) -> Result:
    result = worker.run(block, timeout)
    assert result is not None, "the block ran past its timeout"
    return result


def test_threads_children_and_subprocesses_write_into_the_block(worker, snippet):
    result = run(
        worker,
        snippet("""
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
        """),
    )
    assert result.failure is None
    assert result.output.splitlines() == ["print", "stderr", "file descriptor", "thread", "forked child", "subprocess"]


def test_sessions_share_no_state(snippet):
    """Session A seeds `random` and quiets a logger; session B, run after it in its own worker, is untouched."""
    first, second = Worker(), Worker()
    try:
        quiet = snippet("""
            import logging, random
            random.seed(1)
            logging.getLogger("guide.case").setLevel(logging.ERROR)
        """)
        loud = snippet("""
            import logging, random
            print(logging.getLogger("guide.case").getEffectiveLevel())
            state = random.getstate()
            print(random.random() == random.Random(1).random())
        """)
        assert run(first, quiet).output == ""
        assert run(second, loud).output.splitlines() == [str(30), "False"]
    finally:
        first.stop()
        second.stop()


def test_a_session_keeps_its_definitions_between_blocks(worker, snippet):
    run(worker, snippet("value = 20\n"))
    assert run(worker, snippet("print(value * 2)\n")).output == "40\n"


@pytest.mark.parametrize(
    "code", ["import sys\nsys.exit(3)\n", "import sys\nsys.exit(0)\n", "import sys\nraise KeyboardInterrupt\n"]
)
def test_an_exit_ends_the_block_with_a_failure_not_the_worker(worker, snippet, code):
    result = run(worker, snippet(code))
    assert result.failure is not None
    assert result.failure.kind in ("SystemExit", "KeyboardInterrupt")
    assert result.failure.frames[-1][1] == 2, "the line that exited"
    assert run(worker, snippet("print('still here')\n")).output == "still here\n"


def test_a_worker_that_dies_is_reported(worker, snippet):
    result = run(worker, snippet("import os\nos._exit(7)\n"))
    assert result.failure is not None
    assert result.failure.kind == "WorkerExit"
    assert "code 7" in result.failure.message


def test_a_block_past_its_timeout_is_stopped_with_the_processes_it_started(snippet, tmp_path):
    worker = Worker()
    pid_file = tmp_path / "child.pid"
    block = snippet(f"""
        import subprocess, sys, time
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
        open({str(pid_file)!r}, "w").write(str(child.pid))
        while True:
            time.sleep(0.1)
    """)
    assert worker.run(block, timeout=3) is None
    assert not worker.process.is_alive()
    child = int(pid_file.read_text())
    # The child the block started is gone too (or a zombie nobody has reaped yet: it no longer runs).
    assert not psutil.pid_exists(child) or psutil.Process(child).status() == psutil.STATUS_ZOMBIE


def test_objects_defined_in_a_block_pickle_for_a_spawned_pool(worker, snippet):
    """The block runs as its file's __main__, so a spawned child re-imports that file to find `square`,
    as with `python file.py` (and, as there, the pool needs the __main__ guard)."""
    result = run(
        worker,
        snippet("""
            import multiprocessing


            def square(number):
                return number * number


            if __name__ == "__main__":
                with multiprocessing.get_context("spawn").Pool(2) as pool:
                    print(pool.map(square, [1, 2, 3]))
        """),
    )
    assert result.failure is None, result.failure and result.failure.trace
    assert result.output == "[1, 4, 9]\n"


def test_warnings_are_printed_as_python_prints_them_and_the_noise_is_filtered(worker, snippet):
    category = NOISE_WARNINGS[0][0]
    block = snippet(f"""
        import warnings
        warnings.warn("the reader should see this")
        warnings.warn_explicit(
            "`isinstance(treespec, LeafSpec)` is deprecated", {category.__name__}, "x.py", 1,
            module="pytorch_lightning.utilities._pytree",
        )
    """)
    output = run(worker, block).output
    assert "UserWarning: the reader should see this" in output
    assert Path(block.filename).name in output, "with the file and line, as Python prints it"
    assert "LeafSpec" not in output


def test_lightnings_advice_on_workers_is_filtered_on_a_machine_with_many_cores(worker, snippet):
    """On a 4-core runner Lightning would print it under every first fit; here the block fakes eight cores."""
    block = snippet("""
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
    """)
    result = run(worker, block)
    assert result.failure is None, result.failure and result.failure.trace
    assert "Lightning would suggest 7 workers" in result.output
    assert "many workers" not in result.output, result.output


def test_a_noise_log_record_is_dropped_and_others_shown(worker, snippet):
    name, _ = NOISE_LOG_RECORDS[0]
    block = snippet(f"""
        import logging
        logger = logging.getLogger({name!r})  # Lightning gave it a handler to stderr when it was imported
        logger.warning("💡 Tip: For seamless cloud logging and experiment tracking, try installing litlogger")
        logger.warning("GPU available: False")
    """)
    assert run(worker, block).output == "GPU available: False\n"


def test_torch_runs_on_one_thread_and_the_terminal_has_the_blocks_width(worker, snippet):
    block = snippet("import os\nimport torch\n\nprint(torch.get_num_threads(), os.environ['COLUMNS'])\n")
    assert run(worker, Block(block.filename, block.source, 60, None)).output == "1 60\n"


def test_a_thread_left_running_by_one_session_never_prints_into_another(snippet):
    chatty, quiet = Worker(), Worker()
    try:
        started = run(
            chatty,
            snippet("""
                import threading, time


                def chatter():
                    while True:
                        print("session A's thread", flush=True)
                        time.sleep(0.05)


                threading.Thread(target=chatter, daemon=True).start()
                time.sleep(0.1)
            """),
        )
        assert "session A's thread" in started.output  # while A's block runs, its thread writes into it
        result = run(quiet, snippet("import time\n\ntime.sleep(0.5)\nprint('session B')\n"))
        assert result.output == "session B\n"
    finally:
        chatty.stop()
        quiet.stop()


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
def test_spawned_processes_find_the_blocks_definitions_and_write_into_it(worker, snippet, case):
    """What a spawned process needs from the block (a function, a Dataset, a model class) it finds by
    re-importing the block's file, as under `python file.py`; what it prints lands in the block."""
    code, expected_lines = SPAWNING_BLOCKS[case]
    result = run(worker, snippet(code), timeout=240)
    assert result.failure is None, result.failure and result.failure.trace
    lines = result.output.splitlines()
    for expected in expected_lines:
        assert expected in lines, result.output


def test_the_noise_filters_reach_the_processes_a_block_spawns(worker, snippet):
    """A spawned DDP rank imports Lightning afresh: the filters travel to it through PYTHONWARNINGS."""
    category = NOISE_WARNINGS[0][0]
    block = snippet(f"""
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
    """)
    output = run(worker, block).output
    assert "UserWarning: a child's own warning" in output
    assert "LeafSpec" not in output
