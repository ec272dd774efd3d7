"""Third-party noise filtered from what blocks print, installed in each session's worker.

A reader running the same file in a terminal sees these lines too; the pages say so.
Everything else a block writes (prints, warnings, logging, progress bars) is shown.
"""

from __future__ import annotations

import logging
import os
import re
import warnings

LIGHTNING_DATA_CONNECTOR = "pytorch_lightning.trainer.connectors.data_connector"
# (category, the start of the message, the module that warns), literal text as in `python -W`.
NOISE_WARNINGS = [
    # torch deprecated LeafSpec; Lightning 2.6 still uses it internally. (The message goes on after a comma,
    # which PYTHONWARNINGS would read as the end of the filter.)
    (FutureWarning, "`isinstance(treespec", "pytorch_lightning.utilities._pytree"),
    # Lightning suggests DataLoader workers only on machines with more than two cores, so the pages would differ
    # from machine to machine. The data page says what num_workers does and why the guide keeps it at 0.
    # (The category is Lightning's PossibleUserWarning; PYTHONWARNINGS can only name its built-in base.)
    *(
        (UserWarning, f"The '{loader}' does not have many workers", LIGHTNING_DATA_CONNECTOR)
        for loader in ("train_dataloader", "val_dataloader", "test_dataloader", "predict_dataloader")
    ),
]
NOISE_LOG_RECORDS = [
    # An advertisement for a cloud logging service, printed by every Trainer.
    ("pytorch_lightning.utilities.rank_zero", r"💡 Tip: For seamless cloud logging"),
]


class _DropMatching(logging.Filter):
    def __init__(self, pattern: str) -> None:
        super().__init__()
        self.pattern = re.compile(pattern)

    def filter(self, record: logging.LogRecord) -> bool:
        return not self.pattern.search(record.getMessage())


def install_noise_filters() -> None:
    """In this process, and through PYTHONWARNINGS in the processes its blocks start (a spawned DDP rank)."""
    for category, message, module in NOISE_WARNINGS:
        warnings.filterwarnings(
            "ignore", message=re.escape(message), category=category, module=re.escape(module) + r"\Z"
        )
    os.environ["PYTHONWARNINGS"] = ",".join(
        f"ignore:{message}:{category.__name__}:{module}" for category, message, module in NOISE_WARNINGS
    )
    for name, pattern in NOISE_LOG_RECORDS:
        logging.getLogger(name).addFilter(_DropMatching(pattern))
