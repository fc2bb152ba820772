# Everything starts from nothing. `make demo` creates the virtual environment with the
# package and its runtime dependencies only; `make test` (and every other target) adds
# the pinned development tools to the same environment.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(CURDIR)/$(VENV)/bin
PIP    := $(BIN)/python -m pip install --quiet --disable-pip-version-check
RUNTIME_STAMP := $(VENV)/.runtime-stamp
STAMP  := $(VENV)/.installed-stamp
# The pinned tools come first on PATH for every recipe (generation included).
export PATH := $(BIN):$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
export NO_MKDOCS_2_WARNING := 1

.PHONY: venv demo test test-fast test-browser lint typecheck docs dist check-dist \
	check-generated generate bench bench-smoke test-floor clean

$(RUNTIME_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) --editable .
	@touch $@

$(STAMP): $(RUNTIME_STAMP) pyproject.toml
	$(PIP) --editable '.[dev]'
	@touch $@

venv: $(STAMP)

## The main job against the bundled emulator, over a real loopback socket (no dev tools).
demo: $(RUNTIME_STAMP)
	$(BIN)/python scripts/demo.py

## The whole suite: generated code up to date, lint, types, tests, docs site, packages,
## benchmark smoke run.
test: venv check-generated lint typecheck docs check-dist
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python scripts/bench.py --smoke

## The hosted-checkout journey in a real headless Chromium (Debian's `chromium`, driven by
## Playwright). Installs Playwright into the venv, and Chromium when it is missing and we
## are root; without a browser the test skips, saying how to get one.
CHROMIUM ?= /usr/bin/chromium
BROWSER_STAMP := $(VENV)/.browser-stamp
$(BROWSER_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --editable '.[dev,browser]'
	@touch $@

test-browser: $(BROWSER_STAMP)
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "installing Debian's chromium"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium \
			|| echo "could not install chromium: the browser test will skip"; \
	fi
	KWIKPAISA_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -rs -m browser tests/test_browser.py $(PYTEST_ARGS)

## The quick part of the suite (no subprocess batches, builds or property runs): seconds.
test-fast: venv
	$(BIN)/python -m pytest -q -p no:cacheprovider -m "not slow" $(PYTEST_ARGS)

## The documentation site, strictly (a broken link or anchor, or a heading marker stranded
## in the middle of a line, fails), into site/.
docs: venv
	$(BIN)/python scripts/check_headings.py README.md docs
	$(BIN)/mkdocs build --strict --quiet

## The wheel and sdist, into dist/.
dist: venv
	rm -rf dist
	$(BIN)/python -m build --outdir dist . > /dev/null

## Both packages, py.typed and the console script inside; twine's metadata check.
check-dist: dist
	$(BIN)/twine check --strict dist/*
	$(BIN)/python scripts/check_dist.py dist

lint: venv
	$(BIN)/ruff check --no-cache kwikpaisa tests scripts

typecheck: venv
	$(BIN)/mypy --strict --no-incremental kwikpaisa

## Regenerate generated/ from openapi.json + openapi.overlay.yaml with the pinned tools.
generate: venv
	scripts/generate.sh

check-generated: venv
	scripts/check_generated.sh

bench: venv
	$(BIN)/python scripts/bench.py $(BENCH_ARGS)

## The suite again with the oldest supported httpx, attrs and python-dateutil.
FLOOR_VENV := .venv-floor
$(FLOOR_VENV)/.installed-stamp: pyproject.toml scripts/floor-constraints.txt
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --editable '.[dev]'
	$(FLOOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r scripts/floor-constraints.txt
	@touch $@

test-floor: $(FLOOR_VENV)/.installed-stamp
	$(FLOOR_VENV)/bin/python -m pip check
	$(FLOOR_VENV)/bin/python -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) .venv-floor .pytest_cache .mypy_cache .hypothesis build dist site
