"""Everything that can change a block's output, reduced to a key, without importing torch.

A block's key covers: the code run before it in its session and its own code,
the project modules that code imports (transitively, by their syntax tree, so a
comment or an `if __name__ == "__main__":` part that never runs on import does
not count), the data files' contents, the versions of Python and the libraries
that produce the output, the executor's own code, and the block's options.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.metadata
import json
import os
import platform
import sys
from functools import cache
from pathlib import Path

from tools.engine.worker import thread_count

LIBRARIES = (
    *("torch", "torchvision", "pytorch-lightning", "lightning-utilities", "torchmetrics", "numpy", "pillow"),
    *("tqdm", "markdown-exec", "pyte", "wcwidth", "matplotlib"),
)
# Environment variables that change what code prints: thread counts, progress bars, devices, warnings.
ENVIRONMENT_PREFIXES = ("OMP_", "MKL_", "OPENBLAS_", "TQDM_", "CUDA_", "PYTORCH_", "TORCH_", "PL_", "LC_")
ENVIRONMENT_NAMES = ("PYTHONWARNINGS", "PYTHONHASHSEED", "PYTHONIOENCODING", "LANG")
# The executor files that turn a run into page output: changing them changes outputs.
EXECUTOR_FILES = tuple(
    f"tools/engine/{name}.py" for name in ("capture", "terminal", "executor", "sources", "worker", "figures")
)


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


def executor_hashes(root: Path) -> dict[str, str]:
    return {name: _sha256((root / name).read_bytes()) for name in EXECUTOR_FILES if (root / name).exists()}


# The engine this process runs. `mkdocs serve` keeps modules loaded across rebuilds, so after an
# edit under tools/engine/ the files on disk are not the code that runs (see engine_edited_since_loaded).
LOADED_EXECUTOR = executor_hashes(Path(__file__).resolve().parents[2])


def engine_edited_since_loaded(root: Path) -> list[str]:
    """Executor files whose content on disk differs from the code this process loaded."""
    on_disk = executor_hashes(root)
    return sorted(
        name for name in on_disk.keys() | LOADED_EXECUTOR.keys() if on_disk.get(name) != LOADED_EXECUTOR.get(name)
    )


def output_environment() -> dict[str, str]:
    return {
        name: value
        for name, value in os.environ.items()
        if name in ENVIRONMENT_NAMES or name.startswith(ENVIRONMENT_PREFIXES)
    }


def environment_fingerprint(root: Path) -> str:
    """Python and where it is installed (warnings print file paths), libraries, the variables that
    change output, the machine, where the project is, and the executor's code. (FULL_MNIST, which the
    snippets read, is removed by the hooks before any block runs, so it cannot vary.)"""
    facts = {
        "python": [sys.version, sys.prefix],
        "libraries": library_versions(),
        "variables": output_environment(),
        "threads": thread_count(),
        # What the overhead page prints about the machine (platform with the kernel, CPU model) is keyed too.
        "machine": [platform.platform(), _cpu_model(), os.cpu_count(), Path("/proc/driver/nvidia").exists()],
        "project": str(root),
        "executor": executor_hashes(root),
    }
    return _sha256(json.dumps(facts, sort_keys=True))


def _cpu_model() -> str:
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8")
    except OSError:
        return platform.processor()
    return next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")


def data_fingerprint(root: Path) -> str:
    """The files code may read: data/ (less the downloaded full MNIST) and non-Python files under snippets/."""
    data = root / "data"
    files = sorted(p for p in data.rglob("*") if p.is_file() and "full" not in p.relative_to(data).parts)
    files += sorted(
        p for p in (root / "snippets").rglob("*") if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts
    )
    return _sha256(*(f"{p.relative_to(root)}:{_sha256(p.read_bytes())}" for p in files))


def _module_file(root: Path, module: str) -> Path | None:
    base = root.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def package_of(path: Path, root: Path) -> str:
    """The package a project file belongs to: snippets/demo/x.py or snippets/demo/__init__.py -> snippets.demo."""
    return ".".join(path.relative_to(root).parent.parts)


def _absolute(module: str | None, level: int, package: str) -> str | None:
    """The module `from <level dots><module> import ...` names, seen from `package`."""
    if not level:
        return module
    parts = package.split(".") if package else []
    if level - 1 > len(parts):
        return None  # above the top package: the import itself fails
    return ".".join([*parts[: len(parts) - (level - 1)], *([module] if module else [])]) or None


def _imported_modules(tree: ast.AST, package: str) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (module := _absolute(node.module, node.level, package)):
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # may name a submodule
    # Importing a.b.c runs a/__init__.py and a/b/__init__.py first.
    return {".".join(name.split(".")[:i]) for name in names for i in range(1, name.count(".") + 2)}


def _without_main_blocks(tree: ast.Module) -> ast.Module:
    def is_main_guard(node: ast.stmt) -> bool:
        return (
            isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) and "__name__" in ast.unparse(node.test)
        )

    return ast.Module(body=[node for node in tree.body if not is_main_guard(node)], type_ignores=[])


@cache
def _module_summary(path: Path, mtime_ns: int, package: str) -> tuple[str, frozenset[str]]:
    """(hash of what importing the file runs, modules it imports); remembered per file version."""
    tree = _without_main_blocks(ast.parse(path.read_bytes(), filename=str(path)))
    return _sha256(ast.dump(tree)), frozenset(_imported_modules(tree, package))


def local_imports(code: str, root: Path, package: str = "") -> dict[str, str]:
    """{project file: hash} for every project module the code (in `package`) imports, directly or not."""
    found: dict[str, str] = {}
    pending = list(_imported_modules(ast.parse(code), package))
    while pending:
        path = _module_file(root, pending.pop())
        if path is None:
            continue  # not a project module: a library, covered by library_versions
        name = path.relative_to(root).as_posix()
        if name in found:
            continue
        content_hash, imports = _module_summary(path, path.stat().st_mtime_ns, package_of(path, root))
        found[name] = content_hash
        pending.extend(imports)
    return found


def block_key(
    previous: str, code: str, options: dict, root: Path, environment: str, data: str, package: str = ""
) -> str:
    """The key of one block (from a file in `package`), chained to the key of the block before it in its session."""
    imports = local_imports(code, root, package)
    return _sha256(
        previous,
        code,
        json.dumps(options, sort_keys=True, default=str),
        json.dumps(imports, sort_keys=True),
        environment,
        data,
    )
