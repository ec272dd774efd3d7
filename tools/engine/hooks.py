"""MkDocs hooks: execute the guide's code blocks as files under snippets/, with a cache; publish the downloads."""

import dataclasses
import json
import logging
import os
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

# MkDocs loads this file by path and restores sys.path afterwards, so the project
# root (home of the tools and snippets packages) is added here for the imports
# below, and again in on_config for the snippets that run during the build.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))

import markdown_exec  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402

from tools.engine.cache import ExecCache  # noqa: E402
from tools.engine.cache_key import engine_edited_since_loaded  # noqa: E402
from tools.engine.downloads import published_files, with_download_links  # noqa: E402
from tools.engine.executor import SnippetRunner, Worker  # noqa: E402
from tools.engine.fences import executed_python_fences, python_fence_problems  # noqa: E402
from tools.engine.glossary_tooltips import add_glossary_tooltips  # noqa: E402
from tools.engine.search_index import add_ranking_fields  # noqa: E402
from tools.engine.timings import MARKER, computation_times_html  # noqa: E402

log = logging.getLogger("mkdocs.plugins.snippet-exec")

# Switches, all environment variables (the Makefile and tools/bench.py set them):
CACHE_DIR_ENV = "GUIDE_EXEC_CACHE"  # where outputs are cached; default .cache/exec
REFRESH_ENV = "GUIDE_EXEC_REFRESH"  # "1": run every block again (`make build-fresh`)
EXECUTE_ENV = "GUIDE_EXEC"  # "off": run nothing, show sources only (benchmark reference)
TIMINGS_ENV = "GUIDE_TIMINGS_FILE"  # a path: write this build's phase timings there (tools/bench.py)
runner: SnippetRunner | None = None
import_seconds = 0.0
executed_on_page: list = []  # the executed fences of the page being rendered


def on_config(config):
    global runner
    # The pages promise the shipped subset on every build, whoever builds and wherever.
    os.environ.pop("FULL_MNIST", None)
    root = Path(config.config_file_path).resolve().parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    cache = ExecCache(Path(os.environ.get(CACHE_DIR_ENV) or root / ".cache" / "exec"))
    runner = SnippetRunner(
        root,
        cache,
        refresh=os.environ.get(REFRESH_ENV) == "1",
        execute=os.environ.get(EXECUTE_ENV) != "off",
    )
    markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = runner.format_python
    _publishing_links(config)
    return config


def _publishing_links(config):
    """The Pages workflow sets REPO_URL (mkdocs.yml reads it); local builds leave it unset."""
    if config.repo_url:
        config.repo_name = urlsplit(config.repo_url).path.strip("/").removesuffix(".git")  # owner/repository
    else:
        # Else MkDocs makes edit_uri into relative "edit/main/docs/..." links and warns, failing --strict.
        config.edit_uri = None


def on_pre_build(config):
    global import_seconds
    if edited := engine_edited_since_loaded(runner.root):
        # Under `mkdocs serve` the old modules stay loaded: running them would cache old code's output.
        raise PluginError(f"{', '.join(edited)} changed since the build engine was loaded: restart mkdocs serve")
    runner.start_build()
    if os.environ.get(TIMINGS_ENV) and runner.execute and runner.refresh:
        # Starting the workers' fork server (it imports torch and Lightning) up front only moves
        # that cost out of the first block, so the benchmark can report imports apart from execution.
        start = time.perf_counter()
        Worker().stop()
        import_seconds = time.perf_counter() - start


def on_files(files, config):
    for file in published_files(config, runner.root):
        files.append(file)
    return files


def on_page_markdown(markdown, page, config, files):
    for line, problem in python_fence_problems(markdown):
        log.error("docs/%s:%d: %s", page.file.src_uri, line, problem)
    executed_on_page[:] = executed_python_fences(markdown)
    runner.start_page(page.file.src_uri, page.title or page.file.src_uri, page.url)
    return with_download_links(markdown, page.file.src_uri, config.repo_url)


def on_page_content(html, page, config, files):
    # A fence markdown-exec does not take (a language it does not run, such as python3, or one Markdown
    # did not parse as a fence) never reaches the executor: its code would show without having run.
    if runner.formatted_on_page < len(executed_on_page):
        lines = ", ".join(str(fence.line) for fence in executed_on_page)
        log.error(
            "docs/%s: %d executed Python block(s) (fences at lines %s), but only %d ran or came from the cache:"
            " markdown-exec runs fences marked python or py only",
            page.file.src_uri,
            len(executed_on_page),
            lines,
            runner.formatted_on_page,
        )
    return add_glossary_tooltips(html, page.file.src_uri, config.docs_dir)


def on_page_context(context, page, config, nav):
    # Every page's blocks ran (or came from the cache) before any page reaches this event.
    if MARKER in page.content:
        page.content = page.content.replace(MARKER, computation_times_html(runner.timings, page.url))
    return context


def write_figures(site_dir: Path) -> None:
    """The SVG file of every figure the pages show (their <img> src), from the run or the cache."""
    for path, svg in runner.figure_files.items():
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(svg, encoding="utf-8")


def on_build_error(error):
    runner.finish_build()


def on_post_build(config):
    add_ranking_fields(Path(config.site_dir))  # hooks run after plugins: the search index is written
    write_figures(Path(config.site_dir))
    runner.finish_build()
    if runner.execute:
        log.info("snippet-exec: %d blocks ran, %d came from the cache", runner.ran, runner.from_cache)
    if target := os.environ.get(TIMINGS_ENV):
        report = {
            "imports": import_seconds,
            "ran": runner.ran,
            "from_cache": runner.from_cache,
            "blocks": [dataclasses.asdict(t) for t in runner.timings],
        }
        Path(target).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
