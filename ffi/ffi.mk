# C ABI targets, included by the top-level Makefile (paths relative to the repo root).
#
#   make cbindgen          install the pinned cbindgen when missing or a different version
#   make header            regenerate include/pixcodec.h
#   make header-check      fail when the committed header differs from a fresh generation
#   make test-c            build libpixcodec (release, feature "testing"), compile and run every
#                          C/C++ test and example, compile the header alone (C99, C++17) and twice
#   make test-c-memcheck   run the C and C++ test programs under valgrind: zero errors, zero leaks
#   make install PREFIX=…  install lib/libpixcodec.{so,a}, include/pixcodec.h{,pp}, pkg-config file
#   make test-install      install into a temporary prefix and build + run an example through pkg-config

CARGO ?= cargo
PREFIX ?= /usr/local
CBINDGEN ?= cbindgen
CBINDGEN_VERSION := 0.29.4
VALGRIND ?= valgrind

FFI_LIBDIR := target/release
FFI_OUT := target/ffi-c
FFI_SO := $(FFI_LIBDIR)/libpixcodec.so
FFI_A := $(FFI_LIBDIR)/libpixcodec.a
# Native libraries a Rust staticlib needs (from `--print native-static-libs`).
FFI_STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

FFI_CFLAGS := -std=c99 -Wall -Wextra -Werror -pedantic -O1 -g -Iinclude -Itests/c
FFI_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror -O1 -g -Iinclude -Itests/c
FFI_RPATH := -Wl,-rpath,$(abspath $(FFI_LIBDIR))
FFI_LDLIBS := -L$(FFI_LIBDIR) -lpixcodec -lpthread -lm

