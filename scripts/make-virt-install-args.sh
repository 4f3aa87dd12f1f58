#!/usr/bin/env bash
# Writes, beside each definition of fixtures/virt-install/, the command line
# libvirt 9.0 makes of it: `virsh domxml-to-native qemu-argv` against
# Debian's libvirtd (qemu:///system), one argument per line from the
# emulator on (the environment before it, which holds the caller's PATH, is
# left out), with the disk folder written @DISKDIR@ as in the definition. The comparison test reads
# these .args files; it does not need libvirtd.
#
#   scripts/make-virt-install-args.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/virt-install
work=$(mktemp -d /tmp/lm-args-XXXXXX)
trap 'rm -rf "$work"' EXIT
for d in disk cdrom; do qemu-img create -q -f qcow2 "$work/$d.qcow2" 16M; done
qemu-img create -q -f raw "$work/disk.raw" 16M
for xml in "$out"/*.xml; do
  name=$(basename "$xml" .xml)
  sed "s|@DISKDIR@|$work|g" "$xml" > "$work/$name.xml"
  # One argument per line: libvirt quotes an argument with a space or a
  # shell character in single quotes, and none of these holds a quote.
  virsh -c qemu:///system domxml-to-native qemu-argv "$work/$name.xml" \
    | python3 -c 'import re, shlex, sys
args = shlex.split(sys.stdin.read())
while args and re.match(r"[A-Z_]+=", args[0]): args.pop(0)
print("\n".join(args))' \
    | sed "s|$work|@DISKDIR@|g" > "$out/$name.args"
  echo "$out/$name.args"
done
