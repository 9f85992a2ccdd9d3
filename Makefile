# Two commands matter: `make book` builds the site, `make test` runs every
# test. Both set up what they need first.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# MXNet 1.9 assumes hyper-threading and uses half the cores unless told;
# on 2 cores, one OpenMP thread per core trains about 1.8x faster.
export OMP_NUM_THREADS ?= $(shell nproc)

.PHONY: setup data book test lab bench clean

# Create .venv, install requirements.txt, make sure Fashion-MNIST is there.
setup: $(STAMP) data

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), \
	  "Python 3.11 is needed (mxnet 1.9.1 + numpy 1.23.5); set PYTHON="' 
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || { \
	  echo "python3.11 -m venv failed; on Debian/Ubuntu:" \
	       "apt-get install python3.11-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

# Verify the data; install Debian's package if it is missing (root or
# sudo), else let the loader download it.
data: $(STAMP)
	@if ! $(BIN)/python -m cnnbook --where >/dev/null 2>&1 && \
	  command -v apt-get >/dev/null && \
	  { [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null; }; then \
	  $(SUDO) apt-get install -y -q dataset-fashion-mnist || { \
	    $(SUDO) apt-get update -q && \
	    $(SUDO) apt-get install -y -q dataset-fashion-mnist; }; \
	fi
	$(BIN)/python -m cnnbook

# Build the website into _build/html (notebooks run on CNNBOOK_PROFILE).
# jupyter-cache keys on the code alone, so a change of profile clears it.
book: setup
	@p=$$($(BIN)/python -c 'import cnnbook; print(cnnbook.active_profile())') \
	  && mkdir -p _build && if [ "$$(cat _build/.profile 2>/dev/null)" != "$$p" ]; \
	  then rm -rf _build/.jupyter_cache; echo "$$p" > _build/.profile; fi
	set -eo pipefail; $(BIN)/jupyter-book build . -W -n --keep-going

# Run the unit tests and every notebook (nbmake) on the smoke profile.
test: setup
	CNNBOOK_PROFILE=smoke $(BIN)/python -m pytest nbtests --nbmake book \
	  --nbmake-timeout=600 -p no:cacheprovider

# Open the notebooks in JupyterLab.
lab: setup
	$(BIN)/jupyter lab book

# Run the performance scripts in benchmarks/ and print their tables.
bench: setup
	cd benchmarks && for f in train_loop.py widget_update.py; do \
	  ../$(BIN)/python $$f || exit 1; done

# Remove the built site and the execution cache (keeps .venv).
clean:
	rm -rf _build
