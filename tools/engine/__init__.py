"""The build engine: runs the guide's code blocks (snippets/) while MkDocs builds the pages.

hooks.py is what mkdocs.yml loads; it wires markdown-exec to executor.py, which runs each
block (sources.py finds its snippet file, capture.py and terminal.py record what it prints,
cache_key.py and cache.py keep its output), and timings.py lists the run times.
"""
