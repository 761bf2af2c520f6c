# Two commands for a fresh clone: `make run` and `make test`.
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py

.PHONY: run test test-browser lint format messages setup clean bench

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed.")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: setup
	$(MANAGE) migrate --noinput
	$(MANAGE) load_counties
	$(MANAGE) load_demo
	PORTAL_BASE_URL=$${PORTAL_BASE_URL:-http://127.0.0.1:$(PORT)} $(MANAGE) runserver 127.0.0.1:$(PORT)

# One worker per core, each with its own test database; a file's tests stay together.
test: setup
	$(BIN)/pytest -n auto --dist loadfile

test-browser: setup
	$(BIN)/pytest -m browser

# Load test on generated data in its own PostgreSQL database (created if missing, then kept):
# gunicorn with production settings, wrk against each public page beside a bare view.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/portal_bench
BENCH_PROGRAMMES ?= 10000
bench: setup
	psql "$(dir $(BENCH_DB))postgres" -tAc "SELECT 1 FROM pg_database WHERE datname='$(notdir $(BENCH_DB))'" | grep -q 1 \
		|| psql "$(dir $(BENCH_DB))postgres" -c "CREATE DATABASE $(notdir $(BENCH_DB))"
	DATABASE_URL=$(BENCH_DB) $(MANAGE) migrate --noinput -v0
	DATABASE_URL=$(BENCH_DB) $(MANAGE) load_counties
	DATABASE_URL=$(BENCH_DB) $(MANAGE) generate_programmes --count $(BENCH_PROGRAMMES) --if-different
	DATABASE_URL=$(BENCH_DB) $(MANAGE) update_neighbours
	DATABASE_URL=$(BENCH_DB) $(MANAGE) bench_http

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Re-extract the German catalogue after changing strings, then translate what is new.
messages: setup
	$(MANAGE) makemessages --locale de --no-obsolete --add-location file --ignore '.venv/*' --ignore 'node_modules/*'
	$(MANAGE) compilemessages --locale de --ignore '.venv/*' --ignore 'node_modules/*'

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles
