# tracktwo: the two set-up commands are `make demo` and `make test`.
# Everything else here is what those two need, plus a few conveniences for developers.

VENV      := .venv
BIN       := $(VENV)/bin
# Debian 12 ships python3 = 3.11; prefer an explicit python3.11 when there is one.
PYTHON    ?= $(shell command -v python3.11 || command -v python3)
PIP       := $(BIN)/python -m pip
PIP_FLAGS := --quiet --disable-pip-version-check

.PHONY: demo test serve lint typecheck bench lock messages clean help

help:
	@echo "make demo   - install, create the SQLite database, seed the demo initiative, serve it on http://127.0.0.1:8000"
	@echo "make test   - install with the dev extras and run the whole test suite"
	@echo "make lint   - ruff, mypy and the layer contracts (import-linter)"
	@echo "make bench  - run the benchmarks in benchmarks/ (slow)"
	@echo "make lock   - re-resolve constraints.txt from pyproject.toml"
	@echo "make messages - extract every part's messages and update its catalogues (Babel)"

$(BIN)/python:
	scripts/bootstrap-venv.sh "$(PYTHON)" "$(VENV)"

# Stamps make re-installs happen only when the dependency declarations change.
$(VENV)/.installed-run: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -c constraints.txt -e ".[pdf]"
	@touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install $(PIP_FLAGS) -c constraints.txt -e ".[dev]"
	@touch $@ $(VENV)/.installed-run

demo: $(VENV)/.installed-run
	scripts/system-deps.sh demo
	$(BIN)/tracktwo demo

test: $(VENV)/.installed-dev
	scripts/system-deps.sh test
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/python -m tests.layers

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/opinion.py
	$(BIN)/python benchmarks/ism.py

lock: | $(BIN)/python
	$(PIP) install $(PIP_FLAGS) "pip-tools>=7.4,<8"
	$(BIN)/pip-compile --quiet --strip-extras --all-extras --no-emit-index-url --no-emit-find-links \
	    --output-file constraints.txt pyproject.toml
	# the project itself is not a constraint (the path would differ on every clone)
	sed -i '/^tracktwo @ /d' constraints.txt

# One message catalogue per part (docs/architecture.md, "Adding and translating a message"):
# the core's in common/locale (sources: common, web, kernel), each part's in its locale/.
EXTRACT := $(BIN)/pybabel extract -F babel.cfg --add-location=file --sort-by-file --omit-header \
	-c TRANSLATORS: --width=100
UPDATE  := $(BIN)/pybabel update -D tracktwo --width=100 --ignore-obsolete
CORE_LOCALE := src/tracktwo/common/locale

messages: $(VENV)/.installed-dev
	$(EXTRACT) -o $(CORE_LOCALE)/tracktwo.pot src/tracktwo/common src/tracktwo/web src/tracktwo/kernel
	$(UPDATE) -i $(CORE_LOCALE)/tracktwo.pot -d $(CORE_LOCALE)
	@for part in src/tracktwo/parts/*/; do \
	    [ -d "$$part/locale" ] || continue; \
	    echo "$$part"; \
	    $(EXTRACT) -o "$$part/locale/tracktwo.pot" "$$part" && \
	    $(UPDATE) -i "$$part/locale/tracktwo.pot" -d "$$part/locale" || exit 1; \
	done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
