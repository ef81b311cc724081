# Dauys: the two set-up commands are `make run` and `make test`.
PYTHON ?= python3
# A process started without DAUYS_CONFIG is production (wsgi.py); these targets run locally.
export DAUYS_CONFIG ?= development
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi

.PHONY: run test lint translations extract-messages migrate clean

$(BIN)/activate: requirements.txt requirements-dev.txt
	scripts/bootstrap.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(BIN)/activate

translations: $(BIN)/activate
	$(BIN)/pybabel compile -d app/translations 2>&1 | grep -v "^compiling" || true

## Run the platform with demo data on SQLite and the embedded Redis: http://127.0.0.1:5000
run: translations
	$(FLASK) db upgrade
	$(FLASK) seed --demo
	$(FLASK) run-all --host 127.0.0.1 --port 5000

## Run the whole test suite (SQLite + embedded Redis unless TEST_DATABASE_URL / TEST_REDIS_URL are set)
test: translations
	scripts/bootstrap.sh --browser
	$(BIN)/pytest $(PYTEST_ARGS)

## ruff, and the import contracts of pyproject.toml (arrows point down)
lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## Refresh the message catalogues after changing user-facing strings
extract-messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k _state_idp -o app/translations/messages.pot --no-location --sort-output -w 100 .
	$(BIN)/pybabel update -i app/translations/messages.pot -d app/translations --no-fuzzy-matching --ignore-obsolete -w 100

clean:
	rm -rf $(VENV) instance .pytest_cache
