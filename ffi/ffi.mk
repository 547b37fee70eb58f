# C ABI targets, included by the top-level Makefile (paths relative to the repo root).
#
#   make cbindgen          install the pinned cbindgen when missing or a different version
#   make header            regenerate include/pixcodec.h
#   make header-check      fail when the committed header differs from a fresh generation
#   make test-c            build libpixcodec (profile FFI_PROFILE, feature "testing"), compile and
#                          run every C/C++ test and example (C++ as C++17 and C++20), compile
#                          the header alone (C99, C++17) and twice
#   make test-c-memcheck   run the C and C++ test programs under valgrind: zero errors, zero leaks
#   make symbols-check     the exported symbols of libpixcodec.so equal ffi/symbols.txt, which
#                          only ever grows (a removed symbol fails: that needs a new MAJOR)
#   make install           libpixcodec.so.X.Y.Z (+ .so.X, .so links), libpixcodec.a, headers,
#                          pkg-config file, CMake package; debug info stripped. Honours PREFIX,
#                          DESTDIR, LIBDIR (lib, lib64, or absolute), INCLUDEDIR, CARGO_TARGET_DIR
#   make install-debug     the same, keeping the debug info (line tables) in both libraries
#   make uninstall         removes what install put there (same PREFIX/DESTDIR/LIBDIR)
#   make test-install      installs twice into temporary places and builds + runs consumers:
#                          pkg-config (shared, static) and CMake (shared, static), checks SONAME,
#                          links, stripping, symbols and uninstall

CARGO ?= cargo
PREFIX ?= /usr/local
LIBDIR ?= lib
INCLUDEDIR ?= $(PREFIX)/include
CBINDGEN ?= cbindgen
CBINDGEN_VERSION := 0.29.4
VALGRIND ?= valgrind
STRIP ?= strip
CMAKE ?= cmake

# The Cargo profile of the C library (Cargo.toml [profile.ffi-release]) and where cargo puts it.
# `make test` builds with the plain release profile instead (FFI_PROFILE=release, set in the
# top-level Makefile): its dependencies are already built for test-memcopy-release, while
# ffi-release would build them all again and then spend minutes in one fat-LTO link per
# feature set; that kept CI on 2 cores well over its time budget. Override on the command
# line (make test-c FFI_PROFILE=ffi-release) to test the installed configuration.
FFI_PROFILE ?= ffi-release
FFI_TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
FFI_LIBDIR = $(FFI_TARGET_DIR)/$(FFI_PROFILE)
FFI_OUT := $(FFI_TARGET_DIR)/ffi-c
FFI_SO = $(FFI_LIBDIR)/libpixcodec.so
FFI_A = $(FFI_LIBDIR)/libpixcodec.a
# Native libraries a Rust staticlib needs (from `--print native-static-libs`).
FFI_STATIC_LIBS := -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
ffi_empty :=
ffi_space := $(ffi_empty) $(ffi_empty)
# The same as a CMake list of link-only (private) dependencies: $<LINK_ONLY:gcc_s>;…
FFI_STATIC_LIBS_CMAKE := $(subst $(ffi_space),;,$(patsubst -l%,$$<LINK_ONLY:%>,$(FFI_STATIC_LIBS)))

FFI_VERSION = $(shell sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)
FFI_MAJOR = $(word 1,$(subst ., ,$(FFI_VERSION)))
FFI_SONAME = libpixcodec.so.$(FFI_MAJOR)
FFI_REALNAME = libpixcodec.so.$(FFI_VERSION)

# Install locations: LIBDIR relative (lib, lib64, lib/x86_64-linux-gnu) is under PREFIX.
FFI_INST_LIB = $(if $(filter /%,$(LIBDIR)),$(LIBDIR),$(PREFIX)/$(LIBDIR))
FFI_INST_INC = $(INCLUDEDIR)
FFI_PC_LIBDIR = $(if $(filter /%,$(LIBDIR)),$(LIBDIR),$${prefix}/$(LIBDIR))
FFI_PC_INCDIR = $(if $(filter $(PREFIX)/include,$(INCLUDEDIR)),$${prefix}/include,$(INCLUDEDIR))
FFI_CMAKE_DIR = $(FFI_INST_LIB)/cmake/pixcodec

