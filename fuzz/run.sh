#!/usr/bin/env bash
# Runs built fuzz targets one after another and prints a summary table at the end.
# Called by fuzz/fuzz.mk (`make fuzz`, `make fuzz-smoke`); see fuzz/README.md.
#
#   run.sh <bin-dir> <corpus-root> <seconds> <target>...
#
# Each target runs its binary directly (not `cargo fuzz run`, which would set
# ASAN_OPTIONS=detect_odr_violation=0 and hide exactly the kind of harness breakage that
# issue 20 was about) on <corpus-root>/<target>/, for <seconds>, with its dictionary
# (FUZZ_DICT_<target>, else dict/all.dict). libFuzzer first runs every input of the corpus,
# then mutates until the time is up; new inputs are added to the corpus directory.
# Any crash, panic, leak, timeout, out-of-memory or sanitizer report makes libFuzzer exit
# non-zero; the input lands in fuzz/artifacts/<target>/ and this script exits 1 after the
# table. Environment: FUZZ_TIMEOUT (s per input, 10), FUZZ_RSS_MB (2048), FUZZ_MAX_LEN
# (65536), FUZZ_REGRESS (a command given the target and its new artifacts, e.g. the
# `regress` binary that files them under tests/regression/<format>/), FUZZ_JOBS (targets run
# at the same time, 1; each still gets <seconds>).
set -u

bin_dir=$1 corpus_root=$2 seconds=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
log_dir=$(mktemp -d "${TMPDIR:-/tmp}/pixcodec-fuzz-logs.XXXXXX")
# ODR detection stays on (the default, stated so an inherited setting cannot turn it off
# unnoticed); libdeflate's false positive is fixed at build time (fuzz.mk, FUZZ_CFLAGS).
export ASAN_OPTIONS="detect_odr_violation=2:detect_leaks=1:abort_on_error=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# One target: its log, its table row ($log_dir/<t>.row) and its result ($log_dir/<t>.failed
# when it found something). Runs in the background when FUZZ_JOBS > 1.
fuzz_one() {
    local t=$1
    local bin="$bin_dir/$t" corpus="$corpus_root/$t" artifacts="$here/artifacts/$t"
    mkdir -p "$corpus" "$artifacts"
    local dict_var="FUZZ_DICT_$t"
    local dict="$here/dict/${!dict_var:-all}.dict"
    local before stamp="$log_dir/$t.stamp" log="$log_dir/$t.log" start status
    before=$(find "$corpus" -type f | wc -l)
    touch "$stamp"
    echo "== fuzz $t for $seconds s on $before inputs ($(basename "$dict"))"
    start=$(date +%s)
    if [ ! -x "$bin" ]; then
        echo "fuzz: $bin is missing (not built?)" | tee "$log"
        status=127
    else
        "$bin" "$corpus" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" \
            -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -max_len="${FUZZ_MAX_LEN:-65536}" \
            -dict="$dict" -artifact_prefix="$artifacts/" -print_final_stats=1 >"$log" 2>&1
        status=$?
    fi
    local secs=$(($(date +%s) - start))
    # libFuzzer prints its stats at the end; the last INITED/pulse line is the fallback.
    local execs added after found result
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    added=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
    after=$(find "$corpus" -type f | wc -l)
    found=$(find "$artifacts" -type f -newer "$stamp" | sort)
    if [ "$status" -eq 0 ] && [ -z "$found" ]; then
        result=clean
    else
        : >"$log_dir/$t.failed"
        result="FAILED (exit $status)"
        for f in $found; do result="$result ${f#"$here"/}"; done
        # The end of the log holds the report (panic message, sanitizer stack).
        tail -n 60 "$log"
        if [ -n "$found" ] && [ -n "${FUZZ_REGRESS:-}" ]; then
            # shellcheck disable=SC2086
            $FUZZ_REGRESS "$t" $found
        fi
    fi
    local rate='?'
    if [ -n "$execs" ] && [ "$secs" -gt 0 ]; then rate=$((execs / secs)); fi
    printf '| %s | %s | %s | %s | %s | %s -> %s | %s |\n' "$t" "$secs" "${execs:-?}" \
        "$rate" "${added:-?}" "$before" "$after" "$result" >"$log_dir/$t.row"
}

# FUZZ_JOBS targets at a time (default 1: one after another); each still runs <seconds>.
jobs_max=${FUZZ_JOBS:-1}
for t in "$@"; do
    if [ "$jobs_max" -le 1 ]; then
        fuzz_one "$t"
    else
        while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n; done
        fuzz_one "$t" &
    fi
done
wait

rows=()
failed=0
for t in "$@"; do
    rows+=("$(cat "$log_dir/$t.row")")
    if [ -e "$log_dir/$t.failed" ]; then failed=1; fi
done

echo
echo "fuzz summary: $seconds s per target (plus the first pass over the corpus); new = inputs"
echo "libFuzzer added to the corpus for new coverage; logs in $log_dir"
echo
echo "| target | seconds | executions | exec/s | new | corpus files | result |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
if [ "$failed" -ne 0 ]; then
    echo
    echo "fuzz: findings above; inputs under fuzz/artifacts/<target>/ (reproduce: <bin-dir>/<target> <file>)"
    exit 1
fi
