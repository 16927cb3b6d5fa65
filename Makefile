# desk_app — everything runs from a project-local virtual environment (.venv).
#   make run     install what is needed, fill a demo database, open the app
#   make test    install what tests need, run ruff, the import contracts and pytest
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DB ?= sqlite:///$(CURDIR)/var/demo.db
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test lint unit translations bundle perf clean

$(STAMP): pyproject.toml requirements/constraints.txt scripts/system-deps.sh
	scripts/system-deps.sh base
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	touch $@

translations: $(STAMP)
	$(BIN)/python -m desk_app.tools.i18n compile

run: $(STAMP) translations
	scripts/system-deps.sh gui
	@mkdir -p var
	$(BIN)/desk-app --db $(DEMO_DB) demo --if-empty
	$(BIN)/desk-app --db $(DEMO_DB)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	$(BIN)/mypy

test: $(STAMP) translations
	scripts/system-deps.sh test
	$(MAKE) --no-print-directory lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

perf: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest tests/perf -s -p no:randomly

bundle: $(STAMP) translations
	$(BIN)/python -m pip install --quiet -c requirements/constraints.txt pyinstaller
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN build.spec
	scripts/smoke-bundle.sh dist/desk_app/desk_app

clean:
	rm -rf $(VENV) var build dist
