# make run: the whole system in the foreground (Ctrl-C stops it); make test: every test.
# Both first install what is missing into $(VENV).
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SERVICES := intake routing notification tracking gateway
export DATA_DIR ?= ./var
# The Procfile's commands (nameko, gunicorn) come from the virtual environment.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install run bench bench-queue bench-memory lighthouse lint test test-unit test-deploy test-docstore test-contract test-integration test-e2e clean $(addprefix run-,$(SERVICES))

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(INSTALLED)

# common/launcher.py: restarts a process that dies, stops them all on Ctrl-C, SIGTERM or hang-up,
# leaves none behind even when killed, and refuses a second run on the same DATA_DIR.
run: install
	@$(BIN)/python -m common.launcher

$(addprefix run-,$(SERVICES)): run-%: install
	@$(BIN)/python -m common.launcher $*

# Two workers for two cores: a third was no faster here (784 s against 705–790 s) and its load made
# the scaling test's RPC time out.
# --durations: the slowest tests at the end of every run, to keep CI within its 15 minutes.
test: install
	$(BIN)/python -m pytest -n 2 --dist loadfile --durations=25 tests

# Style, import order and likely bugs (ruff), then types (mypy): both read pyproject.toml.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# First the staff queue and its search with 100,000 applications stored (bench/staff_queue.py, the
# stores kept under $(DATA_DIR)/bench-queue and reused while the code that shapes them is the same;
# BENCH_QUEUE_ARGS='--no-http' to skip its HTTP part), then issue 20's measure of the whole system
# (bench/run.py: the ceilings, CPU per submission at 50/s, the carried rate; ~8 minutes, one report;
# bench/README.md); BENCH_ARGS='--seconds 20' for a quick look.
BENCH_QUEUE_ARGS ?=
bench: bench-queue
	$(BIN)/python bench/run.py $(BENCH_ARGS)

bench-queue: install
	$(BIN)/python bench/staff_queue.py --keep $(DATA_DIR)/bench-queue $(BENCH_QUEUE_ARGS)

# Memory under a steady load (bench/memory.py): 10 minutes by default; BENCH_ARGS='--minutes 2' to try it.
bench-memory: install
	$(BIN)/python bench/memory.py $(BENCH_ARGS)

# Lighthouse's four scores of the portal's pages (apply, track, help, privacy notice), mobile
# emulation, on Debian's Chromium against a system it starts (bench/lighthouse.py; Lighthouse from
# npm, pinned, installed under var/lighthouse/npm); fails below 95. LIGHTHOUSE_ARGS='--url http://…'
# measures a running gateway instead.
LIGHTHOUSE_ARGS ?=
lighthouse: install
	$(BIN)/python bench/lighthouse.py $(LIGHTHOUSE_ARGS)

test-unit test-deploy test-docstore test-contract test-integration test-e2e: test-%: install
	$(BIN)/python -m pytest tests/$*

clean:
	rm -rf $(VENV) $(DATA_DIR)
