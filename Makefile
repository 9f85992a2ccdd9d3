# Two commands matter: `make book` builds the site, `make test` runs every
# test. Both set up what they need first.
SHELL := /bin/bash
# $(call find_python,NAME): the first interpreter called NAME (or at the
# path NAME) that runs, on PATH or in pyenv's versions folder. Each one
# is tried because pyenv puts shims on PATH for versions it has but has
# not selected, and those shims only print an error.
PYENV_ROOT ?= $(HOME)/.pyenv
python_candidates = $$(command -v $(1) 2>/dev/null) \
  $(PYENV_ROOT)/versions/*/bin/$(1)
find_python = $(shell for c in $(call python_candidates,$(1)); do \
  "$$c" -c '' 2>/dev/null && { echo "$$c"; break; }; done)
# Python 3.11, 3.12 or 3.13 (see README: "Which Python"): by default the
# first of them found; `make setup PYTHON=python3.12` picks one.
# Without PYTHON=, an existing $(VENV) is used as it is. Both are looked
# up only when a recipe needs them (the $(eval) keeps the first answer),
# so that `make clean` or a set-up venv starts no interpreter.
PYTHON_GIVEN := $(filter-out undefined,$(origin PYTHON))
ifeq ($(origin PYTHON),undefined)
PYTHON = $(eval PYTHON := $(or $(call find_python,python3.11),\
  $(call find_python,python3.12),$(call find_python,python3.13),\
  python3.11))$(PYTHON)
endif
PYTHON_BIN = $(eval PYTHON_BIN := $(or $(call find_python,$(PYTHON)),\
  $(PYTHON)))$(PYTHON_BIN)
# the "3.12" of the Python that runs it
PYVER := 'import sys; print("%d.%d" % sys.version_info[:2])'
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# MXNet 1.9 assumes hyper-threading and uses half the cores unless told;
# on 2 cores, one OpenMP thread per core trains about 1.8x faster.
export OMP_NUM_THREADS ?= $(shell nproc)

.PHONY: setup data vendor book student course browser test test-py312 \
  test-platforms platform-tools test-container test-py314 test-arm64 lab \
  bench clean

# Create $(VENV) with $(PYTHON), install requirements.txt, make sure
# Fashion-MNIST is there. Every Python from 3.11 to 3.14 installs from
# wheels, no compiler: numpy 1.23.5 on 3.11, numpy 2 from 3.12 on
# (requirements-numpy.txt says why). MXNet 1.9.1's metadata asks for
# numpy<2, so uv (pinned in requirements-setup.txt) resolves
# requirements.txt with requirements-numpy.txt as overrides: one
# resolution, in which the numpy pin replaces MXNet's bound. A venv this
# recipe made is removed again if the install fails, so a rerun starts
# clean.
setup: $(STAMP) data

$(STAMP): requirements.txt requirements-numpy.txt requirements-setup.txt \
  pyproject.toml
	@[ -x $(BIN)/python -a -z "$(PYTHON_GIVEN)" ] || { \
	  v=$$($(PYTHON_BIN) -c $(PYVER) 2>/dev/null); case "$$v" in \
	  3.11|3.12|3.13|3.14) ;; \
	  *) echo "$(PYTHON) is $${v:+Python }$${v:-not a Python that runs}:" \
	    "this book needs Python 3.11, 3.12, 3.13 or 3.14. Set" \
	    "PYTHON=/path/to/python3.13, for instance."; exit 1;; esac; }
	@[ -z "$(PYTHON_GIVEN)" -o ! -x $(BIN)/python ] || \
	  [ "$$($(BIN)/python -c $(PYVER))" = \
	    "$$($(PYTHON_BIN) -c $(PYVER))" ] || { echo "$(VENV)" \
	  "was made with another Python than $(PYTHON): remove it" \
	  "(rm -rf $(VENV)) or choose another VENV=."; exit 1; }
	@made=; [ -x $(BIN)/python ] || { $(PYTHON_BIN) -m venv $(VENV) && \
	  made=1; } || { rm -rf $(VENV); echo "$(PYTHON) -m venv failed; on" \
	  "Debian/Ubuntu: apt-get install python3-venv"; exit 1; }; \
	set -x; { $(BIN)/python -m pip install --quiet --upgrade pip && \
	  $(BIN)/python -m pip install --quiet -r requirements-setup.txt && \
	  $(BIN)/uv pip install --python $(BIN)/python --quiet \
	    -r requirements.txt --overrides requirements-numpy.txt; } || { \
	  set +x; [ -z "$$made" ] || rm -rf $(VENV); echo "installing" \
	  "requirements.txt failed (the lines above say why)$${made:+;" \
	  "$(VENV) was removed}: fix that and run make setup again."; \
	  exit 1; }
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

# Lint with ruff (rules in pyproject.toml), then run every test on the
# smoke profile: the unit tests, every notebook (nbmake), the course
# cycle with the real nbgrader (release, run the student notebooks,
# autograde, feedback: nbtests/test_course.py), the site and the
# student site built and loaded in headless Chromium
# (nbtests/test_site.py), and the chapters run and their explorers driven
# in a real JupyterLab (nbtests/test_lab.py); then the second Python's
# pass (below), and the other platforms (the container image, Python
# 3.14, arm64: test-platforms, below). On a laptop that has not the
# tools for those and cannot install them, platform-tools says so in one
# sentence and they are left out; under CI=true that fails the run.
test: setup browser vendor
	$(BIN)/ruff check .
	CNNBOOK_PROFILE=smoke $(BIN)/python -m pytest nbtests --nbmake book \
	  --nbmake-timeout=600 -p no:cacheprovider
	$(MAKE) --no-print-directory test-py312
	@if [ "$$CI" != true ] && \
	  ! $(MAKE) --no-print-directory -s platform-tools; then \
	  echo "so make test leaves out the container, Python 3.14 and" \
	    "arm64 checks on this machine (CI runs them)."; \
	else $(MAKE) --no-print-directory test-platforms; fi

# ---- The second Python (3.12), run by `make test` ----
# The unit tests and every notebook (nbmake, smoke) once more on Python
# 3.12 and numpy 2.4.6 (the main pass, 3.11, has numpy 1.23.5):
# nbtests/test_parity.py compares the numbers this numpy 2 pass trains
# to with the numpy 1 pass's. In .venv312, made by `make setup` from the
# same requirements.txt,
# when the main pass ran another version and a Python 3.12 runs here
# (on PATH or in pyenv's versions folder). nbtests/test_site.py,
# nbtests/test_course.py, nbtests/test_lab.py, nbtests/test_hub.py and
# nbtests/test_new_chapter.py are left out: building
# the site, loading it in Chromium, nbgrader's release-and-grade cycle
# (alone and through a hub) and driving JupyterLab do not depend on the kernel's Python version
# (the notebooks themselves do, and nbmake runs them here), and the main
# pass has just done them all. A
# python3.12 that is present but does not run fails the pass.
test-py312:
	@main=$$($(BIN)/python -c $(PYVER)); \
	py312=$(call find_python,python3.12); \
	if [ "$$main" = 3.12 ]; then \
	  echo "the main pass ran Python 3.12: no second pass"; \
	elif [ -n "$$py312" ]; then \
	  set -ex; \
	  $(MAKE) --no-print-directory setup VENV=.venv312 PYTHON=$$py312; \
	  CNNBOOK_PROFILE=smoke .venv312/bin/python -m pytest nbtests \
	    --nbmake book --nbmake-timeout=600 -p no:cacheprovider \
	    --ignore=nbtests/test_site.py --ignore=nbtests/test_course.py \
	    --ignore=nbtests/test_lab.py --ignore=nbtests/test_new_chapter.py \
	    --ignore=nbtests/test_hub.py; \
	elif ls $(call python_candidates,python3.12) >/dev/null 2>&1; then \
	  echo "python3.12 is here ($$(ls $(call python_candidates,python3.12) \
	    2>/dev/null | tr '\n' ' ')) but does not run: repair it, or take" \
	    "it off PATH"; exit 1; \
	else \
	  echo "no Python 3.12 on this machine: the 3.12 pass is skipped"; \
	fi
# ---- end of the second Python ----

# ---- Other platforms, run by `make test` after the second Python ----
# The container image (test-container), Python 3.14 in Debian sid
# (test-py314, after the main pass: its parity test compares with the
# numpy 1 record) and MXNet's arm64 wheel under qemu (test-arm64); each
# is a make target of its own too. They need root or sudo (debootstrap,
# chroot, rootful podman): the tools are installed with apt-get, and a
# machine with neither the tools nor a way to install them gets one
# sentence and the target stops. Measured here, the three together:
# README, "Where to run it".
test-platforms: test-container test-py314 test-arm64

PLATFORM_TOOLS = buildah podman runc debootstrap qemu-user-static
platform-tools:
	@missing=$$(for t in buildah podman runc debootstrap \
	  qemu-aarch64-static; do command -v $$t >/dev/null || echo $$t; \
	  done); [ -z "$$missing" ] && exit 0; \
	{ command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] || \
	  sudo -n true 2>/dev/null; }; } || { echo "the container, Python" \
	  "3.14 and arm64 checks need" $$missing "and this machine cannot" \
	  "install them (no apt-get, or neither root nor sudo): on Debian" \
	  "or Ubuntu, sudo apt-get install $(PLATFORM_TOOLS)."; exit 1; }; \
	$(SUDO) apt-get install -y -q $(PLATFORM_TOOLS) || { \
	  $(SUDO) apt-get update -q && \
	  $(SUDO) apt-get install -y -q $(PLATFORM_TOOLS); }

# $(call debian_image,SUITE,NAME,PACKAGES): a minimal Debian SUITE made
# by debootstrap from Debian's archive (no image registry is reachable
# from CI) and imported into podman as NAME. The root is made in a
# temporary folder that is removed whether or not this worked.
DEBIAN_MIRROR ?= http://deb.debian.org/debian
debian_image = root=$$(mktemp -d) && trap '$(SUDO) rm -rf '$$root EXIT && \
  $(SUDO) debootstrap --variant=minbase $(if $(3),--include=$(3)) $(1) \
    $$root/fs $(DEBIAN_MIRROR) >/dev/null && \
  $(SUDO) rm -rf $$root/fs/var/cache/apt/archives/*.deb \
    $$root/fs/var/lib/apt/lists/* && \
  $(SUDO) tar -C $$root/fs -c . | $(SUDO) podman import - $(2) >/dev/null

# podman's settings (runc; no default ulimits): container/containers.conf.
# A proxy's CA bundle (SSL_CERT_FILE), where one is set, reaches pip and
# uv in a build or a run without being copied into an image.
export CONTAINERS_CONF := $(CURDIR)/container/containers.conf
CA_MOUNT = $(if $(SSL_CERT_FILE),--volume $(SSL_CERT_FILE):/run/ca.crt:ro)

# The container image (Containerfile). The base named on its FROM line is
# made by debootstrap under that exact name, so the file tested is the
# file a user builds; buildah builds it (--isolation chroot), removing
# its working container even when a step fails. Then
# nbtests/platform_container.py checks the image: its size, uid 1000
# jovyan, jupyterhub-singleuser, no compiler, every notebook (nbmake,
# smoke) passing inside, and JupyterLab answering with a token.
IMAGE ?= localhost/cnnbook:test
CONTAINER_BASE = $(shell sed -n 's/^FROM //p' Containerfile)
test-container: platform-tools setup
	@$(SUDO) podman image exists $(CONTAINER_BASE) || { \
	  $(call debian_image,trixie,$(CONTAINER_BASE)); }
	time $(SUDO) buildah bud --isolation chroot --layers=false \
	  --force-rm -f Containerfile -t $(IMAGE) $(CA_MOUNT) \
	  $(if $(SSL_CERT_FILE),--build-arg SSL_CERT_FILE=/run/ca.crt) .
	$(SUDO) env CNNBOOK_IMAGE=$(IMAGE) CONTAINERS_CONF=$(CONTAINERS_CONF) \
	  $(BIN)/python -m pytest nbtests/platform_container.py \
	  -p no:cacheprovider -v -rP --durations=0

# Python 3.14: the unit tests and every notebook (nbmake, smoke), as in
# the second pass, in a podman container made from a debootstrapped
# Debian sid (its python3.14 package), with the repository mounted and
# `make setup PYTHON=python3.14` into a venv inside the container. Also
# left out: nbtests/test_explorer_site.py and nbtests/test_hub.py, which
# drive Chromium or Node's proxy (not in this image; the main pass runs
# them). nbtests/test_parity.py compares its numbers with the main
# pass's numpy 1 run.
PY314_IMAGE ?= localhost/cnnbook-sid:py314
PY314_PACKAGES = python3.14,python3.14-venv,libgomp1,libquadmath0,make,$\
  ca-certificates,dataset-fashion-mnist
test-py314: platform-tools
	@$(SUDO) podman image exists $(PY314_IMAGE) || { \
	  $(call debian_image,sid,$(PY314_IMAGE),$(PY314_PACKAGES)); }
	$(SUDO) podman run --rm --network host --volume $(CURDIR):/book \
	  --workdir /book $(CA_MOUNT) $(if $(SSL_CERT_FILE),--env \
	  SSL_CERT_FILE=/run/ca.crt --env PIP_CERT=/run/ca.crt) --env CI \
	  --env OMP_NUM_THREADS $(PY314_IMAGE) sh -c 'set -ex; \
	  python3.14 --version; \
	  make --no-print-directory setup VENV=/opt/venv PYTHON=python3.14; \
	  CNNBOOK_PROFILE=smoke /opt/venv/bin/python -m pytest nbtests \
	    --nbmake book --nbmake-timeout=600 -p no:cacheprovider -q \
	    --ignore=nbtests/test_site.py --ignore=nbtests/test_course.py \
	    --ignore=nbtests/test_lab.py --ignore=nbtests/test_new_chapter.py \
	    --ignore=nbtests/test_explorer_site.py \
	    --ignore=nbtests/test_hub.py'

# arm64 (Apple Silicon in Docker or Podman, Linux aarch64): MXNet's
# aarch64 wheel under qemu-user emulation. debootstrap --foreign
# downloads Debian 13's arm64 Python, OpenBLAS and LAPACKE and unpacks
# them (dpkg-deb -x: their install scripts would need binfmt_misc, which
# these machines lack); uv installs requirements.txt there from aarch64
# wheels only, as the Containerfile does on arm64 (every pin has one);
# container/armpl-links gives MXNet the Arm Performance Libraries it
# links and does not ship, from Debian's OpenBLAS and LAPACKE (as the
# Containerfile does on arm64); then nbtests/platform_arm64.py runs the
# aarch64 Python through qemu-aarch64-static in a chroot: MXNet imports
# and a small NiN trains with a falling loss. The root is kept in
# $(ARM64_ROOT); a failed debootstrap leaves none.
ARM64_ROOT = _build/arm64
ARM64_PYTHON = python3.13
ARM64_PACKAGES = $(ARM64_PYTHON)-minimal,lib$(ARM64_PYTHON)-stdlib,$\
  libgomp1,libopenblas0-pthread,liblapacke
# the arm64 Python's own site folder, whose .pth files it reads (setuptools'
# distutils, which MXNet imports, is set up by one)
ARM64_SITE = $(ARM64_ROOT)/usr/local/lib/$(ARM64_PYTHON)/dist-packages
test-arm64: platform-tools setup
	@[ -x $(ARM64_ROOT)/usr/bin/$(ARM64_PYTHON) ] || { \
	  tmp=$(ARM64_ROOT).tmp; trap '$(SUDO) rm -rf '$$tmp EXIT; \
	  $(SUDO) rm -rf $$tmp && $(SUDO) debootstrap --arch=arm64 \
	    --foreign --variant=minbase --include=$(ARM64_PACKAGES) trixie \
	    $(CURDIR)/$$tmp $(DEBIAN_MIRROR) >/dev/null && \
	  for deb in $$tmp/var/cache/apt/archives/*.deb; do \
	    $(SUDO) dpkg-deb -x $$deb $$tmp || exit 1; done && \
	  $(SUDO) rm -rf $$tmp/var/cache/apt/archives/*.deb && \
	  $(SUDO) mv $$tmp $(ARM64_ROOT); }
	$(SUDO) cp $$(command -v qemu-aarch64-static) $(ARM64_ROOT)/usr/bin/
	$(SUDO) $(BIN)/uv pip install --quiet --target $(ARM64_SITE) \
	  --python-platform aarch64-manylinux_2_28 --python-version 3.13 \
	  --only-binary :all: -r requirements.txt \
	  --overrides requirements-numpy.txt
	$(SUDO) container/armpl-links $(ARM64_SITE)/mxnet \
	  /usr/lib/aarch64-linux-gnu
	$(SUDO) env CNNBOOK_ARM64_ROOT=$(ARM64_ROOT) \
	  CNNBOOK_ARM64_PYTHON=/usr/bin/$(ARM64_PYTHON) \
	  $(BIN)/python -m pytest nbtests/platform_arm64.py \
	  -p no:cacheprovider -v -rP --durations=0
# ---- end of the other platforms ----

# Open the notebooks in JupyterLab (as root, e.g. in a container,
# Jupyter refuses to start without --allow-root).
lab: setup
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) book

# The benchmark harness (benchmarks/run.py): throughput of the training
# loops, the data pipeline, time to accuracy per section, the smoke suite;
# then the channel explorers' update time (kernel, and site in Chromium)
# and the bytes they add to a page (benchmarks/widget_update.py). Writes
# benchmarks/results.{md,json,png}; QUICK=1 takes a few minutes and writes
# benchmarks/results-quick.* instead. Run nothing else meanwhile.
bench: setup browser
	$(BIN)/python benchmarks/run.py $(if $(QUICK),--quick)
	$(BIN)/python benchmarks/widget_update.py $(if $(QUICK),3)

# Remove the built site and the execution cache (keeps .venv).
clean:
	rm -rf _build js/node_modules
