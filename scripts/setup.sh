#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up a Debian 12 machine for DVS: installs every package the build, the tests and the
# demo need (idempotent), prepares hugepages where it can, and builds into build/.
#   scripts/setup.sh [--no-build] [--asan]
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(
  build-essential pkg-config meson ninja-build git
  libdpdk-dev dpdk dpdk-dev libbpf-dev bpftool clang llvm libelf-dev zlib1g-dev
  libjansson-dev libmnl-dev libcmocka-dev libsystemd-dev
  iproute2 iputils-ping tcpdump tshark iperf3 procps psmisc kmod valgrind
  python3-scapy busybox-static cpio qemu-system-x86 linux-image-amd64
  openvswitch-switch-dpdk openvswitch-common python3-openvswitch systemd
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  echo "wireshark-common wireshark-common/install-setuid boolean false" | $SUDO debconf-set-selections
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/dvs-apt.log 2>&1 || {
    tail -30 /tmp/dvs-apt.log; echo "setup: apt-get install failed (log: /tmp/dvs-apt.log)" >&2; exit 1; }
fi

# Hugepages: best effort.  Everything also works with --no-huge (DVS_NO_HUGE=1 is exported by
# the test harness when this fails).
if [ "$(id -u)" -eq 0 ]; then
  hp=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
  if [ -w "$hp" ] && [ "$(cat $hp)" -lt 512 ]; then echo 512 > "$hp" 2>/dev/null || true; fi
  if ! mount | grep -q 'type hugetlbfs'; then
    mkdir -p /dev/hugepages && mount -t hugetlbfs nodev /dev/hugepages 2>/dev/null || true
  fi
  if [ "$(cat $hp 2>/dev/null || echo 0)" -lt 256 ]; then
    echo "setup: hugepages unavailable; DPDK will run with --no-huge"
  fi
fi

[ "${1:-}" = "--no-build" ] && exit 0
opts=()
[ "${1:-}" = "--asan" ] && opts+=(-Db_sanitize=address,undefined -Db_lundef=false)
if [ ! -f build/build.ninja ]; then
  meson setup build "${opts[@]}" ${CI:+-Dwerror=true}
fi
ninja -C build
