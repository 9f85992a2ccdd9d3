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

.PHONY: setup data vendor book student course browser test lab bench clean

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

# Fetch, with npm and js/package-lock.json, the scripts the site serves
# itself (require.js, the widgets' HTML manager, MathJax), so that no
# page loads code from another host. They go to $(OFFLINE)/_static/vendor
# and reach the site through html_extra_path: Jupyter Book would add every
# .js file under a static path to every page.
OFFLINE := _build/offline
VENDOR := $(OFFLINE)/_static/vendor
NPM_LIB := js/node_modules
vendor: $(VENDOR)/.stamp
$(VENDOR)/.stamp: js/package.json js/package-lock.json js/widgets-offline.js
	@command -v npm >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null || { echo "npm is" \
	    "needed to fetch the site's scripts: apt-get install npm"; \
	    exit 1; }; \
	  $(SUDO) apt-get install -y -q npm || { \
	    $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q npm; }; }
	npm ci --prefix js --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/html-manager \
	  $(VENDOR)/mathjax/output/chtml/fonts $(VENDOR)/mathjax/input/tex
	cp js/widgets-offline.js $(NPM_LIB)/requirejs/require.js $(VENDOR)/
	cp $(NPM_LIB)/requirejs/package.json $(VENDOR)/requirejs.package.json
	cp $(NPM_LIB)/@jupyter-widgets/html-manager/dist/embed-amd.js \
	  $(NPM_LIB)/@jupyter-widgets/html-manager/dist/*.LICENSE.txt \
	  $(NPM_LIB)/@jupyter-widgets/html-manager/package.json \
	  $(NPM_LIB)/@jupyter-widgets/html-manager/dist/*.{woff,woff2,ttf,eot,svg} \
	  $(VENDOR)/html-manager/
	cp -r $(NPM_LIB)/mathjax/LICENSE $(NPM_LIB)/mathjax/package.json \
	  $(NPM_LIB)/mathjax/es5/tex-chtml.js $(VENDOR)/mathjax/
	cp -r $(NPM_LIB)/mathjax/es5/output/chtml/fonts/woff-v2 \
	  $(VENDOR)/mathjax/output/chtml/fonts/
	cp -r $(NPM_LIB)/mathjax/es5/input/tex/extensions $(VENDOR)/mathjax/input/tex/
	touch $@

# Build the website into $(OUT)/_build/html (notebooks run on
# CNNBOOK_PROFILE). jupyter-cache keys on a notebook's code alone, so
# `python -m cnnbook stamp` clears the cache when the profile or the
# cnnbook library changed. --all re-reads every page (cached notebooks
# execute nothing) so that the results page picks up fresh numbers.
OUT ?= .
book: setup vendor
	$(BIN)/python -m cnnbook stamp $(OUT)/_build
	set -eo pipefail; $(BIN)/jupyter-book build . --path-output $(OUT) \
	  -W -n --keep-going --all

# The course edition: the site without solutions in
# $(OUT)/_build/student/html, and notebooks without solution code in
# $(OUT)/_build/student/notebooks. Reuses the site's execution cache.
student: setup vendor
	$(BIN)/python -m cnnbook stamp $(OUT)/_build
	set -eo pipefail; $(BIN)/python -m cnnbook student $(OUT)/_build

# An nbgrader course folder in $(OUT)/_build/course: nbgrader_config.py,
# the chapters as assignments, their releases and the gradebook
# (book/instructors.md walks through the rest).
course: setup
	$(BIN)/python -m cnnbook course $(OUT)/_build/course

# Debian's Chromium for the browser tests (as root or with sudo).
browser:
	@command -v chromium >/dev/null || { \
	  [ "$$(id -u)" = 0 ] || sudo -n true 2>/dev/null || { echo \
	    "the browser tests need Chromium: apt-get install chromium"; \
	    exit 1; }; \
	  $(SUDO) apt-get install -y -q chromium || { \
	    $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }; }

# Run every test on the smoke profile: the unit tests, every notebook
# (nbmake), the course cycle with the real nbgrader (release, run the
# student notebooks, autograde, feedback: nbtests/test_course.py), and the
# site and the student site built and loaded in headless Chromium
# (nbtests/test_site.py).
test: setup browser
	CNNBOOK_PROFILE=smoke $(BIN)/python -m pytest nbtests --nbmake book \
	  --nbmake-timeout=600 -p no:cacheprovider

# Open the notebooks in JupyterLab.
lab: setup
	$(BIN)/jupyter lab book

# The benchmark harness (benchmarks/run.py): throughput of the training
# loops, the data pipeline, time to accuracy per section, the smoke suite;
# then the channel explorers' update time. Writes
# benchmarks/results.{md,json,png}; QUICK=1 takes a few minutes and writes
# benchmarks/results-quick.* instead. Run nothing else meanwhile.
bench: setup
	$(BIN)/python benchmarks/run.py $(if $(QUICK),--quick)
	$(BIN)/python benchmarks/widget_update.py $(if $(QUICK),3)

# Remove the built site and the execution cache (keeps .venv).
clean:
	rm -rf _build js/node_modules
