# Fuzzing with cargo-fuzz (libFuzzer). Included from the top-level Makefile.
#   make fuzz                      every target for FUZZ_SECONDS (default 60) seconds each
#   make fuzz FUZZ_SECONDS=600     the acceptance run
#   make fuzz FUZZ_TARGETS=sniff   one target
# Works on stable Rust: cargo-fuzz needs -Z flags, enabled with RUSTC_BOOTSTRAP=1.
# Seeds are built at run time under fuzz/corpus/<target>/ (gitignored) from the
# conformance corpus ($PIXCODEC_CORPUS, else ../shared/corpus), tests/regression/ and files
# generated with every built-in encoder. Crashes land in fuzz/artifacts/<target>/.

FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= decode_png decode_jpeg_turbo decode_tiff decode_npy decode_bmp decode_gif decode_pnm decode_qoi decode_webp decode_jpeg_image_rs decode_codec decode_ffi sniff roundtrip
FUZZ_BUILD_FLAGS ?= -O
FUZZ_MAX_LEN ?= 65536
FUZZ_RSS_MB ?= 2048
FUZZ_CORPUS_SRC ?= $(or $(PIXCODEC_CORPUS),$(CURDIR)/../shared/corpus)
FUZZ_DIR := $(CURDIR)/fuzz
FUZZ_HOST := $(shell rustc -vV 2>/dev/null | sed -n 's/^host: //p')
FUZZ_BIN_DIR = $(or $(CARGO_TARGET_DIR),$(FUZZ_DIR)/target)/$(FUZZ_HOST)/release
CARGO ?= cargo

.PHONY: fuzz fuzz-deps fuzz-build fuzz-seeds

fuzz-deps:
	@command -v cargo-fuzz >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	@command -v cmake >/dev/null 2>&1 || ./scripts/install-deps.sh

fuzz-build: fuzz-deps
	cd $(FUZZ_DIR) && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz build $(FUZZ_BUILD_FLAGS)

fuzz-seeds: fuzz-build
	rm -rf $(FUZZ_DIR)/corpus/.seeds
	$(FUZZ_BIN_DIR)/gen_seeds "$(FUZZ_CORPUS_SRC)" $(FUZZ_DIR)/corpus/.seeds
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  if [ -d $(FUZZ_DIR)/corpus/.seeds/$$t ]; then cp -n $(FUZZ_DIR)/corpus/.seeds/$$t/* $(FUZZ_DIR)/corpus/$$t/; fi; \
	done; rm -rf $(FUZZ_DIR)/corpus/.seeds

fuzz: fuzz-seeds
	@failed=""; for t in $(FUZZ_TARGETS); do \
	  case $$t in decode_png) d=png;; decode_tiff) d=tiff;; decode_jpeg_turbo) d=jpeg;; decode_npy) d=npy;; *) d=all;; esac; \
	  echo "== fuzz $$t for $(FUZZ_SECONDS) s (dictionary $$d.dict)"; \
	  ( cd $(FUZZ_DIR) && RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $(FUZZ_BUILD_FLAGS) $$t corpus/$$t -- \
	      -max_total_time=$(FUZZ_SECONDS) -dict=dict/$$d.dict -timeout=10 -rss_limit_mb=$(FUZZ_RSS_MB) \
	      -max_len=$(FUZZ_MAX_LEN) -print_final_stats=1 ) || failed="$$failed $$t"; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: findings in:$$failed (inputs under fuzz/artifacts/)"; exit 1; fi; \
	echo "fuzz: every target ran $(FUZZ_SECONDS) s clean"
