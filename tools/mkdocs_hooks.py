"""MkDocs hooks: execute the guide's code blocks as files under snippets/."""

import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path

# MkDocs loads this file by path and restores sys.path afterwards, so the project
# root (home of the tools and snippets packages) is added here for the import
# below, and again in on_config for the snippets that run during the build.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import markdown_exec  # noqa: E402

from tools.capture import install_switchable_streams  # noqa: E402
from tools.executor import SnippetRunner  # noqa: E402
from tools.page_fences import python_fence_problems  # noqa: E402

log = logging.getLogger("mkdocs.plugins.snippet-exec")

# tools/bench.py sets this to a file path to receive the build's phase timings.
TIMINGS_ENV = "GUIDE_TIMINGS_FILE"
HEAVY_IMPORTS = ("torch", "torchvision", "pytorch_lightning", "torchmetrics")

runner: SnippetRunner | None = None
import_seconds = 0.0


def on_config(config):
    global runner
    # Before anything imports Lightning, whose log handler keeps the sys.stderr it finds.
    install_switchable_streams()
    root = Path(config.config_file_path).resolve().parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    runner = SnippetRunner(root)
    markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = runner.format_python
    return config


def on_pre_build(config):
    global import_seconds
    runner.start_build()
    if os.environ.get(TIMINGS_ENV):
        # Importing up front only moves the cost out of the first block, so the
        # benchmark can report imports apart from execution.
        start = time.perf_counter()
        for module in HEAVY_IMPORTS:
            __import__(module)
        import_seconds = time.perf_counter() - start


def on_page_markdown(markdown, page, config, files):
    for line, problem in python_fence_problems(markdown):
        log.error("docs/%s:%d: %s", page.file.src_uri, line, problem)
    runner.current_page = page.file.src_uri
    return markdown


def on_post_build(config):
    if target := os.environ.get(TIMINGS_ENV):
        report = {"imports": import_seconds, "blocks": [dataclasses.asdict(t) for t in runner.timings]}
        Path(target).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
