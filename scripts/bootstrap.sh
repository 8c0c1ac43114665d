#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs everything the project needs from Debian 12 packages; idempotent.
#
#   scripts/bootstrap.sh                  native build, tests and demo
#   scripts/bootstrap.sh --cross aarch64  also the ARM cross compiler, qemu-user and an arm64 sysroot
#   scripts/bootstrap.sh --check          exit 0 when nothing is missing, 1 otherwise (installs nothing)
#
# The USB VM test (scripts/usb-vm-test.sh) boots Debian 12's own kernel under qemu: the kernel package is
# downloaded and unpacked into GW_USBVM_CACHE (default /var/cache/grenswacht/usb-vm), never installed.
#
# The arm64 sysroot is built with debootstrap + dpkg -x, not multiarch: the arm64 -dev packages of
# OpenCV's imgcodecs/calib3d/objdetect/features2d cannot be co-installed with the amd64 ones.
# It is cached outside the source tree (GW_SYSROOT_CACHE, default /var/cache/grenswacht) and rebuilt
# only when its package list changes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cross=""
check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cross) cross="${2:-}"; shift 2 ;;
    --cross=*) cross="${1#--cross=}"; shift ;;
    --check) check_only=1; shift ;;
    -h|--help) sed -n '3,12p' "$0"; exit 0 ;;
    *) echo "bootstrap: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
if [ -n "$cross" ] && [ "$cross" != aarch64 ]; then
  echo "bootstrap: --cross supports only 'aarch64', not '$cross'" >&2; exit 2
fi

# Native packages: build tools, libraries, test and demo tools.
native_pkgs=(
  build-essential g++ cmake ninja-build pkg-config git ca-certificates
  clang-16 libclang-rt-16-dev clang-format clang-tidy
  libopencv-dev libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng
  libzxing-dev libusb-1.0-0-dev catch2 libsqlite3-dev sqlite3 libssl-dev openssl
  nlohmann-json3-dev libcpp-httplib-dev libcli11-dev
  fonts-ocr-b fonts-dejavu-core fonts-liberation fontconfig
  valgrind python3 libgpiod-dev
  chromium nodejs
  qemu-system-x86 busybox-static
)
# Scanner-side arm64 libraries, unpacked into the sysroot. debootstrap does not resolve virtual
# packages, so alternatives are named (libtesseract-dev needs libcurl4-dev | libcurl4-gnutls-dev).
sysroot_pkgs=(
  libc6-dev libstdc++-12-dev libgcc-12-dev
  libopencv-dev libtesseract-dev libleptonica-dev libzxing-dev libusb-1.0-0-dev
  libssl-dev nlohmann-json3-dev libcli11-dev catch2 libgpiod-dev libsqlite3-dev
  libcurl4-openssl-dev
)
cross_pkgs=(g++-aarch64-linux-gnu gcc-aarch64-linux-gnu qemu-user debootstrap binutils-aarch64-linux-gnu)

missing() {
  local p out=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || out+=("$p")
  done
  echo "${out[@]:-}"
}

need=( $(missing "${native_pkgs[@]}") )
[ -n "$cross" ] && need+=( $(missing "${cross_pkgs[@]}") )

sysroot_cache="${GW_SYSROOT_CACHE:-/var/cache/grenswacht}"
sysroot="$sysroot_cache/sysroot-arm64"
stamp_want=$(printf '%s\n' "${sysroot_pkgs[@]}" | sort | sha256sum | cut -c1-16)
sysroot_ok=1
if [ -n "$cross" ]; then
  [ -f "$sysroot/.gw-stamp" ] && [ "$(cat "$sysroot/.gw-stamp")" = "$stamp_want" ] || sysroot_ok=0
fi

# The station's browser test drives Debian's Chromium with playwright-core from the npm registry.
browser_dir="$here/../tests/browser"
browser_ok=1
[ -f "$browser_dir/package-lock.json" ] && [ ! -d "$browser_dir/node_modules/playwright-core" ] && browser_ok=0

# The USB VM test's kernel (and, once the packages above are in, qemu and busybox).
usbvm_ok=1
"$here/usb-vm-test.sh" --check >/dev/null 2>&1 || usbvm_ok=0

if [ "$check_only" = 1 ]; then
  [ ${#need[@]} -eq 0 ] && [ "$sysroot_ok" = 1 ] && [ "$browser_ok" = 1 ] && [ "$usbvm_ok" = 1 ] && exit 0
  [ "$browser_ok" = 1 ] || echo "bootstrap: tests/browser/node_modules missing (npm ci)" >&2
  [ "$usbvm_ok" = 1 ] || "$here/usb-vm-test.sh" --check 2>&1 | sed 's/^usb-vm-test:/bootstrap: USB VM test:/' >&2
  [ ${#need[@]} -gt 0 ] && echo "bootstrap: missing packages: ${need[*]}" >&2
  [ "$sysroot_ok" = 1 ] || echo "bootstrap: arm64 sysroot missing or out of date: $sysroot" >&2
  exit 1
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: these packages are missing and installing them needs root: ${need[*]}" >&2
    exit 1
  fi
  echo "bootstrap: installing ${#need[@]} packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
else
  echo "bootstrap: all native packages present"
fi

# Debian's nodejs comes without npm, NodeSource's bundles it (and conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
  echo "bootstrap: installing npm"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends npm
fi

if [ "$browser_ok" = 0 ]; then
  echo "bootstrap: npm ci in tests/browser (playwright-core)"
  (cd "$browser_dir" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$usbvm_ok" = 0 ] && ! "$here/usb-vm-test.sh" --check >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap: the USB VM test's kernel cache is missing and making it needs root: scripts/usb-vm-test.sh --fetch" >&2
    exit 1
  fi
  "$here/usb-vm-test.sh" --fetch
fi

if [ -n "$cross" ] && [ "$sysroot_ok" = 0 ]; then
  "$here/make-sysroot.sh" "$sysroot" "$stamp_want" "${sysroot_pkgs[@]}"
fi
[ -n "$cross" ] && echo "bootstrap: arm64 sysroot at $sysroot"
exit 0
