"""A content-addressed store of executed blocks' outputs under .cache/exec/.

Each entry is one JSON file named by its key. Writes go to a temporary file in
the same folder and are renamed into place, so a reader (another build running
at the same time included) sees a whole entry or none. An entry that cannot be
read back exactly as written is treated as missing and recomputed. A block's figures are
stored in its entry, so a warm build shows them without running anything or importing matplotlib.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.engine.worker import CapturedFigure

FORMAT = 2  # 2: figures


@dataclass(frozen=True)
class CachedRun:
    output: str  # what the block left on the terminal
    seconds: float  # how long the run that produced it took
    device: str  # "CPU", or "GPU (name)"
    torch_version: str
    figures: tuple[CapturedFigure, ...] = ()  # what it drew, in the order drawn


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ExecCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> CachedRun | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            run = entry["run"]
            if entry["format"] != FORMAT or entry["key"] != key or entry["digest"] != _digest(run):
                return None
            return CachedRun(**{**run, "figures": tuple(CapturedFigure(**figure) for figure in run["figures"])})
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, truncated, corrupt or from another format: run the block again

    def put(self, key: str, run: CachedRun) -> None:
        payload = asdict(run)
        entry = {"format": FORMAT, "key": key, "digest": _digest(payload), "run": payload}
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{key[:8]}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                json.dump(entry, file, ensure_ascii=False)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
