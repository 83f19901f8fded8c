# Regional-instability scenario simulator. `make help` lists the targets.
# The first target that needs Python creates .venv with Python 3.12 and installs the
# locked dependency set (requirements.lock) and then the project into it; later calls
# reuse it.
#
# User values (SCENARIO, A, B, MEMBER, MEMBERS, SEED, WEEKS, WORKERS, UNPAIRED, PORT) reach
# the recipes only through the environment and are expanded by the shell inside double
# quotes, so each is passed as one argument and never run as a command: a name with
# spaces works, and `SCENARIO='x; touch hacked #'` is just an unknown scenario.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# The interpreter minor version the lock file was resolved for (see `make lock`).
PYTHON_MINOR := 3.12
UV_VERSION := 0.13.8
SCENARIO ?= incapacity
MEMBERS ?=
SEED ?=
WEEKS ?=
WORKERS ?=
A ?= status_quo
B ?= incapacity
MEMBER ?= 0
UNPAIRED ?=
UPGRADE ?=
SET ?=
UNCERTAIN ?=
PERTURB ?=
METHOD ?= morris
SAMPLES ?=
REPLICATES ?=
PORT ?= 8765
USER_VARS := SCENARIO MEMBERS SEED WEEKS WORKERS A B MEMBER UNPAIRED UPGRADE SET METHOD \
             SAMPLES REPLICATES UNCERTAIN PERTURB PORT
# Keep each value's text as typed (make does not expand a '$' in it), then hand it to
# the recipes' shell as an environment variable.
$(foreach v,$(USER_VARS),$(eval override $(v) := $$(value $(v))))
export $(USER_VARS)
comma := ,

# Optional overrides passed to the CLI only when set (expanded by the shell).
RUN_OPTS := $${MEMBERS:+--members "$$MEMBERS"} $${SEED:+--seed "$$SEED"} \
            $${WEEKS:+--weeks "$$WEEKS"} $${WORKERS:+--workers "$$WORKERS"}
# SET="name=value name=value": one --set per word (the words are data, never code;
# no globbing).
SET_ARGS := set -f; set_args=(); for s in $$SET; do set_args+=(--set "$$s"); done; set +f

# Candidate interpreters; the first one that is Python $(PYTHON_MINOR) wins.
PY_CANDIDATES := python$(PYTHON_MINOR) \
                 $(wildcard $(HOME)/.pyenv/versions/$(PYTHON_MINOR).*/bin/python3) python3

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@echo "Usage: make <target> [SCENARIO=name|path] [MEMBERS=n] [SEED=n] [WEEKS=n] [WORKERS=n]"
	@grep -E '^[a-zA-Z_-]+:.*## ' Makefile | awk 'BEGIN {FS = ":.*## "}; {printf "  %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(LOCK)
	@set -e; found=""; \
	for c in $(PY_CANDIDATES); do \
	  if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(0 if sys.version_info[:2] == ($(subst .,$(comma) ,$(PYTHON_MINOR))) else 1)' 2>/dev/null; then \
	    found=$$c; break; fi; \
	done; \
	if [ -z "$$found" ]; then \
	  echo "error: no Python $(PYTHON_MINOR) found (requirements.lock is resolved for it)." >&2; \
	  echo "       Install one (e.g. 'pyenv install $(PYTHON_MINOR)' or 'apt-get install python$(PYTHON_MINOR)') and retry." >&2; \
	  exit 2; fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" --version))"; \
	rm -rf $(VENV); "$$found" -m venv $(VENV); \
	"$(PY)" -m pip install --quiet --upgrade pip; \
	"$(PY)" -m pip install --quiet --require-hashes -r $(LOCK); \
	"$(PY)" -m pip install --quiet --no-deps -e .; \
	touch $(STAMP)

.PHONY: venv
venv: $(STAMP) ## Create .venv and install the locked dependencies and the project (done automatically by other targets)

