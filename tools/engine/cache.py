"""A content-addressed store of sessions' runs under .cache/exec/: every block's output, one run per entry.

Each entry is one JSON file named by its session's key, holding what every block of that run printed
and drew, and the inputs the run recorded with their hashes (cache_key.py). Writes go to a temporary
file in the same folder and are renamed into place, so a reader (another build running at the same
time included) sees a whole entry or none. An entry that cannot be read back exactly as written is
treated as missing and the session runs again. Only runs in which every block succeeded are stored.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from tools.engine.worker import CapturedFigure

FORMAT = 5  # 5: each figure with its dark variant


@dataclass(frozen=True)
class BlockRun:
    output: str  # what the block left on the terminal
    seconds: float  # how long it took in the run that produced it
    figures: tuple[CapturedFigure, ...] = ()  # what it drew, in the order drawn


@dataclass(frozen=True)
class SessionRun:
    blocks: tuple[BlockRun, ...]  # one per block, in page order
    device: str  # "CPU", or "GPU (name)"
    torch_version: str
    inputs: dict[str, list]  # project file -> [kind, fingerprint, hash of its bytes] (cache_key.InputHashes)

    @property
    def seconds(self) -> float:
        return sum(block.seconds for block in self.blocks)


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _session_run(payload: dict) -> SessionRun:
    blocks = tuple(
        BlockRun(block["output"], block["seconds"], tuple(CapturedFigure(**figure) for figure in block["figures"]))
        for block in payload["blocks"]
    )
    return SessionRun(blocks, payload["device"], payload["torch_version"], payload["inputs"])


class ExecCache:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> SessionRun | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
            run = entry["run"]
            if entry["format"] != FORMAT or entry["key"] != key or entry["digest"] != _digest(run):
                return None
            return _session_run(run)
        except (OSError, ValueError, KeyError, TypeError):
            return None  # missing, truncated, corrupt or from another format: run the session again

    def put(self, key: str, run: SessionRun) -> None:
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
