# The Python package (python/, issue 14), included by the top-level Makefile.
#   make test-python   build the abi3 extension into a venv (maturin develop, dev profile: it
#                      reuses the pixcodec build of `cargo test`) and run pytest python/tests
#   make bench-python  the Python section of `make bench` alone (release wheel installed into
#                      the bench venv target/bench/venv); see python/bench/README.md
# The test venv lives under $(CARGO_TARGET_DIR) (or target/) and is made, with what
# python/requirements-test.txt lists, when missing; pip keeps its download cache in ~/.cache/pip.

PY_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
PY_VENV := $(PY_TARGET_DIR)/python-venv
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

# The Python section of `make bench` (python/bench/bench.py; bench/bench.mk's `bench` runs it):
# a release wheel built by maturin from the bench venv (target/bench/venv, which has the peers,
# TensorFlow and Keras) and installed into it (not an editable install, which would share
# python/pixcodec/_pixcodec*.so with the test venv's debug build), the Rust API example, then
# bench.py, which writes $(BENCH_DIR)/rows-python.json (rows and target rows for bench/report.py).
# The dataset rows read the ML rows' 1000 JPEGs ($(BENCH_DIR)/ml_dataset, made by `make bench`'s
# ML step before this one); alone, bench.py makes files by the same recipe from the corpus photos.
# BENCH_PY_ROUNDS: rounds per case (rows: each tool's best round; targets: the median of the
# ratios within a round); BENCH_BUDGET (seconds per tool and round, default 1.0) as for the
# rest of `make bench`.
BENCH_PY_ROUNDS ?= 5
define BENCH_PYTHON
rm -rf $(PY_TARGET_DIR)/python-wheels
cd python && $(abspath $(BENCH_VENV))/bin/maturin build -q --release -o $(abspath $(PY_TARGET_DIR))/python-wheels
$(BENCH_PY) -m pip install -q --force-reinstall --no-deps $(PY_TARGET_DIR)/python-wheels/*.whl
$(CARGO) build --release -p pixcodec-python --example dataset_epoch
$(BENCH_PY) python/bench/bench.py --rust $(PY_TARGET_DIR)/release/examples/dataset_epoch \
  --rows $(BENCH_DIR)/rows-python.json --work $(BENCH_DIR)/python --rounds $(BENCH_PY_ROUNDS) \
  --dataset $(BENCH_DIR)/ml_dataset --corpus $(BENCH_CORPUS)
endef

# The Python section alone; regenerates target/bench/report.md with whatever other rows are there.
bench-python: deps bench-venv
	@mkdir -p $(BENCH_DIR)
	rm -f $(BENCH_DIR)/rows-python.json
	$(BENCH_PYTHON)
	$(BENCH_PY) bench/report.py $(BENCH_DIR)
	@echo "wrote $(BENCH_DIR)/rows-python.json, $(BENCH_DIR)/report.md and $(BENCH_DIR)/report.json"
