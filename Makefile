# Lượt — the two commands of the README, and a few helpers.
.PHONY: demo test test-long setup setup-test lint translations serve bench clean

PY := .venv/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000

## demo: set everything up, seed the demo ward (SQLite) and serve it with a simulated day
demo: setup
	.venv/bin/luot demo --simulate --host $(HOST) --port $(PORT)

## test: set everything up, then lint and type-check beside running every test (three workers on two
## cores: most tests wait on a browser, a server process or a socket; each takes the next test when free).
## Fails when either fails.
test: setup-test
	@$(MAKE) --no-print-directory lint & lint=$$!; \
	$(PY) -m pytest -n 3 --dist worksteal; tests=$$?; \
	wait $$lint && exit $$tests

## test-long: the long tier (tests/long): outages of several minutes, a site box's and a kiosk's (≈ 5 min)
test-long: setup-test
	$(PY) -m pytest -n 2 -m long tests/long

setup:
	scripts/setup

setup-test:
	scripts/setup --test

## lint: ruff, ruff format, mypy and ESLint (the front ends' ES modules)
lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	node_modules/.bin/eslint .

## translations: extract messages, merge them into the catalogs, compile them
translations:
	.venv/bin/pybabel extract -F babel.cfg -k N_ -k lazy_gettext -k _l -k _lp:1c,2 -k lazy_pgettext:1c,2 --no-location --sort-output --omit-header -o server/translations/messages.pot .
	.venv/bin/pybabel update -i server/translations/messages.pot -d server/translations -l vi --width 110 --ignore-obsolete --no-fuzzy-matching
	.venv/bin/pybabel compile -d server/translations

## bench: every benchmark (ticket issue, call → display, connections, soak); prints JSON, writes docs/performance.md
bench: setup-test
	$(PY) -m bench

serve: setup
	.venv/bin/luot serve --host $(HOST) --port $(PORT)

clean:
	rm -rf .venv node_modules .pytest_cache .mypy_cache .ruff_cache