FFI_C_TESTS := $(wildcard tests/c/*.c)
FFI_CXX_TESTS := $(wildcard tests/c/*.cpp)
FFI_C_EXAMPLES := $(wildcard examples/c/*.c)
FFI_CXX_EXAMPLES := $(wildcard examples/cpp/*.cpp)
FFI_VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)

.PHONY: cbindgen header header-check test-c test-c-memcheck install test-install ffi-lib ffi-lib-testing ffi-progs

cbindgen:
	@if [ "$$($(CBINDGEN) --version 2>/dev/null)" != "cbindgen $(CBINDGEN_VERSION)" ]; then \
	  echo "installing cbindgen $(CBINDGEN_VERSION)"; \
	  $(CARGO) install cbindgen --version $(CBINDGEN_VERSION) --locked; \
	fi

header: cbindgen
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate pixcodec-ffi --output include/pixcodec.h ffi

header-check: cbindgen
	@tmp=$$(mktemp); \
	$(CBINDGEN) --quiet --config ffi/cbindgen.toml --crate pixcodec-ffi --output $$tmp ffi || { rm -f $$tmp; exit 1; }; \
	if diff -u include/pixcodec.h $$tmp; then rm -f $$tmp; echo "header-check: include/pixcodec.h is up to date"; \
	else rm -f $$tmp; echo "header-check: include/pixcodec.h differs from a fresh generation; run 'make header'" >&2; exit 1; fi

# The library as installed (no test-only code).
ffi-lib:
	$(CARGO) build --release -p pixcodec-ffi

# The library with the test-only panicking codec (PXC_TESTING).
ffi-lib-testing:
	$(CARGO) build --release -p pixcodec-ffi --features testing

# Compiles every test and example against the testing build of the library.
ffi-progs: ffi-lib-testing
	@mkdir -p $(FFI_OUT)
	@set -e; \
	for f in $(FFI_C_TESTS) $(FFI_C_EXAMPLES); do \
	  b=$(FFI_OUT)/$$(echo $$f | tr / _ | sed 's/\.c$$//'); \
	  echo "  CC   $$f"; \
	  $(CC) $(FFI_CFLAGS) -DPXC_TESTING $$f -o $$b $(FFI_RPATH) $(FFI_LDLIBS); \
	done; \
	for f in $(FFI_CXX_TESTS) $(FFI_CXX_EXAMPLES); do \
	  b=$(FFI_OUT)/$$(echo $$f | tr / _ | sed 's/\.cpp$$//'); \
	  echo "  CXX  $$f"; \
	  $(CXX) $(FFI_CXXFLAGS) -DPXC_TESTING $$f -o $$b $(FFI_RPATH) $(FFI_LDLIBS); \
	done
	@echo "  CC   tests/c/test_api.c (static libpixcodec.a)"
	@$(CC) $(FFI_CFLAGS) -DPXC_TESTING tests/c/test_api.c -o $(FFI_OUT)/test_api_static $(FFI_A) $(FFI_STATIC_LIBS)
	@! ldd $(FFI_OUT)/test_api_static | grep -q libpixcodec || { echo "static test links libpixcodec.so" >&2; exit 1; }
	@echo "  HDR  include/pixcodec.h alone as C99, as C++17, and included twice"
	@$(CC) $(FFI_CFLAGS) -fsyntax-only -x c include/pixcodec.h
	@$(CXX) $(FFI_CXXFLAGS) -fsyntax-only -x c++ include/pixcodec.h
	@$(CC) $(FFI_CFLAGS) -DPXC_TESTING -fsyntax-only -x c include/pixcodec.h
	@$(CC) $(FFI_CFLAGS) -c tests/c/header/twice.c -o $(FFI_OUT)/twice_c.o
	@$(CXX) $(FFI_CXXFLAGS) -c -x c++ tests/c/header/twice.c -o $(FFI_OUT)/twice_cpp.o
	@$(CXX) $(FFI_CXXFLAGS) -fsyntax-only -x c++ include/pixcodec.hpp

FFI_RUN = cd $(FFI_OUT) && set -e; for b in $$(ls | grep -v '\.o$$' | sort); do \
	  [ -x "$$b" ] || continue; echo "  RUN  $$b"; RUST_BACKTRACE=0 $(1) ./$$b; done

test-c: ffi-progs
	@$(call FFI_RUN,)
	@echo "test-c: all C and C++ tests and examples passed"

test-c-memcheck: ffi-progs
	@command -v $(VALGRIND) >/dev/null || { echo "valgrind not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
	@$(call FFI_RUN,$(VALGRIND) --quiet --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite$(,)indirect --show-leak-kinds=definite$(,)indirect)
	@echo "test-c-memcheck: no memory errors, no definite or indirect leaks"

, := ,

install: ffi-lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(FFI_SO) $(DESTDIR)$(PREFIX)/lib/libpixcodec.so
	install -m 644 $(FFI_A) $(DESTDIR)$(PREFIX)/lib/libpixcodec.a
	install -m 644 include/pixcodec.h include/pixcodec.hpp $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(FFI_VERSION)|g' \
	  -e 's|@STATIC_LIBS@|$(FFI_STATIC_LIBS)|g' ffi/pixcodec.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/pixcodec.pc

test-install:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(MAKE) --no-print-directory -f ffi/ffi.mk install PREFIX=$$tmp >/dev/null; \
	export PKG_CONFIG_PATH=$$tmp/lib/pkgconfig; \
	echo "installed into $$tmp: pixcodec $$(pkg-config --modversion pixcodec)"; \
	$(CC) $(filter-out -I%,$(FFI_CFLAGS)) examples/c/encode_decode_memory.c -o $$tmp/ex_c \
	  $$(pkg-config --cflags --libs pixcodec) -Wl,-rpath,$$tmp/lib; \
	$(CXX) $(filter-out -I%,$(FFI_CXXFLAGS)) examples/cpp/encode_decode_memory.cpp -o $$tmp/ex_cpp \
	  $$(pkg-config --cflags --libs pixcodec) -Wl,-rpath,$$tmp/lib; \
	$(CC) $(filter-out -I%,$(FFI_CFLAGS)) examples/c/encode_decode_memory.c -o $$tmp/ex_static \
	  $$(pkg-config --cflags pixcodec) $$tmp/lib/libpixcodec.a $$(pkg-config --libs-only-l --static pixcodec | sed 's/-lpixcodec//'); \
	ldd $$tmp/ex_c | grep -q "$$tmp/lib/libpixcodec.so" || { echo "example does not use the installed library" >&2; exit 1; }; \
	$$tmp/ex_c; $$tmp/ex_cpp; $$tmp/ex_static; \
	echo "test-install: examples built through pkg-config against $$tmp and ran"
