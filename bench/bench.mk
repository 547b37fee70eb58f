# `make bench`: pixcodec (Rust API, C ABI), the raw backend crates and the Python peers on the
# same inputs in one run; writes target/bench/report.md and report.json. Included by the
# top-level Makefile. Not part of `make test`. Knobs: BENCH_BUDGET (seconds per case and tool,
# default 1.0), BENCH_ONLY (jpeg|png|tiff), BENCH_QUICK=1 (no 4000x3000 inputs),
# BENCH_ROUNDS (default 2): case by case (bench/rounds.py), the Rust, C ABI and peer drivers time
# the case that many times each, back to back, the order of the three reversed every other round
# so no tool always runs first; the report keeps each tool's best round per case.
# `make bench-ml` runs only the ML loader's rows (issue 5) and regenerates the report;
# `make bench-python` only the Python section (python/python.mk, python/bench/README.md).

BENCH_DIR := target/bench
BENCH_VENV := $(BENCH_DIR)/venv
BENCH_PY := $(BENCH_VENV)/bin/python
BENCH_CORPUS ?= $(or $(PIXCODEC_CORPUS),../shared/corpus)
BENCH_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
BENCH_ROUNDS ?= 2

.PHONY: bench bench-venv bench-ml

# tensorflow-cpu and keras (~600 MB) give Keras' own image_dataset_from_directory, the reference
# of the ML rows; only if their install fails are those rows skipped, with a note in the report.
$(BENCH_VENV)/.installed: bench/requirements.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install -q --upgrade pip
	$(BENCH_VENV)/bin/pip install -q -r bench/requirements.txt
	$(BENCH_VENV)/bin/pip install -q tensorflow-cpu keras || echo "note: tensorflow-cpu/keras did not install; the ML report has no Keras rows"
	touch $@

bench-venv: $(BENCH_VENV)/.installed

# ML loader (issue 5): bench/rust/ml.rs makes its inputs once (the dataset in $(BENCH_DIR)/ml_dataset)
# and times pixcodec; bench/ml_peers.py times the Python peers and adds the target rows.
define BENCH_ML
$(CARGO) bench --bench ml -- $(abspath $(BENCH_CORPUS)) $(abspath $(BENCH_DIR)) $(abspath $(BENCH_DIR))/ml-rust.json
$(CARGO) build --release -p pixcodec-cli
$(BENCH_PY) bench/ml_peers.py $(BENCH_DIR)/ml-rust.json $(BENCH_DIR)/rows-ml.json $(BENCH_TARGET_DIR)/release/pixcodec
endef

bench-ml: deps bench-venv
	@mkdir -p $(BENCH_DIR)
	rm -f $(BENCH_DIR)/rows-ml.json $(BENCH_DIR)/ml-rust.json
	$(BENCH_ML)
	$(BENCH_PY) bench/report.py $(BENCH_DIR)
	@echo "wrote $(BENCH_DIR)/rows-ml.json, $(BENCH_DIR)/report.md and $(BENCH_DIR)/report.json"

bench: deps bench-venv
	@mkdir -p $(BENCH_DIR)
	rm -f $(BENCH_DIR)/rows-*.json $(BENCH_DIR)/peak.json $(BENCH_DIR)/alloc.txt
	$(BENCH_PY) bench/prepare.py $(BENCH_CORPUS) $(BENCH_DIR)/inputs
	$(CARGO) build --release -p pixcodec-ffi
	ln -sf libpixcodec.so $(BENCH_TARGET_DIR)/release/$(FFI_SONAME) # the SONAME the program loads (ffi/build.rs)
	cc -O2 -std=c99 -Wall -Iinclude bench/c_abi_bench.c -o $(BENCH_DIR)/c_abi_bench \
	  -L$(BENCH_TARGET_DIR)/release -lpixcodec -Wl,-rpath,$(abspath $(BENCH_TARGET_DIR))/release -lpthread -lm
	$(CARGO) bench --bench report --no-run --message-format=json > $(BENCH_DIR)/report-build.json
	$(BENCH_PY) bench/rounds.py $(BENCH_DIR)/inputs/manifest.json $(BENCH_ROUNDS) $(BENCH_DIR) \
	  $(BENCH_DIR)/report-build.json $(BENCH_DIR)/c_abi_bench
	if [ -f $(BENCH_DIR)/inputs/rgb8_4000x3000.jpg ]; then \
	  $(CARGO) bench --bench report -- --peak-rss $(abspath $(BENCH_DIR))/inputs/rgb8_4000x3000.jpg > $(BENCH_DIR)/peak.json; fi
	$(BENCH_ML)
	$(BENCH_PYTHON)
	if $(CARGO) test --release --test alloc >$(BENCH_DIR)/alloc.log 2>&1; then echo ok; else echo failed; fi > $(BENCH_DIR)/alloc.txt
	$(BENCH_PY) bench/report.py $(BENCH_DIR)
	@echo "wrote $(BENCH_DIR)/report.md and $(BENCH_DIR)/report.json"
