#!/usr/bin/env bash
# Unpacks Debian 12's kernel (the package linux-image-amd64 depends on)
# into /opt/linux-guest for the tests' Linux guest: vmlinuz and the virtio,
# vfat, evdev and ACPI button modules that guest loads from its initramfs. The package is downloaded
# with `apt-get download` and unpacked with `dpkg-deb -x`: nothing is
# installed, no boot loader or initramfs hook runs on this machine. The
# initramfs itself (busybox-static, the guest agent and an init script) is
# made by the tests (TestSupport's LinuxGuest). Debian 12's QEMU guest agent
# (qemu-guest-agent, the package a guest installs) goes in /opt/linux-guest/ga:
# `qemu-ga` and the shared libraries it links, as this host has them (the
# guest's userland is this host's Debian 12). Idempotent: a second run
# returns at once.
#
#   bash scripts/setup-linux-guest.sh        # run by scripts/setup.sh
set -euo pipefail
prefix=/opt/linux-guest
[[ -f $prefix/vmlinuz && -f $prefix/stamp && -x $prefix/ga/usr/sbin/qemu-ga && -f $prefix/modules/button.ko ]] && exit 0

sudo=()
[[ $(id -u) -ne 0 ]] && sudo=(sudo)
package=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
[[ -n $package ]] || { echo "error: cannot tell which kernel linux-image-amd64 depends on" >&2; exit 1; }
work=$(mktemp -d /tmp/lm-kernel-XXXXXX)
trap 'rm -rf "$work"' EXIT
chmod 755 "$work"   # apt's _apt user downloads into it
(cd "$work" && apt-get download -q "$package" qemu-guest-agent)
dpkg-deb -x "$work"/"$package"_*.deb "$work/x"
dpkg-deb -x "$work"/qemu-guest-agent_*.deb "$work/ga"
release=${package#linux-image-}
modules="$work/x/lib/modules/$release/kernel"
stage="$work/stage"
mkdir -p "$stage/modules"
cp "$work/x/boot/vmlinuz-$release" "$stage/vmlinuz"
# In the order the guest loads them (each after what it needs).
for m in drivers/virtio/virtio.ko drivers/virtio/virtio_ring.ko drivers/virtio/virtio_pci_legacy_dev.ko \
         drivers/virtio/virtio_pci_modern_dev.ko drivers/virtio/virtio_pci.ko drivers/block/virtio_blk.ko \
         net/core/failover.ko drivers/net/net_failover.ko drivers/net/virtio_net.ko drivers/char/virtio_console.ko \
         drivers/char/hw_random/virtio-rng.ko drivers/virtio/virtio_balloon.ko \
         fs/fat/fat.ko fs/fat/vfat.ko fs/nls/nls_cp437.ko fs/nls/nls_ascii.ko \
         drivers/input/evdev.ko drivers/acpi/button.ko; do
  cp "$modules/$m" "$stage/modules/"
  basename "$m" >> "$stage/modules/order"
done
mkdir -p "$stage/ga/usr/sbin"
cp "$work/ga/usr/sbin/qemu-ga" "$stage/ga/usr/sbin/"
# Its libraries and the dynamic loader, at the paths it looks for them.
for lib in $(ldd "$work/ga/usr/sbin/qemu-ga" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\/.*ld-linux/ { print $1 }'); do
  mkdir -p "$stage/ga$(dirname "$lib")"
  cp -L "$lib" "$stage/ga$lib"
done
echo "$package" > "$stage/stamp"
"${sudo[@]}" rm -rf "$prefix"
"${sudo[@]}" mkdir -p "$(dirname "$prefix")"
"${sudo[@]}" cp -r "$stage" "$prefix"
"${sudo[@]}" chmod -R a+rX "$prefix"
echo "Linux guest kernel: $prefix ($package)"
