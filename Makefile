# Regional-instability scenario simulator. `make help` lists the targets.
# The first target that needs Python creates .venv with a Python 3.12+ interpreter
# and installs the project into it; later calls reuse it.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
SCENARIO ?= incapacity
MEMBERS ?=
SEED ?=
WEEKS ?=
WORKERS ?=
A ?= status_quo
B ?= incapacity
MEMBER ?= 0

# Optional overrides passed to the CLI only when set.
RUN_OPTS := $(if $(MEMBERS),--members $(MEMBERS)) $(if $(SEED),--seed $(SEED)) \
            $(if $(WEEKS),--weeks $(WEEKS)) $(if $(WORKERS),--workers $(WORKERS))

# Candidate interpreters, newest first; the first one that is 3.12+ wins.
PY_CANDIDATES := python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.13*/bin/python3) \
                 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3) python3

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@echo "Usage: make <target> [SCENARIO=name|path] [MEMBERS=n] [SEED=n] [WEEKS=n] [WORKERS=n]"
	@grep -E '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@set -e; found=""; \
	for c in $(PY_CANDIDATES); do \
	  if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
	    found=$$c; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "error: no Python 3.12 or newer found (Mesa 3.5 needs it)." >&2; \
	  echo "       Install one (e.g. 'pyenv install 3.12' or 'apt-get install python3.12') and retry." >&2; \
	  exit 2; fi; \
	echo "Creating $(VENV) with $$found ($$($$found --version))"; \
	rm -rf $(VENV); $$found -m venv $(VENV); \
	$(PY) -m pip install --quiet --upgrade pip; \
	$(PY) -m pip install --quiet -e '.[dev,dask]'; \
	touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create .venv and install the project (done automatically by other targets)

.PHONY: run
run: $(STAMP) ## Run a scenario ensemble: make run SCENARIO=incapacity [MEMBERS= SEED= WEEKS= WORKERS=]
	@$(PY) -m sim run $(SCENARIO) $(RUN_OPTS)

.PHONY: compare
compare: $(STAMP) ## Compare two scenarios member by member: make compare A=status_quo B=incapacity [UNPAIRED=1]
	@$(PY) -m sim compare $(A) $(B) $(if $(UNPAIRED),--unpaired)

.PHONY: replay
replay: $(STAMP) ## Re-run one member with full agent detail: make replay SCENARIO=incapacity MEMBER=137
	@$(PY) -m sim replay $(SCENARIO) --member $(MEMBER)

.PHONY: test
test: $(STAMP) ## Run the test suite
	@$(PY) -m pytest

.PHONY: lint
lint: $(STAMP) ## Lint the code with ruff
	@$(PY) -m ruff check sim tests

.PHONY: bench
bench: $(STAMP) ## Run the speed and memory benchmark, writes results/bench/bench.csv
	@$(PY) -m sim bench

.PHONY: clean
clean: ## Remove generated results (keeps results/README.md)
	@find results -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
