#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds an arm64 Debian 12 sysroot for cross compiling and for qemu-aarch64 -L.
#   make-sysroot.sh DIR STAMP PACKAGE...
# debootstrap --foreign only downloads and unpacks the base; the -dev packages it fetched
# (with their dependencies) are unpacked with dpkg -x, since their maintainer scripts cannot run.
set -euo pipefail
dir="$1"; stamp="$2"; shift 2
pkgs=$(IFS=,; echo "$*")

# Use the mirror this machine's apt already uses (the closed network reaches only that).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
           | grep -oE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' | head -1 | awk '{print $2}' || true)
mirror="${mirror:-http://deb.debian.org/debian}"

tmp="$dir.tmp"
rm -rf "$tmp"
mkdir -p "$tmp"
echo "make-sysroot: debootstrap arm64 bookworm from $mirror into $tmp (about a minute)"
debootstrap --variant=minbase --arch=arm64 --foreign --include="$pkgs" bookworm "$tmp" "$mirror" \
  > "$tmp.log" 2>&1 || { echo "make-sysroot: debootstrap failed, see $tmp.log" >&2; tail -20 "$tmp.log" >&2; exit 1; }

n=0
for deb in "$tmp"/var/cache/apt/archives/*.deb; do
  dpkg -x "$deb" "$tmp"
  n=$((n + 1))
done
echo "make-sysroot: unpacked $n packages"

# Links that update-alternatives would have made in a real install.
lib="$tmp/usr/lib/aarch64-linux-gnu"
for l in blas lapack; do
  for so in lib$l.so.3 lib$l.so; do
    [ -e "$lib/$l/$so" ] && ln -sfn "$l/$so" "$lib/$so"
  done
done
# Absolute symlinks inside the sysroot would point at the build machine's files; make them relative.
find "$tmp" -type l -lname '/*' | while read -r link; do
  target=$(readlink "$link")
  rel=$(realpath -m --relative-to="$(dirname "$link")" "$tmp$target")
  ln -sfn "$rel" "$link"
done
rm -rf "$tmp"/var/cache/apt/archives/*.deb
echo "$stamp" > "$tmp/.gw-stamp"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "make-sysroot: ready at $dir"
