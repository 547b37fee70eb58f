# The Python package (python/, issue 14), included by the top-level Makefile.
#   make test-python   build the abi3 extension into a venv (maturin develop, dev profile: it
#                      reuses the pixcodec build of `cargo test`) and run pytest python/tests
#   make bench-python  the Python rows of the benchmark (release build, peers installed in
#                      their own venv); see python/bench/README.md
# The venvs live under $(CARGO_TARGET_DIR) (or target/) and are made, with what
# python/requirements-test.txt lists, when missing; pip keeps its download cache in ~/.cache/pip.

PY_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
PY_VENV := $(PY_TARGET_DIR)/python-venv
PY_BENCH_VENV := $(PY_TARGET_DIR)/python-bench-venv
PYTHON3 ?= python3

.PHONY: test-python bench-python python-venv

$(PY_VENV)/.installed: python/requirements-test.txt
	$(PYTHON3) -c 'import sys; assert sys.version_info >= (3, 11), "pixcodec needs CPython 3.11+"'
	$(PYTHON3) -m venv $(PY_VENV)
	$(PY_VENV)/bin/python -m pip install -q -r python/requirements-test.txt
	touch $@

python-venv: $(PY_VENV)/.installed

test-python: deps $(PY_VENV)/.installed
	cd python && VIRTUAL_ENV=$(abspath $(PY_VENV)) $(abspath $(PY_VENV))/bin/maturin develop -q
	cd python && $(abspath $(PY_VENV))/bin/python -m pytest -q -p no:cacheprovider tests

$(PY_BENCH_VENV)/.installed: python/bench/requirements.txt
	$(PYTHON3) -m venv $(PY_BENCH_VENV)
	$(PY_BENCH_VENV)/bin/python -m pip install -q -r python/bench/requirements.txt
	touch $@

# A release wheel installed into the bench venv (not an editable install, which would share
# python/pixcodec/_pixcodec*.so with the test venv's debug build).
bench-python: deps $(PY_BENCH_VENV)/.installed
	rm -rf $(PY_TARGET_DIR)/python-wheels
	cd python && $(abspath $(PY_BENCH_VENV))/bin/maturin build -q --release -o $(abspath $(PY_TARGET_DIR))/python-wheels
	$(PY_BENCH_VENV)/bin/python -m pip install -q --force-reinstall --no-deps $(PY_TARGET_DIR)/python-wheels/*.whl
	$(CARGO) build --release -p pixcodec-python --example dataset_epoch
	$(PY_BENCH_VENV)/bin/python python/bench/bench.py --rust-dataset $(PY_TARGET_DIR)/release/examples/dataset_epoch \
	  --out $(PY_TARGET_DIR)/bench-python
