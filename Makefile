# pixcodec — the commands in the README.
#   make demo     the main job: the CLI on bundled sample data
#   make test     every test (installs cmake/nasm/valgrind/cbindgen first when missing)
#   make fuzz     every fuzz target for FUZZ_SECONDS each (cargo-fuzz, libFuzzer)
#   make bench    benchmarks against the raw backends and the Python peers (not part of test)
#   make install PREFIX=/usr/local   libpixcodec.so/.a, headers, pkg-config file

CARGO ?= cargo
PREFIX ?= /usr/local

.PHONY: all deps build test test-rust lint demo clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(CARGO) build --release --workspace

# One package per call: the CLI's binary is also named `pixcodec`, and documenting both in
# one call makes two rustdoc jobs write target/doc/pixcodec/ at once (cargo#6313), which
# failed a fresh-clone CI run with "No such file or directory". The library goes last, so
# target/doc/pixcodec/ holds its pages.
lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p pixcodec-cli
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc --no-deps -p pixcodec

test-rust: deps
	$(CARGO) test --workspace

# Rust tests, then the C ABI: header drift, C/C++ tests and examples, the same under
# valgrind, an example built against an installed copy through pkg-config, and every fuzz
# target smoke-run on its seeds (fuzz/fuzz.mk).
test: lint test-rust header-check test-c test-c-memcheck test-install fuzz-smoke

demo: deps
	./scripts/demo.sh

clean:
	$(CARGO) clean

include ffi/ffi.mk
include fuzz/fuzz.mk
include bench/bench.mk
