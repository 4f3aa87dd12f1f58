#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test and demo the
# project: only the missing packages, `apt-get update` first; then QEMU 10.0
# from bookworm-backports into /opt/qemu-10.0, beside Debian's QEMU 7.2
# (scripts/setup-qemu-10.0.sh). Idempotent.
set -euo pipefail

packages=(
    pkg-config          # finds libxml2 and libvirt for SwiftPM
    libxml2-dev         # CLibXML2: domain XML, status XML, cookies, RelaxNG
    libvirt-dev         # CLibvirt: libvirt's public ABI and client library
    libvirt0            # libvirt's RelaxNG schemas (/usr/share/libvirt/schemas)
    libglib2.0-dev      # libvirt's client library links glib
    qemu-system-x86     # the hypervisor the tests and the demo run
    qemu-utils          # qemu-img
    libvirt-clients     # Debian's virsh 9.0: the reference for output and messages
    libvirt-daemon-system  # Debian's libvirtd 9.0: the reference daemon for compatibility tests
    python3-libvirt     # libvirt's Python binding: a client of virtqemud in tests
    ansible-core        # ansible-playbook: the fleet roll-out playbook (examples/ansible) is tested on localhost
    binutils            # as, ld, objcopy: assemble the test guest
    iproute2            # ip: the tap-interface tests make a Linux bridge
    busybox-static      # the tests' Linux guest: its initramfs is busybox and a script
    ovmf                # UEFI firmware and its descriptors (/usr/share/qemu/firmware) for <os firmware='efi'>
    make
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} > 0)); then
    echo "Installing missing packages: ${missing[*]}"
    sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || { echo "error: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
        sudo=(sudo)
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's udev rule gives /dev/kvm to the kvm group, mode 0660. Machines
# without udev (containers) leave it root-only; Debian's libvirtd, the
# reference in the compatibility tests, runs QEMU as libvirt-qemu and then
# probes QEMU again for every definition (minutes instead of milliseconds).
if [[ -c /dev/kvm && $(id -u) -eq 0 ]] && getent group kvm >/dev/null; then
    if [[ $(stat -c %G /dev/kvm) != kvm ]]; then
        chgrp kvm /dev/kvm && chmod 0660 /dev/kvm
    fi
fi

# QEMU 10.0 from bookworm-backports, unpacked into /opt/qemu-10.0 beside
# Debian 12's QEMU 7.2 (which stays /usr/bin/qemu-system-x86_64): the newer
# build that a guest is migrated into. Quick when it is already there.
bash "$(dirname "$0")/setup-qemu-10.0.sh"
bash "$(dirname "$0")/setup-linux-guest.sh"
