# rnn-playground: `make site` builds the book, `make test` runs every test, `make ci` runs what CI runs.
# All of them create .venv from requirements.txt first when it is missing or outdated.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8000

SPHINXOPTS ?=
BUILDDIR   := _build

# Keras' other two backends, JAX and PyTorch (requirements-backends.txt), live in .venv too: the
# chapter "One layer, three backends" runs each backend in a subprocess of .venv's Python, and
# tests/backends and tests/torch need them. PyTorch's CPU-only wheel comes from PyTorch's index
# (PyPI's Linux wheel needs about 2.9 GB of CUDA packages).
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu

.PHONY: help venv site sites site-onednn-off site-onednn-on test test-package test-book ci-tests-without-site ci-browser ci-other-backends ci-published ci-unpublished test-torch test-backends lint format serve bench ci clean

help:
	@echo "make site          build the book into $(BUILDDIR)/html (executes every page; warnings are errors)"
	@echo "make sites         build it twice, with TensorFlow's oneDNN off and on (what CI checks)"
	@echo "make test          run the whole test suite (test-package and test-book)"
	@echo "make test-package  the package against Keras and TensorFlow (tests/package)"
	@echo "make test-book     the book's machinery on throw-away sites, and the built site in a browser (tests/book)"
	@echo "make test-torch    the weight layouts against PyTorch (tests/torch)"
	@echo "make test-backends the package against Keras on TensorFlow, JAX and PyTorch, one process each (tests/backends)"
	@echo "make lint          ruff (lint + format check), shellcheck, actionlint and zizmor"
	@echo "make format        apply ruff's formatting and fixes"
	@echo "make serve         preview $(BUILDDIR)/html on http://$(HOST):$(PORT)"
	@echo "make bench         benchmarks against Keras (not part of make test)"
	@echo "make ci            what CI runs: lint; then two lanes side by side: the oneDNN-on site and its browser checks (required); the tests that need no site, the oneDNN-off site, test-torch and test-backends"
	@echo "make clean         remove $(BUILDDIR) (the venv stays)"

# The venv is rebuilt when a requirements file or pyproject.toml is newer than the stamp.
# requirements-backends.txt: torch first and alone (--no-deps), with PyTorch's index as an extra
# index: nothing else is looked up there (a name on two indexes is how dependency confusion
# happens). --retries 1: where that index cannot be reached at all, pip gives up on it within a
# second or two and uses the wheel the other indexes or PIP_FIND_LINKS offer. Then JAX and
# torch's own dependencies from the usual index. --no-compile: byte-compiling every module of
# torch and jaxlib at install costs about 30 s of CPU; Python compiles the few a run imports.
$(STAMP): requirements.txt requirements-backends.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python >= 3.11 is needed, found " + sys.version.split()[0])'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --disable-pip-version-check -q -r requirements.txt
	grep -E '^torch[ =<>!~;]' requirements-backends.txt > $(VENV)/torch-only.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-compile --retries 1 --no-deps --extra-index-url $(TORCH_INDEX) -r $(VENV)/torch-only.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-compile -r requirements-backends.txt
	$(PY) -m pip install --disable-pip-version-check -q --no-deps -e .
	touch $@

venv: $(STAMP)

# MathJax for the site, from package-lock.json (docs/_ext/local_mathjax.py copies the files the pages load).
NODE_STAMP := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "make site needs npm to install MathJax: install Node.js and npm (apt-get install npm, or https://nodejs.org), then run make site again" >&2; exit 1; }
	npm ci --no-audit --no-fund
	touch $@

# Sphinx does not read an unchanged page again, nor repeat its warnings: after a failed build the
# next one would pass with the same problems. A failure therefore removes the saved environment,
# and the next build reads every page again (outputs come from the execution cache: seconds).
site: $(STAMP) $(NODE_STAMP)
	$(PY) -m sphinx -b html -W --keep-going -n -c . $(SPHINXOPTS) docs $(BUILDDIR)/html \
		|| { rm -f $(BUILDDIR)/html/.doctrees/environment.pickle; exit 1; }

