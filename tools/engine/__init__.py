"""The build engine: runs the guide's code blocks (snippets/) while MkDocs builds the pages.

hooks.py is what mkdocs.yml loads. Before any page renders, plan.py reads every executed block
from the pages (fences.py, sources.py) and groups them into sessions; runner.py serves each session
from the cache (cache_key.py, cache.py) or runs it whole in a worker process of its own (worker.py,
processes.py), several at once; capture.py, terminal.py and machine_paths.py make what a block
printed into what the page shows. formatter.py, markdown-exec's Python formatter, renders each
block from its session's run, and timings.py lists the run times.
"""
