# The two set-up commands: `make run` (install, index seeds/, open the bot) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

$(BIN)/newsbot: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (set PYTHON=...)"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/newsbot

run: install
	-$(BIN)/newsbot index
	$(BIN)/newsbot run

test: install
	$(MAKE) test-only PY=$(BIN)/python

# The test command itself (CI calls this inside its own venv).
PY ?= python
test-only:
	$(PY) -m pytest

bench: install
	$(BIN)/python -m bench

.PHONY: install run test test-only bench
