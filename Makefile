# pixcodec — the commands in the README.
#   make demo     the main job: the CLI on bundled sample data
#   make test     every test (installs cmake/nasm/valgrind/cbindgen first when missing)
#   make fuzz     every fuzz target for FUZZ_SECONDS each (cargo-fuzz, libFuzzer)
#   make bench    benchmarks against the raw backends and the Python peers (not part of test;
#                 every benchmark lives in bench/, see bench/README.md)
#   make test-python / bench-python   the Python package (python/python.mk)
#   make install PREFIX=/usr/local   libpixcodec.so/.a, headers, pkg-config and CMake files (ffi/ffi.mk)

CARGO ?= cargo
PREFIX ?= /usr/local

.PHONY: all deps build test test-rust test-memcopy-release lint demo clean

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
# valgrind, installs (PREFIX; DESTDIR+LIBDIR) with pkg-config and CMake consumers, SONAME
# and exported-symbol checks; the core crate packaged and built as crates.io gets it; the
# Python package (wheel built into a venv, pytest); every fuzz target smoke-run on its seeds
# (fuzz/fuzz.mk).
test: export FFI_PROFILE = release
test: lint test-rust test-memcopy-release header-check test-c test-c-memcheck test-install publish-check test-python fuzz-smoke

# memcopy's store-order test in an optimised build: only there could LLVM fold the backward
# loop into a forward memcpy (src/memcopy.rs, bench/README.md "memcopy").
test-memcopy-release: deps
	$(CARGO) test --release -p pixcodec --lib memcopy

demo: deps
	./scripts/demo.sh

clean:
	$(CARGO) clean

include ffi/ffi.mk
include fuzz/fuzz.mk
include bench/bench.mk
include python/python.mk
