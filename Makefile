# scaffolder: `make demo` generates a starter into ./demo-app and runs its demo; `make test` runs
# the whole suite (including every starter's own tests). Both set up .venv themselves.
#   TORCH    pip requirement for PyTorch handed to generated projects (a local CPU build here)
#   PYTHON   interpreter that creates .venv

PYTHON ?= python3
TORCH ?= torch==2.13.0
VENV := .venv
BIN := $(VENV)/bin
READY := $(VENV)/.ready
DEMO_DIR ?= demo-app
DEMO_ANSWERS ?= --defaults

.DEFAULT_GOAL := help
.PHONY: help install demo test lint bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 12

install: $(READY) ## set up .venv with scaffolder (editable) and its test tools

$(READY): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install -q uv
	$(BIN)/uv pip install --python $(BIN)/python -q -e ".[dev]"
	@touch $@

demo: $(READY) ## decide on the default answers, generate ./demo-app, run its `make demo`
	$(BIN)/scaffolder decide $(DEMO_ANSWERS)
	rm -rf $(DEMO_DIR)
	$(BIN)/scaffolder new $(DEMO_DIR) $(DEMO_ANSWERS) --no-git
	$(MAKE) -C $(DEMO_DIR) demo TORCH="$(TORCH)" VIRTUAL_ENV=

test: $(READY) ## run the test suite (renders every starter and runs its tests)
	TORCH="$(TORCH)" $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(READY) ## ruff lint and format checks over the package, tests, benchmarks and scripts
	$(BIN)/ruff check scaffolder tests bench scripts
	$(BIN)/ruff format --check scaffolder tests bench scripts

bench: $(READY) ## run the benchmarks and print their tables
	$(BIN)/python bench/bench_cli.py

clean: ## remove the virtual environment, caches and the demo project
	rm -rf $(VENV) .cache $(DEMO_DIR)
