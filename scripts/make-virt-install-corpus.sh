#!/usr/bin/env bash
# Regenerates fixtures/virt-install/: the domain definitions Debian 12's
# virt-install 4.1 (package virtinst) writes for common Linux and Windows
# guests, on pc and q35, BIOS and UEFI, with SPICE, VNC and no graphics.
# It asks Debian's libvirtd (qemu:///system) for the host's capabilities, as
# a user's virt-install does, with `--print-xml` (nothing is defined).
#
# The only edit made to virt-install's output: the folder of the disk images
# (made here so that virt-install accepts them) becomes @DISKDIR@, which the
# corpus test replaces with the images it makes. The UUID and MAC address
# virt-install chose are kept.
#
#   scripts/make-virt-install-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=fixtures/virt-install
work=$(mktemp -d /tmp/lm-corpus-XXXXXX)
trap 'rm -rf "$work"' EXIT
for d in disk cdrom; do qemu-img create -q -f qcow2 "$work/$d.qcow2" 64M; done
qemu-img create -q -f raw "$work/disk.raw" 64M
: > "$work/install.iso"

# name | virt-install options (beyond the common ones below)
variants=(
  "debian11-q35-spice|--osinfo debian11"
  "ubuntu2204-q35-uefi-vnc|--osinfo ubuntu22.04 --boot uefi --graphics vnc"
  "fedora37-q35-nographics|--osinfo fedora37 --graphics none"
  "rhel9-q35-virtio-scsi|--osinfo rhel9.0 --controller type=scsi,model=virtio-scsi --disk path=$work/disk.raw,bus=scsi,format=raw"
  "centos7-pc-vnc|--osinfo centos7.0 --machine pc --graphics vnc"
  "alpine317-pc-nographics-cdrom|--osinfo alpinelinux3.17 --machine pc --graphics none --disk path=$work/cdrom.qcow2,device=cdrom,bus=ide"
  "win10-q35-spice|--osinfo win10"
  "win11-q35-uefi-vnc|--osinfo win11 --boot uefi --graphics vnc --tpm none"
  "win2k19-pc-vnc|--osinfo win2k19 --machine pc --graphics vnc"
  "win7-pc-spice|--osinfo win7 --machine pc"
  "winxp-pc-vnc|--osinfo winxp --machine pc --graphics vnc"
  "generic-pc-uefi-sata|--osinfo generic --boot uefi --disk path=$work/disk.raw,bus=sata,format=raw"
)
rm -f "$out"/*.xml
for v in "${variants[@]}"; do
  name=${v%%|*}; opts=${v#*|}
  # shellcheck disable=SC2086
  virt-install --connect qemu:///system --print-xml --virt-type qemu --import --noautoconsole \
      --name "$name" --memory 64 --vcpus 1 --network user \
      --disk "path=$work/disk.qcow2" $opts > "$work/$name.xml"
  sed "s|$work|@DISKDIR@|g" "$work/$name.xml" > "$out/$name.xml"
  echo "$out/$name.xml"
done
