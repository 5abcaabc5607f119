# Majlis: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: install run test screenshots messages bench clean

# Installs the lock, nothing else: every package pinned, every file checked against its
# hash (README, "Upgrading a dependency"). pip itself stays the one venv brings: an
# unpinned upgrade would run code the lock never saw.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# What the tests take from npm (axe-core, for the accessibility audit), from its lock with
# integrity hashes; nothing of it is served.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	touch $@

# No access log: daphne's would record every client's address.
run: install
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	@echo "Majlis is serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops it)"
	DJANGO_DEBUG=1 $(VENV)/bin/daphne --access-log /dev/null -b 127.0.0.1 -p $(PORT) config.asgi:application

test: install node_modules/.installed
	$(PY) -m pytest

screenshots: install
	$(PY) -m pytest tests/browser/test_screenshots.py --screenshots -q

# Rebuild the Arabic catalogue after changing strings (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages --locale ar --ignore '.venv/*' --ignore 'tests/*' --ignore 'bench/*'
	$(PY) manage.py makemessages --locale ar --domain djangojs --ignore '.venv/*' --ignore 'staticfiles/*'
	$(PY) manage.py compilemessages --locale ar --ignore '.venv/*'

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
