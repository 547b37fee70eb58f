# Fuzzing with cargo-fuzz (libFuzzer). Included from the top-level Makefile.
#   make fuzz                      every target for FUZZ_SECONDS (default 60) seconds each
#   make fuzz FUZZ_SECONDS=600     the acceptance run
#   make fuzz FUZZ_TARGETS=sniff   one target
#   make fuzz FUZZ_JOBS=2          two targets at a time (each still FUZZ_SECONDS)
#   make fuzz-smoke                CI guard (part of `make test`): build, then every target
#                                  FUZZ_SMOKE_SECONDS on its fresh seeds; any finding fails
# Works on stable Rust: cargo-fuzz needs -Z flags, enabled with RUSTC_BOOTSTRAP=1.
# Seeds are built at run time (gen_seeds, by target name) from the conformance corpus
# ($PIXCODEC_CORPUS, else ../shared/corpus), tests/regression/ and files generated with every
# built-in encoder. `make fuzz` keeps its corpus under fuzz/corpus/<target>/ (gitignored);
# findings land in fuzz/artifacts/<target>/ and are filed under tests/regression/<format>/.
#
# Adding a target: fuzz/fuzz_targets/<name>.rs, a [[bin]] in fuzz/Cargo.toml, the name in
# FUZZ_ALL_TARGETS; a dictionary other than dict/all.dict with FUZZ_DICT_<name>. Seeds come
# from the name (fuzz/src/gen_seeds.rs: raw file bytes unless the name says otherwise).

# The one list of targets; fuzz-smoke fails when fuzz_targets/ holds a target not listed.
FUZZ_ALL_TARGETS := decode_png decode_jpeg_turbo decode_tiff decode_npy decode_bmp decode_gif \
  decode_pnm decode_qoi decode_webp decode_jpeg_image_rs decode_codec decode_ffi sniff \
  python_decode ml_load roundtrip roundtrip_parallel metadata_parse icc_parse
FUZZ_DICT_decode_png := png
FUZZ_DICT_decode_tiff := tiff
FUZZ_DICT_decode_jpeg_turbo := jpeg
FUZZ_DICT_decode_npy := npy
export $(filter FUZZ_DICT_%,$(.VARIABLES))

FUZZ_TARGETS ?= $(FUZZ_ALL_TARGETS)
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 3
FUZZ_BUILD_FLAGS ?= -O
FUZZ_MAX_LEN ?= 65536
FUZZ_RSS_MB ?= 2048
FUZZ_CORPUS_SRC ?= $(or $(PIXCODEC_CORPUS),$(CURDIR)/../shared/corpus)
FUZZ_DIR := $(CURDIR)/fuzz
FUZZ_HOST := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
FUZZ_BIN_DIR = $(or $(CARGO_TARGET_DIR),$(FUZZ_DIR)/target)/$(FUZZ_HOST)/release
CARGO ?= cargo
export FUZZ_MAX_LEN FUZZ_RSS_MB

# libdeflate's ODR false positive (fuzz/README.md, "AddressSanitizer and C code"): under
# cargo-fuzz, cc-rs compiles the C libraries with -fsanitize=address too; GCC's identical
# code folding then gives the two identical function-local tables of libdeflate's
# decompressor template one address, which both ASan descriptors register, and rustc's ASan
# runtime reports that as an ODR violation. -fno-ipa-icf keeps them apart. Only GCC knows
# the flag; other compilers get nothing.
FUZZ_CFLAGS := $(shell $(or $(CC),cc) -fno-ipa-icf -x c -c /dev/null -o /dev/null 2>/dev/null && echo -fno-ipa-icf)

.PHONY: fuzz fuzz-deps fuzz-build fuzz-seeds fuzz-smoke fuzz-check-list

fuzz-deps:
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	@command -v cmake >/dev/null 2>&1 || ./scripts/install-deps.sh

fuzz-build: fuzz-deps
	cd $(FUZZ_DIR) && CFLAGS="$${CFLAGS:+$$CFLAGS }$(FUZZ_CFLAGS)" RUSTC_BOOTSTRAP=1 $(CARGO) fuzz build $(FUZZ_BUILD_FLAGS)

# Every target in fuzz_targets/ is in the list (a target left out would never run).
fuzz-check-list:
	@missing=""; for f in $(FUZZ_DIR)/fuzz_targets/*.rs; do t=$$(basename $$f .rs); \
	  case " $(FUZZ_ALL_TARGETS) " in *" $$t "*) ;; *) missing="$$missing $$t";; esac; done; \
	if [ -n "$$missing" ]; then echo "fuzz: not in FUZZ_ALL_TARGETS (fuzz/fuzz.mk):$$missing"; exit 1; fi

fuzz-seeds: fuzz-build
	rm -rf $(FUZZ_DIR)/corpus/.seeds
	$(FUZZ_BIN_DIR)/gen_seeds "$(FUZZ_CORPUS_SRC)" $(FUZZ_DIR)/corpus/.seeds $(FUZZ_TARGETS)
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; cp -n $(FUZZ_DIR)/corpus/.seeds/$$t/* $(FUZZ_DIR)/corpus/$$t/; \
	done; rm -rf $(FUZZ_DIR)/corpus/.seeds

fuzz: fuzz-check-list fuzz-seeds
	FUZZ_REGRESS="$(FUZZ_BIN_DIR)/regress" $(FUZZ_DIR)/run.sh $(FUZZ_BIN_DIR) $(FUZZ_DIR)/corpus $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# CI: fresh seeds in a scratch corpus (fuzz/corpus/ is left alone), every target.
fuzz-smoke: fuzz-check-list fuzz-build
	@d=$$(mktemp -d "$${TMPDIR:-/tmp}/pixcodec-fuzz-smoke.XXXXXX"); \
	$(FUZZ_BIN_DIR)/gen_seeds "$(FUZZ_CORPUS_SRC)" $$d $(FUZZ_ALL_TARGETS) >/dev/null && \
	$(FUZZ_DIR)/run.sh $(FUZZ_BIN_DIR) $$d $(FUZZ_SMOKE_SECONDS) $(FUZZ_ALL_TARGETS); \
	s=$$?; rm -rf $$d; exit $$s
