# Two commands do all the set-up: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# Debian packages WeasyPrint needs at run time (Pango and HarfBuzz), and the fonts the
# documents use: DejaVu for Latin, Greek, Cyrillic, Arabic and Hebrew; Noto for emoji.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
	fonts-dejavu-core fonts-noto-color-emoji
# What the tests add: Chromium opens the HTML (and chromedriver drives it through the
# archive), poppler renders PDF pages for a look.
TEST_PACKAGES := chromium chromium-driver poppler-utils

.PHONY: run test test-busy test-profile check lint format bench system test-system apt clean

run: $(STAMP)
	$(BIN)/advisory validate
	$(BIN)/advisory rate --as-of 2018-06-26
	@echo "Publishing the week of the June 24, 2018 VRAEM clash (2018-W25), as cron would:"
	$(BIN)/advisory weekly --week 2018-W25 --send --dry-run

PYTEST := $(BIN)/pytest -n auto --dist loadfile

test: $(STAMP) check test-system
	$(PYTEST)

# The suite beside two busy loops per core: it must pass, only slower (tests/README.md).
test-busy: $(STAMP) check test-system
	bash tests/busy.sh $(PYTEST)

# The suite with the 25 tests and files that cost the most CPU time.
test-profile: $(STAMP) test-system
	$(PYTEST) --cpu-report 25

check: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable '.[test,bench]'
	$(BIN)/python benchmarks/run.py

$(STAMP): pyproject.toml | system
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "advisory needs Python 3.11 or newer: set PYTHON=/path/to/python3.11"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# System packages: installed with apt-get where we run as root (as CI does), otherwise
# named in one line.
system:
	@$(MAKE) --no-print-directory apt PACKAGES="$(SYSTEM_PACKAGES)" WHAT="WeasyPrint" REQUIRED=1

test-system:
	@$(MAKE) --no-print-directory apt PACKAGES="$(TEST_PACKAGES)" WHAT="the browser tests" REQUIRED=0

apt:
	@missing=$$(for p in $(PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing system packages for $(WHAT): $$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null \
				|| { [ "$(REQUIRED)" = 0 ] && echo "Could not install $$missing; $(WHAT) will be skipped"; }; \
		elif ! command -v dpkg-query >/dev/null; then \
			echo "Not a Debian system: install the equivalents of $$missing for $(WHAT)"; \
		elif [ "$(REQUIRED)" = 1 ]; then \
			echo "Missing system packages for $(WHAT); install them with: sudo apt-get install $$missing"; exit 1; \
		else \
			echo "Missing system packages for $(WHAT), which will be skipped: sudo apt-get install $$missing"; \
		fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
