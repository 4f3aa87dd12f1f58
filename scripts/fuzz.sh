#!/bin/bash
# make fuzz: builds each libFuzzer target (swiftc -sanitize=fuzzer,address)
# and runs it for FUZZ_SECONDS (default 600) from its committed seed corpus
# (Fuzz/corpus/TARGET), in a working corpus under .build-fuzz/ that grows
# between runs. Exits non-zero when a target finds a crash; libFuzzer then
# writes the input as .build-fuzz/crash-* (add it to Fuzz/corpus/TARGET once
# the bug is fixed: every run replays the corpus first).
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFTC=${SWIFTC:-swiftc}
SECONDS_PER_TARGET=${FUZZ_SECONDS:-600}
OUT=.build-fuzz
mkdir -p "$OUT"

# target name, its entry file, then the project's sources it tests.
declare -A SOURCES=(
    [qmp-json]="Fuzz/qmp-json/FuzzQMPJSON.swift Sources/qemu_monitor/JSONParser.swift Sources/qemu_monitor/JSONValue.swift Sources/qemu_monitor/JSONParseError.swift Sources/qemu_monitor/JSONWriter.swift"
)
TARGETS=${FUZZ_TARGETS:-${!SOURCES[*]}}

for t in $TARGETS; do
    echo "== fuzz-$t: building"
    # shellcheck disable=SC2086
    "$SWIFTC" -parse-as-library -O -sanitize=fuzzer,address -module-name "fuzz_${t//-/_}" \
        ${SOURCES[$t]} -o "$OUT/fuzz-$t" 2>&1 | grep -v "Cannot export local symbol" || true
    [ -x "$OUT/fuzz-$t" ] || { echo "fuzz-$t: build failed"; exit 1; }
    mkdir -p "$OUT/corpus/$t"
    echo "== fuzz-$t: ${SECONDS_PER_TARGET} s from Fuzz/corpus/$t"
    (cd "$OUT" && "./fuzz-$t" -max_total_time="$SECONDS_PER_TARGET" -max_len=65536 -timeout=10 \
        -print_final_stats=1 "corpus/$t" "../Fuzz/corpus/$t") 2>&1 | tee "$OUT/fuzz-$t.log" | grep -E "^#[0-9]+ +DONE|stat::|ERROR|SUMMARY|crash-|Done" || true
    grep -q "ERROR: libFuzzer\|ERROR: AddressSanitizer\|Fatal error" "$OUT/fuzz-$t.log" && { echo "fuzz-$t found a crash: see $OUT/fuzz-$t.log"; exit 1; }
done
echo "fuzz: no crash"
