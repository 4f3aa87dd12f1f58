#!/usr/bin/env bash
# Runs the whole suite the way a busy machine runs it: both cores kept busy
# by other processes, and a TCG guest running beside the tests (the counter
# guest, booted by Debian's QEMU with no driver). The load goes away when
# the suite ends, whatever its result.
#
#   scripts/test-under-load.sh [swift test arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."

load_dir=$(mktemp -d /tmp/lm-load-XXXXXX)
pids=()
stop_load() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$load_dir"
}
trap stop_load EXIT

# One busy loop per core.
for _ in $(seq "$(nproc)"); do
    (while :; do :; done) &
    pids+=($!)
done

# A TCG guest beside the suite: the counter guest on its own copy of the disk.
cp guest/build/counter.img "$load_dir/disk.img"
qemu-system-x86_64 -machine pc,accel=tcg -m 32 -display none -no-user-config -nodefaults \
    -drive "file=$load_dir/disk.img,format=raw,if=ide" \
    -chardev "file,id=s0,path=$load_dir/serial.log" -device isa-serial,chardev=s0 &
pids+=($!)

echo "load: $(nproc) busy loops and a TCG guest (pids ${pids[*]})"
start=$(date +%s)
status=0
swift test --no-parallel "$@" || status=$?
echo "suite under load: exit $status after $(( $(date +%s) - start )) s"
exit $status