# Every page must be true with TensorFlow's oneDNN off and on (float32 matrix products take another
# path, and their last bits change). The oneDNN-on build, in $(BUILDDIR)/html, is the one published
# and checked in the browser; the oneDNN-off one goes to $(BUILDDIR)/onednn-off/html.
# `make sites` builds them one after the other; `make ci` builds each in a lane of its own.
sites:
	$(MAKE) --no-print-directory site-onednn-off
	$(MAKE) --no-print-directory site-onednn-on

site-onednn-off:
	TF_ENABLE_ONEDNN_OPTS=0 $(MAKE) --no-print-directory site BUILDDIR=$(BUILDDIR)/onednn-off

site-onednn-on:
	TF_ENABLE_ONEDNN_OPTS=1 $(MAKE) --no-print-directory site

test: $(STAMP)
	$(PY) -m pytest $(PYTEST_ARGS)

test-package: $(STAMP)
	$(PY) -m pytest tests/package $(PYTEST_ARGS)

test-book: $(STAMP)
	$(PY) -m pytest tests/book $(PYTEST_ARGS)

test-torch: $(STAMP)
	$(PY) -m pytest tests/torch $(PYTEST_ARGS)

# Keras reads KERAS_BACKEND when it is first imported: one process per backend. JAX computes in
# float64 only with x64 enabled.
test-backends: $(STAMP)
	KERAS_BACKEND=tensorflow $(PY) -m pytest tests/backends $(PYTEST_ARGS)
	KERAS_BACKEND=jax JAX_ENABLE_X64=1 $(PY) -m pytest tests/backends $(PYTEST_ARGS)
	KERAS_BACKEND=torch $(PY) -m pytest tests/backends $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/bench_rnn.py

# actionlint runs shellcheck on every `run:` script (and would silently skip that without it).
# zizmor runs offline at its default policy; --strict-collection fails on a workflow it cannot parse.
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@command -v shellcheck >/dev/null || { echo "make lint needs shellcheck: apt-get install shellcheck"; exit 1; }
	shellcheck .ci/run
	$(VENV)/bin/actionlint .github/workflows/*.yml
	$(VENV)/bin/zizmor --offline --strict-collection --quiet .github

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

serve:
	@test -f $(BUILDDIR)/html/index.html || { echo "no site yet: run 'make site' first"; exit 1; }
	$(PYTHON) -m http.server --bind $(HOST) --directory $(BUILDDIR)/html $(PORT)

# What CI runs, defined once: .ci/run calls it on a fresh machine, and the workflow's jobs call its
# parts (lint, test-package, test-torch and test-backends; sites and test-book).
# On two cores CI runs two lanes side by side, each keeping about one core busy (measured on
# 2026-12-07; README.md, "Time budgets"):
# - ci-published: the published book (oneDNN on, $(BUILDDIR)/html), then the browser checks of it,
#   the only tests that need a built site;
# - ci-unpublished: the tests that need no built site (the package; the book's machinery on
#   throw-away sites), then the book with oneDNN off ($(BUILDDIR)/onednn-off, checked by its strict
#   build alone), then PyTorch's tests and the three backends' tests (ci-other-backends).
# npm ci runs before the lanes, which both use node_modules. --output-sync=target prints each
# step's output whole when it ends. The build's timings (the chapter "Making it fast") are then
# measured on a shared machine; they are shown, never asserted.
ci: lint $(NODE_STAMP)
	$(MAKE) --no-print-directory -j2 --output-sync=target ci-published ci-unpublished

ci-published: $(STAMP) $(NODE_STAMP)
	$(MAKE) --no-print-directory site-onednn-on
	$(MAKE) --no-print-directory ci-browser

ci-unpublished: $(STAMP) $(NODE_STAMP)
	$(MAKE) --no-print-directory ci-tests-without-site
	$(MAKE) --no-print-directory site-onednn-off
	$(MAKE) --no-print-directory ci-other-backends

ci-tests-without-site: $(STAMP)
	$(PY) -m pytest tests/package tests/book -m "not browser" $(PYTEST_ARGS)

ci-other-backends: $(STAMP)
	$(MAKE) --no-print-directory test-torch
	$(MAKE) --no-print-directory test-backends

ci-browser: $(STAMP)
	RNN_PLAYGROUND_REQUIRE_BROWSER=1 $(PY) -m pytest tests/book -m browser $(PYTEST_ARGS)

clean:
	rm -rf $(BUILDDIR)
