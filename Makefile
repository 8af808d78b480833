# Takas: the two commands a newcomer needs are `make run` and `make test`.
# Everything else here is what those two do, step by step, and a few helpers.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
PYBABEL := $(BIN)/pybabel
KEYWORDS := -k _ -k N_ -k gettext -k gettext_noop -k ngettext:1,2 -k pgettext:1c,2
# Locked dependencies (hashes included): what `make run`, `make test` and CI install.
# Regenerate with `make lock` after changing pyproject.toml's dependencies.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
LOCK_TARGET := --python-version 3.11 --python-platform x86_64-unknown-linux-gnu
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --quiet --generate-hashes $(LOCK_TARGET) \
	--index-url https://pypi.org/simple --custom-compile-command 'make lock'
PO_FILES := $(wildcard locales/*/LC_MESSAGES/messages.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test test-fast install install-dev lock i18n compile-i18n migrate sync lint typecheck pytest \
	pytest-postgres \
	clean console bench eval

## run: set everything up, then start the bot (polling with BOT_TOKEN, else the console)
run: install compile-i18n migrate sync
	$(PY) -m bot run

## console: the terminal console even when BOT_TOKEN is set
console: install compile-i18n migrate sync
	$(PY) -m bot console

## sync: load the partner feeds (FEEDS_FILE, else the bundled demo feeds); a failing feed
## is reported but does not stop `make run`
sync: install compile-i18n migrate
	-$(PY) -m bot sync --quiet

## test: the same set-up, then lint, type checks and the whole test suite on SQLite; then,
## when TEST_POSTGRES_URL names a server (see .ci/postgres.sh), every test that opens the
## database a second time on PostgreSQL
test: install-dev compile-i18n migrate lint typecheck pytest pytest-postgres

## test-fast: lint, type checks and the suite on SQLite without the `slow` system tests
## (tests/system/: real processes, kill tests, the cluster), for quick rounds while working
test-fast: install-dev compile-i18n lint typecheck
	env -u TEST_POSTGRES_URL $(BIN)/pytest $(PYTEST_ARGS) -m "not slow"

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

# Exactly the locked versions (pip refuses any file whose hash is not in the lock), then the
# project itself without resolving anything again.
$(VENV)/.installed: $(VENV)/.created $(LOCK) pyproject.toml
	$(PY) -m pip install --quiet --require-hashes -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed $(DEV_LOCK)
	$(PY) -m pip install --quiet --require-hashes -r $(DEV_LOCK)
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## lock: pin every runtime and dev dependency with hashes, for Python 3.11 on Linux x86_64.
## Existing pins are kept unless pyproject.toml needs otherwise; `make lock LOCK_FLAGS=--upgrade`
## moves everything to the newest allowed versions. Needs the package index, nothing else.
lock: install-dev
	$(UV_COMPILE) $(LOCK_FLAGS) -o $(LOCK)
	$(UV_COMPILE) $(LOCK_FLAGS) --extra dev -o $(DEV_LOCK)

%.mo: %.po
	$(PYBABEL) compile --statistics -i $< -o $@ 2>&1 | grep -v '^compiling' || true
	@test -f $@

compile-i18n: install $(MO_FILES)

## i18n: extract messages from the code, update every catalog, compile
i18n: install
	$(PYBABEL) extract -F pyproject.toml $(KEYWORDS) --add-comments=TRANSLATORS: \
		--sort-by-file --no-location --project=takas --copyright-holder=Takas \
		-o locales/messages.pot bot handlers catalog
	$(PYBABEL) update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching \
		--ignore-obsolete
	$(MAKE) compile-i18n

migrate: install compile-i18n
	$(PY) -m bot migrate

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

typecheck: install-dev
	$(BIN)/mypy

# Four test processes (pytest-xdist), each test file in one of them: most tests wait on
# sockets and timers, so four share two cores well.
PYTEST_WORKERS ?= 4
PYTEST_ARGS := -q -n $(PYTEST_WORKERS) --dist loadfile
# Bytecode is written even where the environment says not to: every `python -m bot` child
# the system tests start would otherwise compile the whole project again (~0.8 s CPU each).
unexport PYTHONDONTWRITEBYTECODE

pytest: install-dev compile-i18n
	env -u TEST_POSTGRES_URL $(BIN)/pytest $(PYTEST_ARGS)

pytest-postgres: install-dev compile-i18n
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== the tests that open the database, again on PostgreSQL =="; \
		$(BIN)/pytest $(PYTEST_ARGS) --database-tests-only; \
	else \
		echo "(TEST_POSTGRES_URL is not set: the PostgreSQL pass is skipped)"; \
	fi

## eval, bench: search quality on ../shared/eval/dev; speed and sync benchmarks
eval: install-dev
	$(PY) -m benchmarks.eval_search

bench: install-dev
	$(PY) -m benchmarks.bench_sync
	$(PY) -m benchmarks.bench_search

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
	find locales -name '*.mo' -delete
