# pixcodec — the commands in the README.
#   make demo    the main job on bundled sample data
#   make test    every test (installs cmake/nasm first when missing)

CARGO ?= cargo
PREFIX ?= /usr/local

.PHONY: all deps build test test-rust lint demo clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	$(CARGO) build --release --workspace

lint: deps
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: deps
	$(CARGO) test --workspace

test: lint test-rust

demo: deps
	./scripts/demo.sh

clean:
	$(CARGO) clean
