#!/usr/bin/env bash
# The demo (`make demo`, which sets up and builds first): a running VM moves
# into a new QEMU process on this same host, live, with `virsh migrate
# --live --local`; then QEMU 10.0 is installed over the guest's QEMU 7.2
# binary (as apt-get upgrade replaces /usr/bin/qemu-system-x86_64) and
# `virsh upgrade-qemu` moves the running guest onto it. Everything runs in
# a temporary embedded driver root and is removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."

VIRSH=${VIRSH:-.build/debug/virsh}
IMAGE=guest/build/counter.img
[[ -x $VIRSH ]] || { echo "demo: $VIRSH is missing; run 'make demo' (it builds first)" >&2; exit 1; }
[[ -f $IMAGE ]] || make -s -C guest

ROOT=$(mktemp -d /tmp/lm-demo-XXXXXX)
URI="qemu:///embed?root=$ROOT"
export LIBVIRT_DEFAULT_URI=$URI
SERIAL=$ROOT/serial.log

cleanup() {
    "$VIRSH" -q destroy vm >/dev/null 2>&1 || true
    "$VIRSH" -q undefine vm >/dev/null 2>&1 || true
    # Anything QEMU left under the root (only if the demo broke half-way).
    for f in "$ROOT"/run/qemu/*/qemu.pid; do
        [[ -f $f ]] && kill -9 "$(cat "$f")" 2>/dev/null || true
    done
    rm -rf "$ROOT"
}
trap cleanup EXIT

say() { printf '\n== %s\n' "$*"; }
run() { printf '$ virsh %s\n' "$*"; "$VIRSH" "$@"; }
qemu_pid() { cat "$ROOT"/run/qemu/domain-"$1"-vm/qemu.pid; }
counters() { tr -d '\r' < "$SERIAL" | grep -a '^counter ' | cut -d' ' -f2; }
last_counter() { counters | tail -n 1; }
continuous() { counters | awk '{ if ($1 != NR - 1) bad = 1 } END { exit bad }'; }
# Whether a process still runs (a zombie does not count); waits up to 5 s
# for one that is on its way out.
alive() {
    for _ in $(seq 50); do
        [[ -r /proc/$1/stat ]] && [[ $(cut -d' ' -f3 < "/proc/$1/stat" 2>/dev/null) != Z ]] || return 1
        sleep 0.1
    done
    return 0
}
field() { "$VIRSH" dominfo vm | sed -n "s/^$1: *//p"; }

QEMU72=/usr/bin/qemu-system-x86_64
QEMU100=/opt/qemu-10.0/bin/qemu-system-x86_64
[[ -x $QEMU100 ]] || { echo "demo: $QEMU100 is missing; run 'make demo' (its setup installs it)" >&2; exit 1; }
# The guest's emulator: a copy of Debian's 7.2 in a prefix of the root's
# own (7.2 finds its modules and firmware relative to itself: lib and share
# point to the system's), so that the demo can replace it as apt would.
EMU=$ROOT/usr/bin/qemu-system-x86_64
mkdir -p "$ROOT/usr/bin"
ln -s /usr/lib "$ROOT/usr/lib"
ln -s /usr/share "$ROOT/usr/share"
install_emulator() { cp "$1" "$EMU.dpkg-new" && chmod 755 "$EMU.dpkg-new" && mv "$EMU.dpkg-new" "$EMU"; }
install_emulator "$QEMU72"

cp "$IMAGE" "$ROOT/counter.img"
cat > "$ROOT/vm.xml" <<EOF
<domain type='qemu'>
  <name>vm</name>
  <memory unit='MiB'>16</memory>
  <memoryBacking><source type='file'/><access mode='shared'/></memoryBacking>
  <vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type><boot dev='hd'/></os>
  <devices>
    <emulator>$EMU</emulator>
    <disk type='file' device='disk'>
      <driver name='qemu' type='raw'/>
      <source file='$ROOT/counter.img'/>
      <target dev='hda' bus='ide'/>
    </disk>
    <serial type='file'><source path='$SERIAL'/><target port='0'/></serial>
    <console type='file'><source path='$SERIAL'/><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
EOF

say "A tiny guest (a boot sector that counts on its serial port), its RAM in a"
echo "   shared file, in a temporary embedded driver root: $URI"
run define "$ROOT/vm.xml"
run start vm
sleep 1.5
say "It runs and counts (its serial log, twice, half a second apart):"
tail -n 2 "$SERIAL" | tr -d '\r'; sleep 0.5; tail -n 2 "$SERIAL" | tr -d '\r'
run list

ID1=$(field Id); UUID1=$(field UUID); PID1=$(qemu_pid "$ID1"); C1=$(last_counter)
say "Before: name vm, UUID $UUID1, id $ID1, QEMU pid $PID1, counter $C1"

say "Live local migration: a new QEMU on this host takes the running guest over."
run migrate --live --local --verbose vm "$URI"
say "What QEMU reported for the finished migration:"
run domjobinfo --completed vm | tee "$ROOT/job.txt"
DOWNTIME=$(sed -n 's/^Total downtime: *\([0-9]*\).*/\1/p' "$ROOT/job.txt")

sleep 1
ID2=$(field Id); UUID2=$(field UUID); PID2=$(qemu_pid "$ID2"); C2=$(last_counter)
say "After:  name $(field Name), UUID $UUID2, id $ID2, QEMU pid $PID2, counter $C2"
[[ $UUID1 == "$UUID2" ]] && echo "   same name and UUID"
[[ $ID1 != "$ID2" ]] && echo "   a new id ($ID1 -> $ID2): a new instance"
[[ $PID1 != "$PID2" ]] && ! alive "$PID1" && echo "   a new QEMU process ($PID1 -> $PID2); the old one is gone"
if continuous; then
    echo "   the counter went on from $C1 to $C2 with no gap and no restart"
else
    echo "   WARNING: the counter restarted or jumped" >&2; exit 1
fi
echo "   downtime reported by QEMU: ${DOWNTIME:-?} ms"

say "The upgrade. The guest's machine type was pinned when it was defined"
echo "   (machine='pc' is an alias each QEMU resolves to its newest machine):"
"$VIRSH" dumpxml vm | grep -o "<type arch=.*</type>" | sed 's/^/   /'
run qemu-monitor-command vm --pretty '{"execute":"query-version"}'
say "QEMU 10.0 is installed over the guest's 7.2 binary (a new file renamed over"
echo "   the old one, as dpkg does). The guest still runs the old QEMU:"
install_emulator "$QEMU100"
run upgrade-qemu --dry-run
run upgrade-qemu
sleep 1
ID3=$(field Id); PID3=$(qemu_pid "$ID3"); C3=$(last_counter)
run qemu-monitor-command vm --pretty '{"execute":"query-version"}'
echo "   id $ID2 -> $ID3, QEMU pid $PID2 -> $PID3, counter $C2 -> $C3"
"$VIRSH" dumpxml vm | grep -o "<type arch=.*</type>" | sed 's/^/   machine type kept: /'
if continuous; then
    echo "   the counter still never restarted"
else
    echo "   WARNING: the counter restarted or jumped" >&2; exit 1
fi
run upgrade-qemu

say "Clean up: destroy, undefine, remove the root."
run destroy vm
run undefine vm
PIDS_LEFT=$(for p in "$PID1" "$PID2" "$PID3"; do alive "$p" && echo "$p"; done || true)
trap - EXIT
cleanup
if [[ -z $PIDS_LEFT && ! -e $ROOT ]]; then
    echo "   no QEMU process and no file left behind"
else
    echo "demo: left behind: ${PIDS_LEFT:-} $ROOT" >&2; exit 1
fi