FFI_CFLAGS := -std=c99 -Wall -Wextra -Werror -pedantic -O1 -g -Iinclude -Itests/c
FFI_CXXFLAGS := -std=c++17 -Wall -Wextra -Werror -O1 -g -Iinclude -Itests/c
# Programs link against the build's libpixcodec.so, whose SONAME (libpixcodec.so.0) the
# loader finds through this rpath: a directory holding only that link.
FFI_RUNDIR := $(FFI_TARGET_DIR)/ffi-c-lib
FFI_RPATH := -Wl,-rpath,$(abspath $(FFI_RUNDIR))
FFI_LDLIBS = -L$(FFI_LIBDIR) -lpixcodec -lpthread -lm

# The test data directory, absolute: the tests run from $(FFI_OUT).
FFI_TEST_DATA := -DPXC_TEST_DATA_DIR='"$(abspath tests/data)"'
FFI_C_TESTS := $(wildcard tests/c/*.c)
FFI_CXX_TESTS := $(wildcard tests/c/*.cpp)
FFI_C_EXAMPLES := $(wildcard examples/c/*.c)
FFI_CXX_EXAMPLES := $(wildcard examples/cpp/*.cpp)

.PHONY: cbindgen header header-check test-c test-c-memcheck install install-debug uninstall test-install publish-check \
	ffi-lib ffi-lib-testing ffi-progs symbols symbols-check ffi-install-files

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
	$(CARGO) build --profile $(FFI_PROFILE) -p pixcodec-ffi

# The library with the test-only panicking codec (PXC_TESTING).
ffi-lib-testing:
	$(CARGO) build --profile $(FFI_PROFILE) -p pixcodec-ffi --features testing

# The exported (dynamic, defined) symbols of a shared library, one per line, sorted.
FFI_SYMBOLS = nm -D --defined-only $(1) | awk '{print $$NF}' | LC_ALL=C sort -u

# Regenerates ffi/symbols.txt from the installed-variant library (after adding functions).
symbols: ffi-lib
	$(call FFI_SYMBOLS,$(FFI_SO)) > ffi/symbols.txt

# ABI check: a symbol of ffi/symbols.txt missing from the library breaks every program using
# it (needs a new MAJOR, see ffi/README.md); a new symbol must be added to the list.
# FFI_CHECK_SO picks the library to check (test-install checks the installed one).
FFI_CHECK_SO ?= $(FFI_SO)
symbols-check: $(if $(filter $(FFI_SO),$(FFI_CHECK_SO)),ffi-lib)
	@set -e; tmp=$$(mktemp); trap 'rm -f "$$tmp"' EXIT; \
	$(call FFI_SYMBOLS,$(FFI_CHECK_SO)) > $$tmp; \
	removed=$$(LC_ALL=C comm -23 ffi/symbols.txt $$tmp); added=$$(LC_ALL=C comm -13 ffi/symbols.txt $$tmp); \
	if [ -n "$$removed" ]; then echo "symbols-check: ABI break, no longer exported:" $$removed >&2; exit 1; fi; \
	if [ -n "$$added" ]; then echo "symbols-check: new exports not in ffi/symbols.txt (run 'make symbols'):" $$added >&2; exit 1; fi; \
	echo "symbols-check: $$(wc -l < $$tmp) exported symbols, equal to ffi/symbols.txt"

# Compiles every test and example against the testing build of the library; C++ programs
# twice, as C++17 and as C++20.
ffi-progs: ffi-lib-testing
	@mkdir -p $(FFI_OUT) $(FFI_RUNDIR)
	@ln -sf $(abspath $(FFI_SO)) $(FFI_RUNDIR)/$(FFI_SONAME)
	@set -e; \
	for f in $(FFI_C_TESTS) $(FFI_C_EXAMPLES); do \
	  b=$(FFI_OUT)/$$(echo $$f | tr / _ | sed 's/\.c$$//'); \
	  echo "  CC   $$f"; \
	  $(CC) $(FFI_CFLAGS) -DPXC_TESTING $(FFI_TEST_DATA) $$f -o $$b $(FFI_RPATH) $(FFI_LDLIBS); \
	done; \
	for f in $(FFI_CXX_TESTS) $(FFI_CXX_EXAMPLES); do \
	  b=$(FFI_OUT)/$$(echo $$f | tr / _ | sed 's/\.cpp$$//'); \
	  echo "  CXX  $$f (C++17, C++20)"; \
	  $(CXX) $(FFI_CXXFLAGS) -DPXC_TESTING $(FFI_TEST_DATA) $$f -o $$b $(FFI_RPATH) $(FFI_LDLIBS); \
	  $(CXX) $(FFI_CXXFLAGS) -std=c++20 -DPXC_TESTING $(FFI_TEST_DATA) $$f -o $${b}_cxx20 $(FFI_RPATH) $(FFI_LDLIBS); \
	done
	@echo "  CC   tests/c/test_api.c (static libpixcodec.a)"
	@$(CC) $(FFI_CFLAGS) -DPXC_TESTING tests/c/test_api.c -o $(FFI_OUT)/test_api_static $(FFI_A) $(FFI_STATIC_LIBS)
	@! ldd $(FFI_OUT)/test_api_static | grep -q libpixcodec || { echo "static test links libpixcodec.so" >&2; exit 1; }
	@readelf -d $(FFI_OUT)/tests_c_test_api | grep -q "NEEDED.*\[$(FFI_SONAME)\]" || \
	  { echo "tests do not depend on $(FFI_SONAME) (SONAME missing?)" >&2; exit 1; }
	@echo "  HDR  include/pixcodec.h alone as C99, as C++17, and included twice"
	@$(CC) $(FFI_CFLAGS) -fsyntax-only -x c include/pixcodec.h
	@$(CXX) $(FFI_CXXFLAGS) -fsyntax-only -x c++ include/pixcodec.h
	@$(CC) $(FFI_CFLAGS) -DPXC_TESTING -fsyntax-only -x c include/pixcodec.h
	@$(CC) $(FFI_CFLAGS) -c tests/c/header/twice.c -o $(FFI_OUT)/twice_c.o
	@$(CXX) $(FFI_CXXFLAGS) -c -x c++ tests/c/header/twice.c -o $(FFI_OUT)/twice_cpp.o
	@$(CXX) $(FFI_CXXFLAGS) -fsyntax-only -x c++ include/pixcodec.hpp
	@$(CXX) $(FFI_CXXFLAGS) -std=c++20 -fsyntax-only -x c++ include/pixcodec.hpp

FFI_RUN = cd $(FFI_OUT) && set -e; for b in $$(ls | grep -v '\.o$$' | sort); do \
	  [ -f "$$b" ] && [ -x "$$b" ] || continue; echo "  RUN  $$b"; RUST_BACKTRACE=0 $(1) ./$$b; done

test-c: ffi-progs
	@$(call FFI_RUN,)
	@echo "test-c: all C and C++ tests and examples passed"

test-c-memcheck: ffi-progs
	@command -v $(VALGRIND) >/dev/null || { echo "valgrind not found (scripts/install-deps.sh installs it)" >&2; exit 1; }
	@$(call FFI_RUN,$(VALGRIND) --quiet --leak-check=full --error-exitcode=1 --errors-for-leak-kinds=definite$(,)indirect --show-leak-kinds=definite$(,)indirect)
	@echo "test-c-memcheck: no memory errors, no definite or indirect leaks"

, := ,

# Installed files, relative to DESTDIR (uninstall removes exactly these).
FFI_INSTALLED = $(FFI_INST_LIB)/$(FFI_REALNAME) $(FFI_INST_LIB)/$(FFI_SONAME) $(FFI_INST_LIB)/libpixcodec.so \
	$(FFI_INST_LIB)/libpixcodec.a $(FFI_INST_INC)/pixcodec.h $(FFI_INST_INC)/pixcodec.hpp \
	$(FFI_INST_LIB)/pkgconfig/pixcodec.pc $(FFI_CMAKE_DIR)/pixcodecConfig.cmake \
	$(FFI_CMAKE_DIR)/pixcodecConfigVersion.cmake
# Debian's choices: shared libraries lose debug info and the static symbol table entries no
# one links against; static libraries keep their symbols and lose debug info only.
FFI_STRIP_SO = $(STRIP) --strip-unneeded --remove-section=.comment --remove-section=.note
FFI_STRIP_A = $(STRIP) --strip-debug --remove-section=.comment --enable-deterministic-archives

install: ffi-lib ffi-install-files
install-debug: FFI_KEEP_DEBUG := 1
install-debug: ffi-lib ffi-install-files

ffi-install-files:
	install -d $(DESTDIR)$(FFI_INST_LIB)/pkgconfig $(DESTDIR)$(FFI_CMAKE_DIR) $(DESTDIR)$(FFI_INST_INC)
	install -m 755 $(FFI_SO) $(DESTDIR)$(FFI_INST_LIB)/$(FFI_REALNAME)
	ln -sfn $(FFI_REALNAME) $(DESTDIR)$(FFI_INST_LIB)/$(FFI_SONAME)
	ln -sfn $(FFI_SONAME) $(DESTDIR)$(FFI_INST_LIB)/libpixcodec.so
	install -m 644 $(FFI_A) $(DESTDIR)$(FFI_INST_LIB)/libpixcodec.a
	$(if $(FFI_KEEP_DEBUG),,$(FFI_STRIP_SO) $(DESTDIR)$(FFI_INST_LIB)/$(FFI_REALNAME))
	$(if $(FFI_KEEP_DEBUG),,$(FFI_STRIP_A) $(DESTDIR)$(FFI_INST_LIB)/libpixcodec.a)
	install -m 644 include/pixcodec.h include/pixcodec.hpp $(DESTDIR)$(FFI_INST_INC)/
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(FFI_PC_LIBDIR)|g' -e 's|@INCLUDEDIR@|$(FFI_PC_INCDIR)|g' \
	  -e 's|@VERSION@|$(FFI_VERSION)|g' -e 's|@STATIC_LIBS@|$(FFI_STATIC_LIBS)|g' \
	  ffi/pixcodec.pc.in > $(DESTDIR)$(FFI_INST_LIB)/pkgconfig/pixcodec.pc
	sed -e 's|@VERSION@|$(FFI_VERSION)|g' -e 's|@MAJOR@|$(FFI_MAJOR)|g' \
	  -e 's|@INCLUDEDIR_REL@|'"$$(realpath -m --relative-to=$(FFI_CMAKE_DIR) $(FFI_INST_INC))"'|g' \
	  -e 's|@STATIC_LIBS_CMAKE@|$(FFI_STATIC_LIBS_CMAKE)|g' \
	  ffi/cmake/pixcodecConfig.cmake.in > $(DESTDIR)$(FFI_CMAKE_DIR)/pixcodecConfig.cmake
	sed -e 's|@VERSION@|$(FFI_VERSION)|g' -e 's|@MAJOR@|$(FFI_MAJOR)|g' \
	  -e 's|@SIZEOF_VOID_P@|'"$$(getconf LONG_BIT | awk '{print $$1 / 8}')"'|g' \
	  ffi/cmake/pixcodecConfigVersion.cmake.in > $(DESTDIR)$(FFI_CMAKE_DIR)/pixcodecConfigVersion.cmake

uninstall:
	rm -f $(addprefix $(DESTDIR),$(FFI_INSTALLED))
	-rmdir $(DESTDIR)$(FFI_CMAKE_DIR) 2>/dev/null

# 1. PREFIX install (default LIBDIR): consumers through pkg-config, shared with an rpath and
#    static through Libs.private. 2. A packager's install: DESTDIR + PREFIX=/opt/pixcodec +
#    LIBDIR=lib64 + this CARGO_TARGET_DIR: file layout, SONAME, links, no debug info, the
#    exported symbols, pkg-config through PKG_CONFIG_SYSROOT_DIR, the CMake consumer in
#    examples/cmake (shared and static) built and run, then uninstall leaving no file.
test-install:
	@set -e; tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	$(MAKE) --no-print-directory install PREFIX=$$tmp/prefix >/dev/null; \
	export PKG_CONFIG_PATH=$$tmp/prefix/lib/pkgconfig; \
	echo "installed into $$tmp/prefix: pixcodec $$(pkg-config --modversion pixcodec)"; \
	$(CC) $(filter-out -I%,$(FFI_CFLAGS)) examples/c/encode_decode_memory.c -o $$tmp/ex_c \
	  $$(pkg-config --cflags --libs pixcodec) -Wl,-rpath,$$tmp/prefix/lib; \
	$(CXX) $(filter-out -I%,$(FFI_CXXFLAGS)) examples/cpp/encode_decode_memory.cpp -o $$tmp/ex_cpp \
	  $$(pkg-config --cflags --libs pixcodec) -Wl,-rpath,$$tmp/prefix/lib; \
	$(CC) $(filter-out -I%,$(FFI_CFLAGS)) examples/c/encode_decode_memory.c -o $$tmp/ex_static \
	  $$(pkg-config --cflags pixcodec) $$tmp/prefix/lib/libpixcodec.a $$(pkg-config --libs-only-l --static pixcodec | sed 's/-lpixcodec//'); \
	ldd $$tmp/ex_c | grep -q "$$tmp/prefix/lib/$(FFI_SONAME)" || { echo "example does not use the installed library" >&2; exit 1; }; \
	! ldd $$tmp/ex_static | grep -q libpixcodec || { echo "static example links libpixcodec.so" >&2; exit 1; }; \
	$$tmp/ex_c; $$tmp/ex_cpp; $$tmp/ex_static; \
	echo "test-install: pkg-config consumers (shared with rpath, static) built and ran"; \
	$(CMAKE) -S examples/cmake -B $$tmp/cmake0 -DCMAKE_PREFIX_PATH=$$tmp/prefix >$$tmp/cmake0.log 2>&1 || { cat $$tmp/cmake0.log; exit 1; }; \
	grep -q "^pixcodec_DIR:PATH=$$tmp/prefix/lib/cmake/pixcodec$$" $$tmp/cmake0/CMakeCache.txt || { echo "CMake did not find pixcodec under CMAKE_PREFIX_PATH" >&2; exit 1; }; \
	stage=$$tmp/stage; lib=$$stage/opt/pixcodec/lib64; \
	ln -s $(abspath $(FFI_TARGET_DIR)) $$tmp/cargo-target; \
	$(MAKE) --no-print-directory -n install CARGO_TARGET_DIR=$$tmp/cargo-target DESTDIR=$$stage PREFIX=/opt/pixcodec LIBDIR=lib64 \
	  | grep -q "$$tmp/cargo-target/$(FFI_PROFILE)/libpixcodec.so" || { echo "install does not take the library from CARGO_TARGET_DIR" >&2; exit 1; }; \
	CARGO_TARGET_DIR=$$tmp/cargo-target $(MAKE) --no-print-directory install DESTDIR=$$stage PREFIX=/opt/pixcodec LIBDIR=lib64 >/dev/null; \
	[ -f $$lib/$(FFI_REALNAME) ] && [ ! -L $$lib/$(FFI_REALNAME) ] || { echo "$(FFI_REALNAME) missing" >&2; exit 1; }; \
	[ "$$(readlink $$lib/$(FFI_SONAME))" = "$(FFI_REALNAME)" ] || { echo "$(FFI_SONAME) is not a link to $(FFI_REALNAME)" >&2; exit 1; }; \
	[ "$$(readlink $$lib/libpixcodec.so)" = "$(FFI_SONAME)" ] || { echo "libpixcodec.so is not a link to $(FFI_SONAME)" >&2; exit 1; }; \
	readelf -d $$lib/$(FFI_REALNAME) | grep -q "SONAME.*\[$(FFI_SONAME)\]" || { echo "SONAME is not $(FFI_SONAME)" >&2; exit 1; }; \
	for f in $$lib/$(FFI_REALNAME) $$lib/libpixcodec.a; do \
	  if readelf -S -W $$f | grep -q '\.debug_'; then echo "$$f has debug sections" >&2; exit 1; fi; done; \
	[ -f $$stage/opt/pixcodec/include/pixcodec.hpp ] && [ -f $$lib/cmake/pixcodec/pixcodecConfigVersion.cmake ]; \
	grep -qx 'libdir=$${prefix}/lib64' $$lib/pkgconfig/pixcodec.pc; \
	echo "test-install: CARGO_TARGET_DIR=$$tmp/cargo-target DESTDIR=$$stage PREFIX=/opt/pixcodec LIBDIR=lib64: $(FFI_REALNAME), $(FFI_SONAME) -> $(FFI_REALNAME), libpixcodec.so -> $(FFI_SONAME), SONAME $(FFI_SONAME), no debug info; sizes: $$(du -k --apparent-size $$lib/$(FFI_REALNAME) | cut -f1) KiB .so, $$(du -k --apparent-size $$lib/libpixcodec.a | cut -f1) KiB .a"; \
	$(MAKE) --no-print-directory symbols-check FFI_CHECK_SO=$$lib/$(FFI_REALNAME); \
	PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$$stage \
	  $(CC) $(filter-out -I%,$(FFI_CFLAGS)) examples/c/encode_decode_memory.c -o $$tmp/ex_sysroot \
	  $$(PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$$lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$$stage pkg-config --cflags --libs pixcodec); \
	LD_LIBRARY_PATH=$$lib $$tmp/ex_sysroot >/dev/null; \
	echo "test-install: pkg-config with PKG_CONFIG_SYSROOT_DIR, run with LD_LIBRARY_PATH"; \
	$(CMAKE) -S examples/cmake -B $$tmp/cmake -Dpixcodec_DIR=$$lib/cmake/pixcodec -DCMAKE_BUILD_TYPE=Release \
	  -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" >$$tmp/cmake.log 2>&1 || { cat $$tmp/cmake.log; exit 1; }; \
	$(CMAKE) --build $$tmp/cmake >>$$tmp/cmake.log 2>&1 || { cat $$tmp/cmake.log; exit 1; }; \
	ldd $$tmp/cmake/roundtrip_shared | grep -q "$$lib/$(FFI_SONAME)" || { echo "CMake consumer does not use the staged library" >&2; ldd $$tmp/cmake/roundtrip_shared; exit 1; }; \
	! ldd $$tmp/cmake/roundtrip_static | grep -q libpixcodec || { echo "static CMake consumer links libpixcodec.so" >&2; exit 1; }; \
	$$tmp/cmake/roundtrip_shared; $$tmp/cmake/roundtrip_static; $$tmp/cmake/version_c; \
	if $(CMAKE) -S examples/cmake -B $$tmp/cmake2 -Dpixcodec_DIR=$$lib/cmake/pixcodec -DPXC_REQUIRE=$$(( $(FFI_MAJOR) + 1 )).0 >$$tmp/cmake2.log 2>&1; then \
	  echo "CMake accepted pixcodec $(FFI_VERSION) for a request of the next MAJOR" >&2; exit 1; fi; \
	echo "test-install: CMake consumer (pixcodec::pixcodec, pixcodec::pixcodec_static) built and ran; next MAJOR refused"; \
	$(MAKE) --no-print-directory uninstall DESTDIR=$$stage PREFIX=/opt/pixcodec LIBDIR=lib64 >/dev/null; \
	left=$$(find $$stage ! -type d); [ -z "$$left" ] || { echo "uninstall left: $$left" >&2; exit 1; }; \
	echo "test-install: uninstall removed every installed file"

# The core crate as crates.io would get it, without uploading: the file list may hold only
# the library source, Cargo.toml and README.md (no tests, test data, corpus, benches, C ABI);
# then `cargo publish --dry-run` packages it and builds the packaged copy (deps from the
# dev profile already built by make test, so only pixcodec itself is compiled again).
# --allow-dirty: works in a checkout with uncommitted changes too.
publish-check:
	@set -e; list=$$($(CARGO) package --list -p pixcodec --allow-dirty); \
	bad=$$(echo "$$list" | grep -Ev '^(src/.+\.rs|Cargo\.toml|Cargo\.toml\.orig|Cargo\.lock|README\.md|\.cargo_vcs_info\.json)$$' || true); \
	if [ -n "$$bad" ]; then echo "publish-check: files that must not be published:" $$bad >&2; exit 1; fi; \
	echo "publish-check: $$(echo "$$list" | wc -l) files in the pixcodec package (src/**/*.rs, Cargo.toml, README.md)"; \
	log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	if $(CARGO) publish --dry-run -p pixcodec --allow-dirty >$$log 2>&1; then st=0; else st=$$?; fi; \
	grep -v "^warning: ignoring \(example\|test\|benchmark\) .* is not included in the published package" $$log || true; \
	[ $$st -eq 0 ] && echo "publish-check: cargo publish --dry-run packaged and built pixcodec (tests, examples and benches stay out of the package)"; \
	exit $$st
