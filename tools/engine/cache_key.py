"""Everything that can change a session's output, reduced to a key and a list of inputs, without importing torch.

A session's key covers its blocks' code at their line numbers and the fence options that change
output, the Python version, the library versions, what the fork server preloads, the environment
its worker gets (processes.worker_environment: the builder's shell and interpreter flags never
reach a worker, so they need no place in the key), the machine the overhead page describes, and
the data under data/. What the session imported or read from the project (its own
snippet files, helpers, the engine's worker code, fonts, data) is recorded while it runs and kept
with its cache entry, each file with its hash: the entry serves a build only while every one of
them is unchanged. A module counts by its syntax tree with line numbers (a comment that moves no
line does not count; one that moves lines does, since warnings print them), without its
`if __name__ == "__main__":` part, which never runs on import; a file read as data counts by its bytes.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import platform
import sys
from pathlib import Path

from tools.engine.plan import Session
from tools.engine.processes import preloaded, worker_environment

LIBRARIES = (
    *("torch", "torchvision", "pytorch-lightning", "lightning-utilities", "torchmetrics", "numpy", "pillow"),
    *("tqdm", "markdown-exec", "pyte", "wcwidth", "matplotlib", "psutil"),
)
# Left behind by editors and systems: never inputs (a vim swap file is rewritten on every save).
LEFTOVER_SUFFIXES = (".swp", ".swo", ".swx", "~", ".tmp", ".pyc")
LEFTOVER_NAMES = {".DS_Store", "Thumbs.db", "4913"}  # 4913: the file vim writes to test a folder


def _sha256(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def library_versions() -> dict[str, str]:
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "absent"
    return versions


def environment_fingerprint() -> str:
    facts = {
        # The workers' Python: its version. Its flags are never the build's (processes.context starts it plain).
        "python": [sys.version, sys.implementation.cache_tag],
        "libraries": library_versions(),
        # PATH leads to this Python's own folder (a virtual environment inside the checkout): no output shows it.
        "environment": {name: value for name, value in worker_environment().items() if name != "PATH"},
        "preloaded": preloaded(),
        # What the overhead page prints about the machine (platform with the kernel, CPU model) is keyed too.
        "machine": [platform.platform(), _cpu_model(), Path("/proc/driver/nvidia").exists()],
    }
    return _sha256(json.dumps(facts, sort_keys=True))


def _cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor()
    return next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")


def is_leftover(path: Path) -> bool:
    """An editor's or a system's file, or Python's cache: not part of the project's content."""
    return (
        path.name in LEFTOVER_NAMES
        or path.name.endswith(LEFTOVER_SUFFIXES)
        or path.name.startswith(".#")
        or "__pycache__" in path.parts
    )


def data_fingerprint(root: Path) -> str:
    """The files under data/ (less the downloaded full MNIST); a file that vanishes while it is read is not data."""
    data = root / "data"
    parts = []
    for path in sorted(data.rglob("*")):
        if "full" in path.relative_to(data).parts or is_leftover(path):
            continue
        try:
            content = path.read_bytes()
        except (IsADirectoryError, FileNotFoundError):
            continue
        parts.append(f"{path.relative_to(root).as_posix()}:{_sha256(content)}")
    return _sha256(*parts)


def session_key(session: Session, environment: str, data: str) -> str:
    blocks = [
        [block.piece.path.as_posix(), block.piece.section, block.piece.positioned_source(), block.options.keyed()]
        for block in session.blocks
    ]
    return _sha256(environment, data, json.dumps(blocks, sort_keys=True))


def _is_main_guard(node: ast.stmt) -> bool:
    """`if __name__ == "__main__":` exactly (either way round): its body never runs on import."""
    if not (isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and len(node.test.ops) == 1):
        return False
    sides = {ast.dump(node.test.left), ast.dump(node.test.comparators[0])}
    return isinstance(node.test.ops[0], ast.Eq) and sides == {
        ast.dump(ast.Name("__name__", ast.Load())),
        ast.dump(ast.Constant("__main__")),
    }


def module_fingerprint(content: bytes, filename: str) -> str:
    """What importing the module runs, at its line numbers: the `__main__` guard's body left out, its else kept."""
    tree = ast.parse(content, filename=filename)
    body = []
    for node in tree.body:
        if _is_main_guard(node):
            body.extend(node.orelse)
        else:
            body.append(node)
    return _sha256(ast.dump(ast.Module(body=body, type_ignores=[]), include_attributes=True))


def input_fingerprint(content: bytes, relative: str, kind: str) -> str | None:
    """A recorded input's hash; None if it no longer parses."""
    try:
        return module_fingerprint(content, relative) if kind == "module" else _sha256(content)
    except (SyntaxError, ValueError):
        return None


class InputHashes:
    """Each input's hashes, computed at most once per build (many sessions share their modules).

    An input is kept as [kind, fingerprint, hash of its bytes]. The bytes' hash is checked first: a module
    whose bytes are unchanged is not parsed again, which is most of a warm rebuild's key checks."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.contents: dict[str, str | None] = {}
        self.fingerprints: dict[tuple[str, str], str | None] = {}

    def content(self, relative: str) -> str | None:
        if relative not in self.contents:
            try:
                self.contents[relative] = _sha256((self.root / relative).read_bytes())
            except OSError:
                self.contents[relative] = None
        return self.contents[relative]

    def fingerprint(self, relative: str, kind: str) -> str | None:
        if (relative, kind) not in self.fingerprints:
            try:
                content = (self.root / relative).read_bytes()
            except OSError:
                self.fingerprints[relative, kind] = None
            else:
                self.fingerprints[relative, kind] = input_fingerprint(content, relative, kind)
        return self.fingerprints[relative, kind]

    def of(self, inputs: dict[str, str]) -> dict[str, list]:
        """{file: [kind, fingerprint, bytes' hash]} for the inputs a session recorded."""
        return {
            relative: [kind, self.fingerprint(relative, kind), self.content(relative)]
            for relative, kind in sorted(inputs.items())
        }

    def unchanged(self, recorded: dict[str, list]) -> bool:
        return all(
            self.content(relative) == content or self.fingerprint(relative, kind) == fingerprint
            for relative, (kind, fingerprint, content) in recorded.items()
        )


# The engine this process runs. `mkdocs serve` keeps modules loaded across rebuilds, so after an edit
# under tools/ (or a library upgrade) the code that would run is not the code on disk.
ENGINE_FOLDER = Path(__file__).resolve().parent


def loaded_state() -> dict[str, str]:
    engine = {path.name: _sha256(path.read_bytes()) for path in sorted(ENGINE_FOLDER.glob("*.py"))}
    return {**engine, **{f"library {name}": version for name, version in library_versions().items()}}


LOADED = loaded_state()


def changed_since_loaded() -> list[str]:
    """Engine files (and libraries) that differ from those this process loaded."""
    now = loaded_state()
    return sorted(name for name in now.keys() | LOADED.keys() if now.get(name) != LOADED.get(name))