.PHONY: run
run: $(STAMP) ## Run a scenario ensemble, parameters drawn from the calibrated posterior: make run SCENARIO=incapacity [MEMBERS= SEED= WEEKS= WORKERS= SET="name=value ..." FIXED=1 UNCERTAIN=1]
	@$(SET_ARGS); "$(PY)" -m sim run "$$SCENARIO" $(RUN_OPTS) "$${set_args[@]}" \
	  $${UNCERTAIN:+--uncertain} $${POSTERIOR:+--posterior} $${FIXED:+--fixed}

.PHONY: compare
compare: $(STAMP) ## Compare two scenarios or result folders member by member: make compare A=status_quo B=incapacity (or A=results/<run> B=results/<run>)
	@"$(PY)" -m sim compare "$$A" "$$B" $${UNPAIRED:+--unpaired}

.PHONY: replay
replay: $(STAMP) ## Re-run one member with full agent detail: make replay SCENARIO=incapacity MEMBER=137 [MEMBERS= SEED= WEEKS= SET= FIXED=1 UNCERTAIN=1]
	@$(SET_ARGS); "$(PY)" -m sim replay "$$SCENARIO" --member "$$MEMBER" \
	  $${MEMBERS:+--members "$$MEMBERS"} $${SEED:+--seed "$$SEED"} $${WEEKS:+--weeks "$$WEEKS"} \
	  "$${set_args[@]}" $${UNCERTAIN:+--uncertain} $${POSTERIOR:+--posterior} $${FIXED:+--fixed}

.PHONY: dashboard
dashboard: $(STAMP) ## Browse results in a local web app on 127.0.0.1 (offline; open the printed URL with its token): make dashboard [PORT=8765]
	@"$(PY)" -m sim.dashboard --port "$$PORT"

.PHONY: test
test: $(STAMP) ## Run the test suite
	@"$(PY)" -m pytest

.PHONY: lint
lint: $(STAMP) ## Lint the code with ruff
	@"$(PY)" -m ruff check sim tests

.PHONY: overview
overview: $(STAMP) ## Headline outcomes of every scenario in one table and chart (runs what is stale)
	@"$(PY)" -m sim overview

.PHONY: explore
explore: $(STAMP) ## Which assumptions drive the answer: make explore SCENARIO=incapacity [METHOD=morris|sobol|lhs SAMPLES= REPLICATES= WEEKS=]
	@"$(PY)" -m sim explore "$$SCENARIO" --method "$$METHOD" $${SAMPLES:+--samples "$$SAMPLES"} \
	  $${REPLICATES:+--replicates "$$REPLICATES"} $${WEEKS:+--weeks "$$WEEKS"}

.PHONY: backtest
backtest: $(STAMP) ## Score the model on the 53 historical episodes, print the table and verdict, write results/backtest/ [PERTURB=n]
	@"$(PY)" -m sim backtest $${PERTURB:+--perturb "$$PERTURB"}

.PHONY: calibrate
calibrate: $(STAMP) ## Fit the model to the literature and the 53 episodes (three history-matching waves; QUICK=1 one), cross-validate, write sim/calibration/posterior.* [QUICK=1 POINTS= REPLICATES= WAVES=1|2|3 SCHEDULER=tcp://host:port]
	@"$(PY)" -m sim.analyses.inference $${QUICK:+--quick} $${POINTS:+--points "$$POINTS"} \
	  $${REPLICATES:+--replicates "$$REPLICATES"} $${WAVES:+--waves "$$WAVES"} \
	  $${SCHEDULER:+--scheduler "$$SCHEDULER"}

.PHONY: bench
bench: $(STAMP) ## Run the speed and memory benchmark, writes results/bench/bench.csv
	@"$(PY)" -m sim bench

.PHONY: lock
lock: $(STAMP) ## Re-resolve requirements.lock from pyproject.toml (keeps pins that still fit; UPGRADE=1 takes the newest)
	@"$(PY)" -m pip install --quiet "uv==$(UV_VERSION)"
	@$(VENV)/bin/uv pip compile pyproject.toml --extra dev --extra dask --universal \
	  --python-version $(PYTHON_MINOR) --generate-hashes --custom-compile-command "make lock" \
	  --quiet $${UPGRADE:+--upgrade} -o $(LOCK)

.PHONY: clean
clean: ## Remove generated results (keeps results/README.md)
	@find results -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
