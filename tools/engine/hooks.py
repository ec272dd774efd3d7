"""MkDocs hooks: run the guide's code blocks, session by session, before the pages render; publish the downloads."""

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
# below, and again in on_config for the workers' fork server.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT_ROOT))

import markdown_exec  # noqa: E402
from mkdocs.exceptions import PluginError  # noqa: E402

from tools.engine.cache import ExecCache  # noqa: E402
from tools.engine.cache_key import changed_since_loaded  # noqa: E402
from tools.engine.code_font import write_code_font  # noqa: E402
from tools.engine.downloads import published_files, with_download_links  # noqa: E402
from tools.engine.fences import python_fence_problems, with_block_numbers  # noqa: E402
from tools.engine.formatter import BLOCK_ATTRIBUTE, BlockFormatter  # noqa: E402
from tools.engine.glossary_tooltips import GLOSSARY_PAGE, add_glossary_tooltips  # noqa: E402
from tools.engine.plan import PlanError, sessions_of  # noqa: E402
from tools.engine.runner import SessionRunner, end_workers_on_signals  # noqa: E402
from tools.engine.search_index import add_ranking_fields  # noqa: E402
from tools.engine.timings import MARKER, computation_times_html  # noqa: E402

log = logging.getLogger("mkdocs.plugins.snippet-exec")

# Switches, all environment variables (the Makefile and tools/bench.py set them):
CACHE_DIR_ENV = "GUIDE_EXEC_CACHE"  # where outputs are cached; default .cache/exec
REFRESH_ENV = "GUIDE_EXEC_REFRESH"  # "1": run every session again (`make build-fresh`)
EXECUTE_ENV = "GUIDE_EXEC"  # "off": run nothing, show sources only (benchmark reference; warns, so --strict fails)
TIMINGS_ENV = "GUIDE_TIMINGS_FILE"  # a path: write this build's timings there (tools/bench.py)
engine: dict = {}  # this build's runner and formatter (on_config makes them)


def on_config(config):
    # The pages promise the shipped subset on every build, whoever builds and wherever.
    os.environ.pop("FULL_MNIST", None)
    root = Path(config.config_file_path).resolve().parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    cache_dir = Path(os.environ.get(CACHE_DIR_ENV) or root / ".cache" / "exec")
    runner = None
    if os.environ.get(EXECUTE_ENV) != "off":
        ignored = tuple(str(Path(folder).resolve()) for folder in (sys.prefix, cache_dir, config.site_dir))
        runner = SessionRunner(root, ExecCache(cache_dir), refresh=os.environ.get(REFRESH_ENV) == "1", ignored=ignored)
    engine.update(root=root, runner=runner, formatter=BlockFormatter(root, runner))
    markdown_exec.formatters["python"] = markdown_exec.formatters["py"] = engine["formatter"].format_python
    end_workers_on_signals()
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
    if changed := changed_since_loaded():
        # Under `mkdocs serve` the old modules stay loaded: they would run, and be keyed, as the new ones.
        raise PluginError(f"{', '.join(changed)} changed since mkdocs serve started: restart it to build with them")
    engine["started"] = time.perf_counter()


def on_files(files, config):
    pages = [(doc.src_uri, Path(doc.abs_src_path).read_text(encoding="utf-8")) for doc in files.documentation_pages()]
    try:
        sessions = sessions_of(engine["root"], pages)
    except PlanError as problems:
        raise PluginError(f"executed code blocks that cannot run:\n{problems}") from None
    included = {block.piece.path.as_posix() for session in sessions for block in session.blocks}
    for file in published_files(config, engine["root"], included):
        files.append(file)
    engine["formatter"].start_build(sessions)
    if engine["runner"] is None:
        log.warning("%s=off: no code block runs and the pages show no outputs; never publish this site", EXECUTE_ENV)
    else:
        engine["runner"].start(sessions)
    return files


def on_page_markdown(markdown, page, config, files):
    for line, problem in python_fence_problems(markdown):
        log.error("docs/%s:%d: %s", page.file.src_uri, line, problem)
    engine["formatter"].start_page(page.file.src_uri, page.title or page.file.src_uri, page.url)
    markdown = with_block_numbers(markdown, BLOCK_ATTRIBUTE)
    notebooks = {file.src_uri for file in files if file.src_uri.startswith("notebooks/")}
    return with_download_links(markdown, page.file.src_uri, config.repo_url, notebooks)


def on_page_content(html, page, config, files):
    # A fence markdown-exec does not take (a language it does not run, such as python3, or one Markdown
    # did not parse as a fence) never reaches the formatter: its code would show without having run.
    if missing := engine["formatter"].missing_on_page():
        log.error(
            "%s: executed Python block(s) that never reached the engine (markdown-exec runs fences marked python"
            " or py only)",
            ", ".join(block.where for block in missing),
        )
    return add_glossary_tooltips(html, page.file.src_uri, config.docs_dir)


def on_page_context(context, page, config, nav):
    # Every page's blocks were formatted before any page reaches this event.
    if MARKER in page.content:
        page.content = page.content.replace(MARKER, computation_times_html(engine["formatter"].timings, page.url))
    return context


def write_figures(site_dir: Path) -> None:
    """The SVG file of every figure the pages show (their <img> src), from the run or the cache."""
    for path, svg in engine["formatter"].figure_files.items():
        target = site_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(svg, encoding="utf-8")


def on_build_error(error):
    if engine.get("runner"):
        engine["runner"].stop()


def site_pages(site_dir: Path) -> dict[str, str]:
    """Every HTML file of the built site, read once: site-relative path ("steps/data/index.html") -> text."""
    return {page.relative_to(site_dir).as_posix(): page.read_text("utf-8") for page in site_dir.rglob("*.html")}


def on_post_build(config):
    # Hooks run after plugins: the search index is written by now. Nothing below writes HTML, so the pages are
    # read once for both the search index's hints and the code font's characters.
    site_dir = Path(config.site_dir)
    pages = site_pages(site_dir)
    glossary = Path(config.docs_dir) / GLOSSARY_PAGE
    add_ranking_fields(site_dir, glossary if glossary.is_file() else None, pages)
    write_figures(site_dir)
    write_code_font(site_dir, pages.values())
    runner, formatter = engine["runner"], engine["formatter"]
    if runner is None:
        return
    runner.finish()
    ran = [name for name, future in runner.outcomes.items() if future.result().ran]
    log.info(
        "snippet-exec: %d sessions ran (%d blocks), %d came from the cache (%d blocks), %d blocks failed",
        len(ran),
        formatter.ran,
        len(runner.outcomes) - len(ran),
        formatter.cached,
        formatter.failed,
    )
    if target := os.environ.get(TIMINGS_ENV):
        report = {
            "seconds": time.perf_counter() - engine["started"],
            "sessions_ran": len(ran),
            "ran": formatter.ran,
            "from_cache": formatter.cached,
            "blocks": [dataclasses.asdict(t) for t in formatter.timings],
        }
        Path(target).write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
