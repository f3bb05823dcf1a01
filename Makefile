# The two commands a fresh machine needs: `make demo` and `make test`;
# `make quick` is the loop to run while changing code.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test quick lint types contracts unit bench bench-smoke install clean screenshots translations package

# What `make quick` runs: everything but the `slow` tests (processes killed or restarted,
# load, fault matrix, fuzzing, long property runs) and the PostgreSQL half of the server
# tests. Add options with `make quick ARGS="-x -k lifecycle"`.
QUICK_PATHS := tests/unit tests/contract tests/server tests/gui
QUICK_MARKS := not slow and not postgres

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[server,dev]'
	@touch $(STAMP)

install: $(STAMP)

## Open the client against an embedded local pharmacy server with demo accounts.
demo: $(STAMP)
	$(BIN)/portal-client --demo

## Lint, types, layer contracts and the whole test suite.
test: $(STAMP) lint types contracts
	$(BIN)/python -m pytest

## The inner loop: domain, durable store, client, server (SQLite) and GUI tests, no slow ones.
quick: $(STAMP)
	$(BIN)/python -m pytest $(QUICK_PATHS) -m "$(QUICK_MARKS)" -q --durations=25 $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## mypy: strict over the packages, then a second, less strict run over tests/ and bench/.
types: $(STAMP)
	$(BIN)/mypy
	$(BIN)/mypy tests bench

contracts: $(STAMP)
	$(BIN)/lint-imports

## Catalogues: the code's strings into resources/translations/*.ts, then compiled to .qm
## (both committed; tests/gui/test_translations.py fails while they are stale).
translations: $(STAMP)
	$(BIN)/python packaging/translations.py

## The desktop client as a one-folder bundle: dist/portal-client/ (a .app too on macOS).
package: $(STAMP)
	$(BIN)/pyinstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
		packaging/portal_client.spec

## Every benchmark in bench/, repeated: bench/results/latest.json and a table (minutes).
bench: $(STAMP)
	$(BIN)/python -m bench.run_all

## Each benchmark once on small inputs (tests/bench runs the same inside `make test`).
bench-smoke: $(STAMP)
	$(BIN)/python -m bench.run_all --smoke

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build dist
