"""MkDocs hooks: execute the guide's code blocks as files under snippets/."""

import sys
from pathlib import Path

# MkDocs loads this file by path and restores sys.path afterwards, so the project
# root (home of the tools and snippets packages) is added here for the import
# below, and again in on_config for the snippets that run during the build.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))

import markdown_exec  # noqa: E402

from tools.executor import SnippetRunner  # noqa: E402

runner: SnippetRunner | None = None


def on_config(config):
    global runner
    root = Path(config.config_file_path).resolve().parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    runner = SnippetRunner(root)
    markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = runner.format_python
    return config


def on_pre_build(config):
    runner.start_build()
