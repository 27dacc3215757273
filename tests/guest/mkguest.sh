#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the test guest: a busybox initramfs with the virtio-net modules of the installed
# Debian kernel and tests/guest/init.  Cached: rebuilt only when an input changes (this
# script, init, busybox, the kernel).  Prints two lines: the kernel path, the initramfs path.
#   tests/guest/mkguest.sh [OUTDIR]     (default $DVS_BUILD/guest, DVS_BUILD default ./build)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
out=${1:-${DVS_BUILD:-$src/build}/guest}
# Loaded in this order by init: each module's dependencies come before it.
modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci
	failover net_failover virtio_net)

die() { echo "mkguest: $*" >&2; exit 1; }

busybox=$(command -v busybox || true)
[ -n "$busybox" ] || die "busybox not found: install busybox-static"
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	ldd "$busybox" 2>&1 | grep -q 'not a dynamic' ||
	die "$busybox is not static: install busybox-static"
command -v cpio >/dev/null || die "cpio not found: install cpio"

# The newest kernel that has its modules installed.
kver=
for k in $(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V -r); do
	v=${k#/boot/vmlinuz-}
	if [ -d "/lib/modules/$v/kernel" ]; then kver=$v; break; fi
done
[ -n "$kver" ] || die "no /boot/vmlinuz-* with /lib/modules: install linux-image-amd64"
kernel=/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "$kernel is not readable (run as root)"

mod_files=()
for m in "${modules[@]}"; do
	f=$(find "/lib/modules/$kver/kernel" -name "$m.ko" -o -name "$m.ko.xz" -o -name "$m.ko.zst" |
		head -1)
	[ -n "$f" ] || die "module $m not found for kernel $kver"
	mod_files+=("$f")
done

key=$( { echo "$kver"; sha256sum "$here/init" "$0" "$busybox" "$kernel" "${mod_files[@]}"; } |
	sha256sum | cut -d' ' -f1)
if [ -f "$out/guest.key" ] && [ "$(cat "$out/guest.key")" = "$key" ] &&
	[ -f "$out/guest.cpio.gz" ] && [ -e "$out/vmlinuz" ]; then
	echo "$out/vmlinuz"
	echo "$out/guest.cpio.gz"
	exit 0
fi

mkdir -p "$out"
root=$(mktemp -d "$out/root.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,etc,tmp,root,lib/modules}
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
install -m 0755 "$here/init" "$root/init"
for i in "${!modules[@]}"; do
	f=${mod_files[$i]} dst="$root/lib/modules/${modules[$i]}.ko"
	case "$f" in
	*.xz) xz -dc "$f" >"$dst" ;;
	*.zst) zstd -qdc "$f" >"$dst" ;;
	*) cp "$f" "$dst" ;;
	esac
done
printf '%s\n' "${modules[@]}" >"$root/etc/dvs-modules"
# A wide terminal: the serial shell must not wrap long command lines it echoes.
cat >"$root/etc/profile" <<'PROFILE'
export PATH=/bin PS1='guest# '
stty cols 1000 2>/dev/null
PROFILE
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -9 >"$out/guest.cpio.gz.tmp"
mv "$out/guest.cpio.gz.tmp" "$out/guest.cpio.gz"
ln -sfn "$kernel" "$out/vmlinuz"
echo "$key" >"$out/guest.key"
echo "$out/vmlinuz"
echo "$out/guest.cpio.gz"
